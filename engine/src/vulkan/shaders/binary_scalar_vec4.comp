#version 450
// binary.comp where one operand is a constant of one value (the scalar
// Muls and Adds of learnable affines, scales, offsets) and the other has
// the output's shape: the value comes in the push constants, so each
// invocation loads one vec4 instead of a vec4 and a float (lavapipe
// fetches every load lane by lane) and decodes no index.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "binary_op.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE4_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE4_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // output elements / 4
    uint op;     // BINARY_* of op_codes.h
    uint act;
    float alpha;
    float beta;
    float value;       // the constant, as the device stores it
    uint valueFirst;   // 1: the constant is the first operand (value - x)
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    vec4 v = vec4(x[i]);
    vec4 r;
    for (int e = 0; e < 4; ++e) {
        float result = p.valueFirst != 0u ? binaryOp(p.op, p.value, v[e]) : binaryOp(p.op, v[e], p.value);
        r[e] = activate(result, p.act, p.alpha, p.beta);
    }
    y[i] = STORE4_T(r);
}
