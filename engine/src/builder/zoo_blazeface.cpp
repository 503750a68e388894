// A BlazeFace-style SSD face detector (Bazarevsky et al. 2019, MediaPipe's
// 256x256 "back" model layout) with the paper's 5x5 depthwise BlazeBlocks:
// single blocks (5x5 depthwise -> 1x1 projection) and double blocks (a
// 1x1 bottleneck to a quarter of the width between two depthwise stages;
// the last two stages twice and four times the paper's 96 wide), each added
// to its shortcut and then ReLU. Where a block grows the channels the
// shortcut is padded with zero channels (Pad, as PyTorch's F.pad exports);
// stride-2 blocks max-pool the shortcut. Two SSD heads (2 anchors on the
// 16x16 map, 6 on the 8x8 map) give 896 anchors: per map a 1x1 conv,
// Transpose to NHWC and Reshape to anchors, then one Concat per head.

#include <string>
#include <vector>

#include "zoo_models.h"

namespace interstage::zoo {

namespace {

constexpr int64_t kDepthwiseKernel = 5;
constexpr int64_t kBottleneckRatio = 4;  // the double block's inner width is out / 4, as 96 -> 24 in the paper

ConvSpec depthwise(int64_t channels, int64_t stride) {
    ConvSpec spec;
    spec.kernel = kDepthwiseKernel;
    spec.stride = stride;
    spec.pad = kDepthwiseKernel / 2;  // "same" at stride 1, an exact half at stride 2 on even sizes
    spec.group = channels;
    return spec;
}

ConvSpec pointwise() {
    ConvSpec spec;
    spec.kernel = 1;
    spec.pad = 0;
    return spec;
}

// The shortcut of a block: max-pooled when the block halves the map,
// zero-padded in channels when it grows them.
Feature shortcut(NetBuilder& net, const std::string& s, const Feature& x, int64_t out, int64_t stride) {
    Feature y = x;
    if (stride == 2) y = net.maxPool(s + "/shortcut/pool", y, 2, 2, 0, false);
    if (out > x.channels) {
        const std::string pads = net.int64Constant({0, 0, 0, 0, 0, out - x.channels, 0, 0});
        y = {net.graph().op("Pad", {y.name, pads}, {stringAttr("mode", "constant")}, s + "/shortcut/pad"), out};
    }
    return y;
}

Feature residualRelu(NetBuilder& net, const std::string& s, const Feature& branch, const Feature& skip) {
    return net.activation(s + "/relu", net.add(s + "/add", branch, skip), Activation::Relu);
}

Feature singleBlock(NetBuilder& net, const std::string& s, const Feature& x, int64_t out, int64_t stride = 1) {
    Feature y = net.conv(s + "/dw", x, x.channels, depthwise(x.channels, stride));
    y = net.conv(s + "/project", y, out, pointwise(), Activation::Relu);
    return residualRelu(net, s, y, shortcut(net, s, x, out, stride));
}

Feature doubleBlock(NetBuilder& net, const std::string& s, const Feature& x, int64_t out, int64_t stride = 1) {
    const int64_t inner = out / kBottleneckRatio;
    Feature y = net.conv(s + "/dw1", x, x.channels, depthwise(x.channels, stride));
    y = net.conv(s + "/project1", y, inner, pointwise(), Activation::Relu);
    y = net.activation(s + "/relu1", y, Activation::Relu);
    y = net.conv(s + "/dw2", y, inner, depthwise(inner, 1));
    y = net.conv(s + "/project2", y, out, pointwise(), Activation::Relu);
    return residualRelu(net, s, y, shortcut(net, s, x, out, stride));
}

// One head over two maps: 1x1 conv -> NHWC -> (1, anchors, values) each,
// concatenated along the anchors.
Feature ssdHead(NetBuilder& net, const std::string& s, const std::vector<Feature>& maps,
                const std::vector<int64_t>& anchorsPerCell, int64_t values) {
    std::vector<std::string> parts;
    for (size_t i = 0; i < maps.size(); ++i) {
        const std::string m = s + "_" + std::to_string(i);
        const Feature c = net.conv(m, maps[i], anchorsPerCell[i] * values, pointwise());
        const std::string nhwc = net.graph().op("Transpose", {c.name}, {intsAttr("perm", {0, 2, 3, 1})}, m + "/nhwc");
        parts.push_back(net.graph().op("Reshape", {nhwc, net.int64Constant({1, -1, values})}, {}, m + "/anchors"));
    }
    return {net.graph().op("Concat", parts, {intAttr("axis", 1)}, s), values};
}

}  // namespace

NetBuilder makeBlazeface() {
    NetBuilder net("blazeface");
    Feature x = net.input("input", {1, 3, 256, 256});

    ConvSpec stem;
    stem.kernel = 5;
    stem.stride = 2;
    stem.pad = 2;
    x = net.conv("stem", x, 24, stem, Activation::Relu);
    x = net.activation("stem/relu", x, Activation::Relu);  // 128x128

    // Single blocks: (output channels, stride), the paper's widths doubled
    // in depth at each resolution as the 256x256 model does.
    const std::pair<int64_t, int64_t> singles[] = {
        {24, 1}, {24, 1}, {28, 1}, {32, 2}, {32, 1}, {36, 1}, {42, 1},  // 128 -> 64
        {48, 2}, {56, 1}, {64, 1}, {72, 1}, {80, 1}, {88, 1},           // 64 -> 32
    };
    int block = 0;
    for (const auto& [out, stride] : singles) x = singleBlock(net, "block" + std::to_string(block++), x, out, stride);

    const std::pair<int64_t, int64_t> doubles16[] = {{128, 2}, {128, 1}, {128, 1}};  // 32 -> 16
    for (const auto& [out, stride] : doubles16) x = doubleBlock(net, "block" + std::to_string(block++), x, out, stride);
    const Feature map16 = x;
    const std::pair<int64_t, int64_t> doubles8[] = {{256, 2}, {256, 1}, {256, 1}};  // 16 -> 8
    for (const auto& [out, stride] : doubles8) x = doubleBlock(net, "block" + std::to_string(block++), x, out, stride);
    const Feature map8 = x;

    const Feature scores = ssdHead(net, "classificators", {map16, map8}, {2, 6}, 1);
    const Feature boxes = ssdHead(net, "regressors", {map16, map8}, {2, 6}, 16);
    net.output(scores, {1, 896, 1});
    net.output(boxes, {1, 896, 16});
    return net;
}

}  // namespace interstage::zoo
