// The selection ops (TopK, NonZero, Unique, Compress, MaxUnpool,
// NonMaxSuppression, RoiAlign, GridSample) on hand-built models: what the ONNX backend data leaves out.
// Outputs sized by input values resolve per run from the run's inputs (and
// change size between runs), and fail with a clear message when the values
// only exist during the run; bad k and bad modes are refused by name.
#include <QtTest>
#include <cmath>
#include <limits>
#include <map>

#include "interstage/builder.h"
#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

namespace {

// The status of creating a session on the model and running it once.
Status createAndRun(const GraphBuilder& builder, const std::map<std::string, TensorData>& inputs,
                    std::unique_ptr<Session>* kept = nullptr) {
    auto session = Session::create(testsupport::builtModel(builder));
    if (!session.ok()) return session.status();
    Status status = session.value()->run(inputs);
    if (kept) *kept = session.take();
    return status;
}

std::vector<int64_t> ints(const TensorData& t) {
    return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.elementCount());
}
std::vector<float> floats(const TensorData& t) {
    return std::vector<float>(t.data<float>(), t.data<float>() + t.elementCount());
}

TensorData output(const Session& session, const std::string& name) {
    auto out = session.output(name);
    if (!out.ok()) qFatal("%s", out.status().toString().c_str());
    return out.take();
}

}  // namespace

class SelectOpsTest : public QObject {
    Q_OBJECT

private slots:
    // NonZero of a graph input: the output shape follows each run's values.
    void nonZeroResizesPerRun() {
        GraphBuilder g("nonzero", 13);
        g.input("x", DataType::Float, {2, 3});
        g.op("NonZero", {"x"}, {}, "nz");
        g.output("nz", DataType::Int64);
        std::unique_ptr<Session> session;
        Status status = createAndRun(g, {{"x", TensorData::fromFloat({0, 2, 0, 3, 0, 4}, {2, 3})}}, &session);
        QVERIFY2(status.isOk(), status.toString().c_str());
        TensorData nz = output(*session, "nz");
        QCOMPARE(nz.shape, (Shape{2, 3}));
        QCOMPARE(ints(nz), (std::vector<int64_t>{0, 1, 1, 1, 0, 2}));
        status = session->run({{"x", TensorData::fromFloat({1, 0, 0, 0, 0, 0}, {2, 3})}});
        QVERIFY2(status.isOk(), status.toString().c_str());
        nz = output(*session, "nz");
        QCOMPARE(nz.shape, (Shape{2, 1}));
        QCOMPARE(ints(nz), (std::vector<int64_t>{0, 0}));
    }

