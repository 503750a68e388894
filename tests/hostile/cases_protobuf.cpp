// Files that are not (whole) protobuf, or whose fields carry the wrong wire
// type: the parser either refuses them, or drops the mistyped field into its
// unknown fields, and the model is then missing what that field held.
#include "hostile_corpus.h"
#include "wire.h"

namespace hostile {
namespace {

// The add model with its graph written by hand, so a single node, input or
// initializer can be replaced by corrupted bytes.
std::string withGraphBytes(const std::string& graphBytes) {
    onnx::ModelProto m = addModel();
    m.clear_graph();
    return m.SerializeAsString() + wire::bytes(wire::model::graph, graphBytes);
}

// The add model's graph without its nodes, plus the given node bytes.
std::string graphWithNode(const std::string& nodeBytes) {
    onnx::GraphProto g = addModel().graph();
    g.clear_node();
    return g.SerializeAsString() + wire::bytes(wire::graph::node, nodeBytes);
}

void addTruncations(Corpus& corpus) {
    corpus.error("empty_file.onnx", std::string(), "empty", "zero bytes");
    corpus.error("not_protobuf_text.onnx", "this is a text file, not an ONNX model\n", "could not be parsed",
                 "plain text");

    // The model with a 64-byte raw_data initializer, so one cut lands inside
    // a tensor's payload.
    onnx::ModelProto m = addModel();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_float_data();
    w->clear_dims();
    w->add_dims(4);
    w->add_dims(4);
    w->set_raw_data(std::string(64, '\x5a'));
    m.mutable_graph()
        ->mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(0)
        ->set_dim_value(4);
    const std::string full = m.SerializeAsString();
    const size_t payload = full.find(std::string(64, '\x5a'));
    struct Cut {
        const char* file;
        size_t at;
    } cuts[] = {
        {"truncated_after_1_byte.onnx", 1},            // a tag without its value
        {"truncated_in_graph.onnx", full.size() / 2},  // inside the graph message
        {"truncated_in_raw_data.onnx", payload + 20},  // inside an initializer's bytes
        {"truncated_last_byte.onnx", full.size() - 1},
    };
    for (const auto& cut : cuts) {
        const std::string bytes = full.substr(0, cut.at);
        mustNotParse(bytes, cut.file);
        corpus.error(cut.file, bytes, "could not be parsed", "cut at byte " + std::to_string(cut.at));
    }

    // A length prefix that promises a gigabyte the file does not have.
    onnx::ModelProto head = addModel();
    head.clear_graph();
    std::string promise =
        head.SerializeAsString() + wire::tag(wire::model::graph, wire::Len) + wire::varint(1u << 30) + "abc";
    mustNotParse(promise, "length_beyond_end");
    corpus.error("wire_length_beyond_end.onnx", promise, "could not be parsed", "graph length 2^30, 3 bytes follow");
    // A length of 2^64-1.
    std::string huge = head.SerializeAsString() + wire::tag(wire::model::graph, wire::Len) + wire::varint(~uint64_t(0));
    mustNotParse(huge, "length_2^64");
    corpus.error("wire_length_2pow64.onnx", huge, "could not be parsed", "graph length 2^64-1");
    // A varint of 11 bytes (at most 10 are valid).
    std::string longVarint = wire::tag(wire::model::irVersion, wire::Varint) + std::string(10, '\xff') + "\x01";
    mustNotParse(longVarint, "varint_overlong");
    corpus.error("wire_varint_overlong.onnx", longVarint, "could not be parsed", "an 11-byte varint");
}

void addWireTypes(Corpus& corpus) {
    const std::string good = addModel().SerializeAsString();
    // Wire types 6 and 7 do not exist; 3/4 are groups that must pair up.
    std::string type7 = good + wire::tag(20, wire::Invalid7);
    mustNotParse(type7, "wire type 7");
    corpus.error("wire_type_7.onnx", type7, "could not be parsed", "a field with wire type 7");
    std::string openGroup = good + wire::tag(20, wire::StartGroup) + wire::number(1, 5);
    mustNotParse(openGroup, "open group");
    corpus.error("wire_group_unterminated.onnx", openGroup, "could not be parsed", "a group that never ends");
    std::string strayEnd = good + wire::tag(20, wire::EndGroup);
    mustNotParse(strayEnd, "stray end group");
    corpus.error("wire_group_end_unmatched.onnx", strayEnd, "could not be parsed", "an end-group with no start");

    // Mistyped fields: protobuf keeps them as unknown fields, so the model
    // reads as if the field were absent.
    onnx::ModelProto noIr = addModel();
    noIr.clear_ir_version();
    std::string irAsBytes = noIr.SerializeAsString() + wire::bytes(wire::model::irVersion, "8");
    mustParse(irAsBytes, "ir_version as bytes");
    corpus.error("wire_ir_version_as_bytes.onnx", irAsBytes, "ir_version", "ir_version written length-delimited");

    onnx::ModelProto noGraph = addModel();
    noGraph.clear_graph();
    std::string graphAsVarint = noGraph.SerializeAsString() + wire::number(wire::model::graph, 7);
    mustParse(graphAsVarint, "graph as varint");
    corpus.error("wire_graph_as_varint.onnx", graphAsVarint, "holds no graph", "the graph field is a varint");

    onnx::NodeProto node = addModel().graph().node(0);
    node.clear_op_type();
    std::string opAsVarint =
        withGraphBytes(graphWithNode(node.SerializeAsString() + wire::number(wire::node::opType, 7)));
    mustParse(opAsVarint, "op_type as varint");
    corpus.error("wire_op_type_as_varint.onnx", opAsVarint, "no op type", "a node's op_type is a varint");

    onnx::GraphProto g = addModel().graph();
    onnx::TensorProto w = g.initializer(0);
    g.clear_initializer();
    onnx::TensorProto noDims = w;
    noDims.clear_dims();
    std::string dimsAsFixed = withGraphBytes(
        g.SerializeAsString() +
        wire::bytes(wire::graph::initializer, noDims.SerializeAsString() + wire::fixed64(wire::tensor::dims, 2)));
    mustParse(dimsAsFixed, "dims as fixed64");
    corpus.error("wire_dims_as_fixed64.onnx", dimsAsFixed, "initializer 'w'",
                 "the initializer's dims are fixed64: it reads as a scalar holding 4 floats");

    onnx::TensorProto noType = w;
    noType.clear_data_type();
    std::string typeAsBytes = withGraphBytes(
        g.SerializeAsString() + wire::bytes(wire::graph::initializer,
                                            noType.SerializeAsString() + wire::bytes(wire::tensor::dataType, "\x01")));
    mustParse(typeAsBytes, "data_type as bytes");
    corpus.error("wire_data_type_as_bytes.onnx", typeAsBytes, "initializer 'w'",
                 "the initializer's data_type is length-delimited: no element type");

    onnx::GraphProto noInputs = addModel().graph();
    onnx::ValueInfoProto x = noInputs.input(0);
    noInputs.clear_input();
    x.clear_name();
    std::string nameAsVarint = withGraphBytes(
        noInputs.SerializeAsString() +
        wire::bytes(wire::graph::input, x.SerializeAsString() + wire::number(wire::valueInfo::name, 120)));
    mustParse(nameAsVarint, "input name as varint");
    corpus.error("wire_input_name_as_varint.onnx", nameAsVarint, "graph input has no name",
                 "the graph input's name is a varint");
}

}  // namespace

void addProtobufCases(Corpus& corpus) {
    addTruncations(corpus);
    addWireTypes(corpus);

    // Subgraphs nested deeper than protobuf's recursion limit (100).
    onnx::ModelProto deep = addModel();
    onnx::GraphProto inner;
    inner.set_name("leaf");
    for (int level = 0; level < 150; ++level) {
        onnx::GraphProto outer;
        outer.set_name("level");
        auto* n = outer.add_node();
        n->set_op_type("If");
        auto* a = n->add_attribute();
        a->set_name("then_branch");
        a->set_type(onnx::AttributeProto::GRAPH);
        *a->mutable_g() = std::move(inner);
        inner = std::move(outer);
    }
    auto* n = deep.mutable_graph()->mutable_node(0);
    auto* a = n->add_attribute();
    a->set_name("body");
    a->set_type(onnx::AttributeProto::GRAPH);
    *a->mutable_g() = std::move(inner);
    const std::string deepBytes = deep.SerializeAsString();
    mustNotParse(deepBytes, "nesting");
    corpus.error("nested_subgraphs_150_deep.onnx", deepBytes, "nested too deeply",
                 "150 nested subgraph attributes, beyond protobuf's recursion limit");
}

}  // namespace hostile
