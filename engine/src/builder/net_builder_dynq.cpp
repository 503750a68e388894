// The dynamically quantized conv, as ONNX Runtime's quantize_dynamic
// writes it for uint8 weights: the activation is quantized per run by
// DynamicQuantizeLinear, the weights once here (per tensor, asymmetric,
// the range stretched to include 0), ConvInteger multiplies the bytes,
// and the int32 result goes back to float through Cast and a Mul by
// x_scale * w_scale; the float bias is added last.
#include <algorithm>
#include <cmath>

#include "net_builder.h"

namespace interstage::zoo {

namespace {

struct QuantizedWeights {
    TensorData bytes;
    float scale = 1.0f;
    uint8_t zeroPoint = 0;
};

QuantizedWeights quantizeUint8(const TensorData& weights) {
    const float* w = weights.data<float>();
    const int64_t count = weights.elementCount();
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < count; ++i) {
        lo = std::min(lo, w[i]);
        hi = std::max(hi, w[i]);
    }
    QuantizedWeights q;
    q.scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    q.zeroPoint = static_cast<uint8_t>(std::clamp(std::nearbyint(-lo / q.scale), 0.0f, 255.0f));
    q.bytes = TensorData::zeros(DataType::UInt8, weights.shape);
    uint8_t* out = q.bytes.data<uint8_t>();
    for (int64_t i = 0; i < count; ++i)
        out[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(w[i] / q.scale) + q.zeroPoint, 0.0f, 255.0f));
    return q;
}

TensorData scalar(DataType dtype, const void* value) {
    TensorData t = TensorData::zeros(dtype, {});
    std::copy_n(static_cast<const std::byte*>(value), t.bytes.size(), t.bytes.data());
    return t;
}

}  // namespace

Feature NetBuilder::dynamicQuantizedConv(const std::string& scope, const Feature& x, int64_t outChannels,
                                         const TensorData& weights, const TensorData& bias,
                                         const std::vector<Attribute>& attributes) {
    const QuantizedWeights q = quantizeUint8(weights);
    const std::string w = graph_.initializer(scope + ".weight_quantized", q.bytes);
    const std::string wScale = graph_.initializer(scope + ".weight_scale", scalar(DataType::Float, &q.scale));
    const std::string wZero = graph_.initializer(scope + ".weight_zero_point", scalar(DataType::UInt8, &q.zeroPoint));
    const auto xq = graph_.node("DynamicQuantizeLinear", {x.name}, {}, 3, scope + "/quantize_input");
    const std::string product = graph_.op("ConvInteger", {xq[0], w, xq[2], wZero}, attributes, scope);
    const std::string asFloat =
        graph_.op("Cast", {product}, {intAttr("to", static_cast<int64_t>(DataType::Float))}, scope + "/cast");
    const std::string scales = graph_.op("Mul", {xq[1], wScale}, {}, scope + "/scales");
    std::string out = graph_.op("Mul", {asFloat, scales}, {}, scope + "/dequantize");
    if (!bias.bytes.empty()) {
        TensorData channelBias = bias;
        channelBias.shape = {outChannels, 1, 1};
        out = graph_.op("Add", {out, graph_.initializer(scope + ".bias", channelBias)}, {}, scope + "/bias");
    }
    return {out, outChannels};
}

}  // namespace interstage::zoo
