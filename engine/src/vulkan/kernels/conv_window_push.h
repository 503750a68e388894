// What conv2d.comp and conv_transpose.comp are given (shaders/
// conv_params.glsl): the push constants of a 2-D window over NCHW, and the
// four bindings X, W, bias, Y.
#pragma once

#include <cstdint>
#include <string_view>

#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

struct ConvWindowPush {
    uint32_t count = 0, C = 0, H = 0, W = 0, K = 0, OH = 0, OW = 0, kh = 1, kw = 1;
    uint32_t strideH = 1, strideW = 1, dilH = 1, dilW = 1;
    int32_t padT = 0, padL = 0;
    uint32_t group = 1, hasBias = 0, act = 0;
    float alpha = 0, beta = 0;

    void setActivation(const Node& node) {
        const ActivationParams a = fusedActivationParams(node);
        act = a.code, alpha = a.alpha, beta = a.beta;
    }
};

// Without a bias the weights stand in for binding 2 (never read).
inline Status recordConvWindow(Recorder& recorder, std::string_view shader, const KernelBindings& b,
                               const ConvWindowPush& push) {
    const Binding bias = push.hasBias ? b.inputs[2] : b.inputs[1];
    const Binding bindings[] = {b.inputs[0], b.inputs[1], bias, b.outputs[0]};
    return recorder.dispatch(shader, bindings, &push, sizeof(push), push.count);
}

}  // namespace interstage::vulkan
