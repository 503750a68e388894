#version 450
// Activations (Relu, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Clip, Tanh)
// one element per invocation.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Params {
    uint count;
    uint act;
    float alpha;
    float beta;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    y[i] = activate(x[i], p.act, p.alpha, p.beta);
}
