// Real and zoo models end to end on the CPU backend, against outputs that
// ONNX Runtime computed for the same input (bench/make_expected.mjs stores
// them as strided samples plus sums in tests/data/expected/).
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <cmath>

#include "interstage/session.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-4;

// The same patterns as bench/make_expected.mjs.
TensorData makeInput(const Shape& dims, const QString& pattern) {
    if (pattern != "page") return defaultInput(DataType::Float, dims);
    TensorData t = TensorData::zeros(DataType::Float, dims);
    const int64_t planes = dims[0] * dims[1], h = dims[2], w = dims[3];
    float* p = t.data<float>();
    for (int64_t b = 0; b < planes; ++b)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x) {
                const bool inLine = y % 40 >= 12 && y % 40 < 28;
                const bool inGlyph = x % 24 >= 4 && x % 24 < 18 && (x * 7 + y) % 5 != 0;
                p[(b * h + y) * w + x] = inLine && inGlyph ? -1.8f : 1.9f;
            }
    return t;
}

std::string modelPath(const QString& name) {
    if (name == "ppocr-det") return testsupport::modelsDir() + "/ocr/ch_PP-OCRv4_det_infer.onnx";
    if (name == "ppocr-rec") return testsupport::modelsDir() + "/ocr/ch_PP-OCRv4_rec_infer.onnx";
    if (name == "ppocr-cls") return testsupport::modelsDir() + "/ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx";
    return {};
}

}  // namespace

class ModelsTest : public QObject {
    Q_OBJECT
private slots:
    void matchesOnnxRuntime_data() {
        QTest::addColumn<QString>("name");
        for (const char* name : {"u2netp", "resnet", "mobilenetv2", "inception", "blazeface", "ppocr-det", "ppocr-rec",
                                 "ppocr-cls", "transformer", "vit"})
            QTest::newRow(name) << QString(name);
    }
    void matchesOnnxRuntime() {
        QFETCH(QString, name);
        QFile file(QString(INTERSTAGE_SOURCE_DIR) + "/tests/data/expected/" + name + ".json");
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(file.readAll()).object();

        Result<Model> model = Status();
        const std::string path = modelPath(name);
        if (path.empty()) {
            auto bytes = buildZooModel(name.toStdString());
            QVERIFY(bytes.ok());
            model = loadModelFromBytes(bytes.value(), ".");
        } else {
            if (!testsupport::fileExists(path)) QSKIP("model not fetched; run scripts/setup.sh");
            model = loadModel(path);
        }
        QVERIFY2(model.ok(), model.status().toString().c_str());
        const Model loaded = model.value();

        // "input", or "inputs" for models with several.
        const QJsonArray described =
            doc.contains("inputs") ? doc["inputs"].toArray() : QJsonArray{doc["input"].toObject()};
        SessionOptions options;
        options.threads = 2;
        std::map<std::string, TensorData> inputs;
        for (const auto& entry : described) {
            const QJsonObject input = entry.toObject();
            Shape dims;
            for (const auto& d : input["shape"].toArray()) dims.push_back(d.toInteger());
            const std::string inputName = input["name"].toString().toStdString();
            options.inputShapes[inputName] = dims;
            inputs[inputName] = makeInput(dims, input["pattern"].toString());
        }
        auto session = Session::create(model.take(), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        Status ran = session.value()->run(inputs);
        QVERIFY2(ran.isOk(), ran.toString().c_str());

        for (const auto& entry : doc["outputs"].toArray()) {
            const QJsonObject expected = entry.toObject();
            auto got = session.value()->output(expected["name"].toString().toStdString());
            QVERIFY2(got.ok(), got.status().toString().c_str());
            Shape shape;
            for (const auto& d : expected["shape"].toArray()) shape.push_back(d.toInteger());
            QCOMPARE(got->shape, shape);
            const float* values = got->data<float>();
            const int64_t count = got->elementCount();
            const QJsonArray samples = expected["samples"].toArray();
            const int64_t k = samples.size();
            int bad = 0;
            QString first;
            for (int64_t i = 0; i < k; ++i) {
                const double e = samples[i].toDouble();
                const double g = values[(i * count) / k];
                if (std::abs(g - e) > kAtol + kRtol * std::abs(e) && bad++ == 0)
                    first = QString("sample %1: got %2, expected %3").arg(i).arg(g).arg(e);
            }
            QVERIFY2(bad == 0, qPrintable(QString("%1 of %2 samples of '%3' differ; %4")
                                              .arg(bad)
                                              .arg(k)
                                              .arg(expected["name"].toString(), first)));
            double sum = 0;
            for (int64_t i = 0; i < count; ++i) sum += values[i];
            const double expectedSum = expected["sum"].toDouble();
            QVERIFY2(std::abs(sum - expectedSum) <= 1e-3 * expected["abs_sum"].toDouble() + 1e-3,
                     qPrintable(QString("sum %1, expected %2").arg(sum).arg(expectedSum)));
        }

        // The planning modes write tensors in place, over dying inputs and
        // into Concats, and move pages: the outputs stay the same bits.
        // (reduce+reuse: the zoo models in test_memory_modes.)
        for (const char* mode : {"reduce", "arena"}) {
            SessionOptions planned = options;
            planned.mode = MemoryMode::parse(mode).value();
            auto other = Session::create(loaded, planned);
            QVERIFY2(other.ok(), other.status().toString().c_str());
            QVERIFY(other.value()->run(inputs).isOk());
            QVERIFY(other.value()->run(inputs).isOk());  // a steady run
            for (const std::string& output : session.value()->outputNames())
                QVERIFY2(other.value()->output(output).value().bytes == session.value()->output(output).value().bytes,
                         qPrintable(QString("%1: output '%2' differs from default").arg(mode, output.c_str())));
        }
    }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "test_models.moc"
