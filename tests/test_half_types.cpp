// float16 and bfloat16 end to end on the CPU: a hand-built chain (Conv ->
// Relu -> MaxPool -> Conv) computes what the same chain does in float32,
// holds exactly half the float32 bytes in every memory mode, keeps a
// widening conv's workspace to one band, passes NaN and infinities through
// as float32 does, and a short half initializer fails to load by name.
#include <QtTest>
#include <cmath>

#include "core/half_float.h"
#include "interstage/builder.h"
#include "interstage/session.h"
#include "interstage/vulkan.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

float widen(DataType type, uint16_t bits) {
    return type == DataType::Float16 ? halfToFloat(bits) : bfloatToFloat(bits);
}
uint16_t narrow(DataType type, float v) { return type == DataType::Float16 ? floatToHalf(v) : floatToBfloat(v); }

// Values as `type` holds them: a half tensor stores them narrowed; a float
// one the same values widened back, so both models start from equal numbers.
TensorData tensorOf(DataType type, DataType half, const Shape& shape, const std::vector<float>& values) {
    TensorData t = TensorData::zeros(type, shape);
    for (size_t i = 0; i < values.size(); ++i) {
        const uint16_t bits = narrow(half, values[i]);
        if (type == DataType::Float)
            t.data<float>()[i] = widen(half, bits);
        else
            t.data<uint16_t>()[i] = bits;
    }
    return t;
}

std::vector<float> floatsOf(const TensorData& t) {
    std::vector<float> out(static_cast<size_t>(t.elementCount()));
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = t.dtype == DataType::Float ? t.data<float>()[i] : widen(t.dtype, t.data<uint16_t>()[i]);
    return out;
}

struct ChainSize {
    int64_t channels = 4, size = 16;
};

// x [1,C,S,S] -> Conv 3x3 (2C, pads 1) conv -> Relu relu -> MaxPool 2x2 pool
// -> Conv 1x1 (C) y. Weights from a fixed seed, rounded to `half` for both
// the half (type == half) and the float32 (type == Float) model.
Model chainModel(DataType type, DataType half, ChainSize s = {}) {
    GraphBuilder b("half_chain");
    const int64_t c = s.channels, n = s.size;
    b.input("x", type, {1, c, n, n});
    WeightGenerator gen(7);
    auto w1 = b.initializer("w1", tensorOf(type, half, {2 * c, c, 3, 3}, gen.uniform(2 * c * c * 9, 0.3f)));
    auto b1 = b.initializer("b1", tensorOf(type, half, {2 * c}, gen.uniform(2 * c, 0.1f)));
    auto w2 = b.initializer("w2", tensorOf(type, half, {c, 2 * c, 1, 1}, gen.uniform(2 * c * c, 0.3f)));
    auto b2 = b.initializer("b2", tensorOf(type, half, {c}, gen.uniform(c, 0.1f)));
    auto conv = b.op("Conv", {"x", w1, b1}, {intsAttr("pads", {1, 1, 1, 1})}, "conv");
    auto relu = b.op("Relu", {conv}, {}, "relu");
    auto pool = b.op("MaxPool", {relu}, {intsAttr("kernel_shape", {2, 2}), intsAttr("strides", {2, 2})}, "pool");
    auto y = b.op("Conv", {pool, w2, b2}, {}, "y");
    b.output(y, type, {1, c, n / 2, n / 2});
    return testsupport::builtModel(b);
}

std::vector<float> inputValues(int64_t count) {
    WeightGenerator gen(11);
    return gen.uniform(count, 1.0f);
}

std::unique_ptr<Session> makeSession(Model model, const std::string& mode, bool fusion = true) {
    SessionOptions options;
    options.mode = MemoryMode::parse(mode).value();
    options.fusion = fusion;
    options.threads = 1;
    auto session = Session::create(std::move(model), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    return session.take();
}

// The chain's output and the steady run's stats for a model in one mode.
struct Ran {
    std::vector<float> y;
    RunStats stats;
};
Ran runChain(Model model, DataType type, DataType half, const std::string& mode, bool fusion, ChainSize s = {}) {
    auto session = makeSession(std::move(model), mode, fusion);
    const std::map<std::string, TensorData> inputs{
        {"x", tensorOf(type, half, {1, s.channels, s.size, s.size}, inputValues(s.channels * s.size * s.size))}};
    Ran r;
    if (!session->run(inputs).isOk() || !session->run(inputs, &r.stats).isOk()) qFatal("run failed");
    auto y = session->output("y");
    if (!y.ok()) qFatal("%s", y.status().toString().c_str());
    if (y->dtype != type) qFatal("output has the wrong dtype");
    r.y = floatsOf(y.value());
    return r;
}

std::size_t workspaceBytesOf(const RunStats& stats) {
    std::size_t held = stats.bytesAtStart[static_cast<size_t>(MemoryCategory::Workspace)], peak = held;
    for (const MemoryEvent& e : stats.events) {
        if (e.category != MemoryCategory::Workspace) continue;
        held = static_cast<std::size_t>(static_cast<int64_t>(held) + e.bytes);
        peak = std::max(peak, held);
    }
    return peak;
}

}  // namespace

