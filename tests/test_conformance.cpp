// The ONNX backend test data as the conformance suite of both backends:
// on the CPU every case whose ops all have a CPU kernel runs; on Vulkan
// (lavapipe here) every case whose ops all have a shader, or are control
// flow (If, Loop, Scan: CPU fallbacks with their bodies). Outputs must
// match the expected ones (rtol 1e-3, atol 1e-5). On Vulkan a kernel may
// still hand a variant it does not cover to the CPU: such cases are counted
// apart with the control flow, so the GPU's own coverage is visible.
// INTERSTAGE_CONFORMANCE_FILTER (a regex on the case name) narrows the run
// while working on one op.
#include <QRegularExpression>
#include <QtTest>
#include <cmath>
#include <filesystem>
#include <set>

#include "cpu/kernel.h"
#include "interstage/session.h"
#include "interstage/tensor_io.h"
#include "interstage/vulkan.h"
#include "ops/op_table.h"
#include "test_support.h"
#include "vulkan/vulkan_kernel.h"

using namespace interstage;
namespace fs = std::filesystem;

namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-5;

std::vector<fs::path> caseDirs() {
    std::vector<fs::path> dirs;
    for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
        fs::path root = fs::path(INTERSTAGE_TESTDATA_DIR) / suite;
        if (!fs::is_directory(root)) continue;
        for (const auto& entry : fs::directory_iterator(root))
            if (fs::is_regular_file(entry.path() / "model.onnx")) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
    std::vector<fs::path> files;
    for (int i = 0; fs::exists(dir / (prefix + "_" + std::to_string(i) + ".pb")); ++i)
        files.push_back(dir / (prefix + "_" + std::to_string(i) + ".pb"));
    return files;
}

// Empty when equal within tolerance; otherwise what differs first.
std::string compareTensors(const TensorData& got, const TensorData& expected) {
    const bool bf16Quirk = got.dtype == DataType::BFloat16 && expected.dtype == DataType::UInt16;
    if (got.dtype != expected.dtype && !bf16Quirk)
        return std::string("dtype ") + dataTypeName(got.dtype) + " != expected " + dataTypeName(expected.dtype);
    if (got.shape != expected.shape)
        return "shape " + shapeToString(got.shape) + " != expected " + shapeToString(expected.shape);
    const int64_t n = expected.elementCount();
    if (got.dtype == DataType::String) return got.strings == expected.strings ? "" : "string values differ";
    const bool floating =
        isFloatingType(got.dtype) && got.dtype != DataType::Float16 && got.dtype != DataType::BFloat16;
    int mismatches = 0;
    std::string first;
    for (int64_t i = 0; i < n; ++i) {
        bool ok;
        double g, e;
        if (floating) {
            g = got.doubleAt(i);
            e = expected.doubleAt(i);
            ok = (std::isnan(g) && std::isnan(e)) || (g == e) || std::abs(g - e) <= kAtol + kRtol * std::abs(e);
        } else if (got.dtype == DataType::Float16 || got.dtype == DataType::BFloat16) {
            // 16-bit floats: compare the bit patterns' values loosely via the reference bytes.
            g = got.data<uint16_t>()[i];
            e = expected.data<uint16_t>()[i];
            ok = std::abs(g - e) <= 1;
        } else {
            ok = std::memcmp(got.bytes.data() + i * dataTypeSize(got.dtype),
                             expected.bytes.data() + i * dataTypeSize(got.dtype), dataTypeSize(got.dtype)) == 0;
            g = got.doubleAt(i);
            e = expected.doubleAt(i);
        }
        if (!ok && mismatches++ == 0)
            first = "element " + std::to_string(i) + ": got " + std::to_string(g) + ", expected " + std::to_string(e);
    }
    if (mismatches == 0) return "";
    return std::to_string(mismatches) + " of " + std::to_string(n) + " elements differ; first at " + first;
}

// A few 1.12 cases feed inputs that contradict the model's own declared
// static shape (CastLike's 'like'); ONNX Runtime refuses those too. They are
// reported as refused, never as passed.
bool contradictsDeclaredShape(const Status& status) {
    return status.code() == StatusCode::InvalidArgument && status.message().find("is declared") != std::string::npos;
}

