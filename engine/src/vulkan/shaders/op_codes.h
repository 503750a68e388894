// Op and activation codes shared by the shaders (GLSL, through
// common.glsl) and the C++ kernels that fill their push constants
// (vulkan/kernels/): one list, so the two sides cannot drift apart.
// Plain #defines of unsigned literals are the one syntax both languages
// read alike.
#ifndef INTERSTAGE_OP_CODES_H
#define INTERSTAGE_OP_CODES_H

// activate(): the fused activations of cpu/activation.h, plus Tanh.
#define ACT_NONE 0u
#define ACT_RELU 1u
#define ACT_CLIP 2u
#define ACT_SIGMOID 3u
#define ACT_HARD_SIGMOID 4u
#define ACT_HARD_SWISH 5u
#define ACT_LEAKY_RELU 6u
#define ACT_TANH 7u

// binary.comp's op.
#define BINARY_ADD 0u
#define BINARY_SUB 1u
#define BINARY_MUL 2u
#define BINARY_DIV 3u
#define BINARY_POW 4u

// unary.comp's math function (MATH_NONE: apply the activation instead).
#define MATH_NONE 0u
#define MATH_SQRT 1u
#define MATH_EXP 2u
#define MATH_LOG 3u
#define MATH_ABS 4u
#define MATH_NEG 5u
#define MATH_RECIPROCAL 6u
#define MATH_FLOOR 7u
#define MATH_CEIL 8u

// reduce.comp's op.
#define REDUCE_SUM 0u
#define REDUCE_MEAN 1u
#define REDUCE_MAX 2u
#define REDUCE_MIN 3u
#define REDUCE_PROD 4u
#define REDUCE_L1 5u
#define REDUCE_L2 6u
#define REDUCE_SUM_SQUARE 7u
#define REDUCE_LOG_SUM 8u
#define REDUCE_LOG_SUM_EXP 9u

#endif
