// Factories of the CPU kernels for ONNX Runtime's contrib ops (domain
// com.microsoft; ops/op_table.cpp maps op types to them). Each op, or small
// family of closely related ops, lives in its own file beside this one.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::contrib {

// Gelu, FastGelu, BiasGelu, QuickGelu (gelu.cpp).
std::unique_ptr<Kernel> makeGeluKernel();
// SimplifiedLayerNormalization, SkipLayerNormalization and
// SkipSimplifiedLayerNormalization (layer_norms.cpp).
std::unique_ptr<Kernel> makeLayerNormKernel();
std::unique_ptr<Kernel> makeFusedMatMulKernel();
std::unique_ptr<Kernel> makeMatMulNBitsKernel();
std::unique_ptr<Kernel> makeAttentionKernel();
std::unique_ptr<Kernel> makeMultiHeadAttentionKernel();
std::unique_ptr<Kernel> makeGroupQueryAttentionKernel();
std::unique_ptr<Kernel> makeRotaryEmbeddingKernel();

}  // namespace interstage::cpu::contrib
