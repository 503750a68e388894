// The memory guard (issue #21): a plan that cannot fit the budget is
// refused before anything of it is allocated, naming both numbers and the
// presets that fit; the loader refuses files and external weights that
// cannot fit without reading them; runs that allocate as they go stop at
// the allocation that would pass the budget; the Vulkan backend checks the
// device's bytes against the device's budget. INTERSTAGE_AVAILABLE_MEMORY
// (and INTERSTAGE_DEVICE_AVAILABLE_MEMORY) simulate a small machine.
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <string>

#include "cli_process.h"
#include "interstage/builder.h"
#include "interstage/format.h"
#include "interstage/memory_budget.h"
#include "interstage/session.h"
#include "interstage/vulkan.h"
#include "test_support.h"

using namespace interstage;

using testsupport::CliResult;
using testsupport::readJsonObject;
using testsupport::runCli;

namespace {

constexpr int64_t kBigElements = int64_t(16) << 20;  // 64 MiB of floats
constexpr std::size_t kBigTensor = std::size_t(kBigElements) * sizeof(float);

// x -> Relu a -> Sigmoid b -> Tanh c -> Neg d (output), `elements` floats
// each. The default plan keeps all four and the input: 5 tensors; the arena
// needs two at a time and the input: 3.
GraphBuilder chainBuilder(int64_t elements) {
    GraphBuilder b("chain");
    b.input("x", DataType::Float, {1, elements});
    auto a = b.op("Relu", {"x"}, {}, "a");
    auto s = b.op("Sigmoid", {a}, {}, "b");
    auto t = b.op("Tanh", {s}, {}, "c");
    auto d = b.op("Neg", {t}, {}, "d");
    b.output(d, DataType::Float, {1, elements});
    return b;
}

Model chainModel(int64_t elements) { return testsupport::builtModel(chainBuilder(elements)); }

// The peak of the process's mapped (virtual) bytes: a buffer the engine
// mapped shows here even when its pages were never touched and it is gone
// again (a refused session is destroyed before create() returns).
std::size_t mappedPeakBytes() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        std::size_t kib = 0;
        if (key == "VmPeak:" && status >> kib) return kib * 1024;
    }
    return 0;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

SessionOptions cpuOptions(const char* mode) {
    SessionOptions options;
    options.threads = 1;
    options.mode = MemoryMode::parse(mode).value();
    return options;
}

// x[1, n] + w (external, in weights.bin) -> y.
onnx::ModelProto externalWeightsModel(int64_t n) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("external");
    auto* x = g->add_input();
    x->set_name("x");
    x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : {int64_t(1), n})
        x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    auto* w = g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(1);
    w->add_dims(n);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* entry = w->add_external_data();
    entry->set_key("location");
    entry->set_value("weights.bin");
    auto* node = g->add_node();
    node->set_op_type("Add");
    node->set_name("add");
    node->add_input("x");
    node->add_input("w");
    node->add_output("y");
    g->add_output()->set_name("y");
    return m;
}

// A file of `bytes` zeros that occupies no disk and is never read here.
void makeSparseFile(const std::string& path, std::size_t bytes) {
    { std::ofstream create(path, std::ios::binary); }
    QCOMPARE(truncate(path.c_str(), static_cast<off_t>(bytes)), 0);
}

QString chainFile(const QTemporaryDir& dir, int64_t elements) {
    return QString::fromStdString(testsupport::writeFile(dir, "chain.onnx", chainBuilder(elements).serialize()));
}

}  // namespace

class MemoryGuardTest : public QObject {
    Q_OBJECT
private slots:
    void init() {
        qunsetenv("INTERSTAGE_AVAILABLE_MEMORY");
        qunsetenv("INTERSTAGE_DEVICE_AVAILABLE_MEMORY");
    }
    void cleanup() { init(); }

