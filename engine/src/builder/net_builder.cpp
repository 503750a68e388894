#include "net_builder.h"

#include <cmath>
#include <utility>

namespace interstage::zoo {

namespace {

// FNV-1a: a stable 64-bit hash of a layer's name, used as its weight seed.
uint64_t nameSeed(const std::string& name) {
    uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : name) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return hash;
}

// Uniform weights with variance gain^2 / fanIn scale E[x^2] by gain^2 per
// linear layer, and by about gain^2 / 2 through a following ReLU. He
// initialisation (gain^2 = 2) keeps plain chains level, but max pools and
// residual sums add growth of their own, and inference-mode BatchNorm does
// not renormalise (its statistics are fixed): measured through U^2-Net-P's
// eleven residual blocks, gain^2 = 2 ends with values near 100 and
// saturated sigmoids, while 1.4 keeps every zoo model's activations between
// about 0.01 and 10 in RMS.
float fanInScale(int64_t fanIn, Activation followedBy) {
    const bool rectified = followedBy == Activation::Relu || followedBy == Activation::Relu6;
    const float gainSquared = rectified ? 1.4f : 1.0f;
    return std::sqrt(3.0f * gainSquared / static_cast<float>(fanIn > 0 ? fanIn : 1));
}

}  // namespace

NetBuilder::NetBuilder(std::string graphName, int64_t opset) : graph_(std::move(graphName), opset) {}

Feature NetBuilder::input(const std::string& name, const Shape& dims, const std::vector<std::string>& dimNames) {
    graph_.input(name, DataType::Float, dims, dimNames);
    return {name, dims.size() > 1 ? dims[1] : 0};
}

void NetBuilder::output(const Feature& x, const Shape& dims) { graph_.output(x.name, DataType::Float, dims); }

TensorData NetBuilder::weightValues(const std::string& name, const Shape& shape, float scale, float offset) {
    TensorData data = TensorData::zeros(DataType::Float, shape);
    WeightGenerator rng(nameSeed(name));
    float* values = data.data<float>();
    const int64_t count = data.elementCount();
    for (int64_t i = 0; i < count; ++i) values[i] = offset + rng.next(scale);
    return data;
}

std::string NetBuilder::weight(const std::string& name, const Shape& shape, float scale, float offset) {
    return graph_.initializer(name, weightValues(name, shape, scale, offset));
}

std::string NetBuilder::int64Constant(const std::vector<int64_t>& values) {
    std::string key = "const_i64";
    for (int64_t v : values) {
        key += '_';
        key += std::to_string(v);
    }
    auto it = sharedConstants_.find(key);
    if (it != sharedConstants_.end()) return it->second;
    std::string name = graph_.initializer(key, TensorData::fromInt64(values, {static_cast<int64_t>(values.size())}));
    sharedConstants_.emplace(key, name);
    return name;
}

std::string NetBuilder::floatScalar(float value) {
    // Only a few fixed limits (0, 6) are used, so an integer key suffices.
    const std::string key = "const_f32_" + std::to_string(static_cast<int64_t>(value));
    auto it = sharedConstants_.find(key);
    if (it != sharedConstants_.end()) return it->second;
    std::string name = graph_.initializer(key, TensorData::fromFloat({value}, {}));
    sharedConstants_.emplace(key, name);
    return name;
}

Feature NetBuilder::conv(const std::string& scope, const Feature& x, int64_t outChannels, const ConvSpec& spec,
                         Activation followedBy) {
    const int64_t inPerGroup = x.channels / spec.group;
    const int64_t fanIn = inPerGroup * spec.kernel * spec.kernel;
    const Shape wShape{outChannels, inPerGroup, spec.kernel, spec.kernel};
    trainable_ += outChannels * fanIn + (spec.bias ? outChannels : 0);
    const int64_t pad = spec.pad >= 0 ? spec.pad : spec.dilation * (spec.kernel - 1) / 2;
    std::vector<Attribute> attrs{
        intsAttr("dilations", {spec.dilation, spec.dilation}), intAttr("group", spec.group),
        intsAttr("kernel_shape", {spec.kernel, spec.kernel}),  intsAttr("pads", {pad, pad, pad, pad}),
        intsAttr("strides", {spec.stride, spec.stride}),
    };
    if (dynamicQuantized_)
        return dynamicQuantizedConv(
            scope, x, outChannels, weightValues(scope + ".weight", wShape, fanInScale(fanIn, followedBy)),
            spec.bias ? weightValues(scope + ".bias", {outChannels}, 0.05f) : TensorData{}, attrs);
    std::vector<std::string> inputs{x.name, weight(scope + ".weight", wShape, fanInScale(fanIn, followedBy))};
    if (spec.bias) inputs.push_back(weight(scope + ".bias", {outChannels}, 0.05f));
    return {graph_.op("Conv", inputs, attrs, scope), outChannels};
}

Feature NetBuilder::batchNorm(const std::string& scope, const Feature& x) {
    const Shape shape{x.channels};
    // Scale near 1, bias and mean small, variance in [0.5, 1.5]: a trained
    // network's statistics look like this, and folding them is non-trivial.
    const std::string scale = weight(scope + ".weight", shape, 0.1f, 1.0f);
    const std::string bias = weight(scope + ".bias", shape, 0.1f);
    const std::string mean = weight(scope + ".running_mean", shape, 0.1f);
    const std::string var = weight(scope + ".running_var", shape, 0.5f, 1.0f);
    trainable_ += 2 * x.channels;
    const std::vector<Attribute> attrs{floatAttr("epsilon", 1e-5f), floatAttr("momentum", 0.9f)};
    return {graph_.op("BatchNormalization", {x.name, scale, bias, mean, var}, attrs, scope), x.channels};
}

