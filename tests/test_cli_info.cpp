// interstage-cli info and zoo as a user runs them: output, JSON keys, and
// one-line errors with a non-zero exit status.
#include <onnx/onnx_pb.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_process.h"
#include "hostile_manifest.h"
#include "interstage/zoo.h"
#include "test_support.h"

using testsupport::CliResult;
using testsupport::runCli;

class CliInfoTest : public QObject {
    Q_OBJECT
private slots:
    void infoOnSampleWritesJson() {
        QTemporaryDir dir;
        QString json = dir.filePath("info.json");
        auto r = runCli({"info", QString::fromStdString(testsupport::sampleModelPath()), "--json", json});
        QCOMPARE(r.code, 0);
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
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("2x3x17x5"), qPrintable(r.out));
        auto defaults = runCli({"info", QString::fromStdString(path)});
        QCOMPARE(defaults.code, 0);
        QVERIFY2(defaults.out.contains("1x3x320x320") && defaults.out.contains("default"), qPrintable(defaults.out));
    }

    void errorsAreOneLineAndNonZero() {
        auto missing = runCli({"info", "/nonexistent/model.onnx"});
        QCOMPARE(missing.code, 1);
        QCOMPARE(missing.err.trimmed().count('\n'), 0);
        QVERIFY(missing.err.contains("no such file"));

        auto badSpec = runCli({"info", QString::fromStdString(testsupport::sampleModelPath()), "--input", "input=1x3"});
        QVERIFY(badSpec.code != 0);
        QVERIFY2(badSpec.err.contains("rank"), qPrintable(badSpec.err));

        auto noCommand = runCli({"frobnicate"});
        QCOMPARE(noCommand.code, 2);
    }

    // --version and --help print to stdout and exit 0 (help2man reads both
    // to write the man page); no arguments at all is a usage error.
    void versionAndHelpExitZero() {
        const CliResult version = runCli({"--version"});
        QCOMPARE(version.code, 0);
        QCOMPARE(version.out, QStringLiteral("interstage-cli " INTERSTAGE_VERSION "\n"));

        const CliResult help = runCli({"--help"});
        QCOMPARE(help.code, 0);
        QVERIFY2(help.out.startsWith("usage: interstage-cli COMMAND"), qPrintable(help.out));
        QVERIFY2(help.out.contains("--version"), qPrintable(help.out));

        QCOMPARE(runCli({}).code, 2);
    }

    // What stops a run is listed, and the rest of the model still shown: a
    // Reshape to a shape given at run time (unresolved, yet runnable) and
    // the hostile corpus's unknown op and missing weights file.
    void inspectionJsonListsWhatStopsARun() {
        using namespace interstage;
        QTemporaryDir dir;
        GraphBuilder b("value_shaped");
        b.input("x", DataType::Float, {6});
        b.input("s", DataType::Int64, {2});
        auto reshaped = b.op("Reshape", {"x", "s"}, {}, "reshape");
        b.output(b.op("Relu", {reshaped}, {}, "relu"), DataType::Float, {});
        const std::string path = testsupport::writeFile(dir, "value_shaped.onnx", b.serialize());
        const auto readJson = [&](const QString& model) {
            const QString json = dir.filePath("info.json");
            const CliResult r = runCli({"info", model, "--json", json});
            QFile f(json);
            if (r.code != 0 || !f.open(QIODevice::ReadOnly)) return QJsonObject{{"failed", r.err}};
            return QJsonDocument::fromJson(f.readAll()).object();
        };

        const QJsonObject shaped = readJson(QString::fromStdString(path));
        QVERIFY2(!shaped.contains("failed"), qPrintable(shaped["failed"].toString()));
        QCOMPARE(shaped["weights_loaded"].toBool(), true);
        const QJsonArray unresolved = shaped["unresolved"].toArray();
        QCOMPARE(unresolved.size(), 2);  // reshape (the cause) and relu after it
        QCOMPARE(unresolved[0].toObject()["node"].toString(), QString("reshape"));
        QCOMPARE(unresolved[0].toObject()["root_cause"].toBool(), true);
        QCOMPARE(unresolved[1].toObject()["root_cause"].toBool(), false);
        QVERIFY(shaped["outputs"].toArray()[0].toObject()["shape"].isNull());
        QVERIFY(shaped["unsupported"].toObject()["cpu"].toArray().isEmpty());

        const QString hostile = QString::fromStdString(testsupport::hostileDir());
        const QJsonObject unknown = readJson(hostile + "/op_unknown.onnx");
        const QJsonArray cpu = unknown["unsupported"].toObject()["cpu"].toArray();
        QCOMPARE(cpu.size(), 1);
        QCOMPARE(cpu[0].toObject()["op"].toString(), QString("FrobnicateTensor"));
        QCOMPARE(cpu[0].toObject()["count"].toInt(), 1);
        QCOMPARE(cpu[0].toObject()["first_node"].toString(), QString("relu"));
        QCOMPARE(unknown["unsupported"].toObject()["vulkan"].toArray(), cpu);

        const QJsonObject unloaded = readJson(hostile + "/ext_missing_file.onnx");
        QCOMPARE(unloaded["weights_loaded"].toBool(), false);
        QCOMPARE(unloaded["unloaded_weight_bytes"].toInt(), 16);
        QCOMPARE(unloaded["outputs"].toArray()[0].toObject()["shape"].toArray().size(), 2);  // shapes still known
    }

    // Control-flow nodes run on Vulkan through the CPU fallback; an op in a
    // body that no backend has makes the node unrunnable on both.
    void controlFlowIsAVulkanFallback() {
        using namespace interstage;
        QTemporaryDir dir;
        const auto ifWithBranchOp = [](const std::string& op) {
            GraphBuilder g("if_model");
            g.input("x", DataType::Float, {1, 4});
            g.input("c", DataType::Bool, {1});
            g.node("If", {"c"}, {}, 1, "choose");
            GraphBuilder then("then"), otherwise("otherwise");
            then.node(op, {"x"}, {}, 1, "then_y");
            then.output("then_y", DataType::Float, {1, 4});
            otherwise.node("Relu", {"x"}, {}, 1, "else_y");
            otherwise.output("else_y", DataType::Float, {1, 4});
            g.subgraph("choose", "then_branch", then);
            g.subgraph("choose", "else_branch", otherwise);
            g.output("choose", DataType::Float, {1, 4});
            return g;
        };
        const auto info = [&](const GraphBuilder& model, QString* text) {
            const QString path = QString::fromStdString(testsupport::writeFile(dir, "if.onnx", model.serialize()));
            const QString json = dir.filePath("info.json");
            const CliResult r = runCli({"info", path, "--json", json});
            if (text) *text = r.out;
            QFile f(json);
            if (r.code != 0 || !f.open(QIODevice::ReadOnly)) return QJsonObject{{"failed", r.err}};
            return QJsonDocument::fromJson(f.readAll()).object()["unsupported"].toObject();
        };

        QString text;
        const QJsonObject runnable = info(ifWithBranchOp("Sigmoid"), &text);
        QVERIFY2(!runnable.contains("failed"), qPrintable(runnable["failed"].toString()));
        QVERIFY(runnable["cpu"].toArray().isEmpty());
        QVERIFY(runnable["vulkan"].toArray().isEmpty());
        const QJsonArray fallback = runnable["vulkan_cpu_fallback"].toArray();
        QCOMPARE(fallback.size(), 1);
        QCOMPARE(fallback[0].toObject()["op"].toString(), QString("If"));
        QCOMPARE(fallback[0].toObject()["first_node"].toString(), QString("choose"));
        QVERIFY2(text.contains("cpu on vulkan  If (1 node, first 'choose')"), qPrintable(text));

        const QJsonObject unrunnable = info(ifWithBranchOp("FrobnicateTensor"), nullptr);
        QVERIFY2(!unrunnable.contains("failed"), qPrintable(unrunnable["failed"].toString()));
        const QJsonArray cpu = unrunnable["cpu"].toArray();
        QCOMPARE(cpu.size(), 1);
        QCOMPARE(cpu[0].toObject()["op"].toString(), QString("FrobnicateTensor (in a subgraph)"));
        QCOMPARE(unrunnable["vulkan"].toArray(), cpu);
        QVERIFY(unrunnable["vulkan_cpu_fallback"].toArray().isEmpty());
    }

    // A model whose weights were not downloaded: the shapes, the lower
    // bound and every preset's planned peak are those of the whole model.
    void graphOnlyModelKeepsItsMemoryFigures() {
        QTemporaryDir dir;
        auto bytes = interstage::buildZooModel("mobilenetv2");
        QVERIFY2(bytes.ok(), bytes.status().toString().c_str());
        onnx::ModelProto proto;
        QVERIFY(proto.ParseFromString(bytes.value()));
        int moved = 0;
        for (auto& init : *proto.mutable_graph()->mutable_initializer()) {
            if (init.raw_data().size() < 256 && init.float_data_size() < 64) continue;  // small ones stay inline
            init.clear_raw_data();
            init.clear_float_data();
            init.set_data_location(onnx::TensorProto::EXTERNAL);
            auto* location = init.add_external_data();
            location->set_key("location");
            location->set_value("weights_not_downloaded.bin");
            ++moved;
        }
        QVERIFY(moved > 10);
        const QString whole = QString::fromStdString(testsupport::writeFile(dir, "whole.onnx", bytes.value()));
        const QString graphOnly =
            QString::fromStdString(testsupport::writeFile(dir, "graph_only.onnx", proto.SerializeAsString()));
        const auto info = [&](const QString& model) {
            const QString json = dir.filePath("info.json");
            const CliResult r = runCli({"info", model, "--json", json});
            QFile f(json);
            if (r.code != 0 || !f.open(QIODevice::ReadOnly)) return QJsonObject{{"failed", r.err}};
            return QJsonDocument::fromJson(f.readAll()).object();
        };
        const QJsonObject full = info(whole), partial = info(graphOnly);
        QVERIFY2(!full.contains("failed") && !partial.contains("failed"), "info failed");
        QCOMPARE(partial["weights_loaded"].toBool(), false);
        QVERIFY(partial["unloaded_weight_bytes"].toDouble() > 0.9 * full["weight_bytes"].toDouble());
        QCOMPARE(partial["lower_bound_bytes"], full["lower_bound_bytes"]);
        QCOMPARE(partial["outputs"], full["outputs"]);
        const QJsonObject peaks = full["planned_peaks"].toObject();
        QCOMPARE(peaks.size(), 5);
        QCOMPARE(partial["planned_peaks"].toObject(), peaks);
        QVERIFY(peaks["reduce"].toObject()["planned_peak_bytes"].toDouble() <
                peaks["default"].toObject()["planned_peak_bytes"].toDouble());
        const CliResult run = runCli({"run", graphOnly});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains("weights_not_downloaded.bin"), qPrintable(run.err));
    }

    void zooWritesModel() {
        QTemporaryDir dir;
        QString out = dir.filePath("m.onnx");
        auto r = runCli({"zoo", "mobilenetv2", "-o", out});
        QCOMPARE(r.code, 0);
        QVERIFY(QFile::exists(out));
        auto bad = runCli({"zoo", "nosuch", "-o", out});
        QCOMPARE(bad.code, 1);
    }
};

QTEST_GUILESS_MAIN(CliInfoTest)
#include "test_cli_info.moc"