    void automaticBudgetFollowsTheSimulatedMachine() {
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M");
        const MemoryBudget budget = automaticHostBudget();
        QVERIFY(budget.automatic);
        // 300 MiB less a quarter (the margin of a machine under 1 GiB).
        QCOMPARE(budget.bytes, std::size_t(225) << 20);
        QVERIFY2(contains(budget.source, "INTERSTAGE_AVAILABLE_MEMORY"), budget.source.c_str());
        QCOMPARE(resolveMemoryBudget(1000, true).bytes, std::size_t(1000));
        QCOMPARE(resolveMemoryBudget(0, false).bytes, std::size_t(0));
    }

    // 320 MiB of default plan against a 225 MiB budget: refused at creation,
    // quickly, both numbers named, and the presets that fit.
    void planOverTheAutomaticBudgetIsRefusedWithBothNumbers() {
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M");
        const MemoryBudget budget = automaticHostBudget();

        QElapsedTimer timer;
        timer.start();
        auto refused = Session::create(chainModel(kBigElements), cpuOptions("default"));
        QVERIFY(!refused.ok());
        QCOMPARE(int(refused.status().code()), int(StatusCode::OutOfMemory));
        const std::string message = refused.status().message();
        QVERIFY2(contains(message, "the default plan needs " + formatBytes(double(5 * kBigTensor))), message.c_str());
        QVERIFY2(contains(message, "the memory budget of " + formatBytes(double(budget.bytes))), message.c_str());
        QVERIFY2(contains(message, "INTERSTAGE_AVAILABLE_MEMORY"), message.c_str());
        QVERIFY2(contains(message, "--max-memory"), message.c_str());
        // The arena needs the input and two tensors: 192 MiB, which fits.
        QVERIFY2(contains(message, "arena (" + formatBytes(double(3 * kBigTensor)) + ")"), message.c_str());
        QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    }

    // Nothing of a refused plan is mapped, not even for a moment: with a
    // 4 GiB input (20 GiB of default plan), the process's peak of mapped
    // memory does not move. The same session with the guard off maps the
    // input at creation (pages untouched: nothing becomes resident), so
    // the measurement sees an allocation where there is one.
    void refusedPlanMapsNothing() {
        QVERIFY(Session::create(chainModel(16), cpuOptions("default")).ok());
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M");
        constexpr int64_t kHuge = int64_t(1) << 30;
        constexpr std::size_t kHugeTensor = std::size_t(kHuge) * sizeof(float);
        const std::size_t peakBefore = mappedPeakBytes();
        auto refused = Session::create(chainModel(kHuge), cpuOptions("default"));
        QCOMPARE(int(refused.status().code()), int(StatusCode::OutOfMemory));
        QVERIFY2(contains(refused.status().message(), "the default plan needs " + formatBytes(double(5 * kHugeTensor))),
                 refused.status().message().c_str());
        QVERIFY2(contains(refused.status().message(), "no preset's plan fits"), refused.status().message().c_str());
        QVERIFY2(mappedPeakBytes() < peakBefore + kHugeTensor / 4,
                 qPrintable(
                     QString("the mapped peak grew by %1 bytes").arg(qint64(mappedPeakBytes()) - qint64(peakBefore))));

        SessionOptions unguarded = cpuOptions("default");
        unguarded.automaticBudget = false;
        auto created = Session::create(chainModel(kHuge), unguarded);
        QVERIFY2(created.ok(), created.status().toString().c_str());
        QVERIFY(mappedPeakBytes() >= peakBefore + kHugeTensor / 2);
        QCOMPARE(created.value()->memoryBudget().bytes, std::size_t(0));
        QVERIFY(!created.value()->memoryBudget().automatic);
    }

    void theRefusedInputFitsInAFittingPreset() {
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M");
        auto arena = Session::create(chainModel(kBigElements), cpuOptions("arena"));
        QVERIFY2(arena.ok(), arena.status().toString().c_str());
        QCOMPARE(arena.value()->plannedPeakBytes(), 3 * kBigTensor);
        QVERIFY(arena.value()->memoryBudget().automatic);
        QCOMPARE(arena.value()->memoryBudget().bytes, std::size_t(225) << 20);
    }

