// interstage-cli run and compare as a user runs them: the seed-style lines,
// JSON keys other tools read, outputs in the test-data format, the trace.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_process.h"
#include "interstage/tensor_io.h"
#include "models/control_flow_models.h"
#include "test_support.h"

using testsupport::CliResult;
using testsupport::readJsonObject;
using testsupport::runCli;

namespace {

// A small model with a Conv (so fusion has work) written to dir.
QString smallModel(const QTemporaryDir& dir) {
    using namespace interstage;
    GraphBuilder b("small");
    b.input("x", DataType::Float, {1, 3, 16, 16});
    WeightGenerator gen(1);
    // 16 filters: 1.7 KB of weights, above what reduce-constant keeps anyway.
    auto w = b.initializer("w", TensorData::fromFloat(gen.uniform(16 * 3 * 9, 0.3f), {16, 3, 3, 3}));
    auto conv = b.op("Conv", {"x", w}, {intsAttr("pads", {1, 1, 1, 1})}, "conv");
    auto relu = b.op("Relu", {conv}, {}, "relu");
    auto pool = b.op("MaxPool", {relu}, {intsAttr("kernel_shape", {2, 2}), intsAttr("strides", {2, 2})}, "pool");
    auto sig = b.op("Sigmoid", {pool}, {}, "y");
    b.output(sig, DataType::Float, {1, 16, 8, 8});
    return QString::fromStdString(testsupport::writeFile(dir, "small.onnx", b.serialize()));
}

QString modelWithoutShader(const QTemporaryDir& dir) {
    return QString::fromStdString(
        testsupport::writeFile(dir, "fallback.onnx", testsupport::chainWithoutVulkanShader().serialize()));
}

bool haveVulkan() { return runCli({"devices"}).out.contains("vulkan:0"); }

}  // namespace

class CliRunTest : public QObject {
    Q_OBJECT
private slots:
    void runPrintsSeedLinesAndJson() {
        QTemporaryDir dir;
        const QString json = dir.filePath("run.json");
        auto r = runCli({"run", smallModel(dir), "--runs", "3", "--threads", "1", "--json", json, "--save-outputs",
                         dir.filePath("out")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QRegularExpression("run 1: processing time \\d+ ms")), qPrintable(r.out));
        QVERIFY(r.out.contains("run 3: processing time"));
        QJsonObject doc = readJsonObject(json);
        for (const char* key : {"backend", "threads", "runs", "outputs", "mode", "lower_bound_bytes"})
            QVERIFY2(doc.contains(key), key);
        QCOMPARE(doc["threads"].toInt(), 1);
        QCOMPARE(doc["runs"].toArray().size(), 3);
        const QJsonObject run2 = doc["runs"].toArray().at(1).toObject();
        for (const char* key : {"ms", "nodes", "allocations", "peak_tracked_bytes", "peak_rss_bytes"})
            QVERIFY2(run2.contains(key), key);
        QCOMPARE(run2["allocations"].toInt(), 0);  // default mode: nothing allocated after the first run
        QVERIFY(run2["nodes"].toArray().at(0).toObject().contains("op"));
        auto saved = interstage::readTensorFile(dir.filePath("out/y.pb").toStdString());
        QVERIFY2(saved.ok(), saved.status().toString().c_str());
        QCOMPARE(saved->data.shape, (interstage::Shape{1, 16, 8, 8}));
        QCOMPARE(saved->name, std::string("y"));
    }

    // The CLI restarts itself with malloc on huge pages (glibc's tunable),
    // once, and not where INTERSTAGE_NO_HUGE_PAGES or the user's own
    // setting of the tunable says otherwise; the run is the same either way.
    void mallocOnHugePagesUnlessTurnedOff() {
        QTemporaryDir dir;
        const QString model = smallModel(dir), json = dir.filePath("run.json");
        const QStringList args{"run", model, "--runs", "1", "--json", json};
        struct Case {
            QMap<QString, QString> environment;
            bool huge;
        };
        QFile thp("/sys/kernel/mm/transparent_hugepage/enabled");
        const bool thpOn = thp.open(QIODevice::ReadOnly) && !thp.readAll().contains("[never]");
        for (const Case& c :
             {Case{{{"GLIBC_TUNABLES", ""}}, thpOn}, Case{{{"GLIBC_TUNABLES", "glibc.malloc.arena_max=2"}}, thpOn},
              Case{{{"GLIBC_TUNABLES", ""}, {"INTERSTAGE_NO_HUGE_PAGES", "1"}}, false},
              Case{{{"GLIBC_TUNABLES", "glibc.malloc.hugetlb=0"}}, false}}) {
            QFile::remove(json);
            auto r = runCli(args, c.environment);
            QCOMPARE(r.code, 0);
            QCOMPARE(readJsonObject(json)["malloc_huge_pages"].toBool(), c.huge);
        }
    }

