#version 450
// Softmax / LogSoftmax over long contiguous rows (the axis is the last
// one, 256 values and more: attention scores, classifiers): one row per
// workgroup, its 64 invocations striding through the row for the maximum,
// then the sum of exponentials (workgroup_reduce.glsl), then the outputs.
// softmax.comp gives a whole row to one invocation.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "workgroup_reduce.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint lines;  // rows
    uint axis;   // row length
    uint inner;  // 1
    uint logSoftmax;
} p;

void main() {
    uint row = globalIndex() / 64u;  // lines * 64 invocations: whole workgroups
    if (row >= p.lines) return;      // a whole workgroup past the end of a split grid
    uint lane = gl_LocalInvocationID.x;
    uint base = row * p.axis;
    float m = -3.402823466e38;
    for (uint j = lane; j < p.axis; j += 64u) m = max(m, float(x[base + j]));
    m = workgroupMax(m);
    float sum = 0.0;
    for (uint j = lane; j < p.axis; j += 64u) sum += exp(float(x[base + j]) - m);
    sum = workgroupSum(sum);
    for (uint j = lane; j < p.axis; j += 64u) {
        float v = float(x[base + j]) - m;
        y[base + j] = STORE_T(p.logSoftmax != 0u ? v - log(sum) : exp(v) / sum);
    }
}
