#version 450
// binary.comp where one operand is a constant of one value (the scalar
// Muls and Adds of learnable affines, scales, offsets) and the other has
// the output's shape: the value comes in the push constants, so each
// invocation loads one vec4 instead of a vec4 and a float (lavapipe
// fetches every load lane by lane) and decodes no index.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "binary_op.glsl"

layout(constant_id = 2) const uint VALUE_FIRST = 0u;  // 1: the constant is the first operand

layout(std430, set = 0, binding = 0) readonly buffer X { STORE4_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE4_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // output elements / 4
    uint op;     // unread: OP and ACT are specialization constants
    uint act;
    float alpha;
    float beta;
    float value;      // the constant, as the device stores it
    uint valueFirst;  // unread: VALUE_FIRST
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    vec4 v = vec4(x[i]);
    vec4 r;
    for (int e = 0; e < 4; ++e) {
        float result = VALUE_FIRST != 0u ? binaryOp(OP, p.value, v[e]) : binaryOp(OP, v[e], p.value);
        r[e] = activate(result, ACT, p.alpha, p.beta);
    }
    y[i] = STORE4_T(r);
}