    // --value gives a small input its values: an If on an int64 scalar
    // sample rate takes the branch the value selects (the generated
    // default, 0, takes the 8 kHz one), in run and in compare's children.
    void valueSelectsTheIfBranch() {
        QTemporaryDir dir;
        const QString model =
            QString::fromStdString(testsupport::writeFile(dir, "sr.onnx", testmodels::sampleRateModel().serialize()));
        auto rate = [&](const QString& out, const QStringList& extra) -> float {
            auto r = runCli(QStringList{"run", model, "--save-outputs", dir.filePath(out)} + extra);
            if (r.code != 0) qWarning("%s", qPrintable(r.err));
            auto saved = interstage::readTensorFile(dir.filePath(out + "/rate.pb").toStdString());
            return saved.ok() ? saved->data.data<float>()[0] : -1.f;
        };
        QCOMPARE(rate("given16k", {"--value", "sr=16000"}), 16.f);
        QCOMPARE(rate("given8k", {"--value", "sr=8000"}), 8.f);
        QCOMPARE(rate("generated", {}), 8.f);
        QCOMPARE(rate("withShape", {"--input", "sr=scalar", "--value=sr=16000"}), 16.f);
        auto compare = runCli({"compare", model, "--runs", "1", "--value", "sr=16000"});
        QVERIFY2(compare.code == 0, qPrintable(compare.err));
        QVERIFY(compare.out.contains("reduce+reuse"));
    }

    // A value that does not fit its input is one line naming the input,
    // exit status 2, from run and from compare before any mode runs.
    void valueErrorsNameTheInput() {
        QTemporaryDir dir;
        const QString model =
            QString::fromStdString(testsupport::writeFile(dir, "sr.onnx", testmodels::sampleRateModel().serialize()));
        const std::vector<std::pair<QString, QString>> cases = {
            {"sr=16000,8000", "input 'sr' of shape scalar takes 1 value, not 2"},
            {"sr=16k", "input 'sr' (int64): '16k' is not a whole number"},
            {"sr=99999999999999999999", "does not fit in int64"},
            {"sr=", "input 'sr': no values given"},
            {"rate=1", "the model has no input named 'rate' (inputs: sr)"},
            {"sr", "must look like NAME=V[,V...]"},
        };
        for (const auto& [value, expected] : cases) {
            for (const char* command : {"run", "compare"}) {
                auto r = runCli({command, model, "--value", value});
                QVERIFY2(r.code == 2, qPrintable(value + ": " + r.err));
                QVERIFY2(r.err.contains(expected), qPrintable(r.err));
                QCOMPARE(r.err.trimmed().count('\n'), 0);
                QVERIFY2(r.out.isEmpty(), qPrintable(r.out));  // compare fails before any child runs
            }
        }
    }

    void keepAndDataRemoved() {
        QTemporaryDir dir;
        const QString model = smallModel(dir);
        // Pinning a tensor keeps it readable in every mode: fusion leaves it
        // alone, and reduce does not free it.
        auto kept = runCli({"run", model, "--mode", "reduce", "--keep", "conv", "--save-outputs", dir.filePath("k")});
        QCOMPARE(kept.code, 0);
        QVERIFY(QFile::exists(dir.filePath("k/conv.pb")));
        auto pool = runCli({"run", model, "--mode", "arena", "--keep", "pool", "--save-outputs", dir.filePath("p")});
        QCOMPARE(pool.code, 0);
        QVERIFY(QFile::exists(dir.filePath("p/pool.pb")));
    }

    // Where the live tensors peak (what reduce and arena hold at most) and
    // which execution order ran, in the text and in the JSON.
    void livePeakAndExecutionOrderAreReported() {
        QTemporaryDir dir;
        const QString model = smallModel(dir), json = dir.filePath("peak.json");
        auto r = runCli({"run", model, "--mode", "reduce", "--threads", "1", "--json", json});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QRegularExpression("live tensors peak [0-9.]+ KiB at step \\d+, node '")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains("execution order: the file's (no memory-aware order lowers"), qPrintable(r.out));
        const QJsonObject doc = readJsonObject(json);
        const QJsonObject peak = doc["live_peak"].toObject();
        const QJsonArray tensors = peak["tensors"].toArray();
        QVERIFY(!tensors.isEmpty());
        qint64 sum = 0;
        for (const auto& t : tensors) sum += t.toObject()["bytes"].toInteger();
        QCOMPARE(peak["bytes"].toInteger(), sum);  // reduce: every tensor its own buffer
        QVERIFY(!peak["node"].toString().isEmpty());
        const QJsonObject order = doc["execution_order"].toObject();
        QCOMPARE(order["memory_aware"].toBool(), true);
        QCOMPARE(order["nodes_moved"].toInt(), 0);
        QCOMPARE(order["peak_bytes"].toInteger(), order["file_order_peak_bytes"].toInteger());

