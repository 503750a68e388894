// Helpers shared by the shape rule files: arity and output checks, reading
// input values known before running, element access across dtypes, and the
// index maps that folding (computing small outputs at plan time) needs.
//
// Everything here is defensive: rules run on files from anywhere, so a value
// whose bytes disagree with its shape is treated as unknown, every output
// shape is checked against kMaxElements, and integer arithmetic on values
// from the file never overflows silently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/shape_rules.h"

namespace interstage::shapes::fold {

// ---- checked integer arithmetic (false on overflow)
bool checkedAdd(int64_t a, int64_t b, int64_t& out);
bool checkedMul(int64_t a, int64_t b, int64_t& out);

// ---- node structure
// Fails unless inputs [0, required) are present, there are at most maxInputs
// inputs and at most maxOutputs outputs.
Status checkArity(const ShapeContext& c, size_t required, size_t maxInputs, size_t maxOutputs);
// setOutput after checking the shape has no negative dim and at most
// kMaxElements elements.
Status setChecked(ShapeContext& c, size_t i, DataType dtype, Shape shape);
// Fails unless the shape is a valid tensor shape (see setChecked).
Status checkShape(const ShapeContext& c, const Shape& shape, const char* what);

// ---- values known before running
// The input's value when known and consistent with its shape; nullptr
// otherwise (also for omitted inputs).
const TensorData* knownValue(const ShapeContext& c, size_t i);
// True when the tensor's bytes (or strings) match its dtype and shape.
bool isConsistent(const TensorData& t);
// True when every present input has a consistent known value.
bool allKnown(const ShapeContext& c);
// True when an output of this shape is small enough to fold.
bool fitsFold(const ShapeContext& c, const Shape& shape);
// "the <role> input 'x' is computed at run time and cannot be resolved before running"
Status runtimeInput(const ShapeContext& c, size_t i, const std::string& role);
// Reads a known integer input of rank 0 or 1 into out. Fails when the value
// is unknown, is not integer-typed or has rank > 1.
Status readInts(const ShapeContext& c, size_t i, const std::string& role, std::vector<int64_t>& out);
// Same for a numeric input read as doubles (Resize scales, Range bounds).
Status readDoubles(const ShapeContext& c, size_t i, const std::string& role, std::vector<double>& out);

// ---- element access
// Dtypes with a fixed-size numeric representation we can compute on.
bool isFoldableType(DataType type);
// Dtypes whose elements can be copied around (numeric, bool, complex, string).
bool isMovableType(DataType type);
double readDouble(const TensorData& t, int64_t i);
int64_t readInt(const TensorData& t, int64_t i);
void writeDouble(TensorData& t, int64_t i, double v);
void writeInt(TensorData& t, int64_t i, int64_t v);
// double -> int64 truncating toward zero, saturating, NaN -> 0.
int64_t toInt64(double v);

// ---- index maps
Shape stridesOf(const Shape& shape);
// Flat index into `in` read by each element of `out` under numpy
// broadcasting; `in` must broadcast to `out`.
std::vector<int64_t> broadcastIndex(const Shape& in, const Shape& out);
// Flat input index of every element of `out` when output axis k advances
// the input position by step[k] elements, starting from base (Slice,
// Transpose and Split folding).
std::vector<int64_t> stridedIndex(const Shape& out, int64_t base, const Shape& step);
// out = tensor of src's dtype and the given shape whose element k is element
// index[k] of src. False when an index is out of range or the count is off.
bool takeElements(const TensorData& src, Shape shape, const std::vector<int64_t>& index, TensorData& out);
// src with another shape of the same element count.
TensorData reshaped(const TensorData& src, Shape shape);

}  // namespace interstage::shapes::fold
