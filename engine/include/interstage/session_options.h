// How a Session runs its model: backend, threads, input shapes, memory
// mode and the switches of each optimization, pins, observer, budget.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "interstage/memory.h"
#include "interstage/model.h"

namespace interstage {

class RunObserver;

struct SessionOptions {
    // "cpu" (default). Takes effect when the session is created.
    std::string backend = "cpu";
    // Intra-op threads; 0 = every core of the machine.
    int threads = 0;
    // Concrete shapes for dynamic input dims (others default as in
    // ShapeOptions: batch 1, other dims 320, one size per dim name).
    InputShapes inputShapes;
    ShapeOptions shapeOptions;
    // How intermediate tensors get memory (see memory.h). Takes effect when
    // the session is created.
    MemoryMode mode;
    // Layer fusion (BatchNorm into Conv, activations into their producer).
    bool fusion = true;
    // With fusion: the fusions only CPU kernels run (LayerNorm, GELU, MatMul
    // bias / residual / strided views; passes.h). Never on Vulkan; a CPU
    // session whose graph is also run on Vulkan (tests) turns them off.
    bool cpuKernelFusions = true;
    // In the planning modes (reduce, reuse, arena; never default, which
    // gives every tensor its own buffer by definition), Concat inputs are
    // written straight into their slice of the Concat's output when the
    // slices are contiguous, or (reduce) hand their pages over at the Concat
    // (plan/in_place.h, plan/concat_pages.h). CPU backend.
    bool inPlaceConcat = true;
    // In the planning modes, an elementwise op writes its output over an
    // input that dies there, and a big convolution run in row stripes over
    // its input likewise (plan/in_place.h). CPU backend.
    bool inPlaceOps = true;
    // CPU backend: tensors that only pass between convolutions are stored
    // with channels blocked as oneDNN's fast kernels want them (see
    // passes/blocked_layout.h); same bytes, no reorders. Reading one
    // (blob) converts it back to NCHW.
    bool blockedLayout = true;
    // Run nodes in a memory-aware order (passes/execution_order.h): a node
    // that frees at least what it allocates runs as soon as it can. Kept
    // only where it lowers the planned peak; off: the file's order.
    bool memoryAwareOrder = true;
    // Vulkan backend: float32 tensors and weights are stored on the device
    // as float16 (VK_KHR_16bit_storage), which halves their device memory;
    // the shaders still compute in float32, so outputs differ from a
    // float32 run by float16 rounding (about 1e-3 relative). Inputs are
    // converted on upload and tensors read back are float32 again. Refused
    // on the CPU backend and on a device without 16-bit storage buffers.
    // Takes effect when the session is created.
    bool gpuFp16 = false;
    // Tensors that stay readable after a run in every mode (pinned).
    std::vector<std::string> keep;
    // Receives run progress and memory events as they happen; may be null.
    // Called on the thread that calls run(); must outlive the session.
    RunObserver* observer = nullptr;
    // Memory budget in bytes. A plan whose peak (weights, planned tensors,
    // workspace, inputs) exceeds it is refused before any run, with the
    // numbers. 0 with automaticBudget (the default): what the machine can
    // give (interstage/memory_budget.h: the host's available memory less a
    // margin; on Vulkan the device-local heap's budget); 0 without it: none.
    // On Vulkan the budget bounds what the device holds (its tensors,
    // weights and inputs).
    std::size_t maxMemoryBytes = 0;
    bool automaticBudget = true;
};

}  // namespace interstage
