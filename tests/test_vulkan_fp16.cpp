// fp16 storage (SessionOptions::gpuFp16) through the public Session API:
// the device holds half the activation bytes in every memory mode, the
// outputs stay within 1e-2 relative of the float32 run (U^2-Net-P at
// 64x64), CPU-fallback copies move half the bytes, and the option is
// refused clearly on the CPU backend and on a device without 16-bit
// storage buffers. The CLI: run --gpu-fp16 records it in --json and in the
// saved session; compare --gpu-fp16 adds the fp16 rows with their error.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdlib>

#include "cli_process.h"
#include "interstage/output_error.h"
#include "interstage/session.h"
#include "interstage/session_file.h"
#include "interstage/vulkan.h"
#include "interstage/zoo.h"
#include "test_support.h"
#include "test_vulkan_common.h"

using namespace interstage;

namespace {

struct Fp16Run {
    RunStats stats;
    std::map<std::string, TensorData> outputs;
    std::size_t weightBytes = 0;  // on the device: the graph's and the kernels' packed copies
};

Result<std::unique_ptr<Session>> u2netpSession(const std::string& mode, bool fp16) {
    auto bytes = buildZooModel("u2netp");
    if (!bytes.ok()) return bytes.status();
    SessionOptions options;
    options.backend = "vulkan";
    options.gpuFp16 = fp16;
    options.mode = MemoryMode::parse(mode).value();
    options.inputShapes["input"] = {1, 3, 64, 64};
    auto model = loadModelFromBytes(bytes.value(), ".");
    if (!model.ok()) return model.status();
    return Session::create(model.take(), options);
}

Result<Fp16Run> runU2netp(const std::string& mode, bool fp16) {
    auto session = u2netpSession(mode, fp16);
    if (!session.ok()) return session.status();
    Fp16Run run;
    IS_RETURN_IF_ERROR(session.value()->run({}, &run.stats));
    run.weightBytes = session.value()->weightBytes();
    for (const std::string& name : session.value()->outputNames()) {
        auto output = session.value()->output(name);
        if (!output.ok()) return output.status();
        run.outputs[name] = output.take();
    }
    return run;
}

}  // namespace

