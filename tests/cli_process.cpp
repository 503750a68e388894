#include "cli_process.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>

namespace testsupport {

CliResult runCli(const QStringList& args) { return runCli(args, {}); }

CliResult runCli(const QStringList& args, const QMap<QString, QString>& environment) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = environment.begin(); it != environment.end(); ++it) env.insert(it.key(), it.value());
    p.setProcessEnvironment(env);
    p.start(INTERSTAGE_CLI, args);
    p.waitForFinished(600000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QJsonObject readJsonObject(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

}  // namespace testsupport
