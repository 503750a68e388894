// Tensors that lie: dims negative, enormous or overflowing when multiplied,
// payloads of the wrong size, external data that leaves the model's folder
// or is not there; and zero-size tensors, which are valid and must run.
#include <cstring>
#include <limits>

#include "hostile_corpus.h"

namespace hostile {
namespace {

constexpr int64_t k2pow31 = int64_t(1) << 31;
constexpr int64_t k2pow40 = int64_t(1) << 40;

onnx::TensorProto* weight(onnx::ModelProto& m) { return m.mutable_graph()->mutable_initializer(0); }
onnx::TensorShapeProto* inputShape(onnx::ModelProto& m) {
    return m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
}

void addDims(Corpus& corpus) {
    onnx::ModelProto m = addModel();
    weight(m)->set_dims(0, -3);
    corpus.error("dims_negative_initializer.onnx", m, "initializer 'w' has a negative dimension -3", "w dims [-3,2]");

    m = addModel();
    inputShape(m)->mutable_dim(0)->set_dim_value(-5);
    corpus.error("dims_negative_input.onnx", m, "graph input 'x' has a negative dimension -5", "x dims [-5,2]");

    m = addModel();
    weight(m)->set_dims(0, k2pow40);
    corpus.error("dims_2pow40_initializer.onnx", m, "initializer 'w'", "w dims [2^40,2], 4 floats");

    m = addModel();
    inputShape(m)->mutable_dim(0)->set_dim_value(k2pow40 + 1);
    corpus.error("dims_huge_input.onnx", m, "graph input 'x'", "x dims [2^40+1,2]");

    m = addModel();
    inputShape(m)->mutable_dim(0)->set_dim_value(std::numeric_limits<int64_t>::max());
    corpus.error("dims_int64_max_input.onnx", m, "graph input 'x'", "x dims [2^63-1,2]");

    // Each dim is plausible; their product overflows int64.
    m = addModel();
    weight(m)->clear_dims();
    for (int i = 0; i < 3; ++i) weight(m)->add_dims(k2pow31 * 4);
    corpus.error("dims_product_overflow_initializer.onnx", m, "initializer 'w'", "w dims [2^33,2^33,2^33]");

    m = reluModel({k2pow31, k2pow31, k2pow31});
    corpus.error("dims_product_overflow_input.onnx", m, "'x'", "x dims [2^31,2^31,2^31]: 2^93 elements");

    // Dims fine on their own, absurd after an op: Reshape to [2^40,2^40]
    // and ConstantOfShape of [2^31,2^31,2^31].
    m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_op_type("Reshape");
    m.mutable_graph()->mutable_node(0)->add_input("target");
    addInt64Initializer(m.mutable_graph(), "target", {k2pow40, k2pow40});
    corpus.inspect("reshape_to_enormous.onnx", m, "'relu'", "Reshape [2,2] to [2^40,2^40]");

    m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_op_type("ConstantOfShape");
    m.mutable_graph()->mutable_node(0)->set_input(0, "dims");
    m.mutable_graph()->mutable_node(0)->set_name("fill");
    addInt64Initializer(m.mutable_graph(), "dims", {k2pow31, k2pow31, k2pow31});
    corpus.inspect("constant_of_shape_overflow.onnx", m, "'fill'", "ConstantOfShape [2^31,2^31,2^31]");

    m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_op_type("ConstantOfShape");
    m.mutable_graph()->mutable_node(0)->set_input(0, "dims");
    m.mutable_graph()->mutable_node(0)->set_name("fill");
    addInt64Initializer(m.mutable_graph(), "dims", {4, -7});
    corpus.inspect("constant_of_shape_negative.onnx", m, "'fill'", "ConstantOfShape [4,-7]");
}

void addPayloadSizes(Corpus& corpus) {
    onnx::ModelProto m = addModel();
    weight(m)->clear_float_data();
    weight(m)->set_raw_data(std::string(12, '\0'));
    corpus.error("init_raw_data_too_short.onnx", m, "initializer 'w'", "16 bytes declared, 12 held");

    m = addModel();
    weight(m)->clear_float_data();
    weight(m)->set_raw_data(std::string(20, '\0'));
    corpus.error("init_raw_data_too_long.onnx", m, "initializer 'w'", "16 bytes declared, 20 held");

    m = addModel();
    weight(m)->mutable_float_data()->RemoveLast();
    corpus.error("init_float_data_count.onnx", m, "initializer 'w'", "4 elements declared, 3 floats held");

    m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_op_type("Reshape");
    m.mutable_graph()->mutable_node(0)->add_input("target");
    addInt64Initializer(m.mutable_graph(), "target", {4, 1})->add_int64_data(1);
    corpus.error("init_int64_data_count.onnx", m, "initializer 'target'", "2 elements declared, 3 int64 held");

    m = addModel();
    weight(m)->set_data_type(99);
    corpus.error("init_unknown_dtype.onnx", m, "initializer 'w' has unknown element type 99", "data_type 99");

    m = addModel();
    weight(m)->set_data_type(onnx::TensorProto::STRING);
    weight(m)->clear_float_data();
    weight(m)->set_raw_data(std::string(16, 'a'));
    corpus.error("init_string_raw_data.onnx", m, "initializer 'w'", "a string tensor in raw_data");

    m = addModel();
    weight(m)->clear_name();
    corpus.error("init_without_name.onnx", m, "initializer has no name", "an unnamed initializer");

    // A Constant node whose tensor attribute is short.
    m = reluModel({2, 2});
    auto* g = m.mutable_graph();
    auto* c = g->add_node();
    c->set_op_type("Constant");
    c->set_name("const");
    c->add_output("k");
    auto* value = c->add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    auto* t = value->mutable_t();
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(2);
    t->add_dims(2);
    t->set_raw_data(std::string(6, '\0'));
    g->mutable_node()->SwapElements(0, 1);
    g->mutable_node(1)->set_op_type("Add");
    g->mutable_node(1)->add_input("k");
    corpus.error("constant_tensor_too_short.onnx", m, "node 'const' attribute 'value'", "16 bytes declared, 6 held");
}

void external(onnx::TensorProto* t, const std::vector<std::pair<std::string, std::string>>& entries) {
    t->clear_float_data();
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    for (const auto& [key, value] : entries) {
        auto* e = t->add_external_data();
        e->set_key(key);
        e->set_value(value);
    }
}

void addExternalData(Corpus& corpus) {
    std::string sixteen(16, '\0');
    const float values[4] = {10, 20, 30, 40};
    std::memcpy(sixteen.data(), values, sizeof values);
    corpus.sideFile("ext_weights.bin", sixteen);
    corpus.sideFile("ext_short.bin", sixteen.substr(0, 8));

    // The valid case first: data beside the model loads and runs.
    onnx::ModelProto m = addModel();
    external(weight(m), {{"location", "ext_weights.bin"}});
    corpus.runs("ext_inside_folder_valid.onnx", m, "y=2x2", "w read from ext_weights.bin beside the model");

    struct Bad {
        const char* file;
        std::vector<std::pair<std::string, std::string>> entries;
        const char* substring;
        const char* why;
    } bad[] = {
        {"ext_dotdot.onnx",
         {{"location", "../hostile/ext_weights.bin"}},
         "'../hostile/ext_weights.bin'",
         "'..' leaves the folder (even back into it)"},
        {"ext_dotdot_nested.onnx",
         {{"location", "sub/../../etc/passwd"}},
         "'sub/../../etc/passwd'",
         "'..' in the middle"},
        {"ext_absolute_path.onnx", {{"location", "/etc/passwd"}}, "'/etc/passwd'", "an absolute path"},
        {"ext_missing_file.onnx",
         {{"location", "no_such_weights.bin"}},
         "'no_such_weights.bin'",
         "the file is not there"},
        {"ext_file_too_short.onnx",
         {{"location", "ext_short.bin"}},
         "'ext_short.bin'",
         "16 bytes needed, 8 in the file"},
        {"ext_offset_beyond_end.onnx",
         {{"location", "ext_weights.bin"}, {"offset", "4096"}},
         "'ext_weights.bin'",
         "offset 4096 in a 16-byte file"},
        {"ext_offset_2pow64.onnx",
         {{"location", "ext_weights.bin"}, {"offset", "18446744073709551615"}},
         "offset 18446744073709551615",
         "offset 2^64-1: offset + length wraps"},
        {"ext_offset_not_a_number.onnx",
         {{"location", "ext_weights.bin"}, {"offset", "12abc"}},
         "'12abc'",
         "offset '12abc'"},
        {"ext_length_mismatch.onnx",
         {{"location", "ext_weights.bin"}, {"length", "8"}},
         "initializer 'w'",
         "length 8 for a 16-byte tensor"},
        {"ext_no_location.onnx", {{"offset", "0"}}, "names no location", "external data without a location"},
        {"ext_location_is_folder.onnx", {{"location", "."}}, "not a regular file", "the location is the folder itself"},
        {"ext_location_with_nul.onnx",
         {{"location", std::string("ext_weights.bin\0.txt", 20)}},
         "NUL",
         "a NUL byte in the location"},
    };
    for (const auto& b : bad) {
        m = addModel();
        external(weight(m), b.entries);
        // The graph is whole without the weights: it opens for inspection.
        corpus.inspect(b.file, m, b.substring, b.why);
    }
}

void addZeroSize(Corpus& corpus) {
    // Zero-size tensors are valid ONNX: they must run and give empty outputs.
    onnx::ModelProto m = addModel();
    inputShape(m)->mutable_dim(0)->set_dim_value(0);
    weight(m)->set_dims(0, 0);
    weight(m)->clear_float_data();
    corpus.runs("zero_size_initializer.onnx", m, "y=0x2", "x [0,2] + w [0,2] (no data) -> y [0,2]");

    m = reluModel({0, 4});
    corpus.runs("zero_dim_input.onnx", m, "y=0x4", "Relu of x [0,4]");

    // Concat of x [2,2] with an empty w [0,2]: the output is x again.
    m = addModel();
    weight(m)->set_dims(0, 0);
    weight(m)->clear_float_data();
    auto* n = m.mutable_graph()->mutable_node(0);
    n->set_op_type("Concat");
    auto* axis = n->add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(0);
    corpus.runs("zero_size_concat.onnx", m, "y=2x2", "x [2,2] concatenated with w [0,2]");
}

}  // namespace

void addTensorCases(Corpus& corpus) {
    addDims(corpus);
    addPayloadSizes(corpus);
    addExternalData(corpus);
    addZeroSize(corpus);
}

}  // namespace hostile
