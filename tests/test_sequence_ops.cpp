// Sequences resolved into tensors before planning (passes/lower_sequences.h):
// a hand-built SplitToSequence -> SequenceAt / Insert / Erase ->
// ConcatFromSequence model gives the right outputs, its plan places every
// element as a tensor of its own, counted to the byte, a position that is
// an input's value is resolved per run, and one computed while running is
// refused naming node and input. SequenceMap and a
// Loop carrying a sequence run their bodies inlined, once per element or
// iteration.
#include <QtTest>
#include <algorithm>
#include <numeric>

#include "interstage/session.h"
#include "interstage/tensor_io.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr int64_t kCols = 4;

// x [6,4] -> SplitToSequence (split [2,4]) -> seq: x[0:2], x[2:6]
// SequenceAt(seq, -1) -> Relu -> r [4,4]
// SequenceInsert(seq, r, 0) -> seq2: r, x[0:2], x[2:6]; SequenceLength -> n (3)
// SequenceErase(seq2, 1) -> seq3: r, x[2:6]; ConcatFromSequence axis 0 -> y [8,4]
GraphBuilder splitEditConcat(bool positionFromInput = false) {
    GraphBuilder b("sequence_edits", 13);
    b.input("x", DataType::Float, {6, kCols});
    auto split = b.initializer("split", TensorData::fromInt64({2, 4}, {2}));
    auto seq = b.op("SplitToSequence", {"x", split}, {intAttr("axis", 0)}, "to_sequence");
    std::string last;
    if (positionFromInput)
        last = b.input("position", DataType::Int64, {});
    else
        last = b.constant("last", TensorData::fromInt64({-1}, {}));
    auto tail = b.op("SequenceAt", {seq, last}, {}, "take_last");
    auto r = b.op("Relu", {tail}, {}, "relu");
    auto front = b.constant("front", TensorData::fromInt64({0}, {}));
    auto seq2 = b.op("SequenceInsert", {seq, r, front}, {}, "insert_front");
    auto n = b.op("SequenceLength", {seq2}, {}, "n");
    auto second = b.constant("second", TensorData::fromInt64({1}, {}));
    auto seq3 = b.op("SequenceErase", {seq2, second}, {}, "erase_second");
    auto y = b.op("ConcatFromSequence", {seq3}, {intAttr("axis", 0)}, "y");
    b.output(y, DataType::Float, {8, kCols});
    b.output(n, DataType::Int64, {});
    return b;
}

// What splitEditConcat() amounts to, written with tensors.
GraphBuilder splitReluConcat() {
    GraphBuilder b("tensor_edits", 13);
    b.input("x", DataType::Float, {6, kCols});
    auto split = b.initializer("split", TensorData::fromInt64({2, 4}, {2}));
    auto parts = b.node("Split", {"x", split}, {intAttr("axis", 0)}, 2, "parts");
    auto r = b.op("Relu", {parts[1]}, {}, "relu");
    auto y = b.op("Concat", {r, parts[1]}, {intAttr("axis", 0)}, "y");
    auto n = b.op("Identity", {b.constant("three", TensorData::fromInt64({3}, {}))}, {}, "n");
    // The positions, read at plan time there, are still weights the model holds.
    for (const char* position : {"last", "front", "second"}) b.constant(position, TensorData::fromInt64({0}, {}));
    b.output(y, DataType::Float, {8, kCols});
    b.output(n, DataType::Int64, {});
    return b;
}

TensorData ramp(const Shape& shape) {
    std::vector<float> values(static_cast<size_t>(shape[0] * shape[1]));
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) - 10.0f;
    return TensorData::fromFloat(values, shape);
}

