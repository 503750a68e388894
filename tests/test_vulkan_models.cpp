// The zoo models and the PP-OCR models end to end on Vulkan (lavapipe in
// CI): VulkanExecutor on the CPU session's executed graph, in several
// memory plans, must match the CPU session's outputs (rtol 1e-3) with no
// validation errors, and every plan must give the same bits; reduce must
// allocate and free device memory on every run, default only once.
#include <QTest>
#include <cstring>
#include <fstream>
#include <sstream>

#include "interstage/zoo.h"
#include "test_support.h"
#include "test_vulkan_common.h"

using namespace interstage;

namespace {

std::string ocrModelPath(const QString& file) { return testsupport::modelsDir() + "/ocr/" + file.toStdString(); }

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

void expectClose(const Session& cpu, const vktest::GpuRun& gpu) {
    for (const auto& [name, actual] : gpu.outputs) {
        auto expected = cpu.output(name);
        QVERIFY2(expected.ok(), expected.status().toString().c_str());
        auto c = vktest::compare(expected.value(), actual, 1e-3, 1e-4);
        QVERIFY2(c.bad == 0, (name + ": " + std::to_string(c.bad) + " of " + std::to_string(c.count) +
                              " differ (max abs " + std::to_string(c.maxAbs) + "); " + c.first)
                                 .c_str());
    }
    if (gpu.validationEnabled) QVERIFY2(gpu.validationErrors == 0, gpu.validationMessage.c_str());
}

}  // namespace

