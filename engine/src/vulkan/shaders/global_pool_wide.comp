#version 450
// GlobalAveragePool / GlobalMaxPool over large planes: one (n, c) plane
// per workgroup (global_pool.comp gives each plane one invocation), the 64
// invocations striding through it and combining in a tree
// (workgroup_reduce.glsl). The kernel picks it for planes of 256 values
// and more.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "workgroup_reduce.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint planes;
    uint planeSize;
    uint isMax;
} p;

void main() {
    // The dispatch is planes * 64 invocations; a workgroup never straddles.
    uint plane = globalIndex() / 64u;
    if (plane >= p.planes) return;  // a whole workgroup past the end of a split grid
    uint lane = gl_LocalInvocationID.x;
    uint base = plane * p.planeSize;
    float sum = 0.0;
    float best = -3.402823466e38;
    for (uint j = lane; j < p.planeSize; j += 64u) {
        float v = float(x[base + j]);
        sum += v;
        best = max(best, v);
    }
    float result = p.isMax != 0u ? workgroupMax(best) : workgroupSum(sum) / float(p.planeSize);
    if (lane == 0u) y[plane] = STORE_T(result);
}
