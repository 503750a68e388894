#version 450
// GlobalAveragePool / GlobalMaxPool: one (n, c) plane per invocation.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint planes;
    uint planeSize;
    uint isMax;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.planes) return;
    uint base = i * p.planeSize;
    float sum = 0.0;
    float best = -3.402823466e38;
    for (uint j = 0u; j < p.planeSize; ++j) {
        float v = float(x[base + j]);
        sum += v;
        best = max(best, v);
    }
    y[i] = STORE_T(p.isMax != 0u ? best : sum / float(max(p.planeSize, 1u)));
}
