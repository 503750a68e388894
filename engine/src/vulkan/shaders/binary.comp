#version 450
// Add / Sub / Mul / Div / Pow with numpy broadcast over up to 6 axes: each
// operand's strides are 0 along the axes it broadcasts, so one formula
// serves every shape pair. A fused activation (Add + Relu) is applied last.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "binary_op.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { STORE_T a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { STORE_T b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer C { STORE_T c[]; };

layout(push_constant) uniform Params {
    uint count;
    uint op;   // BINARY_* of op_codes.h
    uint act;
    float alpha;
    float beta;
    uint dims[6];     // output dims, left-padded with 1
    uint strideA[6];  // element strides of A per output axis (0: broadcast)
    uint strideB[6];
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint rest = i;
    uint ia = 0u, ib = 0u;
    for (int axis = 5; axis >= 0; --axis) {
        if (p.dims[axis] == 1u) continue;  // the axes of 1 the kernel's merging leaves
        uint coord = rest % p.dims[axis];
        rest /= p.dims[axis];
        ia += coord * p.strideA[axis];
        ib += coord * p.strideB[axis];
    }
    float va = float(a[ia]), vb = float(b[ib]);
    c[i] = STORE_T(activate(binaryOp(OP, va, vb), ACT, p.alpha, p.beta));
}
