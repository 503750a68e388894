#version 450
// Activations (Relu, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Clip, Tanh)
// and the elementwise math functions (Sqrt, Exp, Log, Abs, Neg, Reciprocal,
// Floor, Ceil), one element per invocation.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Params {
    uint count;
    uint act;
    float alpha;
    float beta;
    uint math;  // 0: the activation `act`; else the function below
} p;

float mathFunction(float v, uint fn) {
    switch (fn) {
        case 1u: return sqrt(v);
        case 2u: return exp(v);
        case 3u: return log(v);
        case 4u: return abs(v);
        case 5u: return -v;
        case 6u: return 1.0 / v;
        case 7u: return floor(v);
        case 8u: return ceil(v);
        default: return v;
    }
}

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    y[i] = p.math == 0u ? activate(x[i], p.act, p.alpha, p.beta) : mathFunction(x[i], p.math);
}
