#version 450
// Softmax along one axis: the tensor is [outer][axis][inner]; one
// (outer, inner) line per invocation, max-subtracted for stability.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

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
    for (uint j = 0u; j < p.axis; ++j) m = max(m, float(x[base + j * p.inner]));
    float sum = 0.0;
    for (uint j = 0u; j < p.axis; ++j) sum += exp(float(x[base + j * p.inner]) - m);
    for (uint j = 0u; j < p.axis; ++j) {
        float v = float(x[base + j * p.inner]) - m;
        y[base + j * p.inner] = STORE_T(p.logSoftmax != 0u ? v - log(sum) : exp(v) / sum);
    }
}
