// Tree reductions across the 64 invocations of a workgroup (the *_wide
// shaders give one output to a whole workgroup when it folds many inputs:
// one invocation walking a 1600-value plane or a 4096-wide softmax row
// alone leaves the rest of the device idle). Every invocation must call
// these, with its own partial value; all get the workgroup's result.
shared float partials[64];

float workgroupSum(float value) {
    uint lane = gl_LocalInvocationID.x;
    partials[lane] = value;
    barrier();
    for (uint width = 32u; width > 0u; width >>= 1u) {
        if (lane < width) partials[lane] += partials[lane + width];
        barrier();
    }
    float result = partials[0];
    barrier();  // partials is reused by the next reduction
    return result;
}

float workgroupMax(float value) {
    uint lane = gl_LocalInvocationID.x;
    partials[lane] = value;
    barrier();
    for (uint width = 32u; width > 0u; width >>= 1u) {
        if (lane < width) partials[lane] = max(partials[lane], partials[lane + width]);
        barrier();
    }
    float result = partials[0];
    barrier();
    return result;
}