enum class Outcome { Passed, Failed, Skipped };

// Ops whose outputs are random draws: the expected files hold numpy's
// draws, which no other generator reproduces. Their properties (range,
// moments, seeds) are tested by test_signal_ops instead.
bool isRandomOp(const Node& node) {
    static const std::set<std::string> random = {"Bernoulli",        "Multinomial",   "RandomNormal",
                                                 "RandomNormalLike", "RandomUniform", "RandomUniformLike"};
    return node.domain.empty() && random.count(node.opType);
}

// Why a case is outside what the engine runs, or empty: training ops
// (optimizers and gradients) are not inference, the engine has no string
// tensors, ai.onnx.ml is not its domain.
std::string outOfScope(const Node& node) {
    if (node.domain == "ai.onnx.preview.training") return "training op (ai.onnx.preview.training): " + node.opType;
    if (node.domain == "ai.onnx.ml") return "ai.onnx.ml domain: " + node.opType;
    static const std::set<std::string> stringOps = {"RegexFullMatch", "StringConcat", "StringNormalizer",
                                                    "StringSplit"};
    if (node.domain.empty() && stringOps.count(node.opType)) return "string tensors: " + node.opType;
    if (isRandomOp(node)) return "random outputs (numpy's draws; see test_signal_ops): " + node.opType;
    return {};
}

// The first op with no CPU kernel, in the graph or in any of its bodies
// (If / Loop / Scan); empty when every op has one.
std::string opWithoutKernel(const Graph& graph) {
    for (const Node& node : graph.nodes) {
        if (node.opType == "Constant" && node.domain.empty()) continue;
        if (ops::hasTrait(node, ops::kResolvedBeforePlanning)) continue;  // sequences: resolved, never run
        if (std::string scope = outOfScope(node); !scope.empty()) return scope;
        if (!node.domain.empty() || !cpu::findKernel(node.opType)) return "no kernel for " + node.opType;
        for (const Attribute& a : node.attributes) {
            std::vector<const Graph*> bodies;
            if (a.graph) bodies.push_back(a.graph.get());
            for (const auto& g : a.graphs) bodies.push_back(g.get());
            for (const Graph* body : bodies) {
                std::string inner = opWithoutKernel(*body);
                if (!inner.empty()) return inner;
            }
        }
    }
    return {};
}

// Whether the case passes sequences or optionals around: what it cannot run
// is then reported as skipped for a "non-tensor" reason.
bool usesNonTensors(const Graph& graph) {
    for (const Value& v : graph.values)
        if (v.kind != ValueKind::Tensor) return true;
    return std::any_of(graph.nodes.begin(), graph.nodes.end(),
                       [](const Node& n) { return ops::hasTrait(n, ops::kResolvedBeforePlanning); });
}

// A refusal of a case with sequences: skipped, with the reason marked.
Outcome refusedNonTensor(const Status& status, std::string& why) {
    why = "non-tensor: " + status.toString();
    return Outcome::Skipped;
}

struct CaseRun {
    std::string backend = "cpu";
    bool usedCpuFallback = false;  // Vulkan: some node ran on the CPU
};