    // NonZero of a tensor computed during the run cannot be sized before
    // it: the error says so instead of guessing.
    void nonZeroOfComputedValueIsRefused() {
        GraphBuilder g("nonzero_computed", 13);
        g.input("x", DataType::Float, {2, 3});
        const std::string s = g.op("Sigmoid", {"x"}, {}, "s");
        g.op("NonZero", {s}, {}, "nz");
        g.output("nz", DataType::Int64);
        const Status status = createAndRun(g, {{"x", TensorData::fromFloat({0, 1, 2, 3, 4, 5}, {2, 3})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("only known at run time") != std::string::npos, status.toString().c_str());
        QVERIFY2(status.message().find("NonZero") != std::string::npos, status.toString().c_str());
    }

    // Unique of a computed tensor: the same clear refusal.
    void uniqueOfComputedValueIsRefused() {
        GraphBuilder g("unique_computed", 13);
        g.input("x", DataType::Float, {4});
        const std::string r = g.op("Sigmoid", {"x"}, {}, "s");
        g.node("Unique", {r}, {}, 4, "u");
        g.output("u_out0");
        const Status status = createAndRun(g, {{"x", TensorData::fromFloat({1, 1, 2, 3}, {4})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("only known at run time") != std::string::npos, status.toString().c_str());
    }

    // Unsorted Unique keeps first-occurrence order; counts and inverse agree.
    void uniqueUnsorted() {
        GraphBuilder g("unique", 13);
        g.input("x", DataType::Float, {7});
        g.node("Unique", {"x"}, {intAttr("sorted", 0)}, 4, "u");
        for (int i = 0; i < 4; ++i) g.output("u_out" + std::to_string(i), i == 0 ? DataType::Float : DataType::Int64);
        std::unique_ptr<Session> session;
        Status status = createAndRun(g, {{"x", TensorData::fromFloat({3, 1, 3, 2, 1, 3, 5}, {7})}}, &session);
        QVERIFY2(status.isOk(), status.toString().c_str());
        QCOMPARE(floats(output(*session, "u_out0")), (std::vector<float>{3, 1, 2, 5}));
        QCOMPARE(ints(output(*session, "u_out1")), (std::vector<int64_t>{0, 1, 3, 6}));
        QCOMPARE(ints(output(*session, "u_out2")), (std::vector<int64_t>{0, 1, 0, 2, 1, 0, 3}));
        QCOMPARE(ints(output(*session, "u_out3")), (std::vector<int64_t>{3, 2, 1, 1}));
    }

    // TopK with k beyond the axis is refused, naming k and the axis size.
    void topKOutOfRangeK() {
        GraphBuilder g("topk_bad_k", 13);
        g.input("x", DataType::Float, {2, 4});
        const std::string k = g.initializer("k", TensorData::fromInt64({5}, {1}));
        g.node("TopK", {"x", k}, {}, 2, "top");
        g.output("top_out0");
        g.output("top_out1", DataType::Int64);
        const Status status = createAndRun(g, {{"x", TensorData::fromFloat({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("k = 5") != std::string::npos, status.toString().c_str());
        QVERIFY2(status.message().find("[0, 4]") != std::string::npos, status.toString().c_str());
    }

    // Smallest-first TopK along axis 0 with ties: the lower index wins.
    void topKSmallestWithTies() {
        GraphBuilder g("topk", 13);
        g.input("x", DataType::Float, {4, 2});
        const std::string k = g.initializer("k", TensorData::fromInt64({3}, {1}));
        g.node("TopK", {"x", k}, {intAttr("axis", 0), intAttr("largest", 0)}, 2, "top");
        g.output("top_out0");
        g.output("top_out1", DataType::Int64);
        std::unique_ptr<Session> session;
        // Column 0: 2, 1, 1, 0; column 1: 5, 5, 4, 6.
        Status status = createAndRun(g, {{"x", TensorData::fromFloat({2, 5, 1, 5, 1, 4, 0, 6}, {4, 2})}}, &session);
        QVERIFY2(status.isOk(), status.toString().c_str());
        QCOMPARE(floats(output(*session, "top_out0")), (std::vector<float>{0, 4, 1, 5, 1, 5}));
        QCOMPARE(ints(output(*session, "top_out1")), (std::vector<int64_t>{3, 2, 1, 0, 2, 1}));
    }

    // A mode GridSample does not have is refused by name.
    void gridSampleBadMode() {
        GraphBuilder g("gridsample_bad", 16);
        g.input("x", DataType::Float, {1, 1, 2, 2});
        g.input("grid", DataType::Float, {1, 1, 1, 2});
        g.op("GridSample", {"x", "grid"}, {stringAttr("mode", "trilinear")}, "y");
        g.output("y");
        const Status status = createAndRun(g, {{"x", TensorData::fromFloat({1, 2, 3, 4}, {1, 1, 2, 2})},
                                               {"grid", TensorData::fromFloat({0, 0}, {1, 1, 1, 2})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("'trilinear'") != std::string::npos, status.toString().c_str());
        QVERIFY2(status.message().find("GridSample") != std::string::npos, status.toString().c_str());
    }

    // Bilinear GridSample at the centre of a 2x2 image averages it; a point
    // outside reads zeros, border padding clamps it to the nearest pixel.
    void gridSamplePadding() {
        for (const std::string padding : {"zeros", "border"}) {
            GraphBuilder g("gridsample", 16);
            g.input("x", DataType::Float, {1, 1, 2, 2});
            g.input("grid", DataType::Float, {1, 1, 2, 2});
            g.op("GridSample", {"x", "grid"}, {stringAttr("padding_mode", padding), intAttr("align_corners", 1)}, "y");
            g.output("y");
            std::unique_ptr<Session> session;
            const Status status = createAndRun(g,
                                               {{"x", TensorData::fromFloat({1, 2, 3, 4}, {1, 1, 2, 2})},
                                                {"grid", TensorData::fromFloat({0, 0, 3, 3}, {1, 1, 2, 2})}},
                                               &session);
            QVERIFY2(status.isOk(), status.toString().c_str());
            const std::vector<float> y = floats(output(*session, "y"));
            QCOMPARE(y[0], 2.5f);
            QCOMPARE(y[1], padding == "zeros" ? 0.f : 4.f);
        }
    }

    // Scores beyond the fold limit (65536 elements) still size the output
    // from the run's values; disjoint boxes are all kept up to the limit,
    // best scores first.
    void nonMaxSuppressionOnLargeScores() {
        const int64_t boxes = 40000, classes = 2;
        GraphBuilder g("nms", 11);
        g.input("boxes", DataType::Float, {1, boxes, 4});
        g.input("scores", DataType::Float, {1, classes, boxes});
        const std::string maxOut = g.initializer("max_out", TensorData::fromInt64({3}, {1}));
        const std::string iou = g.initializer("iou", TensorData::fromFloat({0.5f}, {1}));
        g.op("NonMaxSuppression", {"boxes", "scores", maxOut, iou}, {}, "sel");
        g.output("sel", DataType::Int64);
        std::vector<float> box(static_cast<size_t>(boxes * 4)), score(static_cast<size_t>(classes * boxes));
        for (int64_t i = 0; i < boxes; ++i) {
            const float x = static_cast<float>(i * 2);  // unit boxes two apart never overlap
            box[size_t(i * 4)] = 0, box[size_t(i * 4 + 1)] = x, box[size_t(i * 4 + 2)] = 1,
                           box[size_t(i * 4 + 3)] = x + 1;
            score[size_t(i)] = static_cast<float>(i % 1000) / 1000.f;  // class 0: best at 999, 1999, ...
            score[size_t(boxes + i)] = static_cast<float>((boxes - i) % 997) / 997.f;  // class 1
        }
        std::unique_ptr<Session> session;
        const Status status = createAndRun(g,
                                           {{"boxes", TensorData::fromFloat(box, {1, boxes, 4})},
                                            {"scores", TensorData::fromFloat(score, {1, classes, boxes})}},
                                           &session);
        QVERIFY2(status.isOk(), status.toString().c_str());
        const TensorData sel = output(*session, "sel");
        QCOMPARE(sel.shape, (Shape{6, 3}));
        // Equal scores keep the lower box index first.
        QCOMPARE(ints(sel), (std::vector<int64_t>{0, 0, 999, 0, 0, 1999, 0, 0, 2999,  //
                                                  0, 1, 121, 0, 1, 1118, 0, 1, 2115}));
    }
    // Compress by a condition computed during the run: refused clearly.
    void compressByComputedConditionIsRefused() {
        GraphBuilder g("compress_computed", 13);
        g.input("x", DataType::Float, {4});
        g.input("a", DataType::Float, {4});
        // Sigmoid does not fold, so the condition only exists during the run.
        const std::string half = g.initializer("half", TensorData::fromFloat({0.5f}, {1}));
        const std::string condition = g.op("Greater", {g.op("Sigmoid", {"a"}, {}, "s"), half}, {}, "cond");
        g.op("Compress", {"x", condition}, {intAttr("axis", 0)}, "y");
        g.output("y");
        const Status status = createAndRun(
            g, {{"x", TensorData::fromFloat({1, 2, 3, 4}, {4})}, {"a", TensorData::fromFloat({1, -1, 1, -1}, {4})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("only known at run time") != std::string::npos, status.toString().c_str());
    }

    // A MaxUnpool index past the unpooled tensor is refused, not written.
    void maxUnpoolIndexOutOfRange() {
        GraphBuilder g("maxunpool_bad", 11);
        g.input("x", DataType::Float, {1, 1, 1, 2});
        g.input("i", DataType::Int64, {1, 1, 1, 2});
        g.op("MaxUnpool", {"x", "i"}, {intsAttr("kernel_shape", {2, 2}), intsAttr("strides", {2, 2})}, "y");
        g.output("y");
        const Status status = createAndRun(g, {{"x", TensorData::fromFloat({1, 2}, {1, 1, 1, 2})},
                                               {"i", TensorData::fromInt64({0, 8}, {1, 1, 1, 2})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("outside the unpooled shape") != std::string::npos, status.toString().c_str());
    }

    // RoiAlign on the ramp X[y][x] = x + 10 y: averaging bilinear samples of
    // a linear function gives its value at each bin's centre. Max mode takes
    // the largest weighted corner of each sample (ONNX's definition), which
    // for bin (0, 0) is 0.5625 * X[1][1] = 6.1875 at sample (0.75, 0.75).
    void roiAlignAvgAndMax() {
        for (const std::string mode : {"avg", "max"}) {
            GraphBuilder g("roialign", 16);
            g.input("x", DataType::Float, {1, 1, 4, 4});
            g.input("rois", DataType::Float, {1, 4});
            g.input("batch", DataType::Int64, {1});
            g.op("RoiAlign", {"x", "rois", "batch"},
                 {stringAttr("mode", mode), intAttr("output_height", 2), intAttr("output_width", 2),
                  intAttr("sampling_ratio", 2)},
                 "y");
            g.output("y");
            std::vector<float> ramp(16);
            for (int i = 0; i < 16; ++i) ramp[size_t(i)] = static_cast<float>(i % 4 + 10 * (i / 4));
            std::unique_ptr<Session> session;
            const Status status = createAndRun(g,
                                               {{"x", TensorData::fromFloat(ramp, {1, 1, 4, 4})},
                                                {"rois", TensorData::fromFloat({0.5f, 0.5f, 2.5f, 2.5f}, {1, 4})},
                                                {"batch", TensorData::fromInt64({0}, {1})}},
                                               &session);
            QVERIFY2(status.isOk(), status.toString().c_str());
            const std::vector<float> y = floats(output(*session, "y"));
            if (mode == "avg")
                QCOMPARE(y, (std::vector<float>{5.5f, 6.5f, 15.5f, 16.5f}));
            else
                QCOMPARE(y[0], 6.1875f);
        }
    }
    // Opset 20 GridSample on a 5-D volume, the ramp X[z][y][x] = x + 10 y +
    // 100 z: trilinear sampling of a linear function is exact, and nearest
    // rounds half to even (as ONNX's reference).
    void gridSampleVolume() {
        for (const std::string mode : {"linear", "nearest"}) {
            GraphBuilder g("gridsample_3d", 20);
            g.input("x", DataType::Float, {1, 1, 3, 3, 3});
            g.input("grid", DataType::Float, {1, 1, 1, 2, 3});
            g.op("GridSample", {"x", "grid"}, {stringAttr("mode", mode), intAttr("align_corners", 1)}, "y");
            g.output("y");
            std::vector<float> ramp(27);
            for (int i = 0; i < 27; ++i) ramp[size_t(i)] = static_cast<float>(i % 3 + 10 * (i / 3 % 3) + 100 * (i / 9));
            // Normalized (x, y, z): pixel (0.5, 1, 1.5) and (1.25, 0, 2).
            const std::vector<float> grid{-0.5f, 0.f, 0.5f, 0.25f, -1.f, 1.f};
            std::unique_ptr<Session> session;
            const Status status = createAndRun(g,
                                               {{"x", TensorData::fromFloat(ramp, {1, 1, 3, 3, 3})},
                                                {"grid", TensorData::fromFloat(grid, {1, 1, 1, 2, 3})}},
                                               &session);
            QVERIFY2(status.isOk(), status.toString().c_str());
            const std::vector<float> y = floats(output(*session, "y"));
            if (mode == "linear")
                QCOMPARE(y, (std::vector<float>{160.5f, 201.25f}));
            else
                QCOMPARE(y, (std::vector<float>{210.f, 201.f}));
        }
    }
    // A roi too large to sample adaptively (sampling_ratio 0 would take
    // 1e15 samples) and a batch index past X's batch are refused by name.
    void roiAlignHostileRois() {
        GraphBuilder g("roialign_bad", 16);
        g.input("x", DataType::Float, {1, 1, 4, 4});
        g.input("rois", DataType::Float, {1, 4});
        g.input("batch", DataType::Int64, {1});
        g.op("RoiAlign", {"x", "rois", "batch"}, {}, "y");
        g.output("y");
        const TensorData x = TensorData::zeros(DataType::Float, {1, 1, 4, 4});
        Status status = createAndRun(g, {{"x", x},
                                         {"rois", TensorData::fromFloat({0, 0, 1e15f, 1e15f}, {1, 4})},
                                         {"batch", TensorData::fromInt64({0}, {1})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("too large") != std::string::npos, status.toString().c_str());
        status = createAndRun(g, {{"x", x},
                                  {"rois", TensorData::fromFloat({0, 0, 1, 1}, {1, 4})},
                                  {"batch", TensorData::fromInt64({1}, {1})}});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("batch index 1") != std::string::npos, status.toString().c_str());
    }
    // Sorted Unique with NaNs: they sort last, each its own value, and the
    // sort stays well-defined (a NaN breaks a plain < ordering).
    void uniqueSortedWithNaN() {
        GraphBuilder g("unique_nan", 13);
        g.input("x", DataType::Float, {5});
        g.node("Unique", {"x"}, {}, 4, "u");
        for (int i = 0; i < 4; ++i) g.output("u_out" + std::to_string(i), i == 0 ? DataType::Float : DataType::Int64);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::unique_ptr<Session> session;
        const Status status = createAndRun(g, {{"x", TensorData::fromFloat({nan, 1, nan, 0, 1}, {5})}}, &session);
        QVERIFY2(status.isOk(), status.toString().c_str());
        const std::vector<float> y = floats(output(*session, "u_out0"));
        QCOMPARE(y.size(), size_t(4));
        QCOMPARE(y[0], 0.f);
        QCOMPARE(y[1], 1.f);
        QVERIFY(std::isnan(y[2]) && std::isnan(y[3]));
        QCOMPARE(ints(output(*session, "u_out3")), (std::vector<int64_t>{1, 2, 1, 1}));
        QCOMPARE(ints(output(*session, "u_out2")), (std::vector<int64_t>{2, 1, 3, 0, 1}));
    }
};

QTEST_GUILESS_MAIN(SelectOpsTest)
#include "test_select_ops.moc"
