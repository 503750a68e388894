// docs/session.schema.json against real documents: the files `run
// --session` and `compare --session` write and one round-tripped through
// sessionToJson must validate (Debian's python3-jsonschema, draft
// 2020-12), and documents with a row cut short, a role or a category out
// of its enum, or a required field gone must not: the schema checks what
// the reader checks.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "cli_process.h"
#include "interstage/session_file.h"
#include "schema_check.h"
#include "test_support.h"

using namespace interstage;
using testsupport::runCli;

namespace {

using testsupport::validateSessionDocument;
using Validation = testsupport::SchemaCheck;

Validation validate(const QString& document) { return validateSessionDocument(document); }

QString writeText(const QTemporaryDir& dir, const QString& name, const std::string& text) {
    return QString::fromStdString(testsupport::writeFile(dir, name.toStdString(), text));
}

std::string readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

}  // namespace

class TestExportSchema : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString runFile_, compareFile_;

private slots:
    void initTestCase() {
        if (!testsupport::schemaValidatorAvailable())
            QSKIP("needs /usr/bin/python3 with jsonschema (scripts/setup.sh)");
        const QString model = writeText(dir_, "chain.onnx", testsupport::chainWithoutVulkanShader().serialize());
        runFile_ = dir_.filePath("run.interstage");
        auto r = runCli({"run", model, "--runs", "2", "--threads", "1", "--mode", "reduce", "--session", runFile_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        compareFile_ = dir_.filePath("compare.interstage");
        r = runCli({"compare", model, "--runs", "1", "--threads", "1", "--session", compareFile_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void cliDocumentsValidate_data() {
        QTest::addColumn<QString>("which");
        QTest::newRow("run --session") << "run";
        QTest::newRow("compare --session") << "compare";
    }
    void cliDocumentsValidate() {
        QFETCH(QString, which);
        const QString file = which == "run" ? runFile_ : compareFile_;
        // The new fields are there, so the schema checks them too.
        const auto doc = nlohmann::json::parse(readText(file));
        QVERIFY(doc.contains("model_facts"));
        for (const auto& set : doc["run_sets"]) {
            QVERIFY(set.contains("plan_tensors"));
            QVERIFY(set.contains("peak"));
            QVERIFY(set.contains("executed_node_ops"));
        }
        const Validation v = validate(file);
        QVERIFY2(v.code == 0, qPrintable(v.errors));
    }

    void roundTripValidates() {
        auto read = readSessionFile(compareFile_.toStdString());
        QVERIFY2(read.ok(), read.status().message().c_str());
        SavedSession session = read.take();
        session.viewState = R"({"tab":"timeline","selected_node":"relu"})";
        const QString file = writeText(dir_, "round.interstage", sessionToJson(session));
        const Validation v = validate(file);
        QVERIFY2(v.code == 0, qPrintable(v.errors));
    }

    void damagedDocumentsFail_data() {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("where");
        QTest::newRow("memory_map row short") << "map-row"
                                              << "run_sets/0/memory_map/0";
        QTest::newRow("plan_tensors role") << "role"
                                           << "run_sets/0/plan_tensors/0/1";
        QTest::newRow("event category") << "category"
                                        << "run_sets/0/runs/0/events/0/3";
        QTest::newRow("peak live row long") << "live-row"
                                            << "run_sets/0/peak/live/0";
        QTest::newRow("runs missing") << "no-runs"
                                      << "run_sets/0";
        QTest::newRow("ops count negative") << "ops"
                                            << "model_facts/ops";
        QTest::newRow("newer version") << "version"
                                       << "version";
    }
    void damagedDocumentsFail() {
        QFETCH(QString, damage);
        QFETCH(QString, where);
        auto doc = nlohmann::json::parse(readText(runFile_));
        auto& set = doc["run_sets"][0];
        if (damage == "map-row") set["memory_map"][0].erase(11);
        if (damage == "role") set["plan_tensors"][0][1] = "borrowed";
        if (damage == "category") set["runs"][0]["events"][0][3] = 6;
        if (damage == "live-row") set["peak"]["live"][0].push_back("extra");
        if (damage == "no-runs") set.erase("runs");
        if (damage == "ops") doc["model_facts"]["ops"]["Relu"] = -1;
        if (damage == "version") doc["version"] = 2;
        const QString file = writeText(dir_, "damaged.interstage", doc.dump());
        const Validation v = validate(file);
        QCOMPARE(v.code, 1);
        QVERIFY2(v.errors.contains(where), qPrintable(v.errors));
        // The engine's reader refuses the same documents.
        QVERIFY(!sessionFromJson(doc.dump()).ok());
    }
};

QTEST_GUILESS_MAIN(TestExportSchema)
#include "test_export_schema.moc"