    void explicitBudgetOverridesTheAutomaticOne() {
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M");
        SessionOptions options = cpuOptions("default");
        options.maxMemoryBytes = std::size_t(400) << 20;  // above what the machine claims: the caller decides
        auto session = Session::create(chainModel(kBigElements), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        QCOMPARE(session.value()->memoryBudget().bytes, std::size_t(400) << 20);
        QVERIFY(!session.value()->memoryBudget().automatic);
        // And below the plan: refused with the caller's number.
        options.maxMemoryBytes = 13000;
        auto small = Session::create(chainModel(1000), options);
        QCOMPARE(int(small.status().code()), int(StatusCode::OutOfMemory));
        const std::string message = small.status().message();
        QVERIFY2(contains(message, "(20000 bytes)") && contains(message, "(13000 bytes)"), message.c_str());
        QVERIFY2(contains(message, "set by the caller"), message.c_str());
    }

    void refusalWithoutAFittingPresetSaysSo() {
        SessionOptions options = cpuOptions("default");
        options.maxMemoryBytes = 5000;  // not even the 4000-byte input and one tensor fit
        auto refused = Session::create(chainModel(1000), options);
        QCOMPARE(int(refused.status().code()), int(StatusCode::OutOfMemory));
        QVERIFY2(contains(refused.status().message(), "no preset's plan fits"), refused.status().message().c_str());
    }

    // A re-preparation for bigger inputs is refused at run(); the session
    // runs its earlier shapes again afterwards.
    void biggerInputIsRefusedAtRunAndSmallerOnesStillRun() {
        GraphBuilder b("dynamic");
        b.input("x", DataType::Float, {1, -1});
        auto a = b.op("Relu", {"x"}, {}, "a");
        auto n = b.op("Neg", {a}, {}, "n");
        b.output(n, DataType::Float);
        SessionOptions options = cpuOptions("default");
        options.maxMemoryBytes = std::size_t(1) << 20;
        options.inputShapes["x"] = {1, 1000};
        auto session = Session::create(testsupport::builtModel(b), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        QVERIFY(session.value()->run({}).isOk());
        const TensorData big = TensorData::fromFloat(std::vector<float>(1 << 20, 1.0f), {1, 1 << 20});
        Status refused = session.value()->run({{"x", big}});
        QCOMPARE(int(refused.code()), int(StatusCode::OutOfMemory));
        QVERIFY2(contains(refused.message(), "12.0 MiB") && contains(refused.message(), "1.0 MiB"),
                 refused.message().c_str());
        const TensorData small = TensorData::fromFloat(std::vector<float>(1000, 1.0f), {1, 1000});
        QVERIFY(session.value()->run({{"x", small}}).isOk());
        QVERIFY(session.value()->output("n").ok());
    }

    // A 1 GiB file against 225 MiB: refused from its size, unread (the file
    // is sparse: reading it would take long and show in the resident size).
    void loaderRefusesAFileLargerThanTheBudgetUnread() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("huge.onnx").toStdString();
        makeSparseFile(path, std::size_t(1) << 30);
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M");
        QElapsedTimer timer;
        timer.start();
        const std::size_t residentBefore = processResidentBytes();
        auto model = loadModel(path);
        QCOMPARE(int(model.status().code()), int(StatusCode::OutOfMemory));
        const std::string message = model.status().message();
        QVERIFY2(contains(message, "1.00 GiB") && contains(message, formatBytes(double(std::size_t(225) << 20))),
                 message.c_str());
        QVERIFY2(contains(message, "not read"), message.c_str());
        QVERIFY(timer.elapsed() < 1000);
        QVERIFY(processResidentBytes() < residentBefore + (std::size_t(64) << 20));
        // Inspection reads the file too: refused alike.
        LoadOptions inspect;
        inspect.weightsOptional = true;
        QCOMPARE(int(loadModel(path, inspect).status().code()), int(StatusCode::OutOfMemory));
    }

    // 64 MiB of external weights against a 48 MiB budget: refused (or, for
    // inspection, left unloaded with the reason) before any is read; a
    // budget that fits reads them.
    void externalWeightsThatCannotFitAreNotRead() {
        QTemporaryDir dir;
        makeSparseFile(dir.filePath("weights.bin").toStdString(), kBigTensor);
        const std::string path =
            testsupport::writeFile(dir, "external.onnx", externalWeightsModel(kBigElements).SerializeAsString());
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "64M");
        auto refused = loadModel(path);
        QCOMPARE(int(refused.status().code()), int(StatusCode::OutOfMemory));
        QVERIFY2(contains(refused.status().message(), "external weights total 64.0 MiB") &&
                     contains(refused.status().message(), "48.0 MiB"),
                 refused.status().message().c_str());

        LoadOptions inspect;
        inspect.weightsOptional = true;
        auto inspected = loadModel(path, inspect);
        QVERIFY2(inspected.ok(), inspected.status().toString().c_str());
        QCOMPARE(inspected->graph.unloadedWeights.size(), size_t(1));
        QVERIFY2(contains(inspected->graph.unloadedWeights[0].reason, "48.0 MiB"),
                 inspected->graph.unloadedWeights[0].reason.c_str());

        LoadOptions larger;
        larger.maxMemoryBytes = std::size_t(256) << 20;
        auto loaded = loadModel(path, larger);
        QVERIFY2(loaded.ok(), loaded.status().toString().c_str());
        QCOMPARE(loaded->graph.value(loaded->graph.find("w")).constant->byteSize(), kBigTensor);
    }

