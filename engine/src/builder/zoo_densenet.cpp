// DenseNet-121 (Huang et al. 2017) as torchvision builds it: four dense
// blocks of 6, 12, 24 and 16 layers, each layer reading the concatenation
// of every earlier feature map in its block, transitions that halve the
// channels and the size. 427 nodes; the block's all-to-all Concat inputs
// are the graph view's hard case (hundreds of edges that span many ranks).
// Names follow torchvision's modules (features/denseblock2/denselayer5/conv1).

#include <string>
#include <vector>

#include "zoo_models.h"

namespace interstage::zoo {

namespace {

constexpr int64_t kGrowth = 32;
constexpr int64_t kBottleneck = 4;  // bn_size: the 1x1 conv widens to 4 x growth

ConvSpec convSpec(int64_t kernel, int64_t stride) {
    ConvSpec spec;
    spec.kernel = kernel;
    spec.stride = stride;
    spec.pad = kernel / 2;
    spec.bias = false;  // pre-activation: BatchNorm comes before the next conv
    return spec;
}

// BN -> ReLU -> conv, the pre-activation unit DenseNet repeats.
Feature bnReluConv(NetBuilder& net, const std::string& s, const std::string& index, const Feature& x,
                   int64_t outChannels, int64_t kernel) {
    Feature y = net.batchNorm(s + "/norm" + index, x);
    y = net.activation(s + "/relu" + index, y, Activation::Relu);
    return net.conv(s + "/conv" + index, y, outChannels, convSpec(kernel, 1), Activation::Relu);
}

Feature denseBlock(NetBuilder& net, const std::string& scope, const Feature& x, int layers) {
    std::vector<Feature> features{x};
    for (int i = 0; i < layers; ++i) {
        const std::string s = scope + "/denselayer" + std::to_string(i + 1);
        const Feature in = features.size() == 1 ? features.front() : net.concat(s + "/concat", features);
        Feature y = bnReluConv(net, s, "1", in, kBottleneck * kGrowth, 1);
        y = bnReluConv(net, s, "2", y, kGrowth, 3);
        features.push_back(y);
    }
    return net.concat(scope + "/concat", features);
}

Feature transition(NetBuilder& net, const std::string& s, const Feature& x) {
    Feature y = net.batchNorm(s + "/norm", x);
    y = net.activation(s + "/relu", y, Activation::Relu);
    ConvSpec spec = convSpec(1, 1);
    y = net.conv(s + "/conv", y, x.channels / 2, spec, Activation::None);
    return net.avgPool(s + "/pool", y, 2, 2, 0);
}

}  // namespace

NetBuilder makeDensenet() {
    NetBuilder net("densenet121");
    Feature x = net.input("input", {1, 3, 224, 224});
    x = net.conv("features/conv0", x, 64, convSpec(7, 2), Activation::Relu);
    x = net.batchNorm("features/norm0", x);
    x = net.activation("features/relu0", x, Activation::Relu);
    x = net.maxPool("features/pool0", x, 3, 2, 1, false);

    const int layers[] = {6, 12, 24, 16};
    for (int b = 0; b < 4; ++b) {
        x = denseBlock(net, "features/denseblock" + std::to_string(b + 1), x, layers[b]);
        if (b < 3) x = transition(net, "features/transition" + std::to_string(b + 1), x);
    }
    x = net.batchNorm("features/norm5", x);
    x = net.activation("relu", x, Activation::Relu);
    x = net.globalAvgPool("avgpool", x);
    x = net.flatten("flatten", x);
    x = net.gemm("classifier", x, 1000);
    net.output(x, {1, 1000});
    return net;
}

}  // namespace interstage::zoo
