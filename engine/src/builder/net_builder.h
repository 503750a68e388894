// NetBuilder: CNN layers (conv, batch norm, pools, upsampling, ...) on top
// of GraphBuilder, with deterministic weights. Internal to the zoo models.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "interstage/builder.h"

namespace interstage::zoo {

// A value in the network with the channel count its consumers need to size
// their weights (NCHW activations; for Flatten / Gemm, the feature count).
struct Feature {
    std::string name;
    int64_t channels = 0;
};

struct ConvSpec {
    int64_t kernel = 3;
    int64_t stride = 1;
    int64_t pad = -1;  // -1: dilation * (kernel - 1) / 2, i.e. "same" at stride 1
    int64_t dilation = 1;
    int64_t group = 1;
    bool bias = true;
};

enum class Activation { None, Relu, Relu6, Sigmoid };

class NetBuilder {
public:
    explicit NetBuilder(std::string graphName, int64_t opset = 13);

    GraphBuilder& graph() { return graph_; }

    // From now on conv() writes what ONNX Runtime's dynamic quantizer
    // (quantize_dynamic, uint8 weights) makes of a Conv: see
    // dynamicQuantizedConv() in net_builder_dynq.cpp.
    void quantizeConvsDynamically() { dynamicQuantized_ = true; }

    // A float NCHW graph input; dims < 0 are dynamic, named by dimNames.
    Feature input(const std::string& name, const Shape& dims, const std::vector<std::string>& dimNames = {});
    // Marks a float output with its (expected) shape.
    void output(const Feature& x, const Shape& dims);

    // Weights are uniform with a fan-in scale chosen for what follows the
    // conv (see net_builder.cpp), so activations keep their magnitude.
    Feature conv(const std::string& scope, const Feature& x, int64_t outChannels, const ConvSpec& spec,
                 Activation followedBy = Activation::None);
    Feature batchNorm(const std::string& scope, const Feature& x);
    Feature activation(const std::string& scope, const Feature& x, Activation act, const std::string& nodeName = {});
    // conv -> BatchNormalization -> activation, the unit every net here repeats.
    // Nodes are named <scope>/<convName>, <scope>/<bnName>, <scope>/<actName>.
    Feature convBnAct(const std::string& scope, const Feature& x, int64_t outChannels, const ConvSpec& spec,
                      Activation act, const std::string& convName = "conv", const std::string& bnName = "bn",
                      const std::string& actName = "act");

    Feature maxPool(const std::string& name, const Feature& x, int64_t kernel, int64_t stride, int64_t pad,
                    bool ceilMode);
    Feature avgPool(const std::string& name, const Feature& x, int64_t kernel, int64_t stride, int64_t pad);
    Feature globalAvgPool(const std::string& name, const Feature& x);
    Feature concat(const std::string& name, const std::vector<Feature>& parts);
    Feature add(const std::string& name, const Feature& a, const Feature& b);
    Feature flatten(const std::string& name, const Feature& x);
    // Fully connected layer: Gemm(x, W^T) + b.
    Feature gemm(const std::string& scope, const Feature& x, int64_t outFeatures);
    // Bilinear resize of src to tar's spatial size, emitted as PyTorch's
    // exporter writes F.interpolate(src, size=tar.shape[2:]): a Shape ->
    // Slice -> Concat chain computing Resize's `sizes` at run time.
    Feature upsampleLike(const std::string& scope, const Feature& src, const Feature& tar);

    // Conv / Gemm weights and biases plus BatchNorm scale and bias (not the
    // running statistics): what a training framework reports as parameters.
    int64_t trainableParameters() const { return trainable_; }

    std::string serialize() const { return graph_.serialize(); }

    // Shared small constants (Slice bounds, Reshape shapes): one
    // initializer each, created on first use.
    std::string int64Constant(const std::vector<int64_t>& values);
    // A weight initializer with values uniform in [-scale, scale] seeded by
    // its own name, so each layer's bytes are independent of build order.
    std::string weight(const std::string& name, const Shape& shape, float scale, float offset = 0.0f);

private:
    // DynamicQuantizeLinear(x) -> ConvInteger with uint8 weights -> Cast ->
    // Mul by x_scale * w_scale -> Add bias, the nodes named <scope>/...
    // weights: the float weights the Conv would have had; bias: its float
    // bias or an empty tensor.
    Feature dynamicQuantizedConv(const std::string& scope, const Feature& x, int64_t outChannels,
                                 const TensorData& weights, const TensorData& bias,
                                 const std::vector<Attribute>& attributes);
    // The values weight() would write, without writing them.
    static TensorData weightValues(const std::string& name, const Shape& shape, float scale, float offset = 0.0f);

    // Clip limits (0, 6): one initializer each, keyed by the integer value.
    std::string floatScalar(float value);

    GraphBuilder graph_;
    std::map<std::string, std::string> sharedConstants_;
    int64_t trainable_ = 0;
    bool dynamicQuantized_ = false;
};

}  // namespace interstage::zoo
