// The Vulkan backend through the public Session API: same outputs as the
// CPU in every memory mode, reduce really allocating device memory on every
// run, and clear errors for devices that do not exist.
#include <QtTest>
#include <cmath>

#include "interstage/session.h"
#include "interstage/vulkan.h"
#include "test_support.h"

using namespace interstage;

namespace {

// A small CNN: Conv+BN+Relu, MaxPool, Resize back up, Concat, Sigmoid.
GraphBuilder smallNet() {
    GraphBuilder b("small", 13);
    b.input("x", DataType::Float, {1, 3, 17, 23});
    WeightGenerator gen(5);
    auto w = b.initializer("w", TensorData::fromFloat(gen.uniform(8 * 3 * 9, 0.3f), {8, 3, 3, 3}));
    auto conv = b.op("Conv", {"x", w}, {intsAttr("pads", {1, 1, 1, 1})}, "conv");
    auto relu = b.op("Relu", {conv}, {}, "relu");
    auto pool = b.op("MaxPool", {relu},
                     {intsAttr("kernel_shape", {2, 2}), intsAttr("strides", {2, 2}), intAttr("ceil_mode", 1)}, "pool");
    auto sizes = b.initializer("sizes", TensorData::fromInt64({1, 8, 17, 23}, {4}));
    auto up = b.op("Resize", {pool, "", "", sizes}, {stringAttr("mode", "linear")}, "up");
    auto cat = b.op("Concat", {relu, up}, {intAttr("axis", 1)}, "cat");
    auto y = b.op("Sigmoid", {cat}, {}, "y");
    b.output(y, DataType::Float, {1, 16, 17, 23});
    return b;
}

TensorData runOn(const std::string& backend, const std::string& mode, RunStats* second = nullptr) {
    SessionOptions options;
    options.backend = backend;
    options.mode = MemoryMode::parse(mode).value();
    options.threads = 1;
    auto session = Session::create(loadModelFromBytes(smallNet().serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    if (!session.value()->run({}).isOk()) qFatal("first run failed");
    Status ran = session.value()->run({}, second);
    if (!ran.isOk()) qFatal("%s", ran.toString().c_str());
    return session.value()->output("y").value();
}

// Conv (weights on the device) -> PRelu (no shader: its slope is read on
// the host) -> Conv.
GraphBuilder netWithHostWeights() {
    GraphBuilder b("hostweights", 13);
    b.input("x", DataType::Float, {1, 8, 16, 16});
    WeightGenerator gen(3);
    auto w1 = b.initializer("w1", TensorData::fromFloat(gen.uniform(16 * 8 * 9, 0.2f), {16, 8, 3, 3}));
    auto slope = b.initializer("slope", TensorData::fromFloat(gen.uniform(16 * 16 * 16, 0.5f), {16, 16, 16}));
    auto w2 = b.initializer("w2", TensorData::fromFloat(gen.uniform(8 * 16 * 9, 0.2f), {8, 16, 3, 3}));
    auto c1 = b.op("Conv", {"x", w1}, {intsAttr("pads", {1, 1, 1, 1})}, "c1");
    auto p = b.op("PRelu", {c1, slope}, {}, "p");
    auto y = b.op("Conv", {p, w2}, {intsAttr("pads", {1, 1, 1, 1})}, "y");
    b.output(y, DataType::Float, {1, 8, 16, 16});
    return b;
}

}  // namespace

class VulkanSessionTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        auto devices = listVulkanDevices();
        if (!devices.ok() || devices->empty())
            QSKIP(
                qPrintable("no Vulkan device on this machine: " + QString::fromStdString(devices.status().message())));
    }

    void matchesTheCpuInEveryMode() {
        const TensorData cpu = runOn("cpu", "default");
        for (const char* mode : {"default", "reduce", "reuse", "arena"}) {
            RunStats stats;
            const TensorData gpu = runOn("vulkan", mode, &stats);
            QCOMPARE(gpu.shape, cpu.shape);
            for (int64_t i = 0; i < cpu.elementCount(); ++i) {
                const float a = gpu.data<float>()[i], e = cpu.data<float>()[i];
                QVERIFY2(std::abs(a - e) <= 1e-5f + 1e-3f * std::abs(e),
                         qPrintable(QString("%1 %2: %3 vs %4").arg(mode).arg(i).arg(a).arg(e)));
            }
            const bool perRun = std::string(mode) == "reduce";
            QCOMPARE(stats.allocations > 0, perRun);
            if (perRun) {
                bool onDevice = false;
                for (const auto& e : stats.events) onDevice = onDevice || e.device == MemoryDevice::Gpu;
                QVERIFY(onDevice);  // reduce frees and allocates device memory on every run
            }
        }
    }

