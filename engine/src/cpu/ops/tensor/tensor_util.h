// Helpers shared by the data-movement kernels: reading parameter inputs
// (axes, pads, starts, scales) whether they are known at prepare or arrive
// at run time, axis arithmetic, and the two copy loops everything else is
// built on: a parallel memcpy and a strided gather into a contiguous output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/half_float.h"
#include "cpu/kernel.h"

namespace interstage::cpu::tensor {

// Work (in bytes moved or elements computed) below which a loop stays on
// one thread: starting a parallel region costs more than it saves.
constexpr int64_t kParallelBytes = 64 * 1024;

// Fails with unsupportedHere unless the dtype has a fixed element size
// (everything but strings and undefined).
Status requireFixedSize(const PrepareContext& context, DataType dtype, const std::string& role);

// Reads count integer elements of any integer (or bool) dtype into out.
// False for non-integer dtypes.
bool readIntegers(DataType dtype, const void* data, int64_t count, std::vector<int64_t>& out);
// Same for numbers read as doubles (float, double, float16, bfloat16, ints).
bool readNumbers(DataType dtype, const void* data, int64_t count, std::vector<double>& out);

inline bool readIntegers(const TensorView& view, std::vector<int64_t>& out) {
    return readIntegers(view.dtype, view.data, view.count(), out);
}
inline bool readIntegers(const TensorData& value, std::vector<int64_t>& out) {
    return readIntegers(value.dtype, value.bytes.data(), value.elementCount(), out);
}
inline bool readNumbers(const TensorView& view, std::vector<double>& out) {
    return readNumbers(view.dtype, view.data, view.count(), out);
}
inline bool readNumbers(const TensorData& value, std::vector<double>& out) {
    return readNumbers(value.dtype, value.bytes.data(), value.elementCount(), out);
}

// Writes v as one element of dtype at dst (integers truncate toward zero,
// bool is v != 0); false for dtypes without a numeric form.
bool storeNumber(DataType dtype, double v, void* dst);
// Fills count elements of elementSize bytes at dst with the one at value.
void fillElements(void* dst, const void* value, std::size_t elementSize, int64_t count);

// Maps a possibly negative axis into [0, rank); false when out of range.
bool normalizeAxis(int64_t& axis, int64_t rank);
// Normalizes every axis; false when one is out of range or repeated.
bool normalizeAxes(std::vector<int64_t>& axes, int64_t rank);

// Row-major strides (in elements) of a contiguous tensor of this shape.
Shape contiguousStrides(const Shape& shape);
int64_t product(const Shape& shape, size_t begin, size_t end);

// float <-> IEEE half and bfloat16, rounding to nearest even.
using interstage::bfloatToFloat;
using interstage::floatToBfloat;
using interstage::floatToHalf;
using interstage::halfToFloat;

// memcpy split across the OpenMP threads when it is big enough to pay off.
void parallelCopy(void* dst, const void* src, std::size_t bytes);

struct StridedDim {
    int64_t size;
    int64_t stride;  // in source elements
};
// A strided walk with size-1 dims dropped and neighbours the source walks
// contiguously merged (a 0,2,1,3 transpose becomes three dims). Empty when
// every dim has size 1.
std::vector<StridedDim> simplifyStrided(const Shape& shape, const Shape& strides);

// dst (contiguous, shape `shape`) gets the element of src at
// sum(index[k] * srcStrides[k]) for every index: slices, transposes,
// broadcasts (stride 0), tiles and space/depth shuffles are all this loop.
// Strides are in elements and may be negative or zero. Dims are merged
// where memory allows, contiguous rows go through memcpy, and transposing
// patterns run in cache-sized tiles.
void gatherStrided(void* dst, const void* src, std::size_t elementSize, const Shape& shape, const Shape& srcStrides);

}  // namespace interstage::cpu::tensor
