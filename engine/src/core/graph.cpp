#include "interstage/graph.h"

namespace interstage {

const Attribute* Node::attr(const std::string& attrName) const {
    for (const auto& a : attributes)
        if (a.name == attrName) return &a;
    return nullptr;
}

const Graph* Node::subgraph(const std::string& attrName) const {
    const Attribute* a = attr(attrName);
    return a && a->kind == Attribute::Kind::Graph ? a->graph.get() : nullptr;
}

int64_t Node::attrInt(const std::string& attrName, int64_t fallback) const {
    const Attribute* a = attr(attrName);
    return a && a->kind == Attribute::Kind::Int ? a->i : fallback;
}

float Node::attrFloat(const std::string& attrName, float fallback) const {
    const Attribute* a = attr(attrName);
    return a && a->kind == Attribute::Kind::Float ? a->f : fallback;
}

std::string Node::attrString(const std::string& attrName, const std::string& fallback) const {
    const Attribute* a = attr(attrName);
    return a && a->kind == Attribute::Kind::String ? a->s : fallback;
}

std::vector<int64_t> Node::attrInts(const std::string& attrName) const {
    const Attribute* a = attr(attrName);
    return a && a->kind == Attribute::Kind::Ints ? a->ints : std::vector<int64_t>{};
}

std::vector<float> Node::attrFloats(const std::string& attrName) const {
    const Attribute* a = attr(attrName);
    return a && a->kind == Attribute::Kind::Floats ? a->floats : std::vector<float>{};
}

std::string sequenceElementName(const std::string& name, size_t index) {
    return name + "[" + std::to_string(index) + "]";
}

std::size_t Value::byteSize() const {
    if (!isTensor || !shapeResolved) return 0;
    auto count = elementCount(shape);
    if (!count) return 0;
    return static_cast<std::size_t>(*count) * dataTypeSize(dtype);
}

int64_t Graph::opset() const {
    auto it = opsets.find("");
    return it == opsets.end() ? 0 : it->second;
}

ValueId Graph::find(const std::string& valueName) const {
    auto it = index_.find(valueName);
    return it == index_.end() ? kNoValue : it->second;
}

ValueId Graph::addValue(Value value) {
    auto id = static_cast<ValueId>(values.size());
    index_[value.name] = id;
    values.push_back(std::move(value));
    return id;
}

std::vector<ValueId> Graph::runtimeInputs() const {
    std::vector<ValueId> result;
    for (ValueId id : inputs)
        if (!value(id).isInitializer) result.push_back(id);
    return result;
}

}  // namespace interstage