    // A node without a shader runs on the CPU, never silently: the session
    // names it, each run counts the copies it cost, its timing is marked.
    void cpuFallbackIsVisible() {
        for (const char* backend : {"cpu", "vulkan"}) {
            const bool gpu = std::string(backend) == "vulkan";
            SessionOptions options;
            options.backend = backend;
            options.threads = 1;
            auto session = Session::create(
                loadModelFromBytes(testsupport::chainWithoutVulkanShader().serialize(), ".").take(), options);
            QVERIFY2(session.ok(), session.status().toString().c_str());
            QCOMPARE(session.value()->cpuFallbackNodes(),
                     gpu ? std::vector<std::string>{"erf (Erf)"} : std::vector<std::string>{});
            RunStats stats;
            QVERIFY(session.value()->run({}, &stats).isOk());
            const std::size_t tensorBytes = 4 * 8 * 8 * sizeof(float);
            QCOMPARE(stats.fallbackTransfers, gpu ? 2 : 0);  // Relu's output down, Erf's up
            QCOMPARE(stats.fallbackBytes, gpu ? 2 * tensorBytes : 0);
            QCOMPARE(stats.nodes.size(), std::size_t(3));
            for (const auto& node : stats.nodes) QCOMPARE(node.cpuFallback, gpu && node.op == "Erf");
        }
    }

    // VK_EXT_memory_budget: sampled during runs where the device has it,
    // absent (not zero-filled) where it does not. lavapipe lacks it, so on
    // this machine only the second branch runs; a GPU driver takes the first.
    void deviceHeapSampledWhereTheDriverCountsIt() {
        auto devices = listVulkanDevices();
        QVERIFY(devices.ok());
        SessionOptions options;
        options.backend = "vulkan";
        options.mode = MemoryMode::parse("reduce").value();
        auto session = Session::create(loadModelFromBytes(smallNet().serialize(), ".").take(), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        QCOMPARE(session.value()->samplesDeviceHeap(), devices->front().memoryBudget);
        RunStats stats;
        QVERIFY(session.value()->run({}, &stats).isOk());
        if (session.value()->samplesDeviceHeap()) {
            QVERIFY(stats.deviceHeap.size() >= 2);   // one at the start, one at the end at least
            QVERIFY(stats.peakDeviceHeapBytes > 0);  // the weights are on the device
        } else {
            QVERIFY(stats.deviceHeap.empty());
            QCOMPARE(stats.peakDeviceHeapBytes, std::size_t(0));
        }
    }

    // reduce-constant on Vulkan: once the weights are on the device their
    // host copies go, except those a CPU-fallback node still reads; the
    // outputs do not change and the host bytes tracked drop by the copies.
    void reduceConstantReleasesHostCopies() {
        TensorData outputs[2];
        std::size_t hostWeights[2] = {0, 0};
        for (int reduceConstant = 0; reduceConstant < 2; ++reduceConstant) {
            SessionOptions options;
            options.backend = "vulkan";
            options.mode.reduceConstant = reduceConstant == 1;
            auto session = Session::create(loadModelFromBytes(netWithHostWeights().serialize(), ".").take(), options);
            QVERIFY2(session.ok(), session.status().toString().c_str());
            QCOMPARE(session.value()->cpuFallbackNodes(), std::vector<std::string>{"p (PRelu)"});
            RunStats stats;
            QVERIFY(session.value()->run({}, &stats).isOk());
            outputs[reduceConstant] = session.value()->output("y").value();
            hostWeights[reduceConstant] = stats.bytesAtStart[static_cast<size_t>(MemoryCategory::Weights)];
            auto w1 = session.value()->blob("w1");
            QCOMPARE(int(w1.status().code()), int(reduceConstant ? StatusCode::DataRemoved : StatusCode::Ok));
            QVERIFY(session.value()->blob("slope").ok());  // PRelu reads it on the host
        }
        QCOMPARE(outputs[1].bytes, outputs[0].bytes);
        // w1 and w2: 2 x 16 x 8 x 9 floats fewer on the host.
        QCOMPARE(hostWeights[0] - hostWeights[1], std::size_t(2 * 16 * 8 * 9 * sizeof(float)));
    }

    void unknownDeviceIsAClearError() {
        SessionOptions options;
        options.backend = "vulkan:99";
        auto session = Session::create(loadModelFromBytes(smallNet().serialize(), ".").take(), options);
        QCOMPARE(int(session.status().code()), int(StatusCode::NotFound));
        QVERIFY(session.status().message().find("no Vulkan device 99") != std::string::npos);
        options.backend = "metal";
        QCOMPARE(int(Session::create(loadModelFromBytes(smallNet().serialize(), ".").take(), options).status().code()),
                 int(StatusCode::InvalidArgument));
    }
};

QTEST_GUILESS_MAIN(VulkanSessionTest)
#include "test_vulkan_session.moc"