class TestVulkanModels : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        vktest::enableValidation();
        std::string why;
        if (!vktest::haveVulkan(why)) QSKIP(why.c_str());
    }

    void devicesAreListed() {
        auto devices = listVulkanDevices();
        QVERIFY2(devices.ok(), devices.status().toString().c_str());
        QVERIFY(!devices->empty());
        for (const auto& d : devices.value()) {
            QVERIFY(!d.name.empty());
            QVERIFY(!d.heapBytes.empty());
            QVERIFY(vulkanVersionString(d.apiVersion).rfind("1.", 0) == 0);
        }
    }

    void zooModel_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("mode");
        // Small inputs: lavapipe runs the shaders on two shared CPU cores.
        for (const char* mode : {"default", "reduce", "arena", "reuse"}) {
            QTest::newRow((std::string("resnet ") + mode).c_str()) << "resnet"
                                                                   << "1x3x64x64" << mode;
            QTest::newRow((std::string("mobilenetv2 ") + mode).c_str()) << "mobilenetv2"
                                                                        << "1x3x64x64" << mode;
            QTest::newRow((std::string("u2netp ") + mode).c_str()) << "u2netp"
                                                                   << "1x3x64x64" << mode;
        }
    }
    void zooModel() {
        QFETCH(QString, model);
        QFETCH(QString, shape);
        QFETCH(QString, mode);
        auto bytes = buildZooModel(model.toStdString());
        QVERIFY2(bytes.ok(), bytes.status().toString().c_str());
        auto session = vktest::cpuSession(bytes.value(), parseShape(shape.toStdString()).value());
        QVERIFY2(session.ok(), session.status().toString().c_str());
        auto parsed = MemoryMode::parse(mode.toStdString());
        QVERIFY(parsed.ok());
        auto gpu = vktest::runOnVulkan(*session.value(), parsed.value(), 2);
        QVERIFY2(gpu.ok(), gpu.status().toString().c_str());
        QCOMPARE(gpu->fallbackTransfers, 0);
        for (const auto& [name, actual] : gpu->outputs) {
            auto expected = session.value()->output(name);
            QVERIFY2(expected.ok(), expected.status().toString().c_str());
            auto c = vktest::compare(expected.value(), actual, 1e-3, 1e-4);
            QVERIFY2(c.bad == 0, (name + ": " + std::to_string(c.bad) + " of " + std::to_string(c.count) +
                                  " differ (max abs " + std::to_string(c.maxAbs) + "); " + c.first)
                                     .c_str());
        }
        if (gpu->validationEnabled) QVERIFY2(gpu->validationErrors == 0, gpu->validationMessage.c_str());
        // The second run: reduce allocates device memory around lifetimes
        // again; the persistent plans allocate nothing.
        if (mode == "reduce")
            QVERIFY(gpu->runAllocations > 10);
        else if (mode == "default" || mode == "arena" || mode == "reuse")
            QCOMPARE(gpu->runAllocations, 0);
        QVERIFY(!gpu->timings.empty());
        QVERIFY(gpu->gpuPeak > 0);
    }

    // The real trained models the issue names: PP-OCRv4 det and the PP-OCR
    // direction classifier (and the recognizer), on small inputs, entirely
    // on the device.
    void ocrModel_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("shape");
        QTest::newRow("ppocr-det") << "ch_PP-OCRv4_det_infer.onnx"
                                   << "1x3x160x160";
        QTest::newRow("ppocr-cls") << "ch_ppocr_mobile_v2.0_cls_infer.onnx"
                                   << "1x3x48x192";
        QTest::newRow("ppocr-rec") << "ch_PP-OCRv4_rec_infer.onnx"
                                   << "1x3x48x160";
    }
    void ocrModel() {
        QFETCH(QString, file);
        QFETCH(QString, shape);
        const std::string path = ocrModelPath(file);
        if (!testsupport::fileExists(path)) QSKIP("model not fetched; run scripts/setup.sh");
        auto session = vktest::cpuSession(readBytes(path), parseShape(shape.toStdString()).value());
        QVERIFY2(session.ok(), session.status().toString().c_str());
        auto gpu = vktest::runOnVulkan(*session.value(), MemoryMode{}, 1);
        QVERIFY2(gpu.ok(), gpu.status().toString().c_str());
        expectClose(*session.value(), gpu.value());
        // Every op of the three has a shader for these inputs.
        QVERIFY2(gpu->fallbackTransfers == 0, ("ran on the CPU: " + gpu->fallbackNodes).c_str());
    }

    // PP-OCRv4 det on a page-like input: dark strokes in rows on a light
    // page. The default ramp input gives a probability map of zeros, which
    // any kernel would match; this one must light up text regions.
    void ppocrDetOnAPage() {
        const std::string path = ocrModelPath("ch_PP-OCRv4_det_infer.onnx");
        if (!testsupport::fileExists(path)) QSKIP("model not fetched; run scripts/setup.sh");
        const Shape shape{1, 3, 96, 128};
        TensorData page = TensorData::zeros(DataType::Float, shape);
        float* p = page.data<float>();
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < shape[2]; ++y)
                for (int64_t x = 0; x < shape[3]; ++x) {
                    const bool stroke =
                        y % 32 >= 10 && y % 32 < 22 && x % 20 >= 3 && x % 20 < 15 && (x + 3 * y) % 7 != 0;
                    p[(c * shape[2] + y) * shape[3] + x] = stroke ? -1.8f : 1.9f;
                }
        const std::map<std::string, TensorData> inputs{{"x", page}};
        auto session = vktest::cpuSession(readBytes(path), shape, inputs);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        auto gpu = vktest::runOnVulkan(*session.value(), MemoryMode{}, 1, inputs);
        QVERIFY2(gpu.ok(), gpu.status().toString().c_str());
        QVERIFY2(gpu->fallbackTransfers == 0, ("ran on the CPU: " + gpu->fallbackNodes).c_str());
        expectClose(*session.value(), gpu.value());
        for (const auto& [name, actual] : gpu->outputs) {
            int64_t text = 0;
            for (int64_t i = 0; i < actual.elementCount(); ++i) text += actual.doubleAt(i) > 0.3 ? 1 : 0;
            QVERIFY2(
                text > actual.elementCount() / 20 && text < actual.elementCount() * 19 / 20,
                (name + ": " + std::to_string(text) + " of " + std::to_string(actual.elementCount()) + " above 0.3")
                    .c_str());
        }
    }

    // Same shaders, same order: the memory plan only moves where tensors
    // live, so every mode must give the very same bits on the device too.
    void modesGiveIdenticalOutputs_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("u2netp") << "u2netp";
        QTest::newRow("ppocr-det") << "ch_PP-OCRv4_det_infer.onnx";
    }
    void modesGiveIdenticalOutputs() {
        QFETCH(QString, model);
        std::string bytes;
        Shape shape;
        if (model.endsWith(".onnx")) {
            if (!testsupport::fileExists(ocrModelPath(model))) QSKIP("model not fetched; run scripts/setup.sh");
            bytes = readBytes(ocrModelPath(model));
            shape = {1, 3, 96, 96};
        } else {
            auto built = buildZooModel(model.toStdString());
            QVERIFY(built.ok());
            bytes = built.value();
            shape = {1, 3, 64, 64};
        }
        auto session = vktest::cpuSession(bytes, shape);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        std::map<std::string, TensorData> first;
        for (const char* mode : {"default", "reduce", "reuse", "reduce+reuse", "arena"}) {
            auto gpu = vktest::runOnVulkan(*session.value(), MemoryMode::parse(mode).value(), 2);
            QVERIFY2(gpu.ok(), gpu.status().toString().c_str());
            if (first.empty()) {
                first = gpu->outputs;
                continue;
            }
            for (const auto& [name, t] : gpu->outputs) {
                QCOMPARE(t.shape, first[name].shape);
                QVERIFY2(t.bytes == first[name].bytes,
                         qPrintable(QString("%1: %2 differs from default").arg(QString::fromStdString(name), mode)));
            }
        }
    }

    // The suites run with validation on when the layer is installed, so a
    // pass means zero validation errors, not an unchecked run.
    void validationIsOn() {
        auto bytes = buildZooModel("resnet");
        QVERIFY(bytes.ok());
        auto session = vktest::cpuSession(bytes.value(), {1, 3, 32, 32});
        QVERIFY(session.ok());
        auto gpu = vktest::runOnVulkan(*session.value(), MemoryMode{});
        QVERIFY2(gpu.ok(), gpu.status().toString().c_str());
        if (!gpu->validationEnabled) QSKIP("VK_LAYER_KHRONOS_validation is not installed or validation is off");
        QCOMPARE(gpu->validationErrors, 0);
    }
};

QTEST_GUILESS_MAIN(TestVulkanModels)
#include "test_vulkan_models.moc"
