#include "models/control_flow_models.h"

using namespace interstage;

namespace testmodels {

// The 16 kHz path: Conv over the 4x4 frame, its 16 positions as a
// sequence of 2 channels into an LSTM. The LSTM input's shape comes from
// a shape-only If on the Conv's width (4 > 2: known at prepare time) in
// the model, or from a constant in the plain reference. The other branch
// would give the LSTM a batch of 4: only the branch taken must resolve.
void addSixteenKilohertz(GraphBuilder& g, bool shapeIf) {
    g.node("Conv", {"x", "w16"}, {intsAttr("kernel_shape", {3, 3}), intsAttr("pads", {1, 1, 1, 1})}, 1, "conv16");
    g.constant("flat_shape", TensorData::fromInt64({1, 2, 16}, {3}));
    g.node("Reshape", {"conv16", "flat_shape"}, {}, 1, "flat16");
    g.node("Transpose", {"flat16"}, {intsAttr("perm", {2, 0, 1})}, 1, "seq16");
    std::string seqShape = "seq_shape";
    if (shapeIf) {
        g.node("Shape", {"conv16"}, {}, 1, "conv16_shape");
        g.constant("width_index", TensorData::fromInt64({3}, {1}));
        g.node("Gather", {"conv16_shape", "width_index"}, {}, 1, "conv16_width");
        g.constant("two", TensorData::fromInt64({2}, {1}));
        g.node("Greater", {"conv16_width", "two"}, {}, 1, "wide");
        g.node("If", {"wide"}, {}, 1, "seq_shape");
        GraphBuilder wide("wide_shape"), narrow("narrow_shape");
        wide.constant("wide_dims", TensorData::fromInt64({16, 1, 2}, {3}));
        wide.output("wide_dims", DataType::Int64, {3});
        narrow.constant("narrow_dims", TensorData::fromInt64({4, 4, 2}, {3}));
        narrow.output("narrow_dims", DataType::Int64, {3});
        g.subgraph("seq_shape", "then_branch", wide);
        g.subgraph("seq_shape", "else_branch", narrow);
    } else {
        g.constant(seqShape, TensorData::fromInt64({16, 1, 2}, {3}));
    }
    g.node("Reshape", {"seq16", seqShape}, {}, 1, "lstm_in");
    g.node("LSTM", {"lstm_in", "lstm_w", "lstm_r"}, {intAttr("hidden_size", kHidden)}, 3, "lstm");
}

void addEightKilohertz(GraphBuilder& g) {
    g.node("Conv", {"x", "w8"}, {intsAttr("kernel_shape", {4, 4})}, 1, "conv8");
    g.constant("out_shape8", TensorData::fromInt64({1, 1, kHidden}, {3}));
    g.node("Reshape", {"conv8", "out_shape8"}, {}, 1, "state8");
}

void addVadWeights(GraphBuilder& g, const VadWeights& w) {
    g.initializer("w16", w.conv16);
    g.initializer("lstm_w", w.lstmW);
    g.initializer("lstm_r", w.lstmR);
    g.initializer("w8", w.conv8);
}

GraphBuilder vadModel() {
    GraphBuilder g("vad");
    g.input("x", DataType::Float, {1, 1, 4, 4});
    g.input("sr", DataType::Int64, {1});
    addVadWeights(g, VadWeights{});
    g.initializer("sixteen_k", TensorData::fromInt64({16000}, {1}));
    g.node("Equal", {"sr", "sixteen_k"}, {}, 1, "is_16k");
    g.node("If", {"is_16k"}, {}, 1, "vad");
    GraphBuilder then("then_16k"), otherwise("else_8k");
    addSixteenKilohertz(then, true);
    then.output("lstm_out1", DataType::Float, {1, 1, kHidden});
    addEightKilohertz(otherwise);
    otherwise.output("state8", DataType::Float, {1, 1, kHidden});
    g.subgraph("vad", "then_branch", then);
    g.subgraph("vad", "else_branch", otherwise);
    g.output("vad", DataType::Float, {1, 1, kHidden});
    return g;
}

GraphBuilder sampleRateModel() {
    GraphBuilder g("sample_rate");
    g.input("sr", DataType::Int64, {});
    g.initializer("sixteen_k", TensorData::fromInt64({16000}, {}));
    g.node("Equal", {"sr", "sixteen_k"}, {}, 1, "is_16k");
    g.node("If", {"is_16k"}, {}, 1, "rate");
    GraphBuilder then("then_16k"), otherwise("else_8k");
    then.constant("rate16", TensorData::fromFloat({16}, {1}));
    then.output("rate16", DataType::Float, {1});
    otherwise.constant("rate8", TensorData::fromFloat({8}, {1}));
    otherwise.output("rate8", DataType::Float, {1});
    g.subgraph("rate", "then_branch", then);
    g.subgraph("rate", "else_branch", otherwise);
    g.output("rate", DataType::Float, {1});
    return g;
}

GraphBuilder decoderModel(int64_t steps) {
    GraphBuilder g("decoder");
    g.input("state0", DataType::Float, {1, 3});
    g.initializer("embedding", TensorData::fromFloat({0.5f, -1, 0.25f, -0.75f, 1, 0.5f, 0.1f, 0.2f, -1.5f}, {3, 3}));
    g.initializer("trips", TensorData::fromInt64({steps}, {}));
    g.initializer("token0", TensorData::fromInt64({2}, {1}));
    g.node("Loop", {"trips", "", "state0", "token0"}, {}, 3, "decode");
    GraphBuilder body("step");
    body.input("i", DataType::Int64, {});
    body.input("keep_going", DataType::Bool, {});
    body.input("state", DataType::Float, {1, 3});
    body.input("token", DataType::Int64, {1});
    body.node("Gather", {"embedding", "token"}, {}, 1, "embedded");
    body.constant("half", TensorData::fromFloat({0.5f}, {}));
    body.node("Mul", {"state", "half"}, {}, 1, "decayed");
    body.node("Add", {"decayed", "embedded"}, {}, 1, "next_state");
    body.node("ArgMax", {"next_state"}, {intAttr("axis", 1), intAttr("keepdims", 0)}, 1, "next_token");
    body.node("Identity", {"keep_going"}, {}, 1, "go_on");
    body.output("go_on", DataType::Bool, {});
    body.output("next_state", DataType::Float, {1, 3});
    body.node("Identity", {"next_token"}, {}, 1, "token_seen");
    body.output("next_token", DataType::Int64, {1});
    body.output("token_seen", DataType::Int64, {1});
    g.subgraph("decode", "body", body);
    g.output("decode_out0", DataType::Float, {1, 3});
    g.output("decode_out2", DataType::Int64, {steps, 1});
    return g;
}

// ---- Scan

GraphBuilder runningSumModel(bool reversedAlongAxis1) {
    GraphBuilder g("running_sum");
    g.input("sum0", DataType::Float, {2});
    g.input("xs", DataType::Float, reversedAlongAxis1 ? Shape{2, 5} : Shape{5, 2});
    std::vector<Attribute> attributes{intAttr("num_scan_inputs", 1)};
    if (reversedAlongAxis1) {
        attributes.push_back(intsAttr("scan_input_axes", {1}));
        attributes.push_back(intsAttr("scan_input_directions", {1}));
        attributes.push_back(intsAttr("scan_output_axes", {1}));
    }
    g.node("Scan", {"sum0", "xs"}, attributes, 2, "scan");
    GraphBuilder body("add_step");
    body.input("sum", DataType::Float, {2});
    body.input("x", DataType::Float, {2});
    body.node("Add", {"sum", "x"}, {}, 1, "sum_next");
    body.node("Identity", {"sum_next"}, {}, 1, "sum_seen");
    body.output("sum_next", DataType::Float, {2});
    body.output("sum_seen", DataType::Float, {2});
    g.subgraph("scan", "body", body);
    g.output("scan_out0", DataType::Float, {2});
    g.output("scan_out1", DataType::Float, reversedAlongAxis1 ? Shape{2, 5} : Shape{5, 2});
    return g;
}

GraphBuilder scanRnnModel() {
    GraphBuilder g("scan_rnn");
    g.input("h0", DataType::Float, {1, 2});
    g.input("xs", DataType::Float, {4, 1, 3});
    g.initializer("w", TensorData::fromFloat({0.3f, -0.2f, 0.5f, 0.1f, 0.4f, -0.6f}, {3, 2}));
    g.initializer("r", TensorData::fromFloat({0.7f, -0.3f, 0.2f, 0.9f}, {2, 2}));
    g.node("Scan", {"h0", "xs"}, {intAttr("num_scan_inputs", 1)}, 2, "rnn");
    GraphBuilder body("rnn_cell");
    body.input("h", DataType::Float, {1, 2});
    body.input("x", DataType::Float, {1, 3});
    body.node("MatMul", {"x", "w"}, {}, 1, "xw");
    body.node("MatMul", {"h", "r"}, {}, 1, "hr");
    body.node("Add", {"xw", "hr"}, {}, 1, "pre");
    body.node("Tanh", {"pre"}, {}, 1, "h_next");
    body.node("Identity", {"h_next"}, {}, 1, "h_seen");
    body.output("h_next", DataType::Float, {1, 2});
    body.output("h_seen", DataType::Float, {1, 2});
    g.subgraph("rnn", "body", body);
    g.output("rnn_out1", DataType::Float, {4, 1, 2});
    return g;
}

std::vector<std::pair<std::string, GraphBuilder>> controlFlowModels() {
    std::vector<std::pair<std::string, GraphBuilder>> models;
    models.emplace_back("vad_if", vadModel());
    models.emplace_back("decoder_loop", decoderModel(5));
    models.emplace_back("running_sum_scan", runningSumModel(false));
    models.emplace_back("running_sum_scan_reversed_axis1", runningSumModel(true));
    models.emplace_back("rnn_scan", scanRnnModel());
    return models;
}

}  // namespace testmodels
