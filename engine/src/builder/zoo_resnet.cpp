// ResNet-18 (He et al. 2016) as torchvision builds it: bias-free convs with
// BatchNorm, basic blocks, a 1x1 stride-2 projection where a stage changes
// size. 11,689,512 trainable parameters, like torchvision's resnet18.

#include <string>

#include "zoo_models.h"

namespace interstage::zoo {

namespace {

ConvSpec convSpec(int64_t kernel, int64_t stride) {
    ConvSpec spec;
    spec.kernel = kernel;
    spec.stride = stride;
    spec.pad = kernel / 2;
    spec.bias = false;  // BatchNorm follows, so a bias would be redundant
    return spec;
}

// Basic block: two 3x3 convs; the shortcut is the input, or a 1x1 conv +
// BatchNorm when the block changes stride or width.
Feature basicBlock(NetBuilder& net, const std::string& s, const Feature& x, int64_t width, int64_t stride) {
    Feature y = net.convBnAct(s, x, width, convSpec(3, stride), Activation::Relu, "conv1", "bn1", "relu1");
    // The second conv's output is summed, not rectified, before the ReLU.
    y = net.conv(s + "/conv2", y, width, convSpec(3, 1), Activation::None);
    y = net.batchNorm(s + "/bn2", y);

    Feature shortcut = x;
    if (stride != 1 || x.channels != width) {
        shortcut = net.conv(s + "/downsample/0", x, width, convSpec(1, stride), Activation::None);
        shortcut = net.batchNorm(s + "/downsample/1", shortcut);
    }
    return net.activation(s + "/relu2", net.add(s + "/add", y, shortcut), Activation::Relu);
}

}  // namespace

NetBuilder makeResnet() {
    NetBuilder net("resnet18");
    Feature x = net.input("input", {1, 3, 224, 224});

    x = net.convBnAct("stem", x, 64, convSpec(7, 2), Activation::Relu, "conv1", "bn1", "relu");
    x = net.maxPool("stem/maxpool", x, 3, 2, 1, false);

    const int64_t widths[] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage) {
        const std::string layer = "layer" + std::to_string(stage + 1);
        x = basicBlock(net, layer + "/0", x, widths[stage], stage == 0 ? 1 : 2);
        x = basicBlock(net, layer + "/1", x, widths[stage], 1);
    }

    x = net.globalAvgPool("avgpool", x);
    x = net.flatten("flatten", x);
    x = net.gemm("fc", x, 1000);
    net.output(x, {1, 1000});
    return net;
}

}  // namespace interstage::zoo
