// MobileNetV2 (Sandler et al. 2018) as torchvision builds it (width 1.0):
// inverted residuals (1x1 expand, 3x3 depthwise, 1x1 linear projection),
// ReLU6 written as Clip(0, 6). 3,504,872 trainable parameters.

#include <string>

#include "zoo_models.h"

namespace interstage::zoo {

namespace {

ConvSpec convSpec(int64_t kernel, int64_t stride, int64_t group = 1) {
    ConvSpec spec;
    spec.kernel = kernel;
    spec.stride = stride;
    spec.pad = kernel / 2;
    spec.group = group;
    spec.bias = false;
    return spec;
}

// Expand by `expansion` (skipped when 1), filter each channel on its own,
// project back down without an activation (the "linear bottleneck"); the
// input is added back when the shape is unchanged.
Feature invertedResidual(NetBuilder& net, const std::string& s, const Feature& x, int64_t out, int64_t stride,
                         int64_t expansion) {
    const int64_t hidden = x.channels * expansion;
    Feature y = x;
    if (expansion != 1) {
        y = net.convBnAct(s + "/expand", y, hidden, convSpec(1, 1), Activation::Relu6, "conv", "bn", "relu6");
    }
    y = net.convBnAct(s + "/dw", y, hidden, convSpec(3, stride, hidden), Activation::Relu6, "conv", "bn", "relu6");
    y = net.conv(s + "/project/conv", y, out, convSpec(1, 1), Activation::None);
    y = net.batchNorm(s + "/project/bn", y);
    if (stride == 1 && x.channels == out) y = net.add(s + "/add", y, x);
    return y;
}

struct StageSetting {
    int64_t expansion;
    int64_t channels;
    int repeats;
    int64_t stride;
};

}  // namespace

NetBuilder makeMobilenetV2() {
    NetBuilder net("mobilenetv2");
    Feature x = net.input("input", {1, 3, 224, 224});

    x = net.convBnAct("features/0", x, 32, convSpec(3, 2), Activation::Relu6, "conv", "bn", "relu6");

    // The paper's table 2: expansion t, channels c, repeats n, first stride s.
    const StageSetting settings[] = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };
    int block = 1;
    for (const auto& st : settings) {
        for (int i = 0; i < st.repeats; ++i) {
            const std::string scope = "features/" + std::to_string(block++);
            x = invertedResidual(net, scope, x, st.channels, i == 0 ? st.stride : 1, st.expansion);
        }
    }

    x = net.convBnAct("features/" + std::to_string(block), x, 1280, convSpec(1, 1), Activation::Relu6, "conv", "bn",
                      "relu6");
    x = net.globalAvgPool("avgpool", x);
    x = net.flatten("flatten", x);
    x = net.gemm("classifier", x, 1000);
    net.output(x, {1, 1000});
    return net;
}

}  // namespace interstage::zoo
