#version 450
// Inference BatchNormalization as y = x * scale[c] + shift[c]; the host
// folds gamma, beta, mean, var and epsilon into the two per-channel tables
// (float bits), so the shader does one multiply-add per element, then the
// activation layer fusion gave the node (ACT_NONE when none).
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

// Specialization constant (vk_batch_norm.cpp sets it): the activation,
// compiled in instead of tested for every element.
layout(constant_id = 0) const uint ACT = ACT_NONE;

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer T { uint table[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;
    uint channels;
    uint plane;  // elements per (n, c)
    uint act;  // unread: ACT
    float alpha;
    float beta;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint c = (i / p.plane) % p.channels;
    const float v = float(x[i]) * uintBitsToFloat(table[c]) + uintBitsToFloat(table[p.channels + c]);
    y[i] = STORE_T(activate(v, ACT, p.alpha, p.beta));
}