class VulkanFp16Test : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        std::string why;
        if (!vktest::haveVulkan(why)) QSKIP(why.c_str());
    }

    void u2netpHalvesActivations_data() {
        QTest::addColumn<QString>("mode");
        // A persistent plan and one that allocates around every lifetime.
        QTest::newRow("default") << "default";
        QTest::newRow("reduce") << "reduce";
    }
    void u2netpHalvesActivations() {
        QFETCH(QString, mode);
        auto full = runU2netp(mode.toStdString(), false);
        QVERIFY2(full.ok(), full.status().toString().c_str());
        auto half = runU2netp(mode.toStdString(), true);
        QVERIFY2(half.ok(), half.status().toString().c_str());
        const double ratio = double(half->stats.peakActivationBytes) / double(full->stats.peakActivationBytes);
        QVERIFY2(ratio <= 0.55, qPrintable(QString("activations fp16 / fp32 = %1").arg(ratio)));
        QVERIFY(ratio > 0.3);  // halved, not lost
        // The weights too, the convolutions' packed copies included.
        const double weights = double(half->weightBytes) / double(full->weightBytes);
        QVERIFY2(weights <= 0.55 && weights > 0.3, qPrintable(QString("weights fp16 / fp32 = %1").arg(weights)));
        QCOMPARE(half->outputs.size(), std::size_t(7));
        for (const auto& [name, reference] : full->outputs) {
            auto error = maxRelativeError(reference, half->outputs.at(name));
            QVERIFY2(error.ok(), error.status().toString().c_str());
            QVERIFY2(error.value() <= 1e-2, qPrintable(QString("%1: %2").arg(name.c_str()).arg(error.value())));
            QVERIFY(error.value() > 0);  // float16 rounding shows: the precision really changed
        }
    }

    // Relu's output comes down and Erf's goes up as float16 on the device:
    // half of float32's bytes cross.
    void fallbackCopiesMoveHalfTheBytes() {
        SessionOptions options;
        options.backend = "vulkan";
        options.gpuFp16 = true;
        auto session = Session::create(
            loadModelFromBytes(testsupport::chainWithoutVulkanShader().serialize(), ".").take(), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        RunStats stats;
        QVERIFY(session.value()->run({}, &stats).isOk());
        QCOMPARE(stats.fallbackTransfers, 2);
        QCOMPARE(stats.fallbackBytes, std::size_t(2 * 4 * 8 * 8 * 2));
    }

    void refusedOnTheCpuBackend() {
        SessionOptions options;
        options.gpuFp16 = true;
        auto session = Session::create(loadModelFromBytes(testsupport::tinyChain().serialize(), ".").take(), options);
        QCOMPARE(int(session.status().code()), int(StatusCode::InvalidArgument));
        QVERIFY2(session.status().message().find("for a Vulkan backend") != std::string::npos,
                 session.status().message().c_str());
    }

    // The device is made to hide storageBuffer16BitAccess: fp16 is refused
    // naming the feature, float32 still runs.
    void refusedWithout16BitStorage() {
        setenv("INTERSTAGE_VULKAN_NO_16BIT_STORAGE", "1", 1);
        SessionOptions options;
        options.backend = "vulkan";
        options.gpuFp16 = true;
        auto refused = Session::create(loadModelFromBytes(testsupport::tinyChain().serialize(), ".").take(), options);
        options.gpuFp16 = false;
        auto plain = Session::create(loadModelFromBytes(testsupport::tinyChain().serialize(), ".").take(), options);
        unsetenv("INTERSTAGE_VULKAN_NO_16BIT_STORAGE");
        QCOMPARE(int(refused.status().code()), int(StatusCode::Unsupported));
        QVERIFY2(refused.status().message().find("storageBuffer16BitAccess") != std::string::npos,
                 refused.status().message().c_str());
        QVERIFY2(plain.ok(), plain.status().toString().c_str());
        QVERIFY(plain.value()->run({}).isOk());
    }

    void cliRunRecordsFp16() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(
            testsupport::writeFile(dir, "chain.onnx", testsupport::chainWithoutVulkanShader().serialize()));
        const QString json = dir.filePath("run.json"), session = dir.filePath("run.interstage");
        auto run = testsupport::runCli(
            {"run", model, "--backend", "vulkan", "--gpu-fp16", "--json", json, "--session", session});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(file.readAll()).object().value("gpu_fp16").toBool(false), true);
        auto saved = readSessionFile(session.toStdString());
        QVERIFY2(saved.ok(), saved.status().toString().c_str());
        QVERIFY(saved->runSets.at(0).options.gpuFp16);
        QVERIFY(saved->runSets.at(0).label.find("fp16 storage") != std::string::npos);
        auto cpu = testsupport::runCli({"run", model, "--gpu-fp16"});
        QVERIFY(cpu.code != 0);
        QVERIFY2(cpu.err.contains("--backend vulkan"), qPrintable(cpu.err));
    }

    void cliCompareAddsFp16Rows() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(
            testsupport::writeFile(dir, "chain.onnx", testsupport::chainWithoutVulkanShader().serialize()));
        const QString json = dir.filePath("compare.json");
        auto compare = testsupport::runCli({"compare", model, "--backend", "vulkan", "--gpu-fp16", "--runs", "1",
                                            "--presets", "default,reduce", "--json", json});
        QVERIFY2(compare.code == 0, qPrintable(compare.err));
        QVERIFY2(compare.out.contains("default fp16") && compare.out.contains("fp16 error"), qPrintable(compare.out));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray modes = QJsonDocument::fromJson(file.readAll()).object().value("modes").toArray();
        QCOMPARE(modes.size(), 4);  // default, default fp16, reduce, reduce fp16
        for (int row = 0; row < modes.size(); ++row) {
            const QJsonObject mode = modes.at(row).toObject();
            const bool fp16 = row % 2 == 1;
            QCOMPARE(mode.value("gpu_fp16").toBool(false), fp16);
            QCOMPARE(mode.contains("max_relative_error"), fp16);
            if (!fp16) continue;
            const double error = mode.value("max_relative_error").toDouble(-1);
            QVERIFY2(error > 0 && error <= 1e-2, qPrintable(QString::number(error)));
            QVERIFY(mode.value("activation_to_float32").toDouble(1) <= 0.55);
        }
    }

    void maxRelativeErrorIsRelativeToTheLargest() {
        const TensorData reference = TensorData::fromFloat({2.f, -4.f, 0.f}, {3});
        auto error = maxRelativeError(reference, TensorData::fromFloat({2.f, -4.1f, 0.02f}, {3}));
        QVERIFY(error.ok());
        QVERIFY(std::abs(error.value() - 0.1 / 4) < 1e-6);
        QCOMPARE(maxRelativeError(reference, reference).value(), 0.0);
        QCOMPARE(int(maxRelativeError(reference, TensorData::fromFloat({1.f}, {1})).status().code()),
                 int(StatusCode::InvalidArgument));
    }
};

QTEST_GUILESS_MAIN(VulkanFp16Test)
#include "test_vulkan_fp16.moc"