    // reduce allocates while it runs: a budget lowered below what the run
    // needs stops it at the allocation that would pass it, with the
    // numbers; the tracked bytes never passed it; the next run, under a
    // larger budget, works.
    void runTimeGuardStopsAReduceRunAndTheNextRunWorks() {
        SessionOptions options = cpuOptions("reduce");
        options.inPlaceOps = false;  // each tensor its own buffer
        options.automaticBudget = false;
        auto created = Session::create(chainModel(1000), options);
        QVERIFY2(created.ok(), created.status().toString().c_str());
        Session& session = *created.value();
        QVERIFY(session.run({}).isOk());
        // The input (4000 bytes) and one tensor fit; the second does not.
        session.setMemoryBudget({10000, "a test's", false});
        RunStats stats;
        Status stopped = session.run({}, &stats);
        QCOMPARE(int(stopped.code()), int(StatusCode::OutOfMemory));
        QVERIFY2(contains(stopped.message(), "(4000 bytes)") && contains(stopped.message(), "(10000 bytes)") &&
                     contains(stopped.message(), "before node") && contains(stopped.message(), "the run stopped"),
                 stopped.message().c_str());
        QVERIFY2(stats.peakTrackedBytes <= 10000, qPrintable(QString::number(stats.peakTrackedBytes)));
        QVERIFY(!session.output("d").ok());
        session.setMemoryBudget({std::size_t(1) << 20, "a test's", false});
        QVERIFY(session.run({}).isOk());
        QVERIFY(session.output("d").ok());
    }