Feature NetBuilder::activation(const std::string& scope, const Feature& x, Activation act,
                               const std::string& nodeName) {
    const std::string name = nodeName.empty() ? scope : nodeName;
    switch (act) {
        case Activation::Relu:
            return {graph_.op("Relu", {x.name}, {}, name), x.channels};
        case Activation::Relu6:
            // Opset >= 11 Clip takes its limits as inputs, as exporters write ReLU6.
            return {graph_.op("Clip", {x.name, floatScalar(0.0f), floatScalar(6.0f)}, {}, name), x.channels};
        case Activation::Sigmoid:
            return {graph_.op("Sigmoid", {x.name}, {}, name), x.channels};
        case Activation::None:
            break;
    }
    return x;
}

Feature NetBuilder::convBnAct(const std::string& scope, const Feature& x, int64_t outChannels, const ConvSpec& spec,
                              Activation act, const std::string& convName, const std::string& bnName,
                              const std::string& actName) {
    Feature y = conv(scope + "/" + convName, x, outChannels, spec, act);
    y = batchNorm(scope + "/" + bnName, y);
    return activation(scope + "/" + actName, y, act);
}

Feature NetBuilder::maxPool(const std::string& name, const Feature& x, int64_t kernel, int64_t stride, int64_t pad,
                            bool ceilMode) {
    const std::vector<Attribute> attrs{
        intAttr("ceil_mode", ceilMode ? 1 : 0),
        intsAttr("kernel_shape", {kernel, kernel}),
        intsAttr("pads", {pad, pad, pad, pad}),
        intsAttr("strides", {stride, stride}),
    };
    return {graph_.op("MaxPool", {x.name}, attrs, name), x.channels};
}

Feature NetBuilder::avgPool(const std::string& name, const Feature& x, int64_t kernel, int64_t stride, int64_t pad) {
    const std::vector<Attribute> attrs{
        intAttr("count_include_pad", 0),
        intsAttr("kernel_shape", {kernel, kernel}),
        intsAttr("pads", {pad, pad, pad, pad}),
        intsAttr("strides", {stride, stride}),
    };
    return {graph_.op("AveragePool", {x.name}, attrs, name), x.channels};
}

Feature NetBuilder::globalAvgPool(const std::string& name, const Feature& x) {
    return {graph_.op("GlobalAveragePool", {x.name}, {}, name), x.channels};
}

Feature NetBuilder::concat(const std::string& name, const std::vector<Feature>& parts) {
    std::vector<std::string> inputs;
    int64_t channels = 0;
    for (const auto& p : parts) {
        inputs.push_back(p.name);
        channels += p.channels;
    }
    return {graph_.op("Concat", inputs, {intAttr("axis", 1)}, name), channels};
}

Feature NetBuilder::add(const std::string& name, const Feature& a, const Feature& b) {
    return {graph_.op("Add", {a.name, b.name}, {}, name), a.channels};
}

Feature NetBuilder::flatten(const std::string& name, const Feature& x) {
    return {graph_.op("Flatten", {x.name}, {intAttr("axis", 1)}, name), x.channels};
}

Feature NetBuilder::gemm(const std::string& scope, const Feature& x, int64_t outFeatures) {
    // Logits: a linear output, so unit gain.
    const std::string w =
        weight(scope + ".weight", {outFeatures, x.channels}, fanInScale(x.channels, Activation::None));
    const std::string b = weight(scope + ".bias", {outFeatures}, 0.05f);
    trainable_ += outFeatures * x.channels + outFeatures;
    const std::vector<Attribute> attrs{floatAttr("alpha", 1.0f), floatAttr("beta", 1.0f), intAttr("transB", 1)};
    return {graph_.op("Gemm", {x.name, w, b}, attrs, scope), outFeatures};
}

Feature NetBuilder::upsampleLike(const std::string& scope, const Feature& src, const Feature& tar) {
    const std::string axis0 = int64Constant({0});
    // sizes = concat(shape(src)[0:2], shape(tar)[2:4]): batch and channels
    // of the source, height and width of the target.
    const std::string tarShape = graph_.op("Shape", {tar.name}, {}, scope + "/Shape_tar");
    const std::string hw =
        graph_.op("Slice", {tarShape, int64Constant({2}), int64Constant({4}), axis0}, {}, scope + "/Slice_hw");
    const std::string srcShape = graph_.op("Shape", {src.name}, {}, scope + "/Shape_src");
    const std::string nc =
        graph_.op("Slice", {srcShape, int64Constant({0}), int64Constant({2}), axis0}, {}, scope + "/Slice_nc");
    const std::string sizes = graph_.op("Concat", {nc, hw}, {intAttr("axis", 0)}, scope + "/Concat_sizes");
    // align_corners=False in PyTorch exports as pytorch_half_pixel; roi and
    // scales are omitted ("") since sizes is given.
    const std::vector<Attribute> attrs{
        stringAttr("coordinate_transformation_mode", "pytorch_half_pixel"),
        floatAttr("cubic_coeff_a", -0.75f),
        stringAttr("mode", "linear"),
        stringAttr("nearest_mode", "floor"),
    };
    return {graph_.op("Resize", {src.name, "", "", sizes}, attrs, scope + "/Resize"), src.channels};
}

}  // namespace interstage::zoo