std::unique_ptr<Session> sessionFor(const GraphBuilder& builder, const std::string& mode) {
    SessionOptions options;
    options.mode = MemoryMode::parse(mode).value();
    options.threads = 1;
    auto session = Session::create(testsupport::builtModel(builder), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    return session.take();
}

// x [4,3] -> SplitToSequence (keepdims 0: four [3] rows) -> SequenceMap
// (body: Mul(e, e)) -> ConcatFromSequence (new_axis 1, axis 0) -> y = x * x.
GraphBuilder squaredRows() {
    GraphBuilder body("square", 13);
    body.input("e", DataType::Float, {3});
    body.op("Mul", {"e", "e"}, {}, "sq");
    body.output("sq", DataType::Float, {3});
    GraphBuilder b("map_rows", 13);
    b.input("x", DataType::Float, {4, 3});
    auto rows = b.op("SplitToSequence", {"x"}, {intAttr("axis", 0), intAttr("keepdims", 0)}, "rows");
    auto squares = b.op("SequenceMap", {rows}, {}, "map");
    b.subgraph("map", "body", body);
    auto y = b.op("ConcatFromSequence", {squares}, {intAttr("axis", 0), intAttr("new_axis", 1)}, "y");
    b.output(y, DataType::Float, {4, 3});
    return b;
}

// A Loop of 3 trips carrying a sequence: iteration i inserts x * i; the
// result concatenated is [0 * x, 1 * x, 2 * x].
GraphBuilder loopOfInserts() {
    GraphBuilder body("insert_scaled", 13);
    body.input("i", DataType::Int64, {});
    body.input("cond_in", DataType::Bool, {});
    body.input("seq_in", DataType::Float, {2});  // a sequence: the builder writes tensor types only
    body.op("Identity", {"cond_in"}, {}, "cond_out");
    auto scale = body.op("Cast", {"i"}, {intAttr("to", static_cast<int64_t>(DataType::Float))}, "scale");
    auto scaled = body.op("Mul", {"x", scale}, {}, "scaled");
    body.op("SequenceInsert", {"seq_in", scaled}, {}, "seq_out");
    body.output("cond_out", DataType::Bool, {});
    body.output("seq_out", DataType::Float, {2});
    GraphBuilder b("loop_inserts", 13);
    b.input("x", DataType::Float, {2});
    auto trips = b.constant("trips", TensorData::fromInt64({3}, {}));
    TensorData yes = TensorData::zeros(DataType::Bool, {});
    yes.bytes[0] = std::byte{1};
    auto cond = b.constant("cond", yes);
    auto empty = b.op("SequenceEmpty", {}, {intAttr("dtype", static_cast<int64_t>(DataType::Float))}, "empty");
    auto seq = b.op("Loop", {trips, cond, empty}, {}, "repeat");
    b.subgraph("repeat", "body", body);
    auto y = b.op("ConcatFromSequence", {seq}, {intAttr("axis", 0)}, "y");
    b.output(y, DataType::Float, {6});
    return b;
}

// A Loop of 2 trips that takes tensors only, with a sequence inside its
// body: each iteration's scan output is Concat(Sequence(x, x)) = [x, x].
GraphBuilder loopWithInnerSequence() {
    GraphBuilder body("pair_up", 13);
    body.input("i", DataType::Int64, {});
    body.input("cond_in", DataType::Bool, {});
    body.op("Identity", {"cond_in"}, {}, "cond_out");
    auto pair = body.op("SequenceConstruct", {"x", "x"}, {}, "pair");
    body.op("ConcatFromSequence", {pair}, {intAttr("axis", 0)}, "joined");
    body.output("cond_out", DataType::Bool, {});
    body.output("joined", DataType::Float, {4});
    GraphBuilder b("loop_inner_sequence", 13);
    b.input("x", DataType::Float, {2});
    auto trips = b.constant("trips", TensorData::fromInt64({2}, {}));
    TensorData yes = TensorData::zeros(DataType::Bool, {});
    yes.bytes[0] = std::byte{1};
    auto cond = b.constant("cond", yes);
    auto y = b.op("Loop", {trips, cond}, {}, "repeat");
    b.subgraph("repeat", "body", body);
    b.output(y, DataType::Float, {2, 4});
    return b;
}

int countOps(const Graph& graph, const std::string& opType) {
    return static_cast<int>(
        std::count_if(graph.nodes.begin(), graph.nodes.end(), [&](const Node& n) { return n.opType == opType; }));
}

}  // namespace