    // run prints the budget in use and its source (and writes it in the
    // JSON); --max-memory none switches the guard off, SIZE sets it.
    void cliRunSaysWhichBudgetItChecksAgainst() {
        QTemporaryDir dir;
        const QString model = chainFile(dir, 1000);
        const QString json = dir.filePath("run.json");
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M");
        auto automatic = runCli({"run", model, "--json", json});
        QVERIFY2(automatic.code == 0, qPrintable(automatic.err));
        QVERIFY2(automatic.out.contains("memory budget: 225.0 MiB (host: 300.0 MiB available "
                                        "(INTERSTAGE_AVAILABLE_MEMORY) less a 75.0 MiB margin)"),
                 qPrintable(automatic.out));
        const QJsonObject budget = readJsonObject(json)["memory_budget"].toObject();
        QCOMPARE(budget["bytes"].toDouble(), double(std::size_t(225) << 20));
        QVERIFY(budget["automatic"].toBool());

        auto none = runCli({"run", model, "--max-memory", "none"});
        QVERIFY2(none.code == 0, qPrintable(none.err));
        QVERIFY2(none.out.contains("memory budget: none (switched off)"), qPrintable(none.out));

        auto refused = runCli({"run", model, "--max-memory", "13000"});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains("out of memory: the default plan needs 19.5 KiB (20000 bytes)") &&
                     refused.err.contains("(13000 bytes) (set by the caller)") && refused.err.contains("arena ("),
                 qPrintable(refused.err));
        auto bad = runCli({"run", model, "--max-memory", "lots"});
        QVERIFY2(bad.err.contains("or none"), qPrintable(bad.err));
    }

    // compare: a preset the guard refuses is a row that says so; the
    // others run, and the comparison succeeds.
    void cliCompareShowsRefusedPresetsInTheirRows() {
        QTemporaryDir dir;
        const QString json = dir.filePath("compare.json");
        auto r = runCli({"compare", chainFile(dir, 1000), "--runs", "1", "--threads", "1", "--max-memory", "13000",
                         "--json", json});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("memory budget: 12.7 KiB (set by the caller)"), qPrintable(r.out));
        QVERIFY2(r.out.contains("refused: mode default: the default plan needs 19.5 KiB (20000 bytes)"),
                 qPrintable(r.out));
        int refusedRows = 0, ranRows = 0;
        for (const auto& mode : readJsonObject(json)["modes"].toArray()) {
            const QJsonObject m = mode.toObject();
            if (m.contains("refused"))
                ++refusedRows;
            else if (m["peak_tracked_bytes"].toDouble() > 0)
                ++ranRows;
        }
        QVERIFY(refusedRows >= 1);
        QVERIFY(ranRows >= 1);  // the arena's plan (12064 bytes) fits and runs
        QCOMPARE(readJsonObject(json)["modes"].toArray()[0].toObject()["preset"].toString(), QString("default"));
        QVERIFY(readJsonObject(json)["modes"].toArray()[0].toObject().contains("refused"));
    }

    // The budget is the device's on Vulkan (lavapipe here): its heap, or
    // the override; the plan's device bytes are checked against it.
    void vulkanChecksTheDevicePlanAgainstTheDeviceBudget() {
        auto devices = listVulkanDevices();
        QVERIFY2(devices.ok(), devices.status().toString().c_str());
        SessionOptions options = cpuOptions("default");
        options.backend = "vulkan";
        auto fits = Session::create(chainModel(1000), options);
        QVERIFY2(fits.ok(), fits.status().toString().c_str());
        const MemoryBudget device = fits.value()->memoryBudget();
        QVERIFY2(contains(device.source, "device") && device.automatic && device.bytes > 0, device.source.c_str());
        QVERIFY(fits.value()->run({}).isOk());
        QCOMPARE(fits.value()->plannedPeakBytes(), std::size_t(20000));  // four tensors and the input

        qputenv("INTERSTAGE_DEVICE_AVAILABLE_MEMORY", "15000");
        auto refused = Session::create(chainModel(1000), options);
        QCOMPARE(int(refused.status().code()), int(StatusCode::OutOfMemory));
        const std::string message = refused.status().message();
        QVERIFY2(contains(message, "(20000 bytes)") && contains(message, "(15000 bytes)") &&
                     contains(message, "INTERSTAGE_DEVICE_AVAILABLE_MEMORY"),
                 message.c_str());
        QVERIFY2(contains(message, "arena ("), message.c_str());
        // The host's simulated memory does not bound the device.
        qunsetenv("INTERSTAGE_DEVICE_AVAILABLE_MEMORY");
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "1K");
        QVERIFY(Session::create(chainModel(1000), options).ok());
    }
};

QTEST_GUILESS_MAIN(MemoryGuardTest)
#include "test_memory_guard.moc"
