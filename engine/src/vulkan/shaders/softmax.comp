#version 450
// Softmax along one axis: the tensor is [outer][axis][inner]; one
// (outer, inner) line per invocation, max-subtracted for stability.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Params {
    uint lines;  // outer * inner
    uint axis;
    uint inner;
    uint logSoftmax;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.lines) return;
    uint base = (i / p.inner) * p.axis * p.inner + i % p.inner;
    float m = -3.402823466e38;
    for (uint j = 0u; j < p.axis; ++j) m = max(m, x[base + j * p.inner]);
    float sum = 0.0;
    for (uint j = 0u; j < p.axis; ++j) sum += exp(x[base + j * p.inner] - m);
    for (uint j = 0u; j < p.axis; ++j) {
        float v = x[base + j * p.inner] - m;
        y[base + j * p.inner] = p.logSoftmax != 0u ? v - log(sum) : exp(v) / sum;
    }
}