        auto fileOrder = runCli({"run", model, "--mode", "reduce", "--file-order", "--json", json});
        QCOMPARE(fileOrder.code, 0);
        QVERIFY2(fileOrder.out.contains("execution order: the file's (--file-order)"), qPrintable(fileOrder.out));
        QCOMPARE(readJsonObject(json)["execution_order"].toObject()["memory_aware"].toBool(), false);
    }

    void traceOpensAsChromeTrace() {
        QTemporaryDir dir;
        const QString trace = dir.filePath("trace.json");
        auto r = runCli({"run", smallModel(dir), "--runs", "2", "--mode", "reduce", "--trace", trace});
        QCOMPARE(r.code, 0);
        QFile f(trace);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonParseError error;
        QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        int spans = 0, counters = 0;
        for (const auto& e : doc.object()["traceEvents"].toArray()) {
            const QString ph = e.toObject()["ph"].toString();
            spans += ph == "X";
            counters += ph == "C";
        }
        QVERIFY(spans >= 2 * 3);     // each run and its nodes
        QVERIFY(counters >= 2 * 2);  // reduce allocates and frees on every run
    }

    void compareTableAndJson() {
        QTemporaryDir dir;
        const QString json = dir.filePath("compare.json");
        auto r = runCli({"compare", smallModel(dir), "--runs", "3", "--threads", "1", "--json", json, "--seed-table"});
        QCOMPARE(r.code, 0);
        for (const char* mode : {"default", "reduce", "reuse", "arena"})
            QVERIFY2(r.out.contains(mode), qPrintable(r.out));
        QJsonObject doc = readJsonObject(json);
        // --seed-table: the tutorial's three rows, each beside our run of
        // the same preset (three runs here), and how the methods differ.
        QVERIFY2(r.out.contains("the seed's table beside ours"), qPrintable(r.out));
        QVERIFY2(r.out.contains("557.2") && r.out.contains("176.4") && r.out.contains("296.8"), qPrintable(r.out));
        QVERIFY(r.out.contains("method: "));
        const QJsonArray seedRows = doc["seed_table"].toObject()["rows"].toArray();
        QCOMPARE(seedRows.size(), 3);
        QCOMPARE(seedRows[1].toObject()["preset"].toString(), QString("reduce"));
        QCOMPARE(seedRows[1].toObject()["sdk_flags"].toString(), QString("T,T,T,F"));
        QCOMPARE(seedRows[1].toObject()["seed_cpu_ms"].toArray().size(), 5);
        QCOMPARE(seedRows[1].toObject()["run_ms"].toArray().size(), 3);
        QVERIFY(doc.contains("lower_bound_bytes"));
        // The file's weights, and per mode the weights held while running:
        // never less than the file's (a kernel's packed copy replaces one,
        // it does not shrink it below the stored bytes in float32 nets).
        const double fileWeights = doc["file_weight_bytes"].toDouble();
        QVERIFY(fileWeights > 0);
        QVERIFY2(r.out.contains("w./file"), qPrintable(r.out));
        QJsonArray modes = doc["modes"].toArray();
        QCOMPARE(modes.size(), 6);  // the five presets (the seed's flags), then the arena with both flags off
        QCOMPARE(modes[0].toObject()["preset"].toString(), QString("default"));
        QCOMPARE(modes[0].toObject()["sdk_flags"].toString(), QString("T,T,F,F"));
        QCOMPARE(modes[1].toObject()["sdk_flags"].toString(), QString("T,T,T,F"));
        QCOMPARE(modes[5].toObject()["mode"].toString(), QString("arena"));
        QCOMPARE(modes[5].toObject()["sdk_flags"].toString(), QString("F,F,arena"));
        QVERIFY(r.out.contains("SDK flags"));
        // With reduce-constant (the presets) the kernels' packed copies
        // replace the file's weights; without it both are held.
        QVERIFY(modes[4].toObject()["weight_bytes"].toDouble() < modes[5].toObject()["weight_bytes"].toDouble());
        for (const auto& m : modes) {
            const QJsonObject o = m.toObject();
            for (const char* key :
                 {"mode", "peak_tracked_bytes", "peak_rss_bytes", "weight_bytes", "rss_before_load_bytes",
                  "allocations_per_steady_run", "first_ms", "steady_median_ms"})
                QVERIFY2(o.contains(key), key);
            QVERIFY(o["weight_bytes"].toDouble() > 0);
            QVERIFY(o["weight_bytes"].toDouble() <= o["peak_tracked_bytes"].toDouble());
            const bool perRun = o["mode"].toString().startsWith("reduce");
            // Activations never below the bound of the mode's in-place rules.
            QVERIFY(o["activation_to_aliased_bound"].toDouble() >= 1.0);
            QCOMPARE(o["allocations_per_steady_run"].toDouble() > 0, perRun);
        }
    }

    // The Vulkan backend's CPU fallback is never silent: run names the node
    // and counts the copies per run, in the text and the JSON; compare
    // repeats the note under its table.
    void vulkanFallbackIsReported() {
        if (!haveVulkan()) QSKIP("no Vulkan device on this machine");
        QTemporaryDir dir;
        const QString model = modelWithoutShader(dir), json = dir.filePath("run.json");
        auto r = runCli({"run", model, "--backend", "vulkan", "--runs", "2", "--json", json});
        QCOMPARE(r.code, 0);
        QVERIFY2(
            r.out.contains("note: 1 node runs on the CPU for want of a Vulkan shader") && r.out.contains("erf (Erf)"),
            qPrintable(r.out));
        QVERIFY2(r.out.contains("2 CPU-fallback transfers of 2.0 KiB"), qPrintable(r.out));
        QJsonObject doc = readJsonObject(json);
        QCOMPARE(doc["cpu_fallback_nodes"].toArray().size(), 1);
        QVERIFY(doc.contains("device_heap_sampled"));
        const QJsonObject run = doc["runs"].toArray().at(1).toObject();
        QCOMPARE(run["fallback_transfers"].toInt(), 2);
        QCOMPARE(run["fallback_bytes"].toInt(), 2 * 4 * 8 * 8 * 4);
        int marked = 0;
        for (const auto& node : run["nodes"].toArray())
            if (node.toObject()["cpu_fallback"].toBool()) {
                ++marked;
                QCOMPARE(node.toObject()["op"].toString(), QString("Erf"));
            }
        QCOMPARE(marked, 1);

        auto onCpu = runCli({"run", model, "--json", json});
        QCOMPARE(onCpu.code, 0);
        QVERIFY(!onCpu.out.contains("note:") && !onCpu.out.contains("transfers"));

        const QString compareJson = dir.filePath("compare.json");
        auto c = runCli({"compare", model, "--backend", "vulkan", "--runs", "2", "--json", compareJson});
        QCOMPARE(c.code, 0);
        QVERIFY2(c.out.contains("erf (Erf)"), qPrintable(c.out));
        for (const auto& m : readJsonObject(compareJson)["modes"].toArray())
            QCOMPARE(m.toObject()["fallback_transfers_per_run"].toInt(), 2);
    }

    // --timeout stops runs that go on too long (here, a million runs of a
    // small model) with one line naming the limit, instead of running on.
    void timeoutStopsTheRuns() {
        QTemporaryDir dir;
        auto r = runCli({"run", smallModel(dir), "--runs", "1000000", "--threads", "1", "--timeout", "0.5"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("stopped at --timeout 0.5 s"), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.out.contains("run 1:") || r.out.contains("processing time"), qPrintable(r.out.left(200)));
        auto bad = runCli({"run", smallModel(dir), "--timeout", "soon"});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("--timeout 'soon'"), qPrintable(bad.err));
    }

    void badOptionsAreOneLineErrors() {
        QTemporaryDir dir;
        auto badMode = runCli({"run", smallModel(dir), "--mode", "fastest"});
        QCOMPARE(badMode.code, 2);
        QVERIFY(badMode.err.contains("unknown memory mode"));
        auto badKeep = runCli({"run", smallModel(dir), "--keep", "nothing"});
        QCOMPARE(badKeep.code, 1);
        QVERIFY(badKeep.err.contains("'nothing'"));
        auto badRuns = runCli({"run", smallModel(dir), "--runs", "0"});
        QCOMPARE(badRuns.code, 2);
    }
};

QTEST_GUILESS_MAIN(CliRunTest)
#include "test_cli_run.moc"
