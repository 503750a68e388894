// GoogLeNet / Inception-v1 (Szegedy et al. 2015) with BatchNorm after every
// conv (as torchvision builds it, without the auxiliary classifiers) and
// the paper's true 5x5 branch. Each module runs four branches off the same
// input, so several wide tensors are alive at once: this is the zoo model
// where the memory modes differ most.

#include <string>

#include "zoo_models.h"

namespace interstage::zoo {

namespace {

Feature basicConv(NetBuilder& net, const std::string& s, const Feature& x, int64_t out, int64_t kernel,
                  int64_t stride = 1) {
    ConvSpec spec;
    spec.kernel = kernel;
    spec.stride = stride;
    spec.pad = kernel / 2;
    spec.bias = false;
    return net.convBnAct(s, x, out, spec, Activation::Relu, "conv", "bn", "relu");
}

// Output widths of one module, in the paper's table 1 column order.
struct ModuleSetting {
    const char* name;
    int64_t b1;            // 1x1
    int64_t b2Reduce, b2;  // 1x1 -> 3x3
    int64_t b3Reduce, b3;  // 1x1 -> 5x5
    int64_t b4;            // 3x3 max pool -> 1x1
};

Feature inceptionModule(NetBuilder& net, const ModuleSetting& m, const Feature& x) {
    const std::string s = std::string("inception") + m.name;
    const Feature b1 = basicConv(net, s + "/branch1", x, m.b1, 1);
    const Feature b2 = basicConv(net, s + "/branch2/1", basicConv(net, s + "/branch2/0", x, m.b2Reduce, 1), m.b2, 3);
    const Feature b3 = basicConv(net, s + "/branch3/1", basicConv(net, s + "/branch3/0", x, m.b3Reduce, 1), m.b3, 5);
    const Feature pooled = net.maxPool(s + "/branch4/pool", x, 3, 1, 1, true);
    const Feature b4 = basicConv(net, s + "/branch4/1", pooled, m.b4, 1);
    return net.concat(s + "/concat", {b1, b2, b3, b4});
}

}  // namespace

NetBuilder makeInception() {
    NetBuilder net("inception_v1");
    Feature x = net.input("input", {1, 3, 224, 224});

    // Stem: 224 -> 112 -> 56 -> 56 -> 28.
    x = basicConv(net, "conv1", x, 64, 7, 2);
    x = net.maxPool("maxpool1", x, 3, 2, 0, true);
    x = basicConv(net, "conv2", x, 64, 1);
    x = basicConv(net, "conv3", x, 192, 3);
    x = net.maxPool("maxpool2", x, 3, 2, 0, true);

    const ModuleSetting m3[] = {{"3a", 64, 96, 128, 16, 32, 32}, {"3b", 128, 128, 192, 32, 96, 64}};
    const ModuleSetting m4[] = {
        {"4a", 192, 96, 208, 16, 48, 64},  {"4b", 160, 112, 224, 24, 64, 64},   {"4c", 128, 128, 256, 24, 64, 64},
        {"4d", 112, 144, 288, 32, 64, 64}, {"4e", 256, 160, 320, 32, 128, 128},
    };
    const ModuleSetting m5[] = {{"5a", 256, 160, 320, 32, 128, 128}, {"5b", 384, 192, 384, 48, 128, 128}};

    for (const auto& m : m3) x = inceptionModule(net, m, x);  // 28x28, 480 channels out
    x = net.maxPool("maxpool3", x, 3, 2, 0, true);            // 14x14
    for (const auto& m : m4) x = inceptionModule(net, m, x);  // 832 channels out
    x = net.maxPool("maxpool4", x, 2, 2, 0, true);            // 7x7
    for (const auto& m : m5) x = inceptionModule(net, m, x);  // 1024 channels out

    x = net.globalAvgPool("avgpool", x);
    x = net.flatten("flatten", x);
    x = net.gemm("fc", x, 1000);
    net.output(x, {1, 1000});
    return net;
}

}  // namespace interstage::zoo
