// The memory-aware execution order (plan/execution_order.h) and where a
// plan's live tensors peak (interstage/live_peak.h): exact orders and
// peaks on hand-built graphs, the file's order kept where nothing is
// gained, and U^2-Net-P's side outputs leaving its peak with the same
// output bits.
#include <QtTest>

#include "interstage/live_peak.h"
#include "interstage/session.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr size_t kTensor = 1000 * sizeof(float);

// x -> Relu a -> Sigmoid b -> Tanh c;  a -> ReduceSum s (1 float);
// Add(c, s) -> y (output). In the file's order a waits for s, after c, so
// a, b and c are alive together; run s right after b and a dies first.
Model sideBranchModel() {
    GraphBuilder b("side_branch", 13);
    b.input("x", DataType::Float, {1, 1000});
    auto a = b.op("Relu", {"x"}, {}, "a");
    auto s1 = b.op("Sigmoid", {a}, {}, "b");
    auto c = b.op("Tanh", {s1}, {}, "c");
    auto s = b.op("ReduceSum", {a}, {intAttr("keepdims", 1)}, "s");
    auto y = b.op("Add", {c, s}, {}, "y");
    b.output(y, DataType::Float, {1, 1000});
    return testsupport::builtModel(b);
}

// In-place ops off: these graphs would otherwise run every op over its
// input, and the orders compared here are about tensors that die.
std::unique_ptr<Session> makeSession(Model model, const std::string& mode, bool memoryAware = true) {
    SessionOptions options;
    options.mode = MemoryMode::parse(mode).value();
    options.memoryAwareOrder = memoryAware;
    options.inPlaceOps = false;
    options.threads = 1;
    auto session = Session::create(std::move(model), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    return session.take();
}

std::vector<std::string> executedNames(const Session& session) {
    std::vector<std::string> names;
    for (const Node& node : session.executedGraph().nodes) names.push_back(node.name);
    return names;
}

RunStats secondRun(Session& session) {
    RunStats first, second;
    if (!session.run({}, &first).isOk() || !session.run({}, &second).isOk()) qFatal("run failed");
    return second;
}

TensorPlacement placement(const std::string& name, int first, int last, std::size_t bytes, int buffer,
                          std::size_t offset) {
    TensorPlacement p;
    p.name = name;
    p.first = first;
    p.last = last;
    p.bytes = bytes;
    p.buffer = buffer;
    p.offset = offset;
    return p;
}

}  // namespace

class ExecutionOrderTest : public QObject {
    Q_OBJECT
private slots:
    void sideBranchRunsBeforeItsInputWouldPassThePeak() {
        auto aware = makeSession(sideBranchModel(), "reduce");
        auto file = makeSession(sideBranchModel(), "reduce", false);
        QCOMPARE(executedNames(*file), (std::vector<std::string>{"a", "b", "c", "s", "y"}));
        // s moves ahead of c (a, s, b, c, y and a, b, s, c, y have the same
        // peak; the first holds less in all).
        QCOMPARE(executedNames(*aware), (std::vector<std::string>{"a", "s", "b", "c", "y"}));
        QCOMPARE(aware->executionOrder().nodesMoved, 3);
        QVERIFY(aware->executionOrder().peakBytes < aware->executionOrder().fileOrderPeakBytes);
        QCOMPARE(file->executionOrder().nodesMoved, 0);

        // File order: a, b and c alive at c. Memory-aware: never more than
        // two of the 4000-byte tensors plus s's 4 bytes.
        const RunStats a = secondRun(*aware), f = secondRun(*file);
        QCOMPARE(f.peakActivationBytes, 3 * kTensor);
        QCOMPARE(a.peakActivationBytes, 2 * kTensor + sizeof(float));
        QCOMPARE(a.allocations, f.allocations);
        QCOMPARE(aware->output("y").value().bytes, file->output("y").value().bytes);
    }