class SequenceOpsTest : public QObject {
    Q_OBJECT
private slots:
    void outputsMatchTheEdits() {
        auto session = sessionFor(splitEditConcat(), "default");
        const TensorData x = ramp({6, kCols});
        QVERIFY(session->run({{"x", x}}).isOk());
        auto y = session->output("y");
        QVERIFY2(y.ok(), y.status().toString().c_str());
        QCOMPARE(y->shape, (Shape{8, kCols}));
        // Rows 0-3: Relu(x[2:6]); rows 4-7: x[2:6].
        for (int64_t row = 0; row < 8; ++row)
            for (int64_t col = 0; col < kCols; ++col) {
                const float source = x.data<float>()[(2 + row % 4) * kCols + col];
                const float expected = row < 4 ? std::max(source, 0.0f) : source;
                QCOMPARE(y->data<float>()[row * kCols + col], expected);
            }
        auto n = session->output("n");
        QVERIFY2(n.ok(), n.status().toString().c_str());
        QCOMPARE(n->dtype, DataType::Int64);
        QCOMPARE(n->intAt(0), int64_t{3});
    }

    // The executed graph holds tensors only, and the plan places exactly
    // them: the two Split parts, Relu's output, the Concat written as the
    // output itself (no copy) and the length's output copy, each with its
    // own bytes (default mode: one buffer per tensor, all kept).
    void planCountsEveryElement() {
        auto session = sessionFor(splitEditConcat(), "default");
        for (const Node& node : session->executedGraph().nodes)
            QVERIFY2(node.opType != "SequenceAt" && node.opType.find("Sequence") == std::string::npos,
                     node.opType.c_str());
        std::map<std::string, std::size_t> placed;
        for (const TensorPlacement& p : session->memoryMap()) placed[p.name] = p.bytes;
        const std::size_t row = kCols * sizeof(float);
        QCOMPARE(placed.size(), std::size_t{5});
        QCOMPARE(placed.at("to_sequence_0"), 2 * row);
        QCOMPARE(placed.at("to_sequence_1"), 4 * row);
        QCOMPARE(placed.at("relu"), 4 * row);
        QCOMPARE(placed.at("y"), 8 * row);
        QCOMPARE(placed.at("n"), sizeof(int64_t));
        const std::size_t total = std::accumulate(placed.begin(), placed.end(), std::size_t{0},
                                                  [](std::size_t sum, const auto& p) { return sum + p.second; });
        QCOMPARE(total, 18 * row + sizeof(int64_t));
        // The same computation written with tensors plans the same peak.
        auto tensors = sessionFor(splitReluConcat(), "default");
        QCOMPARE(session->plannedPeakBytes(), tensors->plannedPeakBytes());
    }

    // Every memory mode plans the lowered graph and gives the same outputs.
    void everyModeRunsIt() {
        const TensorData x = ramp({6, kCols});
        auto reference = sessionFor(splitEditConcat(), "default");
        QVERIFY(reference->run({{"x", x}}).isOk());
        const TensorData expected = reference->output("y").value();
        for (const char* mode : {"reduce", "reuse", "arena"}) {
            auto session = sessionFor(splitEditConcat(), mode);
            QVERIFY2(session->run({{"x", x}}).isOk(), mode);
            auto y = session->output("y");
            QVERIFY2(y.ok(), mode);
            QCOMPARE(y->bytes, expected.bytes);
            QVERIFY(session->plannedPeakBytes() <= reference->plannedPeakBytes());
        }
    }