Outcome runCase(const fs::path& dir, std::string& why, CaseRun& how) {
    const bool vulkan = how.backend != "cpu";
    auto model = loadModel((dir / "model.onnx").string());
    if (!model.ok()) {
        why = model.status().toString();
        return Outcome::Failed;
    }
    const std::string missing = opWithoutKernel(model->graph);
    if (!missing.empty()) {
        why = missing;
        return Outcome::Skipped;
    }
    // Control-flow nodes have no shader: they run, bodies and all, through
    // the CPU fallback, so their cases run (counted with the fallbacks).
    // Sequence ops never run: they are resolved into tensors first.
    if (vulkan)
        for (const Node& node : model->graph.nodes)
            if (node.opType != "Constant" && !node.hasSubgraph && !ops::hasTrait(node, ops::kResolvedBeforePlanning) &&
                !vulkan::findVulkanKernel(node.opType)) {
                why = "no shader for " + node.opType;
                return Outcome::Skipped;
            }
    for (ValueId id : model->graph.runtimeInputs())
        if (model->graph.value(id).kind == ValueKind::Other) {
            why = "non-tensor input";
            return Outcome::Skipped;
        }
    const bool nonTensors = usesNonTensors(model->graph);
    std::vector<fs::path> dataSets;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
            dataSets.push_back(entry.path());
    std::sort(dataSets.begin(), dataSets.end());
    const auto runtimeInputs = model->graph.runtimeInputs();
    const auto outputIds = model->graph.outputs;

    std::unique_ptr<Session> session;
    for (const auto& dataSet : dataSets) {
        std::map<std::string, TensorData> inputs;
        auto inputFiles = numbered(dataSet, "input");
        if (inputFiles.size() != runtimeInputs.size()) {
            why = "input count differs from the model's";
            return Outcome::Skipped;
        }
        InputShapes shapes;
        for (size_t i = 0; i < inputFiles.size(); ++i) {
            const Value& input = model->graph.value(runtimeInputs[i]);
            // Sequences and optionals come flattened: "x[0]", "x[1]", ...
            auto values = readValueFile(inputFiles[i].string(), input.name, input.kind);
            if (!values.ok()) {
                why = "non-tensor input data: " + values.status().toString();
                return Outcome::Skipped;
            }
            for (NamedTensor& t : values.value()) {
                // The 1.12 data stores bfloat16 tensors as uint16 bit patterns.
                if (t.data.dtype == DataType::UInt16 && input.dtype == DataType::BFloat16)
                    t.data.dtype = DataType::BFloat16;
                shapes[t.name] = t.data.shape;
                inputs[t.name] = std::move(t.data);
            }
        }
        if (!session) {
            SessionOptions options;
            options.inputShapes = shapes;
            options.backend = how.backend;
            Model copy = model.value();
            auto created = Session::create(std::move(copy), options);
            if (!created.ok()) {
                why = created.status().toString();
                if (nonTensors && created.status().code() == StatusCode::Unsupported)
                    return refusedNonTensor(created.status(), why);
                if (contradictsDeclaredShape(created.status())) return Outcome::Skipped;
                return created.status().code() == StatusCode::Unsupported ? Outcome::Skipped : Outcome::Failed;
            }
            session = created.take();
        }
        RunStats stats;
        Status status = session->run(inputs, &stats);
        how.usedCpuFallback = how.usedCpuFallback || !session->cpuFallbackNodes().empty();
        if (!status.isOk()) {
            why = status.toString();
            if (nonTensors && status.code() == StatusCode::Unsupported) return refusedNonTensor(status, why);
            if (contradictsDeclaredShape(status)) return Outcome::Skipped;
            return status.code() == StatusCode::Unsupported ? Outcome::Skipped : Outcome::Failed;
        }
        auto outputFiles = numbered(dataSet, "output");
        if (outputFiles.size() != outputIds.size()) {
            why = "output count differs from the model's";
            return Outcome::Failed;
        }
        std::set<std::string> expectedNames;
        for (size_t i = 0; i < outputFiles.size(); ++i) {
            const Value& output = model->graph.value(outputIds[i]);
            auto expected = readValueFile(outputFiles[i].string(), output.name, output.kind);
            if (!expected.ok()) {
                why = "non-tensor output data: " + expected.status().toString();
                return Outcome::Skipped;
            }
            for (const NamedTensor& tensor : expected.value()) {
                expectedNames.insert(tensor.name);
                auto got = session->output(tensor.name);
                if (!got.ok()) {
                    why = got.status().toString();
                    return Outcome::Failed;
                }
                std::string diff = compareTensors(got.value(), tensor.data);
                if (!diff.empty()) {
                    why = dataSet.filename().string() + " output '" + tensor.name + "': " + diff;
                    return Outcome::Failed;
                }
            }
        }
        // A sequence has no more elements, an absent optional no tensor, than expected.
        const auto names = session->outputNames();
        if (std::set<std::string>(names.begin(), names.end()) != expectedNames) {
            why = dataSet.filename().string() + ": the session's outputs are not the expected ones";
            return Outcome::Failed;
        }
    }
    return Outcome::Passed;
}

