// Storage precision. shaders.cmake builds every shader twice: <name>
// (float32 tensors) and <name>_fp16 with STORAGE_FP16 defined, where the
// tensors are float16 (VK_KHR_16bit_storage). Tensor buffers hold STORE_T
// (float data) or WORD_T (the data-movement shaders' raw units), and
// STORE4_T / WORD4_T where a shader reads four at a time; reads go
// through float() and writes through STORE_T(), so arithmetic stays
// float32 in both, and in the float32 build the casts are no-ops.
#ifdef STORAGE_FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#define STORE4_T f16vec4
#define WORD_T uint16_t
#define WORD4_T u16vec4
#else
#define STORE_T float
#define STORE4_T vec4
#define WORD_T uint
#define WORD4_T uvec4
#endif

// Shared by every shader: 64 invocations per workgroup and a flat index
// over a 2D dispatch (the executor splits big grids across y because
// maxComputeWorkGroupCount[0] may be only 65535).
layout(local_size_x = 64) in;

uint globalIndex() {
    return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
}

#include "op_codes.h"

// The activation codes of op_codes.h (ACT_*).
float activate(float x, uint act, float alpha, float beta) {
    switch (act) {
        case ACT_RELU: return max(x, 0.0);
        case ACT_CLIP: return min(max(x, alpha), beta);
        case ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
        case ACT_HARD_SIGMOID: return clamp(alpha * x + beta, 0.0, 1.0);
        case ACT_HARD_SWISH: return x * clamp(x / 6.0 + 0.5, 0.0, 1.0);
        case ACT_LEAKY_RELU: return x >= 0.0 ? x : alpha * x;
        case ACT_TANH: return tanh(x);
        default: return x;
    }
}