    // A position that is an input's value is resolved again for each run
    // with that run's inputs: another position, another plan.
    void positionFromAnInputIsResolvedPerRun() {
        auto session = Session::create(testsupport::builtModel(splitEditConcat(true)));
        QVERIFY2(session.ok(), session.status().toString().c_str());
        const TensorData x = ramp({6, kCols});
        QVERIFY(session.value()->run({{"x", x}, {"position", TensorData::fromInt64({-1}, {})}}).isOk());
        auto reference = sessionFor(splitEditConcat(), "default");
        QVERIFY(reference->run({{"x", x}}).isOk());
        QCOMPARE(session.value()->output("y")->bytes, reference->output("y")->bytes);
        // Position 0: Relu of x[0:2] goes in front, then x[2:6].
        QVERIFY(session.value()->run({{"x", x}, {"position", TensorData::fromInt64({0}, {})}}).isOk());
        auto y = session.value()->output("y");
        QVERIFY2(y.ok(), y.status().toString().c_str());
        QCOMPARE(y->shape, (Shape{6, kCols}));
        QCOMPARE(y->data<float>()[0], 0.0f);  // Relu(-10)
        QCOMPARE(y->data<float>()[2 * kCols], x.data<float>()[2 * kCols]);
    }

    // A position computed while the model runs (from an input too large to
    // lend its values to the shape rules) cannot place the element's
    // tensors before running: refused, naming node, input and why.
    void positionKnownOnlyAtRunTime() {
        const int64_t bigCount = ShapeOptions{}.maxInputValueElements + 1;
        GraphBuilder b("runtime_position", 13);
        b.input("x", DataType::Float, {2, kCols});
        b.input("big", DataType::Float, {bigCount});
        auto top = b.op("ReduceMax", {"big"}, {intAttr("keepdims", 0)}, "top");
        auto at = b.op("Cast", {top}, {intAttr("to", static_cast<int64_t>(DataType::Int64))}, "at");
        auto seq = b.op("SplitToSequence", {"x"}, {intAttr("axis", 0)}, "rows");
        auto y = b.op("SequenceAt", {seq, at}, {}, "take");
        b.output(y, DataType::Float, {1, kCols});
        auto session = Session::create(testsupport::builtModel(b));
        QVERIFY2(session.ok(), session.status().toString().c_str());
        const Status run =
            session.value()->run({{"x", ramp({2, kCols})}, {"big", TensorData::zeros(DataType::Float, {bigCount})}});
        QCOMPARE(run.code(), StatusCode::Unsupported);
        const std::string message = run.message();
        QVERIFY2(message.find("'take' (SequenceAt): input 1 is known only at run time") != std::string::npos,
                 message.c_str());
        QVERIFY2(message.find("'at' is computed while the model runs") != std::string::npos, message.c_str());
    }

    // SequenceMap's body runs once per element, inlined: four Muls.
    void sequenceMapInlinesTheBodyPerElement() {
        auto session = sessionFor(squaredRows(), "arena");
        QCOMPARE(countOps(session->executedGraph(), "Mul"), 4);
        QCOMPARE(countOps(session->executedGraph(), "SequenceMap"), 0);
        const TensorData x = ramp({4, 3});
        QVERIFY(session->run({{"x", x}}).isOk());
        auto y = session->output("y");
        QVERIFY2(y.ok(), y.status().toString().c_str());
        QCOMPARE(y->shape, (Shape{4, 3}));
        for (int64_t i = 0; i < 12; ++i) QCOMPARE(y->data<float>()[i], x.data<float>()[i] * x.data<float>()[i]);
    }

    // A Loop that carries a sequence is unrolled: one Mul per iteration.
    void loopCarryingASequenceIsUnrolled() {
        auto session = sessionFor(loopOfInserts(), "default");
        QCOMPARE(countOps(session->executedGraph(), "Loop"), 0);
        QCOMPARE(countOps(session->executedGraph(), "Mul"), 3);
        const TensorData x = TensorData::fromFloat({1.5f, -2.0f}, {2});
        QVERIFY(session->run({{"x", x}}).isOk());
        auto y = session->output("y");
        QVERIFY2(y.ok(), y.status().toString().c_str());
        QCOMPARE(y->shape, (Shape{6}));
        for (int64_t i = 0; i < 6; ++i)
            QCOMPARE(y->data<float>()[i], x.data<float>()[i % 2] * static_cast<float>(i / 2));
    }

