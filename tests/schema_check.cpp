#include "schema_check.h"

#include <QFile>
#include <QProcess>

namespace testsupport {
namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

}  // namespace

bool schemaValidatorAvailable() {
    if (!QFile::exists(kPython)) return false;
    QProcess probe;
    probe.start(kPython, {"-c", "import jsonschema"});
    return probe.waitForFinished(60000) && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0;
}

SchemaCheck validateSessionDocument(const QString& documentPath) {
    const QString schema = QStringLiteral(INTERSTAGE_SOURCE_DIR) + "/docs/session.schema.json";
    const QString script =
        "import json, sys, jsonschema\n"
        "schema = json.load(open(sys.argv[1]))\n"
        "jsonschema.Draft202012Validator.check_schema(schema)\n"
        "v = jsonschema.Draft202012Validator(schema)\n"
        "errors = list(v.iter_errors(json.load(open(sys.argv[2]))))\n"
        "for e in errors: print('/'.join(map(str, e.absolute_path)) + ': ' + e.message[:200])\n"
        "sys.exit(1 if errors else 0)\n";
    QProcess p;
    p.start(kPython, {"-c", script, schema, documentPath});
    if (!p.waitForFinished(120000)) return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError())};
}

}  // namespace testsupport
