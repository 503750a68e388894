// The compute-heavy nn ops of the CPU backend, one line each.
#include "cpu/kernel.h"
#include "cpu/ops/nn/nn_kernels.h"

namespace interstage::cpu {

void registerNnKernels(KernelTable& table) {
    using namespace nn;
    table["Conv"] = &makeConvKernel;
    table["ConvTranspose"] = &makeConvTransposeKernel;
    table["MaxPool"] = &makeMaxPoolKernel;
    table["AveragePool"] = &makeAveragePoolKernel;
    table["GlobalAveragePool"] = &makeGlobalAveragePoolKernel;
    table["GlobalMaxPool"] = &makeGlobalMaxPoolKernel;
    table["Gemm"] = &makeGemmKernel;
    table["MatMul"] = &makeMatMulKernel;
    table["BatchNormalization"] = &makeBatchNormalizationKernel;
    table["InstanceNormalization"] = &makeInstanceNormalizationKernel;
    table["LayerNormalization"] = &makeLayerNormalizationKernel;
}

}  // namespace interstage::cpu
