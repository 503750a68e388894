// What the packed-weight convolution kernels share (vk_conv.cpp,
// vk_conv_transpose.cpp; shaders/conv_packed_params.glsl): the push
// constants, the weight packing in blocks of 8 output channels and the
// dispatch size.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

// A convolution kernel that may run on packed weights: when packed_ holds
// them, they are its one constant table, stand in for W (input 1) on the
// device and follow the storage precision; when it is empty, the kernel
// reads W as the graph has it.
class PackedWeightsKernel : public VulkanKernel {
public:
    std::vector<std::vector<uint32_t>> constantData() const override {
        if (packed_.empty()) return {};
        return {packed_};
    }
    bool readsInput(size_t i) const override { return i != 1 || packed_.empty(); }
    bool constantsAreFloat() const override { return true; }

protected:
    std::vector<uint32_t> packed_;
};

// The packed shaders' push constants (conv_packed_params.glsl).
struct ConvPackedPush {
    uint32_t count = 0, N = 0, C = 0, H = 0, W = 0, K = 0, OH = 0, OW = 0, kh = 1, kw = 1;
    uint32_t strideH = 1, strideW = 1, dilH = 1, dilW = 1;
    int32_t padT = 0, padL = 0;
    uint32_t hasBias = 0, act = 0;
    float alpha = 0, beta = 0;
};

// The specialization constants of the convolution shaders: 0 and 1 the
// left pad and x dilation conv3x3_packed places its taps by (the others
// ignore them), 2 the fused ACT_* activation (conv_packed_params.glsl,
// conv_depthwise*.comp).
inline std::array<int32_t, 3> convConstants(uint32_t activation, int32_t padL = 0, uint32_t dilW = 0) {
    return {padL, static_cast<int32_t>(dilW), static_cast<int32_t>(activation)};
}

inline constexpr int64_t kPackedChannels = 8;  // the shaders' k-block
inline constexpr int64_t kPackedWorkgroup = 64;

// Weights as blocks of 8 output channels with the 8 weights of each
// (input channel, tap) side by side: packed[(block * perChannel + e) * 8
// + k % 8] = weight (k, e), e = c * taps + tap; zeros past K. `at(k, e)`
// gives the float32 bits of weight (k, e) in the node's own layout.
template <class At>
std::vector<uint32_t> packOutputChannelBlocks(int64_t K, int64_t perChannel, At at) {
    const int64_t blocks = (K + kPackedChannels - 1) / kPackedChannels;
    std::vector<uint32_t> packed(static_cast<size_t>(blocks * perChannel * kPackedChannels), 0u);
    for (int64_t k = 0; k < K; ++k) {
        const int64_t block = k / kPackedChannels, lane = k % kPackedChannels;
        for (int64_t e = 0; e < perChannel; ++e)
            packed[static_cast<size_t>((block * perChannel + e) * kPackedChannels + lane)] = at(k, e);
    }
    return packed;
}

// Invocations for `positions` tiles per image: whole workgroups per
// k-block (tileOf() in conv_packed_params.glsl).
inline uint32_t packedInvocations(int64_t batch, int64_t positions, int64_t K) {
    const int64_t blocks = (K + kPackedChannels - 1) / kPackedChannels;
    const int64_t workgroups = (batch * positions + kPackedWorkgroup - 1) / kPackedWorkgroup;
    return static_cast<uint32_t>(workgroups * kPackedWorkgroup * blocks);
}

}  // namespace interstage::vulkan
