// Runs interstage-cli as the suites that test the command line do, and
// reads the JSON documents it writes.
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace testsupport {

struct CliResult {
    int code = -1;  // the exit code; -1 when it crashed or timed out
    QString out, err;
};

// Waits up to ten minutes: a CLI run of a real model under ASan on a busy
// two-core machine takes minutes.
CliResult runCli(const QStringList& args);
// With these variables set (over the test's own environment).
CliResult runCli(const QStringList& args, const QMap<QString, QString>& environment);

// The file's JSON object; empty when it is missing or not an object.
QJsonObject readJsonObject(const QString& path);

}  // namespace testsupport