// A skip's reason as the summary groups it: strings apart (the engine
// has no string tensors), refusals cut to their first line.
std::string skipReason(const std::string& why) {
    for (const char* kept :
         {"no kernel for", "no shader for", "training op", "ai.onnx.ml", "random outputs", "string tensors"})
        if (why.rfind(kept, 0) == 0) return why;
    if (why.find("string") != std::string::npos) return "string tensors: " + why.substr(0, 120);
    if (why.find("is declared") != std::string::npos)
        return "inputs contradict the model's declared shapes (ONNX Runtime refuses them too)";
    return "refused: " + why.substr(0, 160);
}

// Runs every case on `backend`; fails on any failure.
void runSuite(const std::string& backend) {
    auto dirs = caseDirs();
    if (dirs.empty()) QSKIP("ONNX test data not installed (apt-get install libonnx-testdata)");
    QRegularExpression filter(qEnvironmentVariable("INTERSTAGE_CONFORMANCE_FILTER", ".*"));
    const bool verbose = qEnvironmentVariableIsSet("INTERSTAGE_CONFORMANCE_VERBOSE");
    int passed = 0, failed = 0, skipped = 0, passedWithFallback = 0;
    std::map<std::string, int> skipReasons;
    for (const auto& dir : dirs) {
        const QString name = QString::fromStdString(dir.filename().string());
        if (!filter.match(name).hasMatch()) continue;
        std::string why;
        CaseRun how;
        how.backend = backend;
        switch (runCase(dir, why, how)) {
            case Outcome::Passed:
                ++passed;
                if (how.usedCpuFallback) {
                    ++passedWithFallback;
                    if (verbose) qInfo("passed with a CPU-fallback node: %s", qPrintable(name));
                }
                break;
            case Outcome::Failed:
                ++failed;
                qWarning("FAILED %s/%s on %s: %s", dir.parent_path().filename().c_str(), qPrintable(name),
                         backend.c_str(), why.c_str());
                break;
            case Outcome::Skipped:
                ++skipped;
                ++skipReasons[skipReason(why)];
                if (verbose) qInfo("skipped %s: %s", qPrintable(name), why.c_str());
                break;
        }
    }
    // Every skip, by reason: what is left to support is in plain sight.
    for (const auto& [reason, count] : skipReasons) qInfo("skipped %d: %s", count, reason.c_str());
    if (backend == "cpu") {
        qInfo("conformance: %d passed, %d failed, %d skipped", passed, failed, skipped);
    } else {
        qInfo(
            "conformance on %s: %d passed (%d entirely on the GPU, %d with a node on the CPU: a variant the shader "
            "hands over, or control flow), %d failed, %d skipped",
            backend.c_str(), passed, passed - passedWithFallback, passedWithFallback, failed, skipped);
        QVERIFY(passed > 0);  // the shaders' ops do appear in the test data
    }
    QCOMPARE(failed, 0);
}

}  // namespace

class ConformanceTest : public QObject {
    Q_OBJECT
private slots:
    // Families of ops are listed in several functions and merged by name:
    // an op listed twice would have its kernel picked by sort order.
    void opTableListsEachOpOnce() {
        std::set<std::string> seen;
        for (const ops::OpEntry& op : ops::allOps()) QVERIFY2(seen.insert(op.name).second, op.name);
        QVERIFY(seen.size() > 150);
    }

    void onnxBackendTestData() { runSuite("cpu"); }

    void onnxBackendTestDataOnVulkan() {
        auto devices = listVulkanDevices();
        if (!devices.ok() || devices->empty()) QSKIP("no Vulkan device on this machine");
        runSuite("vulkan");
    }
};

QTEST_GUILESS_MAIN(ConformanceTest)
#include "test_conformance.moc"
