#include "test_support.h"

#include <QtGlobal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include "interstage/zoo.h"

namespace testsupport {

std::string modelsDir() { return std::string(INTERSTAGE_SOURCE_DIR) + "/models"; }

std::string sampleModelPath() {
    std::string path = modelsDir() + "/u2netp.onnx";
    if (!fileExists(path)) {
        std::filesystem::create_directories(modelsDir());
        (void)interstage::saveZooModel("u2netp", path);
    }
    return path;
}

bool fileExists(const std::string& path) { return std::filesystem::is_regular_file(path); }

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& bytes) {
    std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

interstage::Model builtModel(const interstage::GraphBuilder& builder) {
    auto model = interstage::loadModelFromBytes(builder.serialize(), ".");
    if (!model.ok()) qFatal("%s", model.status().toString().c_str());
    return model.take();
}

interstage::GraphBuilder tinyChain() {
    using namespace interstage;
    GraphBuilder b("tiny", 13);
    b.input("x", DataType::Float, {1, 4});
    std::string r = b.op("Relu", {"x"}, {}, "relu");
    std::string s = b.op("Sigmoid", {r}, {}, "sigmoid");
    b.output(s, DataType::Float, {1, 4});
    return b;
}

interstage::GraphBuilder chainWithoutVulkanShader() {
    using namespace interstage;
    GraphBuilder b("fallback", 13);
    b.input("x", DataType::Float, {1, 4, 8, 8});
    auto relu = b.op("Relu", {"x"}, {}, "relu");
    auto erf = b.op("Erf", {relu}, {}, "erf");
    auto y = b.op("Sigmoid", {erf}, {}, "y");
    b.output(y, DataType::Float, {1, 4, 8, 8});
    return b;
}

interstage::GraphBuilder controlFlowModel(int elseNodes) {
    using namespace interstage;
    GraphBuilder g("control_flow", 13);
    g.input("x", DataType::Float, {1, 4});
    g.input("c", DataType::Bool, {1});
    g.initializer("trips", TensorData::fromInt64({3}, {}));
    g.op("Relu", {"x"}, {}, "pre");

    g.node("If", {"c"}, {}, 1, "choose");
    GraphBuilder then("then_side");
    then.op("Relu", {"pre"}, {}, "then_relu");
    then.op("Add", {"then_relu", "pre"}, {}, "then_add");
    then.output("then_add", DataType::Float, {1, 4});
    GraphBuilder otherwise("else_side");
    std::string last = "pre";
    for (int i = 0; i < elseNodes; ++i) last = otherwise.op("Neg", {last}, {}, "else_neg" + std::to_string(i));
    otherwise.output(last, DataType::Float, {1, 4});
    g.subgraph("choose", "then_branch", then);
    g.subgraph("choose", "else_branch", otherwise);

    g.node("Loop", {"trips", "", "pre"}, {}, 1, "repeat");
    GraphBuilder body("repeat_body");
    body.input("i", DataType::Int64, {});
    body.input("keep", DataType::Bool, {});
    body.input("s", DataType::Float, {1, 4});
    body.node("If", {"keep"}, {}, 1, "inner");
    GraphBuilder innerThen("inner_then"), innerElse("inner_else");
    innerThen.op("Sigmoid", {"s"}, {}, "inner_sigmoid");
    innerThen.output("inner_sigmoid", DataType::Float, {1, 4});
    innerElse.op("Tanh", {"s"}, {}, "inner_tanh");
    innerElse.output("inner_tanh", DataType::Float, {1, 4});
    body.subgraph("inner", "then_branch", innerThen);
    body.subgraph("inner", "else_branch", innerElse);
    body.op("Identity", {"keep"}, {}, "go_on");
    body.op("Add", {"inner", "s"}, {}, "step_sum");
    body.output("go_on", DataType::Bool, {});
    body.output("step_sum", DataType::Float, {1, 4});
    g.subgraph("repeat", "body", body);

    g.op("Add", {"choose", "repeat"}, {}, "post");
    g.output("post", DataType::Float, {1, 4});
    return g;
}

std::string batchNormalization(interstage::GraphBuilder& b, const std::string& x, int64_t channels,
                               const std::string& name) {
    interstage::WeightGenerator gen(static_cast<uint64_t>(channels) * 7 + name.size());
    auto param = [&](const char* what, float scale, float offset) {
        std::vector<float> v = gen.uniform(channels, scale);
        for (float& f : v) f += offset;
        return b.initializer(name + "." + what, interstage::TensorData::fromFloat(v, {channels}));
    };
    const auto gamma = param("scale", 0.3f, 1.f), beta = param("bias", 0.3f, 0.f);
    const auto mean = param("mean", 0.3f, 0.f), var = param("var", 0.5f, 1.f);
    return b.op("BatchNormalization", {x, gamma, beta, mean, var}, {}, name);
}

interstage::Model bigConvChain() {
    interstage::GraphBuilder b("big_conv_chain");
    b.input("x", interstage::DataType::Float, {1, 16, 256, 256});
    auto weights = [&](const char* name, int64_t out, int64_t in) {
        std::vector<float> w(static_cast<size_t>(out * in * 9));
        for (size_t i = 0; i < w.size(); ++i) w[i] = float((i * 7919) % 13) / 13.0f - 0.45f;
        return b.initializer(name, interstage::TensorData::fromFloat(w, {out, in, 3, 3}));
    };
    const auto pads = interstage::intsAttr("pads", {1, 1, 1, 1});
    auto y1 = b.op("Conv", {"x", weights("w1", 64, 16)}, {pads}, "y1");
    auto r1 = b.op("Relu", {y1}, {}, "r1");
    auto y2 = b.op("Conv", {r1, weights("w2", 32, 64)}, {pads}, "y2");
    auto z = b.op("Conv", {y2, weights("w3", 16, 32)}, {pads}, "z");
    b.output(z, interstage::DataType::Float, {1, 16, 256, 256});
    return builtModel(b);
}

bool closeFloats(const interstage::TensorData& a, const interstage::TensorData& b, QString& why) {
    if (a.shape != b.shape) {
        why = "shapes differ";
        return false;
    }
    for (int64_t i = 0; i < a.elementCount(); ++i) {
        const float x = a.data<float>()[i], y = b.data<float>()[i];
        if (!(std::abs(x - y) <= 1e-5f + 1e-4f * std::abs(y))) {
            why = QString("%1: %2 vs %3").arg(i).arg(x).arg(y);
            return false;
        }
    }
    return true;
}

}  // namespace testsupport
