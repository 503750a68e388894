#version 450
// binary.comp where both operands have the output's shape and the count is
// a multiple of 4 (the common residual Add): four elements per invocation,
// read and written as vec4, with no broadcast index arithmetic.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "binary_op.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { vec4 a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { vec4 b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer C { vec4 c[]; };

layout(push_constant) uniform Params {
    uint count;  // in vec4
    uint op;     // BINARY_* of op_codes.h
    uint act;
    float alpha;
    float beta;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    vec4 va = a[i], vb = b[i], r;
    for (int e = 0; e < 4; ++e) r[e] = activate(binaryOp(p.op, va[e], vb[e]), p.act, p.alpha, p.beta);
    c[i] = r;
}