class HalfTypesTest : public QObject {
    Q_OBJECT
private slots:
    // Lowers the bound above which convs run in stripes (read once per
    // process) so that halfConvWritesOverItsInput's 1 MiB input qualifies.
    void initTestCase() { qputenv("INTERSTAGE_CONV_STRIPE_BYTES", "65536"); }

    void matchesFloat32_data() {
        QTest::addColumn<int>("half");
        QTest::addColumn<bool>("fusion");
        QTest::addColumn<double>("rtol");
        // bfloat16 keeps 8 mantissa bits, float16 11: the intermediates'
        // rounding is what the tolerance allows for.
        QTest::newRow("float16") << int(DataType::Float16) << true << 1e-2;
        QTest::newRow("float16 unfused") << int(DataType::Float16) << false << 1e-2;
        QTest::newRow("bfloat16") << int(DataType::BFloat16) << true << 4e-2;
        QTest::newRow("bfloat16 unfused") << int(DataType::BFloat16) << false << 4e-2;
    }
    void matchesFloat32() {
        QFETCH(int, half);
        QFETCH(bool, fusion);
        QFETCH(double, rtol);
        const auto type = static_cast<DataType>(half);
        const Ran reference = runChain(chainModel(DataType::Float, type), DataType::Float, type, "default", fusion);
        const Ran got = runChain(chainModel(type, type), type, type, "default", fusion);
        QCOMPARE(got.y.size(), reference.y.size());
        float maxRef = 0;
        for (float v : reference.y) maxRef = std::max(maxRef, std::abs(v));
        QVERIFY(maxRef > 0.1f);  // the chain computes something
        for (size_t i = 0; i < got.y.size(); ++i) {
            const double allowed = rtol * std::abs(reference.y[i]) + rtol * 0.1 * maxRef;
            QVERIFY2(std::abs(got.y[i] - reference.y[i]) <= allowed,
                     qPrintable(QString("y[%1] = %2, float32 %3").arg(i).arg(got.y[i]).arg(reference.y[i])));
        }
    }

    // pool [1,8,8,8] -> Reshape [8,64] -> MatMul with a constant [64,16] B ->
    // Gemm (transB, bias row) [16] -> y [8,16]: bfloat16 runs oneDNN's
    // bf16 matmul as it is, float16 widens through reorders; both match the
    // float32 head.
    void matMulAndGemmMatchFloat32_data() {
        QTest::addColumn<int>("half");
        QTest::addColumn<double>("rtol");
        QTest::newRow("float16") << int(DataType::Float16) << 1e-2;
        QTest::newRow("bfloat16") << int(DataType::BFloat16) << 4e-2;
    }
    void matMulAndGemmMatchFloat32() {
        QFETCH(int, half);
        QFETCH(double, rtol);
        const auto h = static_cast<DataType>(half);
        auto build = [&](DataType t) {
            GraphBuilder b("half_head");
            b.input("x", t, {1, 8, 16, 16});
            WeightGenerator gen(13);
            auto pool = b.op("MaxPool", {"x"}, {intsAttr("kernel_shape", {2, 2}), intsAttr("strides", {2, 2})}, "pool");
            auto shape = b.initializer("shape", TensorData::fromInt64({8, 64}, {2}));
            auto rows = b.op("Reshape", {pool, shape}, {}, "rows");
            auto w = b.initializer("w", tensorOf(t, h, {64, 16}, gen.uniform(64 * 16, 0.2f)));
            auto mm = b.op("MatMul", {rows, w}, {}, "mm");
            auto w2 = b.initializer("w2", tensorOf(t, h, {16, 16}, gen.uniform(256, 0.3f)));
            auto b2 = b.initializer("b2", tensorOf(t, h, {16}, gen.uniform(16, 0.1f)));
            b.output(b.op("Gemm", {mm, w2, b2}, {intAttr("transB", 1)}, "y"), t, {8, 16});
            return testsupport::builtModel(b);
        };
        std::vector<float> outs[2];
        int i = 0;
        for (DataType t : {DataType::Float, h}) {
            auto session = makeSession(build(t), "default");
            QVERIFY(session->run({{"x", tensorOf(t, h, {1, 8, 16, 16}, inputValues(2048))}}).isOk());
            auto y = session->output("y");
            QVERIFY(y.ok());
            QCOMPARE(int(y->dtype), int(t));
            outs[i++] = floatsOf(y.value());
        }
        float maxRef = 0;
        for (float v : outs[0]) maxRef = std::max(maxRef, std::abs(v));
        QVERIFY(maxRef > 0.1f);
        for (size_t k = 0; k < outs[0].size(); ++k)
            QVERIFY2(std::abs(outs[1][k] - outs[0][k]) <= rtol * std::abs(outs[0][k]) + rtol * 0.1 * maxRef,
                     qPrintable(QString("y[%1] = %2, float32 %3").arg(k).arg(outs[1][k]).arg(outs[0][k])));
    }

