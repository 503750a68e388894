#version 450
// binary.comp four elements at a time, where the last (merged) axis is a
// multiple of 4 and each operand is contiguous along it (read as a vec4)
// or broadcast (one value): residual Adds, per-channel Muls and Adds. The
// four share one index decode, which skips the axes of 1 the kernel's
// axis merging leaves (integer division is slow on every device).
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "binary_op.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { STORE_T a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { STORE_T b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer C { STORE4_T c[]; };
layout(std430, set = 0, binding = 3) readonly buffer A4 { STORE4_T a4[]; };
layout(std430, set = 0, binding = 4) readonly buffer B4 { STORE4_T b4[]; };

layout(push_constant) uniform Params {
    uint count;  // output elements / 4
    uint op;     // unread: OP and ACT are specialization constants
    uint act;
    float alpha;
    float beta;
    uint dims[6];     // output dims, merged, left-padded with 1
    uint strideA[6];  // element strides of A per output axis (0: broadcast)
    uint strideB[6];
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint rest = i * 4u;
    uint ia = 0u, ib = 0u;
    for (int axis = 5; axis >= 0; --axis) {
        if (p.dims[axis] == 1u) continue;
        uint coord = rest % p.dims[axis];
        rest /= p.dims[axis];
        ia += coord * p.strideA[axis];
        ib += coord * p.strideB[axis];
    }
    vec4 va = p.strideA[5] == 1u ? vec4(a4[ia / 4u]) : vec4(float(a[ia]));
    vec4 vb = p.strideB[5] == 1u ? vec4(b4[ib / 4u]) : vec4(float(b[ib]));
    vec4 r;
    for (int e = 0; e < 4; ++e) r[e] = activate(binaryOp(OP, va[e], vb[e]), ACT, p.alpha, p.beta);
    c[i] = STORE4_T(r);
}