    void theFileOrderStaysWhenNothingLowersThePeak() {
        GraphBuilder b("chain", 13);
        b.input("x", DataType::Float, {1, 1000});
        auto a = b.op("Relu", {"x"}, {}, "a");
        auto c = b.op("Sigmoid", {a}, {}, "c");
        b.output(c, DataType::Float, {1, 1000});
        auto session = makeSession(loadModelFromBytes(b.serialize(), ".").take(), "reduce");
        QCOMPARE(session->executionOrder().nodesMoved, 0);
        QCOMPARE(session->executionOrder().peakBytes, session->executionOrder().fileOrderPeakBytes);
        QCOMPARE(executedNames(*session), (std::vector<std::string>{"a", "c"}));
    }

    // On U^2-Net-P the side-output convolutions read the decoder stage
    // outputs that the file's order keeps alive through the 320^2 decoder
    // stage; moved, they are gone by the peak (but the 160^2 one, which
    // the peak's node, the upsample into the 50 MiB Concat, reads).
    void u2netpSideOutputsLeaveThePeakWithTheSameOutputs() {
        auto bytes = buildZooModel("u2netp");
        QVERIFY(bytes.ok());
        auto aware = makeSession(loadModelFromBytes(bytes.value(), ".").take(), "reduce");
        auto file = makeSession(loadModelFromBytes(bytes.value(), ".").take(), "reduce", false);
        const Session::ExecutionOrder order = aware->executionOrder();
        QVERIFY(order.nodesMoved > 0);
        QVERIFY2(order.fileOrderPeakBytes - order.peakBytes >= 2 * 1024 * 1024,
                 qPrintable(QString("%1 -> %2").arg(order.fileOrderPeakBytes).arg(order.peakBytes)));
        const RunStats a = secondRun(*aware), f = secondRun(*file);
        QVERIFY(a.peakActivationBytes < f.peakActivationBytes);

        const auto fileMap = file->memoryMap();
        const LivePeak filePeak = peakOfLiveTensors(fileMap);
        bool stageOutputAtFilePeak = false;
        for (std::size_t i : filePeak.tensors) stageOutputAtFilePeak |= fileMap[i].name == "stage3d/add";
        QVERIFY(stageOutputAtFilePeak);
        const auto awareMap = aware->memoryMap();
        const LivePeak awarePeak = peakOfLiveTensors(awareMap);
        QVERIFY(awarePeak.bytes < filePeak.bytes);
        for (std::size_t i : awarePeak.tensors) QVERIFY(awareMap[i].name != "stage3d/add");

        for (const auto& name : aware->outputNames())
            QVERIFY2(aware->output(name).value().bytes == file->output(name).value().bytes, name.c_str());
    }

    // A Concat host's bytes are held from its first in-place member on;
    // members are not listed apart; the same bytes reused later in an
    // arena (disjoint lifetimes) are not membership.
    void livePeakCountsAConcatHostFromItsFirstMember() {
        std::vector<TensorPlacement> map = {
            placement("c", 2, 3, 8000, 0, 0),                                           // the Concat's output
            placement("a", 0, 2, 4000, 0, 0),                                           // written in place
            placement("b", 1, 2, 4000, 0, 4000),                                        // written in place
            placement("x", 0, 1, 1000, 1, 0),    placement("later", 5, 6, 2000, 0, 0),  // arena reuse of c's bytes
        };
        const LivePeak peak = peakOfLiveTensors(map);
        QCOMPARE(peak.step, 0);
        QCOMPARE(peak.bytes, std::size_t(9000));
        QCOMPARE(peak.tensors, (std::vector<std::size_t>{0, 3}));
        map[3].bytes = 10;
        const LivePeak later = peakOfLiveTensors(map);
        QCOMPARE(later.bytes, std::size_t(8010));
        QCOMPARE(peakOfLiveTensors({}).step, -1);
    }
};

QTEST_GUILESS_MAIN(ExecutionOrderTest)
#include "test_execution_order.moc"
