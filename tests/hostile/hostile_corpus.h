// Shared by the corpus generator's files: the Corpus that writes files and
// the manifest, and the small valid models every case starts from.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hostile {

class Corpus {
public:
    explicit Corpus(std::string dir) : dir_(std::move(dir)) {}

    // A model that must fail in every stage (load, shapes, plan, session,
    // CLI info and run, the app) with an error containing `substring`.
    void error(const std::string& file, const std::string& bytes, const std::string& substring, const std::string& why);
    void error(const std::string& file, const onnx::ModelProto& m, const std::string& substring,
               const std::string& why);
    // A model that opens for inspection (the app, `info`: the graph, with
    // the problem marked) but cannot run: loading strictly, planning or
    // running fails with an error containing `substring`, and so do the
    // app's Run and `interstage-cli run`.
    void inspect(const std::string& file, const onnx::ModelProto& m, const std::string& substring,
                 const std::string& why);
    // A valid model that must load and run; `outputs` is "NAME=DIMS" (DIMS
    // as shapeToString prints them, "0x4", "[]" for a scalar).
    void runs(const std::string& file, const onnx::ModelProto& m, const std::string& outputs, const std::string& why);
    // A side file a model references (external data).
    void sideFile(const std::string& file, const std::string& bytes);
    void writeManifest() const;

private:
    struct Entry {
        std::string file, expect, substring, why;
    };
    void write(const std::string& file, const std::string& bytes);
    std::string dir_;
    std::vector<Entry> entries_;
};

// Exits with a message when bytes meant to be unparseable parse after all
// (or the other way round): each file must test what its name says.
void mustNotParse(const std::string& bytes, const std::string& what);
void mustParse(const std::string& bytes, const std::string& what);

// x [2,2] float + w (initializer [2,2], float_data 1..4) -> Add "add" -> y.
onnx::ModelProto addModel();
// x (dims) float -> Relu "relu" -> y, output declared without a shape.
onnx::ModelProto reluModel(const std::vector<int64_t>& dims);
// Sets a ValueInfo's float tensor type with the given dims.
void setFloatType(onnx::ValueInfoProto* info, const std::vector<int64_t>& dims);
// Adds an int64 initializer with the given values (1-D).
onnx::TensorProto* addInt64Initializer(onnx::GraphProto* g, const std::string& name,
                                       const std::vector<int64_t>& values);

void addProtobufCases(Corpus& corpus);     // truncation, wire types, empty files
void addGraphCases(Corpus& corpus);        // cycles, dangling, duplicates, ops, opsets, empty graphs
void addControlFlowCases(Corpus& corpus);  // If / Loop bodies that disagree, nesting too deep
void addTensorCases(Corpus& corpus);       // dims, initializer sizes, external data, zero-size tensors

}  // namespace hostile
