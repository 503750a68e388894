// U^2-Net-P (Qin et al. 2020, "U2NETP" in the U-2-Net repository): the
// small salient-object model the project's memory figures were measured on.
// Layer for layer as the reference PyTorch code, names following its
// modules (stage1/rebnconvin/conv_s1, ...), 1,131,181 trainable parameters.

#include <string>
#include <vector>

#include "zoo_models.h"

namespace interstage::zoo {

namespace {

// REBNCONV: 3x3 conv dilated by `dirate` (padding = dirate keeps the size),
// BatchNorm, ReLU.
Feature rebnconv(NetBuilder& net, const std::string& scope, const Feature& x, int64_t outCh, int64_t dirate) {
    ConvSpec spec;
    spec.kernel = 3;
    spec.dilation = dirate;
    spec.pad = dirate;
    return net.convBnAct(scope, x, outCh, spec, Activation::Relu, "conv_s1", "bn_s1", "relu_s1");
}

Feature cat2(NetBuilder& net, const std::string& name, const Feature& a, const Feature& b) {
    return net.concat(name, {a, b});
}

// RSU-L (L = 4..7): a small U-Net inside a residual block. Encoder convs 1..L-1
// with a 2x2 ceil-mode max pool between them, a dilation-2 conv at the
// bottom, decoder convs on concat(upsampled, skip), and hx1d + hxin.
Feature rsu(NetBuilder& net, const std::string& s, const Feature& x, int levels, int64_t mid, int64_t out) {
    const Feature hxin = rebnconv(net, s + "/rebnconvin", x, out, 1);
    std::vector<Feature> enc{rebnconv(net, s + "/rebnconv1", hxin, mid, 1)};
    for (int i = 2; i <= levels - 1; ++i) {
        const Feature pooled = net.maxPool(s + "/pool" + std::to_string(i - 1), enc.back(), 2, 2, 0, true);
        enc.push_back(rebnconv(net, s + "/rebnconv" + std::to_string(i), pooled, mid, 1));
    }
    const std::string top = std::to_string(levels);
    const Feature bottom = rebnconv(net, s + "/rebnconv" + top, enc.back(), mid, 2);

    const std::string first = std::to_string(levels - 1);
    Feature d =
        rebnconv(net, s + "/rebnconv" + first + "d", cat2(net, s + "/cat" + first + "d", bottom, enc.back()), mid, 1);
    for (int i = levels - 2; i >= 1; --i) {
        const std::string n = std::to_string(i);
        const Feature& skip = enc[static_cast<size_t>(i - 1)];
        const Feature up = net.upsampleLike(s + "/up" + n + "d", d, skip);
        d = rebnconv(net, s + "/rebnconv" + n + "d", cat2(net, s + "/cat" + n + "d", up, skip), i == 1 ? out : mid, 1);
    }
    return net.add(s + "/add", d, hxin);
}

// RSU-4F: the same block without pooling (the feature maps are already
// small): dilations 1, 2, 4, 8 down and 4, 2, 1 up.
Feature rsu4f(NetBuilder& net, const std::string& s, const Feature& x, int64_t mid, int64_t out) {
    const Feature hxin = rebnconv(net, s + "/rebnconvin", x, out, 1);
    const Feature hx1 = rebnconv(net, s + "/rebnconv1", hxin, mid, 1);
    const Feature hx2 = rebnconv(net, s + "/rebnconv2", hx1, mid, 2);
    const Feature hx3 = rebnconv(net, s + "/rebnconv3", hx2, mid, 4);
    const Feature hx4 = rebnconv(net, s + "/rebnconv4", hx3, mid, 8);
    const Feature hx3d = rebnconv(net, s + "/rebnconv3d", cat2(net, s + "/cat3d", hx4, hx3), mid, 4);
    const Feature hx2d = rebnconv(net, s + "/rebnconv2d", cat2(net, s + "/cat2d", hx3d, hx2), mid, 2);
    const Feature hx1d = rebnconv(net, s + "/rebnconv1d", cat2(net, s + "/cat1d", hx2d, hx1), out, 1);
    return net.add(s + "/add", hx1d, hxin);
}

Feature pool(NetBuilder& net, const std::string& name, const Feature& x) { return net.maxPool(name, x, 2, 2, 0, true); }

// Side output: 3x3 conv to one channel (bias, no BatchNorm).
Feature side(NetBuilder& net, const std::string& name, const Feature& x) {
    ConvSpec spec;
    spec.kernel = 3;
    spec.pad = 1;
    return net.conv(name, x, 1, spec, Activation::Sigmoid);
}

// size: the input's height and width; 0 writes them as the symbols
// "height" and "width" (the net takes any size: its upsampling reads the
// sizes at run time), as a dynamic export would.
NetBuilder buildU2netp(const std::string& graphName, bool dynamicQuantized, int64_t size) {
    NetBuilder net(graphName);
    if (dynamicQuantized) net.quantizeConvsDynamically();
    const int64_t hw = size > 0 ? size : -1;
    const Feature x = net.input("input", {1, 3, hw, hw}, {"", "", "height", "width"});

    // Encoder.
    const Feature hx1 = rsu(net, "stage1", x, 7, 16, 64);
    const Feature hx2 = rsu(net, "stage2", pool(net, "pool12", hx1), 6, 16, 64);
    const Feature hx3 = rsu(net, "stage3", pool(net, "pool23", hx2), 5, 16, 64);
    const Feature hx4 = rsu(net, "stage4", pool(net, "pool34", hx3), 4, 16, 64);
    const Feature hx5 = rsu4f(net, "stage5", pool(net, "pool45", hx4), 16, 64);
    const Feature hx6 = rsu4f(net, "stage6", pool(net, "pool56", hx5), 16, 64);

    // Decoder: each stage takes the upsampled stage below and the encoder skip.
    const Feature hx6up = net.upsampleLike("up6", hx6, hx5);
    const Feature hx5d = rsu4f(net, "stage5d", net.concat("cat5d", {hx6up, hx5}), 16, 64);
    const Feature hx5dup = net.upsampleLike("up5d", hx5d, hx4);
    const Feature hx4d = rsu(net, "stage4d", net.concat("cat4d", {hx5dup, hx4}), 4, 16, 64);
    const Feature hx4dup = net.upsampleLike("up4d", hx4d, hx3);
    const Feature hx3d = rsu(net, "stage3d", net.concat("cat3d", {hx4dup, hx3}), 5, 16, 64);
    const Feature hx3dup = net.upsampleLike("up3d", hx3d, hx2);
    const Feature hx2d = rsu(net, "stage2d", net.concat("cat2d", {hx3dup, hx2}), 6, 16, 64);
    const Feature hx2dup = net.upsampleLike("up2d", hx2d, hx1);
    const Feature hx1d = rsu(net, "stage1d", net.concat("cat1d", {hx2dup, hx1}), 7, 16, 64);

    // Side outputs, all brought to stage 1's resolution, fused by a 1x1 conv.
    const Feature d1 = side(net, "side1", hx1d);
    const Feature d2 = net.upsampleLike("side2/up", side(net, "side2", hx2d), d1);
    const Feature d3 = net.upsampleLike("side3/up", side(net, "side3", hx3d), d1);
    const Feature d4 = net.upsampleLike("side4/up", side(net, "side4", hx4d), d1);
    const Feature d5 = net.upsampleLike("side5/up", side(net, "side5", hx5d), d1);
    const Feature d6 = net.upsampleLike("side6/up", side(net, "side6", hx6), d1);
    ConvSpec fuse;
    fuse.kernel = 1;
    fuse.pad = 0;
    const Feature d0 =
        net.conv("outconv", net.concat("cat_sides", {d1, d2, d3, d4, d5, d6}), 1, fuse, Activation::Sigmoid);

    const std::vector<Feature> logits{d0, d1, d2, d3, d4, d5, d6};
    for (size_t i = 0; i < logits.size(); ++i) {
        const std::string name = 'd' + std::to_string(i);
        net.output(net.activation(name, logits[i], Activation::Sigmoid), {1, 1, hw, hw});
    }
    return net;
}

}  // namespace

NetBuilder makeU2netp(int64_t size) { return buildU2netp("u2netp", false, size); }

NetBuilder makeU2netpDynq() { return buildU2netp("u2netp-dynq", true, 320); }

}  // namespace interstage::zoo
