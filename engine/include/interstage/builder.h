// A small graph builder that writes real ONNX files: the zoo models and the
// tests' hand-made graphs are built with it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

// Attribute constructors for GraphBuilder::node().
Attribute intAttr(const std::string& name, int64_t value);
Attribute floatAttr(const std::string& name, float value);
Attribute stringAttr(const std::string& name, const std::string& value);
Attribute intsAttr(const std::string& name, std::vector<int64_t> values);
Attribute floatsAttr(const std::string& name, std::vector<float> values);
Attribute stringsAttr(const std::string& name, std::vector<std::string> values);
Attribute tensorAttr(const std::string& name, TensorData value);

class GraphBuilder {
public:
    explicit GraphBuilder(std::string graphName, int64_t opset = 13);
    ~GraphBuilder();
    GraphBuilder(GraphBuilder&&) noexcept;
    GraphBuilder& operator=(GraphBuilder&&) noexcept;

    // A graph input; dims < 0 are written as symbolic ("N", "H", ...) using
    // dimNames when given, or left unnamed.
    std::string input(const std::string& name, DataType dtype, const Shape& dims,
                      const std::vector<std::string>& dimNames = {});
    // An initializer (weights). Returns its name.
    std::string initializer(const std::string& name, const TensorData& value);
    // A Constant node holding value; returns the node's output name.
    std::string constant(const std::string& name, TensorData value);
    // A node with outputCount outputs named "<nodeName>_out<i>" (or
    // "<nodeName>" when there is one). Empty input names are omitted
    // optional inputs. Returns the output names.
    std::vector<std::string> node(const std::string& opType, const std::vector<std::string>& inputs,
                                  const std::vector<Attribute>& attributes = {}, int outputCount = 1,
                                  const std::string& nodeName = {});
    // Convenience for single-output nodes.
    std::string op(const std::string& opType, const std::vector<std::string>& inputs,
                   const std::vector<Attribute>& attributes = {}, const std::string& nodeName = {});
    // Marks a value as a graph output (dtype and shape optional: dtype
    // Undefined and empty shape write no type, as some exporters do).
    void output(const std::string& name, DataType dtype = DataType::Float, const Shape& dims = {});
    // Gives the node named nodeName a graph attribute (If's then_branch,
    // Loop's and Scan's body) holding a copy of body's graph; body's opset
    // and model fields are not used. Names body reads without defining
    // them are values of this graph (or of graphs around it). False when
    // there is no such node.
    bool subgraph(const std::string& nodeName, const std::string& attrName, const GraphBuilder& body);
    // Puts the node named nodeName in another domain ("com.microsoft"); the
    // model imports no domain by itself (see importDomain). False when
    // there is no such node.
    bool setDomain(const std::string& nodeName, const std::string& domain);
    // Adds an opset import for a domain other than the default one.
    void importDomain(const std::string& domain, int64_t version);

    // Total elements of all initializers and Constant nodes added so far.
    int64_t weightElementCount() const;

    // The serialized ModelProto.
    std::string serialize() const;
    Status save(const std::string& path) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Deterministic pseudo-random numbers for weights: the same seed always
// gives the same values on every machine (a fixed LCG, not std::rand).
class WeightGenerator {
public:
    explicit WeightGenerator(uint64_t seed) : state_(seed * 2862933555777941757ULL + 3037000493ULL) {}
    // Uniform in [-scale, scale].
    float next(float scale);
    std::vector<float> uniform(int64_t count, float scale);

private:
    uint64_t state_;
};

}  // namespace interstage
