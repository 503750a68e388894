// ShapeContext plumbing shared by every shape rule file.
#include <memory>

#include "model/shape_rules.h"

namespace interstage::shapes {

const TensorData* ShapeContext::inputValue(size_t i) const {
    if (!hasInput(i)) return nullptr;
    return input(i).constant.get();
}

bool ShapeContext::allInputValuesKnown() const {
    for (size_t i = 0; i < inputCount(); ++i)
        if (hasInput(i) && !inputValue(i)) return false;
    return true;
}

void ShapeContext::setOutput(size_t i, DataType dtype, Shape shape) {
    if (!hasOutput(i)) return;
    Value& v = graph_.value(node_.output(i));
    v.dtype = dtype;
    v.shape = std::move(shape);
    v.shapeResolved = true;
}

void ShapeContext::setOutputValue(size_t i, TensorData value) {
    if (!hasOutput(i)) return;
    Value& v = graph_.value(node_.output(i));
    v.dtype = value.dtype;
    v.shape = value.shape;
    v.shapeResolved = true;
    if (value.elementCount() <= options_.maxFoldElements)
        v.constant = std::make_shared<const TensorData>(std::move(value));
}

Status ShapeContext::fail(const std::string& why) const {
    return shapeError("node '" + node_.name + "' (" + node_.opType + "): " + why);
}

void ShapeContext::note(const std::string& what) const {
    if (notes_) notes_->push_back("node '" + node_.name + "' (" + node_.opType + "): " + what);
}

Status broadcastShapes(const Shape& a, const Shape& b, Shape& out) {
    size_t rank = std::max(a.size(), b.size());
    Shape result(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
        int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da == db || db == 1)
            result[i] = da;
        else if (da == 1)
            result[i] = db;
        else
            return shapeError("shapes " + shapeToString(a) + " and " + shapeToString(b) + " do not broadcast");
    }
    out = std::move(result);
    return Status::ok();
}

bool opsetBefore(const ShapeContext& c, int64_t opset) { return c.opset() > 0 && c.opset() < opset; }

Status normalizeAxes(const ShapeContext& c, std::vector<int64_t>& axes, int64_t rank) {
    std::vector<bool> seen(static_cast<size_t>(rank), false);
    for (int64_t& axis : axes) {
        int64_t given = axis;
        if (!normalizeAxis(axis, rank))
            return c.fail("axis " + std::to_string(given) + " is out of range for rank " + std::to_string(rank));
        if (seen[static_cast<size_t>(axis)]) return c.fail("axis " + std::to_string(given) + " is repeated");
        seen[static_cast<size_t>(axis)] = true;
    }
    return Status::ok();
}

bool normalizeAxis(int64_t& axis, int64_t rank) {
    if (axis < -rank || axis >= rank) return false;
    if (axis < 0) axis += rank;
    return true;
}

}  // namespace interstage::shapes