    // Intermediates and the output take exactly half the float32 bytes in
    // every mode: conv (fused with the Relu) 8x16x16, pool 8x8x8, y 4x8x8,
    // i.e. 4096, 1024 and 512 bytes in float16. The arena's slab also
    // holds the workspace: the half conv's band (here the whole 16 rows:
    // its input rows with the halo 4x18x16 and output 8x16x16 floats, 4608
    // and 8192 bytes) and the float32 path's own workspace (20480 bytes,
    // 64-byte aligned pieces), 32768 bytes at the conv's step.
    void trackedBytesPerMode_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("halfBytes");
        QTest::addColumn<int>("arenaWorkspace");
        QTest::newRow("default") << "default" << (4096 + 1024 + 512) << 0;
        QTest::newRow("reduce") << "reduce" << (4096 + 1024) << 0;      // conv and pool at the pool's step
        QTest::newRow("reuse") << "reuse" << (4096 + 1024 + 512) << 0;  // no two of equal size
        QTest::newRow("reduce+reuse") << "reduce+reuse" << (4096 + 1024) << 0;
        QTest::newRow("arena") << "arena" << (4096 + 1024) << 32768;
    }
    void trackedBytesPerMode() {
        QFETCH(QString, mode);
        QFETCH(int, halfBytes);
        QFETCH(int, arenaWorkspace);
        for (DataType type : {DataType::Float16, DataType::BFloat16}) {
            const Ran half = runChain(chainModel(type, type), type, type, mode.toStdString(), true);
            const Ran full =
                runChain(chainModel(DataType::Float, type), DataType::Float, type, mode.toStdString(), true);
            QCOMPARE(int(half.stats.peakActivationBytes), halfBytes + arenaWorkspace);
            if (!arenaWorkspace) QCOMPARE(int(full.stats.peakActivationBytes), 2 * halfBytes);
        }
    }

    // A big half conv widens one band of rows at a time: the half chain's
    // workspace exceeds the float32 chain's by less than half the float32
    // copy of the conv's input (4 MiB here); widening whole tensors would
    // add that copy and the output's (8 MiB) too.
    void widenedConvWorkspaceIsABand() {
        const ChainSize big{16, 256};
        const Ran half = runChain(chainModel(DataType::Float16, DataType::Float16, big), DataType::Float16,
                                  DataType::Float16, "default", true, big);
        const std::size_t workspace = workspaceBytesOf(half.stats);
        const Ran full = runChain(chainModel(DataType::Float, DataType::Float16, big), DataType::Float,
                                  DataType::Float16, "default", true, big);
        const std::size_t floatInput = std::size_t(16) * 256 * 256 * sizeof(float);
        QVERIFY2(workspace > 0 && workspace <= workspaceBytesOf(full.stats) + floatInput / 2,
                 qPrintable(QString("workspace %1 bytes").arg(workspace)));
    }

    // x -> Relu relu -> Conv 3x3 conv -> Neg y on [1,8,1024,64] float16:
    // with the stripe bound lowered to 64 KiB the conv runs in two bands of
    // 512 rows over its dying input. Reduce puts conv where relu was, and
    // the bits equal those of a plan that keeps them apart.
    void halfConvWritesOverItsInput() {
        GraphBuilder b("over_input");
        b.input("x", DataType::Float16, {1, 8, 1024, 64});
        WeightGenerator gen(5);
        auto w =
            b.initializer("w", tensorOf(DataType::Float16, DataType::Float16, {8, 8, 3, 3}, gen.uniform(576, 0.3f)));
        auto relu = b.op("Relu", {"x"}, {}, "relu");
        auto conv = b.op("Conv", {relu, w}, {intsAttr("pads", {1, 1, 1, 1})}, "conv");
        b.output(b.op("Neg", {conv}, {}, "y"), DataType::Float16, {1, 8, 1024, 64});
        const std::string bytes = b.serialize();
        const TensorData x =
            tensorOf(DataType::Float16, DataType::Float16, {1, 8, 1024, 64}, inputValues(8 * 1024 * 64));
        std::vector<std::byte> outputs[2];
        for (int inPlace = 0; inPlace < 2; ++inPlace) {
            SessionOptions options;
            options.mode = MemoryMode::parse("reduce").value();
            options.inPlaceOps = inPlace == 1;
            options.threads = 1;
            auto session = Session::create(loadModelFromBytes(bytes, ".").take(), options);
            QVERIFY(session.ok());
            QVERIFY(session.value()->run({{"x", x}}).isOk());
            outputs[inPlace] = session.value()->output("y").value().bytes;
            std::map<std::string, TensorPlacement> at;
            for (const auto& p : session.value()->memoryMap()) at[p.name] = p;
            QVERIFY(at.count("conv") && at.count("relu"));
            const bool over = at["conv"].buffer == at["relu"].buffer && at["conv"].offset == at["relu"].offset;
            QCOMPARE(over, inPlace == 1);
        }
        QVERIFY(outputs[0] == outputs[1]);
    }

    // NaN and infinities in the input reach the Conv -> Relu output where
    // they reach the float32 one, with the same signs.
    void nanAndInfinityPassThrough() {
        for (DataType type : {DataType::Float16, DataType::BFloat16}) {
            std::vector<float> x = inputValues(4 * 16 * 16);
            x[0] = NAN;
            x[300] = INFINITY;
            x[700] = -INFINITY;
            auto build = [&](DataType t) {
                GraphBuilder b("nan_chain");
                b.input("x", t, {1, 4, 16, 16});
                WeightGenerator gen(3);
                auto w = b.initializer("w", tensorOf(t, type, {4, 4, 3, 3}, gen.uniform(144, 0.3f)));
                auto conv = b.op("Conv", {"x", w}, {intsAttr("pads", {1, 1, 1, 1})}, "conv");
                auto relu = b.op("Relu", {conv}, {}, "y");
                b.output(relu, t, {1, 4, 16, 16});
                return testsupport::builtModel(b);
            };
            std::vector<float> outs[2];
            int i = 0;
            for (DataType t : {DataType::Float, type}) {
                auto session = makeSession(build(t), "default", false);
                QVERIFY(session->run({{"x", tensorOf(t, type, {1, 4, 16, 16}, x)}}).isOk());
                outs[i++] = floatsOf(session->output("y").value());
            }
            int nans = 0, infs = 0;
            for (size_t k = 0; k < outs[0].size(); ++k) {
                QCOMPARE(std::isnan(outs[1][k]), std::isnan(outs[0][k]));
                QCOMPARE(std::isinf(outs[1][k]), std::isinf(outs[0][k]));
                if (std::isinf(outs[0][k])) QCOMPARE(outs[1][k], outs[0][k]);
                nans += std::isnan(outs[0][k]);
                infs += std::isinf(outs[0][k]);
            }
            QVERIFY(nans > 0);  // the case tests something
            QVERIFY(infs > 0 || nans > 9);
        }
    }

    // On Vulkan the shaders compute float32: every node touching a half
    // tensor runs on its CPU kernel (a fallback) and the outputs are the
    // CPU backend's.
    void vulkanRunsHalfNodesOnTheCpu() {
        if (!listVulkanDevices().ok()) QSKIP("no Vulkan device on this machine");
        const DataType type = DataType::Float16;
        const std::map<std::string, TensorData> inputs{{"x", tensorOf(type, type, {1, 4, 16, 16}, inputValues(1024))}};
        std::vector<float> outputs[2];
        for (int gpu = 0; gpu < 2; ++gpu) {
            SessionOptions options;
            options.backend = gpu ? "vulkan" : "cpu";
            options.threads = 1;
            auto session = Session::create(chainModel(type, type), options);
            QVERIFY2(session.ok(), session.status().toString().c_str());
            QVERIFY(session.value()->run(inputs).isOk());
            outputs[gpu] = floatsOf(session.value()->output("y").value());
            if (gpu) QCOMPARE(int(session.value()->cpuFallbackNodes().size()), 3);  // conv, pool, y
        }
        QCOMPARE(outputs[1], outputs[0]);
    }

    // The zoo's u2netp in float16 against float32: the weights a session
    // holds (the planner does not change them, the constant flag does).
    // The half convs pack float32 copies (the float32 net's bytes); the
    // file's half copies stay in default mode as the float32 file's do, and
    // with reduce-constant the packed copies replace them. Measured here:
    // float32 9065728 / 4575232 bytes, float16 6786278 / 4541030.
    void weightsPerMode() {
        auto load = [](const std::string& name) {
            auto bytes = buildZooModel(name);
            if (!bytes.ok()) qFatal("%s", bytes.status().toString().c_str());
            return loadModelFromBytes(bytes.value(), ".").take();
        };
        for (bool reduceConstant : {false, true}) {
            for (const char* mode : {"default"}) {
                std::size_t weights[2] = {0, 0};
                for (int half = 0; half < 2; ++half) {
                    SessionOptions options;
                    options.mode = MemoryMode::parse(mode).value();
                    options.mode.reduceConstant = reduceConstant;
                    auto session = Session::create(load(half ? "u2netp-fp16" : "u2netp"), options);
                    QVERIFY(session.ok());
                    RunStats stats;
                    QVERIFY(session.value()->run({}, &stats).isOk());
                    weights[half] = stats.bytesAtStart[static_cast<size_t>(MemoryCategory::Weights)];
                }
                qInfo("%s%s: weights float32 %zu, float16 %zu", mode, reduceConstant ? " reduce-constant" : "",
                      weights[0], weights[1]);
                QVERIFY(weights[1] <= weights[0]);
                if (!reduceConstant) QVERIFY(weights[1] * 4 <= weights[0] * 3);  // the file's copy is half
            }
        }
    }

    // raw_data two bytes short of a float16 [8] initializer: the load
    // fails and names the tensor.
    void shortHalfInitializerFailsByName() {
        GraphBuilder b("short");
        b.input("x", DataType::Float16, {8});
        TensorData w = TensorData::zeros(DataType::Float16, {8});
        w.bytes.resize(14);
        auto name = b.initializer("short_weight", w);
        b.output(b.op("Add", {"x", name}, {}, "y"), DataType::Float16, {8});
        auto model = loadModelFromBytes(b.serialize(), ".");
        QVERIFY(!model.ok());
        QCOMPARE(int(model.status().code()), int(StatusCode::InvalidModel));
        QVERIFY2(model.status().message().find("short_weight") != std::string::npos, model.status().message().c_str());
        QVERIFY2(model.status().message().find("16 bytes") != std::string::npos, model.status().message().c_str());
    }

    // A float16 Conv whose weights arrive at run time has no kernel. The
    // kernels of a graph are made on the session's threads at once
    // (CpuExecutor::prepareKernels); with two such Convs among twenty
    // nodes the error still names the first in node order, as made one by
    // one, every time.
    void firstKernelFailureInNodeOrder() {
        GraphBuilder b("late", 13);
        b.input("x", DataType::Float16, {1, 4, 6, 6});
        b.input("w", DataType::Float16, {4, 4, 1, 1});
        std::string t = "x";
        for (int i = 0; i < 20; ++i) {
            if (i == 12 || i == 17)
                t = b.op("Conv", {t, "w"}, {}, i == 12 ? "first_runtime_conv" : "second_runtime_conv");
            else
                t = b.op(i % 2 ? "Neg" : "Relu", {t}, {}, "n" + std::to_string(i));
        }
        b.output(b.op("Identity", {t}, {}, "y"), DataType::Float16, {1, 4, 6, 6});
        for (int attempt = 0; attempt < 5; ++attempt) {
            SessionOptions options;
            options.threads = 2;
            options.fusion = false;
            auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
            QVERIFY(!session.ok());
            const std::string message = session.status().message();
            QVERIFY2(message.find("first_runtime_conv") != std::string::npos, message.c_str());
            QVERIFY2(message.find("constant weights") != std::string::npos, message.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(HalfTypesTest)
#include "test_half_types.moc"
