// Shared by every shader: 64 invocations per workgroup and a flat index
// over a 2D dispatch (the executor splits big grids across y because
// maxComputeWorkGroupCount[0] may be only 65535).
layout(local_size_x = 64) in;

uint globalIndex() {
    return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
}

// Activation codes, as engine/src/vulkan/vulkan_kernel.h numbers them (the
// fused ones of cpu/activation.h plus Tanh for the unary shader).
float activate(float x, uint act, float alpha, float beta) {
    switch (act) {
        case 1u: return max(x, 0.0);
        case 2u: return min(max(x, alpha), beta);
        case 3u: return 1.0 / (1.0 + exp(-x));
        case 4u: return clamp(alpha * x + beta, 0.0, 1.0);
        case 5u: return x * clamp(x / 6.0 + 0.5, 0.0, 1.0);
        case 6u: return x >= 0.0 ? x : alpha * x;
        case 7u: return tanh(x);
        default: return x;
    }
}
