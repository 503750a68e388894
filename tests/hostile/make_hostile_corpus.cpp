// Writes the hostile-model corpus (tests/hostile/*.onnx, their side files and
// MANIFEST.tsv). The files are committed; this tool only runs by hand, to
// regenerate them after a change to a case:
//   cmake --build build -j1 --target make_hostile_corpus
//   build/bin/make_hostile_corpus tests/hostile
// Each case is one small broken (or deliberately odd but valid) model, with
// the substring its error must contain: the name of the tensor, node, op,
// path or dimension at fault. tests/test_hostile.cpp reads the manifest.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "hostile_corpus.h"

namespace hostile {

void Corpus::error(const std::string& file, const std::string& bytes, const std::string& substring,
                   const std::string& why) {
    write(file, bytes);
    entries_.push_back({file, "error", substring, why});
}

void Corpus::error(const std::string& file, const onnx::ModelProto& m, const std::string& substring,
                   const std::string& why) {
    error(file, m.SerializeAsString(), substring, why);
}

void Corpus::inspect(const std::string& file, const onnx::ModelProto& m, const std::string& substring,
                     const std::string& why) {
    write(file, m.SerializeAsString());
    entries_.push_back({file, "inspect", substring, why});
}

void Corpus::runs(const std::string& file, const onnx::ModelProto& m, const std::string& outputs,
                  const std::string& why) {
    write(file, m.SerializeAsString());
    entries_.push_back({file, "runs", outputs, why});
}

void Corpus::sideFile(const std::string& file, const std::string& bytes) { write(file, bytes); }

void Corpus::writeManifest() const {
    std::ofstream out(dir_ + "/MANIFEST.tsv", std::ios::binary);
    out << "# Written by make_hostile_corpus; one line per .onnx file in this folder, tab-separated:\n"
           "# file, expect (error: fails at load/shapes/plan/session, CLI and app; inspect: opens in the app\n"
           "# and info with the problem marked, fails like error everywhere else; runs: valid, must run),\n"
           "# the substring the one-line error must contain (or the outputs NAME=DIMS for runs), why.\n";
    for (const auto& e : entries_) out << e.file << '\t' << e.expect << '\t' << e.substring << '\t' << e.why << '\n';
}

void Corpus::write(const std::string& file, const std::string& bytes) {
    std::ofstream out(dir_ + "/" + file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::cerr << "cannot write " << dir_ << "/" << file << "\n";
        std::exit(1);
    }
}

void mustNotParse(const std::string& bytes, const std::string& what) {
    onnx::ModelProto m;
    if (m.ParseFromString(bytes)) {
        std::cerr << what << ": meant to be unparseable, but protobuf parses it\n";
        std::exit(1);
    }
}

void mustParse(const std::string& bytes, const std::string& what) {
    onnx::ModelProto m;
    if (!m.ParseFromString(bytes)) {
        std::cerr << what << ": meant to parse (and fail later), but protobuf refuses it\n";
        std::exit(1);
    }
}

void setFloatType(onnx::ValueInfoProto* info, const std::vector<int64_t>& dims) {
    auto* tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tensor->mutable_shape();
    shape->clear_dim();
    for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

onnx::TensorProto* addInt64Initializer(onnx::GraphProto* g, const std::string& name,
                                       const std::vector<int64_t>& values) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return t;
}

onnx::ModelProto addModel() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("add");
    auto* x = g->add_input();
    x->set_name("x");
    setFloatType(x, {2, 2});
    auto* w = g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(2);
    w->add_dims(2);
    for (float v : {1.f, 2.f, 3.f, 4.f}) w->add_float_data(v);
    auto* n = g->add_node();
    n->set_op_type("Add");
    n->set_name("add");
    n->add_input("x");
    n->add_input("w");
    n->add_output("y");
    g->add_output()->set_name("y");
    return m;
}

onnx::ModelProto reluModel(const std::vector<int64_t>& dims) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("relu");
    auto* x = g->add_input();
    x->set_name("x");
    setFloatType(x, dims);
    auto* n = g->add_node();
    n->set_op_type("Relu");
    n->set_name("relu");
    n->add_input("x");
    n->add_output("y");
    g->add_output()->set_name("y");
    return m;
}

}  // namespace hostile

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_hostile_corpus OUTPUT_DIR\n";
        return 2;
    }
    hostile::Corpus corpus(argv[1]);
    hostile::addProtobufCases(corpus);
    hostile::addGraphCases(corpus);
    hostile::addControlFlowCases(corpus);
    hostile::addTensorCases(corpus);
    corpus.writeManifest();
    return 0;
}
