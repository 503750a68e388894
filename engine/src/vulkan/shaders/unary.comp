#version 450
// Activations (Relu, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Clip, Tanh)
// and the elementwise math functions (Sqrt, Exp, Log, Abs, Neg, Reciprocal,
// Floor, Ceil), one element per invocation.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;
    uint act;  // unread: ACT and MATH below
    float alpha;
    float beta;
    uint math;
} p;

// Specialization constants (vk_elementwise.cpp sets them): the activation
// ACT when MATH is MATH_NONE, else the function MATH, so that each
// pipeline compiles one of them instead of testing every element.
layout(constant_id = 0) const uint ACT = ACT_NONE;
layout(constant_id = 1) const uint MATH = MATH_NONE;

float mathFunction(float v, uint fn) {
    switch (fn) {
        case MATH_SQRT: return sqrt(v);
        case MATH_EXP: return exp(v);
        case MATH_LOG: return log(v);
        case MATH_ABS: return abs(v);
        case MATH_NEG: return -v;
        case MATH_RECIPROCAL: return 1.0 / v;
        case MATH_FLOOR: return floor(v);
        case MATH_CEIL: return ceil(v);
        default: return v;
    }
}

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    y[i] = STORE_T(MATH == MATH_NONE ? activate(float(x[i]), ACT, p.alpha, p.beta) : mathFunction(float(x[i]), MATH));
}
