// interstage-cli info and zoo as a user runs them: output, JSON keys, and
// one-line errors with a non-zero exit status.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "test_support.h"

namespace {

struct CliResult {
    int exitCode = -1;
    QString out, err;
};

CliResult runCli(const QStringList& args) {
    QProcess p;
    p.start(INTERSTAGE_CLI, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

}  // namespace

class CliInfoTest : public QObject {
    Q_OBJECT
private slots:
    void infoOnSampleWritesJson() {
        QTemporaryDir dir;
        QString json = dir.filePath("info.json");
        auto r = runCli({"info", QString::fromStdString(testsupport::sampleModelPath()), "--json", json});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("lower bound"));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        for (const char* key : {"opset", "nodes", "ops", "weight_bytes", "intermediate_count", "intermediate_bytes",
                                "lower_bound_bytes", "largest_tensor", "inputs", "outputs"})
            QVERIFY2(doc.contains(key), key);
        QCOMPARE(doc["ops"].toObject()["Conv"].toInt(), 119);
        QCOMPARE(doc["inputs"].toArray().at(0).toObject()["shape"].toArray().size(), 4);
        QVERIFY(doc["lower_bound_bytes"].toDouble() < doc["intermediate_bytes"].toDouble());
        // The largest is a decoder Concat of two 64-channel maps at full size.
        QCOMPARE(doc["largest_tensor"].toObject()["bytes"].toDouble(), 128.0 * 320 * 320 * 4);
    }

    void inputSpecChangesShapes() {
        using namespace interstage;
        QTemporaryDir dir;
        GraphBuilder b("dynamic");
        b.input("x", DataType::Float, {-1, 3, -1, -1}, {"N", "", "H", "W"});
        b.output(b.op("Relu", {"x"}, {}, "y"), DataType::Float, {});
        std::string path = testsupport::writeFile(dir, "d.onnx", b.serialize());
        auto r = runCli({"info", QString::fromStdString(path), "--input", "x=2x3x17x5"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("2x3x17x5"), qPrintable(r.out));
        auto defaults = runCli({"info", QString::fromStdString(path)});
        QCOMPARE(defaults.exitCode, 0);
        QVERIFY2(defaults.out.contains("1x3x320x320") && defaults.out.contains("default"), qPrintable(defaults.out));
    }

    void errorsAreOneLineAndNonZero() {
        auto missing = runCli({"info", "/nonexistent/model.onnx"});
        QCOMPARE(missing.exitCode, 1);
        QCOMPARE(missing.err.trimmed().count('\n'), 0);
        QVERIFY(missing.err.contains("no such file"));

        auto badSpec = runCli({"info", QString::fromStdString(testsupport::sampleModelPath()), "--input", "input=1x3"});
        QVERIFY(badSpec.exitCode != 0);
        QVERIFY2(badSpec.err.contains("rank"), qPrintable(badSpec.err));

        auto noCommand = runCli({"frobnicate"});
        QCOMPARE(noCommand.exitCode, 2);
    }

    void zooWritesModel() {
        QTemporaryDir dir;
        QString out = dir.filePath("m.onnx");
        auto r = runCli({"zoo", "mobilenetv2", "-o", out});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFile::exists(out));
        auto bad = runCli({"zoo", "nosuch", "-o", out});
        QCOMPARE(bad.exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(CliInfoTest)
#include "test_cli_info.moc"