    // Each element becomes a tensor of the plan: a split into more than
    // 65536 of them is refused before any is made.
    void aSequenceTooLongIsRefused() {
        GraphBuilder b("too_long", 13);
        b.input("x", DataType::Float, {100000, 1});
        auto seq = b.op("SplitToSequence", {"x"}, {intAttr("axis", 0)}, "rows");
        auto y = b.op("ConcatFromSequence", {seq}, {intAttr("axis", 0)}, "y");
        b.output(y, DataType::Float, {100000, 1});
        auto session = Session::create(testsupport::builtModel(b));
        QVERIFY(!session.ok());
        QCOMPARE(session.status().code(), StatusCode::Unsupported);
        QVERIFY2(session.status().message().find("'rows' (SplitToSequence): 100000 tensors") != std::string::npos,
                 session.status().message().c_str());
    }

    // A sequence only inside a body: the Loop is unrolled all the same,
    // its scan output stacked from the iterations.
    void loopWithASequenceInsideIsUnrolled() {
        auto session = sessionFor(loopWithInnerSequence(), "arena");
        QCOMPARE(countOps(session->executedGraph(), "Loop"), 0);
        const TensorData x = TensorData::fromFloat({3.0f, -4.0f}, {2});
        QVERIFY(session->run({{"x", x}}).isOk());
        auto y = session->output("repeat");
        QVERIFY2(y.ok(), y.status().toString().c_str());
        QCOMPARE(y->shape, (Shape{2, 4}));
        for (int64_t i = 0; i < 8; ++i) QCOMPARE(y->data<float>()[i], x.data<float>()[i % 2]);
    }

    void positionOutOfRange() {
        GraphBuilder b("out_of_range", 13);
        b.input("x", DataType::Float, {2, kCols});
        auto seq = b.op("SplitToSequence", {"x"}, {intAttr("axis", 0)}, "rows");
        auto far = b.constant("far", TensorData::fromInt64({2}, {}));
        auto y = b.op("SequenceAt", {seq, far}, {}, "third_row");
        b.output(y, DataType::Float, {kCols});
        auto session = Session::create(testsupport::builtModel(b));
        QVERIFY(!session.ok());
        QCOMPARE(session.status().code(), StatusCode::InvalidArgument);
        QVERIFY2(session.status().message().find("'third_row' (SequenceAt): position 2 is out of range for a "
                                                 "sequence of 2 tensors") != std::string::npos,
                 session.status().message().c_str());
    }

    // A sequence input travels as its elements: a session created for three
    // of them refuses a run that gives two, instead of generating the third.
    void missingSequenceElementRefused() {
        const std::string model = std::string(INTERSTAGE_TESTDATA_DIR) + "/node/test_sequence_map_identity_1_sequence";
        auto loaded = loadModel(model + "/model.onnx");
        if (!loaded.ok()) QSKIP("ONNX test data not installed (apt-get install libonnx-testdata)");
        auto elements = readValueFile(model + "/test_data_set_0/input_0.pb", "x", ValueKind::Sequence);
        QVERIFY2(elements.ok(), elements.status().toString().c_str());
        QVERIFY(elements->size() >= 2);
        SessionOptions options;
        std::map<std::string, TensorData> all;
        for (const NamedTensor& e : elements.value()) {
            options.inputShapes[e.name] = e.data.shape;
            all[e.name] = e.data;
        }
        auto session = Session::create(std::move(loaded.value()), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        QVERIFY(session.value()->run(all).isOk());
        all.erase(sequenceElementName("x", elements->size() - 1));
        const Status run = session.value()->run(all);
        QCOMPARE(run.code(), StatusCode::InvalidArgument);
        QVERIFY2(run.message().find("sequence input 'x'") != std::string::npos, run.message().c_str());
    }
};

QTEST_GUILESS_MAIN(SequenceOpsTest)
#include "test_sequence_ops.moc"
