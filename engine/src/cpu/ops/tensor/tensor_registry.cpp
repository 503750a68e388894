// The data-movement and shape ops of the CPU backend, one line each.
#include "cpu/kernel.h"
#include "cpu/ops/tensor/tensor_kernels.h"

namespace interstage::cpu {

void registerTensorKernels(KernelTable& table) {
    using namespace tensor;
    table["Reshape"] = &makeCopyKernel;
    table["Flatten"] = &makeCopyKernel;
    table["Squeeze"] = &makeCopyKernel;
    table["Unsqueeze"] = &makeCopyKernel;
    table["Identity"] = &makeCopyKernel;
    table["Concat"] = &makeConcatKernel;
    table["Split"] = &makeSplitKernel;
    table["Slice"] = &makeSliceKernel;
    table["Gather"] = &makeGatherKernel;
    table["GatherElements"] = &makeGatherElementsKernel;
    table["GatherND"] = &makeGatherNdKernel;
    table["Scatter"] = &makeScatterElementsKernel;
    table["ScatterElements"] = &makeScatterElementsKernel;
    table["ScatterND"] = &makeScatterNdKernel;
    table["ReverseSequence"] = &makeReverseSequenceKernel;
    table["Transpose"] = &makeTransposeKernel;
    table["Pad"] = &makePadKernel;
    table["Resize"] = &makeResizeKernel;
    table["Upsample"] = &makeResizeKernel;
    table["Cast"] = &makeCastKernel;
    table["CastLike"] = &makeCastKernel;
    table["Shape"] = &makeShapeKernel;
    table["Size"] = &makeSizeKernel;
    table["Constant"] = &makeConstantKernel;
    table["ConstantOfShape"] = &makeConstantOfShapeKernel;
    table["Expand"] = &makeExpandKernel;
    table["Tile"] = &makeTileKernel;
    table["Range"] = &makeRangeKernel;
    table["EyeLike"] = &makeEyeLikeKernel;
    table["OneHot"] = &makeOneHotKernel;
    table["DepthToSpace"] = &makeDepthToSpaceKernel;
    table["SpaceToDepth"] = &makeSpaceToDepthKernel;
    table["Trilu"] = &makeTriluKernel;
}

}  // namespace interstage::cpu
