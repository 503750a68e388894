// Saved session files (interstage/session_file.h): real runs on the CPU and
// on Vulkan survive write -> read with every field equal; the model's
// identity is its SHA-256; damaged, newer, random and hostile documents get
// clear errors; the write is atomic.
#include <sys/stat.h>
#include <unistd.h>

#include <QCryptographicHash>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_process.h"
#include "interstage/session.h"
#include "interstage/session_file.h"
#include "interstage/vulkan.h"
#include "test_support.h"

using namespace interstage;

using testsupport::CliResult;
using testsupport::readJsonObject;
using testsupport::runCli;

namespace {

// Equal doubles bit for bit (NaN equal to NaN): the charts redraw exactly.
bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void compareRuns(const RunStats& a, const RunStats& b) {
    QCOMPARE(b.run, a.run);
    QVERIFY(same(b.ms, a.ms));
    QCOMPARE(b.allocations, a.allocations);
    QCOMPARE(b.peakTrackedBytes, a.peakTrackedBytes);
    QCOMPARE(b.peakRssBytes, a.peakRssBytes);
    QCOMPARE(b.peakActivationBytes, a.peakActivationBytes);
    QCOMPARE(b.minorPageFaults, a.minorPageFaults);
    QCOMPARE(b.bytesAtStart, a.bytesAtStart);
    QCOMPARE(b.fallbackTransfers, a.fallbackTransfers);
    QCOMPARE(b.fallbackBytes, a.fallbackBytes);
    QCOMPARE(b.peakDeviceHeapBytes, a.peakDeviceHeapBytes);
    QCOMPARE(b.progressBatches, a.progressBatches);
    QCOMPARE(b.nodes.size(), a.nodes.size());
    for (std::size_t i = 0; i < a.nodes.size(); ++i) {
        QCOMPARE(b.nodes[i].name, a.nodes[i].name);
        QCOMPARE(b.nodes[i].op, a.nodes[i].op);
        QVERIFY(same(b.nodes[i].ms, a.nodes[i].ms));
        QVERIFY(same(b.nodes[i].startMs, a.nodes[i].startMs));
        QCOMPARE(b.nodes[i].cpuFallback, a.nodes[i].cpuFallback);
    }
    QCOMPARE(b.events.size(), a.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        const MemoryEvent &x = a.events[i], &y = b.events[i];
        QCOMPARE(y.timeNs, x.timeNs);
        QCOMPARE(y.bytes, x.bytes);
        QCOMPARE(y.device, x.device);
        QCOMPARE(y.category, x.category);
        QCOMPARE(y.tensor, x.tensor);
        QCOMPARE(y.node, x.node);
        QCOMPARE(y.run, x.run);
        QCOMPARE(y.bodyValue, x.bodyValue);
        QCOMPARE(y.iteration, x.iteration);
    }
    QCOMPARE(b.bodyValues.size(), a.bodyValues.size());
    for (std::size_t i = 0; i < a.bodyValues.size(); ++i) {
        QCOMPARE(b.bodyValues[i].node, a.bodyValues[i].node);
        QCOMPARE(b.bodyValues[i].body, a.bodyValues[i].body);
        QCOMPARE(b.bodyValues[i].name, a.bodyValues[i].name);
    }
    for (const auto& [x, y] : {std::pair(&a.rss, &b.rss), std::pair(&a.deviceHeap, &b.deviceHeap)}) {
        QCOMPARE(y->size(), x->size());
        for (std::size_t i = 0; i < x->size(); ++i) {
            QCOMPARE((*y)[i].timeNs, (*x)[i].timeNs);
            QCOMPARE((*y)[i].bytes, (*x)[i].bytes);
            QCOMPARE((*y)[i].run, (*x)[i].run);
        }
    }
}

void compareOptions(const SessionOptions& a, const SessionOptions& b) {
    QCOMPARE(b.backend, a.backend);
    QCOMPARE(b.threads, a.threads);
    QCOMPARE(b.inputShapes, a.inputShapes);
    QCOMPARE(b.shapeOptions.defaultBatch, a.shapeOptions.defaultBatch);
    QCOMPARE(b.shapeOptions.defaultDim, a.shapeOptions.defaultDim);
    QCOMPARE(b.shapeOptions.maxFoldElements, a.shapeOptions.maxFoldElements);
    QCOMPARE(b.shapeOptions.maxInputValueElements, a.shapeOptions.maxInputValueElements);
    QCOMPARE(b.shapeOptions.keepGoing, a.shapeOptions.keepGoing);
    QVERIFY(b.mode == a.mode);
    QCOMPARE(b.fusion, a.fusion);
    QCOMPARE(b.inPlaceConcat, a.inPlaceConcat);
    QCOMPARE(b.inPlaceOps, a.inPlaceOps);
    QCOMPARE(b.blockedLayout, a.blockedLayout);
    QCOMPARE(b.memoryAwareOrder, a.memoryAwareOrder);
    QCOMPARE(b.keep, a.keep);
    QCOMPARE(b.maxMemoryBytes, a.maxMemoryBytes);
    QCOMPARE(b.automaticBudget, a.automaticBudget);
}

void comparePlacements(const std::vector<TensorPlacement>& a, const std::vector<TensorPlacement>& b) {
    QCOMPARE(b.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(b[i].name, a[i].name);
        QCOMPARE(b[i].first, a[i].first);
        QCOMPARE(b[i].last, a[i].last);
        QCOMPARE(b[i].bytes, a[i].bytes);
        QCOMPARE(b[i].buffer, a[i].buffer);
        QCOMPARE(b[i].offset, a[i].offset);
        QCOMPARE(b[i].kept, a[i].kept);
        QCOMPARE(b[i].channelBlock, a[i].channelBlock);
        QCOMPARE(b[i].movedAt, a[i].movedAt);
        QCOMPARE(b[i].movedBuffer, a[i].movedBuffer);
        QCOMPARE(b[i].movedOffset, a[i].movedOffset);
        QCOMPARE(b[i].perRunBuffer, a[i].perRunBuffer);
    }
}

// Every field of two sessions, field by field (RunStats has no ==).
void compareSessions(const SavedSession& a, const SavedSession& b) {
    QCOMPARE(b.formatVersion, kSessionFormatVersion);
    QCOMPARE(b.writer, a.writer);
    QCOMPARE(b.savedAt, a.savedAt);
    QVERIFY(b.model == a.model);
    QCOMPARE(b.inputShapes, a.inputShapes);
    QCOMPARE(nlohmann::json::parse(b.viewState), nlohmann::json::parse(a.viewState));
    QCOMPARE(b.runSets.size(), a.runSets.size());
    for (std::size_t s = 0; s < a.runSets.size(); ++s) {
        const SavedRunSet &x = a.runSets[s], &y = b.runSets[s];
        QCOMPARE(y.setId, x.setId);
        QCOMPARE(y.label, x.label);
        compareOptions(x.options, y.options);
        QCOMPARE(y.runsRequested, x.runsRequested);
        QCOMPARE(y.inputs.size(), x.inputs.size());
        for (const auto& [name, value] : x.inputs) {
            QVERIFY(y.inputs.count(name));
            const TensorData& other = y.inputs.at(name);
            QCOMPARE(other.dtype, value.dtype);
            QCOMPARE(other.shape, value.shape);
            QVERIFY(other.bytes == value.bytes);
            QCOMPARE(other.strings, value.strings);
        }
        QCOMPARE(y.budget.bytes, x.budget.bytes);
        QCOMPARE(y.budget.source, x.budget.source);
        QCOMPARE(y.budget.automatic, x.budget.automatic);
        QCOMPARE(y.lowerBoundBytes, x.lowerBoundBytes);
        QCOMPARE(y.executedLowerBoundBytes, x.executedLowerBoundBytes);
        QCOMPARE(y.weightBytes, x.weightBytes);
        QCOMPARE(y.plannedPeakBytes, x.plannedPeakBytes);
        comparePlacements(x.memoryMap, y.memoryMap);
        QCOMPARE(y.executedNodeNames, x.executedNodeNames);
        QCOMPARE(y.error, x.error);
        QCOMPARE(y.cancelled, x.cancelled);
        QCOMPARE(y.runs.size(), x.runs.size());
        for (std::size_t r = 0; r < x.runs.size(); ++r) {
            compareRuns(x.runs[r], y.runs[r]);
            if (QTest::currentTestFailed()) return;
        }
    }
}

// A run set made the way the app and the CLI make one: a session run
// `runs` times, everything it knew afterwards.
SavedRunSet runSet(int id, const GraphBuilder& model, SessionOptions options, int runs,
                   const std::map<std::string, TensorData>& inputs = {}) {
    SavedRunSet set;
    set.setId = id;
    set.options = options;
    set.label = runSetLabel(options);
    set.runsRequested = runs;
    set.inputs = inputs;
    auto created = Session::create(testsupport::builtModel(model), options);
    if (!created.ok()) qFatal("%s", created.status().toString().c_str());
    Session& session = *created.value();
    for (int r = 0; r < runs; ++r) {
        RunStats stats;
        const Status status = session.run(inputs, &stats);
        if (!status.isOk()) qFatal("%s", status.toString().c_str());
        set.runs.push_back(std::move(stats));
    }
    set.budget = session.memoryBudget();
    set.lowerBoundBytes = session.lowerBoundBytes();
    set.executedLowerBoundBytes = session.executedLowerBoundBytes();
    set.weightBytes = session.weightBytes();
    set.plannedPeakBytes = session.plannedPeakBytes();
    set.memoryMap = session.memoryMap();
    for (const Node& node : session.executedGraph().nodes) set.executedNodeNames.push_back(node.name);
    return set;
}

SavedSession sessionAround(std::vector<SavedRunSet> sets) {
    SavedSession s;
    s.writer = "test_session_file";
    s.savedAt = "2026-12-06T21:00:00Z";
    s.model = {"/models/m.onnx", 1234, std::string(64, 'a')};
    s.inputShapes = {{"x", {1, 4}}};
    s.runSets = std::move(sets);
    s.viewState = R"({"tab":"memory","selected_node":"Relu_3","zoom":1.25})";
    return s;
}

// A small session with one run set, as text (for the damage tests).
std::string smallSessionText() {
    SessionOptions options;
    options.mode.planner = PlannerKind::Reduce;
    options.threads = 1;
    return sessionToJson(sessionAround({runSet(1, testsupport::tinyChain(), options, 2)}));
}

// The error of reading `text`; the test fails when it reads.
QString errorOf(const std::string& text) {
    auto read = sessionFromJson(text);
    if (read.ok()) return "(read without error)";
    return QString::fromStdString(read.status().toString());
}

}  // namespace

class SessionFileTest : public QObject {
    Q_OBJECT
private slots:
    void roundTripOfCpuRunsInDefaultAndReduce() {
        // The control-flow model: a Loop and an If, so body values and
        // their events are saved too.
        SessionOptions def;
        def.threads = 2;
        SessionOptions reduce = def;
        reduce.mode.planner = PlannerKind::Reduce;
        reduce.keep = {"pre"};
        reduce.fusion = false;
        reduce.maxMemoryBytes = std::size_t(3) << 30;
        std::map<std::string, TensorData> typed = {{"x", TensorData::fromFloat({0.1f, -2.f, 3.5f, 1e-30f}, {1, 4})}};
        SavedSession saved = sessionAround({runSet(1, testsupport::controlFlowModel(), def, 2),
                                            runSet(2, testsupport::controlFlowModel(), reduce, 2, typed)});
        saved.runSets[1].error = "run 3 of 3: out of memory: \"quoted\" \u00b7 and a\nnewline";
        saved.runSets[1].cancelled = true;
        // The runs are real: they carry what the charts draw.
        for (const SavedRunSet& set : saved.runSets) {
            QVERIFY(!set.memoryMap.empty());
            // Default allocates on its first run only; reduce on every run.
            QVERIFY(!set.runs[0].events.empty());
            QVERIFY(!set.runs[0].rss.empty());
            for (const RunStats& run : set.runs) {
                QVERIFY(!run.nodes.empty());
                QVERIFY(!run.bodyValues.empty());
                QVERIFY(!set.options.mode.allocatesPerRun() || !run.events.empty());
            }
        }
        QCOMPARE(saved.runSets[1].label, std::string("reduce · no fusion · 2 threads · cpu"));

        QTemporaryDir dir;
        const std::string path = dir.filePath("run.interstage").toStdString();
        QVERIFY(writeSessionFile(path, saved).isOk());
        QVERIFY(looksLikeSessionFile(path));
        auto read = readSessionFile(path);
        QVERIFY2(read.ok(), read.status().toString().c_str());
        compareSessions(saved, read.value());
        // Written again, the same text: nothing is lost or reordered (the
        // view state's keys aside: it is kept as JSON, compared as JSON
        // above).
        saved.viewState = read->viewState;
        QCOMPARE(sessionToJson(read.value()), sessionToJson(saved));
    }

    void roundTripOfAVulkanRunWithFallbackAndDeviceHeap() {
        auto devices = listVulkanDevices();
        if (!devices.ok() || devices->empty())
            QSKIP(qPrintable("no Vulkan device: " + QString::fromStdString(devices.status().message())));
        SessionOptions options;
        options.backend = "vulkan";
        options.mode.planner = PlannerKind::Reduce;
        SavedSession saved = sessionAround({runSet(1, testsupport::chainWithoutVulkanShader(), options, 2)});
        const RunStats& run = saved.runSets[0].runs[0];
        // Erf has no shader: it ran on the CPU, its tensors moved.
        QVERIFY(run.fallbackTransfers > 0);
        QVERIFY(std::any_of(run.nodes.begin(), run.nodes.end(), [](const NodeTiming& n) { return n.cpuFallback; }));
        bool gpuEvent = false;
        for (const MemoryEvent& e : run.events) gpuEvent = gpuEvent || e.device == MemoryDevice::Gpu;
        QVERIFY(gpuEvent);
        auto read = sessionFromJson(sessionToJson(saved));
        QVERIFY2(read.ok(), read.status().toString().c_str());
        compareSessions(saved, read.value());
    }

    void extremeValuesRoundTripExactly() {
        RunStats run;
        run.ms = 0.1;
        run.nodes = {{"a", "Conv", 1e-300, 5e-324, false},
                     {"b\"\\/\t", "Relu", std::numeric_limits<double>::max(), 1.0 / 3.0, true},
                     {"c", "Add", std::numeric_limits<double>::quiet_NaN(), -0.0, false}};
        run.events = {{std::numeric_limits<int64_t>::min(), -(int64_t(1) << 60), MemoryDevice::Gpu,
                       MemoryCategory::Staging, kNoValue, kNoNode, 0, 7, 123456},
                      {std::numeric_limits<int64_t>::max(), int64_t(1) << 60, MemoryDevice::Host,
                       MemoryCategory::Weights, 2147483647, -2147483647 - 1, 99, -1, -1}};
        run.rss = {{-5, std::size_t(1) << 60, 1}};
        run.deviceHeap = {{7, 0, 2}};
        run.bodyValues = {{3, "Loop_0 › body", "workspace of n"}};
        run.bytesAtStart = {1, 2, 3, 4, 5, std::size_t(1) << 60};
        run.minorPageFaults = std::numeric_limits<long>::max();
        SavedRunSet set;
        set.runs = {run};
        set.inputs["s"] = TensorData{DataType::String, {2}, {}, {"", "ünïcode"}};
        set.inputs["e"] = TensorData{DataType::Int64, {0, 3}, {}, {}};
        set.inputs["b"] = TensorData::fromInt64({-1, 0, 1}, {3});
        SavedSession saved = sessionAround({set});
        saved.viewState = "";
        auto read = sessionFromJson(sessionToJson(saved));
        QVERIFY2(read.ok(), read.status().toString().c_str());
        QCOMPARE(read->viewState, std::string());
        saved.viewState = "{}";
        read->viewState = "{}";
        compareSessions(saved, read.value());
        // A name that is not UTF-8 (read from a model file) is written
        // with U+FFFD in its place, never thrown on.
        SavedSession odd = sessionAround({set});
        odd.runSets[0].runs[0].nodes[0].name = "bad\xff";
        auto oddRead = sessionFromJson(sessionToJson(odd));
        QVERIFY2(oddRead.ok(), oddRead.status().toString().c_str());
        QCOMPARE(oddRead->runSets[0].runs[0].nodes[0].name, std::string("bad\xef\xbf\xbd"));
        // A view state nested deeper than a reader accepts (read from a
        // hostile file as text) is written as text and reads back.
        SavedSession deep = sessionAround({});
        deep.viewState = "";
        for (int i = 0; i < 5000; ++i) deep.viewState += "{\"a\":";
        deep.viewState += "1" + std::string(5000, '}');
        auto deepRead = sessionFromJson(sessionToJson(deep));
        QVERIFY2(deepRead.ok(), deepRead.status().toString().c_str());
        QCOMPARE(deepRead->viewState, deep.viewState);
    }

    void identifyModelIsTheFilesSha256() {
        QTemporaryDir dir;
        const std::string abc = testsupport::writeFile(dir, "abc.bin", "abc");
        auto id = identifyModel(abc);
        QVERIFY2(id.ok(), id.status().toString().c_str());
        // FIPS 180-2's example digest of "abc".
        QCOMPARE(id->sha256, std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(id->bytes, std::uint64_t(3));
        QVERIFY(std::filesystem::path(id->path).is_absolute());
        QCOMPARE(identifyModel(testsupport::writeFile(dir, "empty", ""))->sha256,
                 std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        // Larger than the hashing block: streamed, same digest as Qt's.
        std::string big(3 * 1024 * 1024 + 17, '\0');
        for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
        auto bigId = identifyModel(testsupport::writeFile(dir, "big", big));
        QVERIFY(bigId.ok());
        QCOMPARE(
            QString::fromStdString(bigId->sha256),
            QString(QCryptographicHash::hash(QByteArray(big.data(), qsizetype(big.size())), QCryptographicHash::Sha256)
                        .toHex()));
        QCOMPARE(bigId->bytes, std::uint64_t(big.size()));
        auto missing = identifyModel(dir.filePath("nothing.onnx").toStdString());
        QCOMPARE(missing.status().code(), StatusCode::NotFound);
        QCOMPARE(identifyModel(dir.path().toStdString()).status().code(), StatusCode::IoError);
        const std::string fifo = dir.filePath("pipe").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        QCOMPARE(identifyModel(fifo).status().message(), "'" + fifo + "' is not a regular file");
    }

    void everyTruncationGivesAClearError() {
        const std::string text = smallSessionText();
        QVERIFY(sessionFromJson(text).ok());
        const std::size_t step = std::max<std::size_t>(1, text.size() / 400);
        int checked = 0;
        // Every prefix short of the closing brace (the newline after it
        // does not matter), in steps, and each of the last 64.
        for (std::size_t length = 0; length + 1 < text.size(); ++length) {
            if (length % step != 0 && length + 66 < text.size()) continue;
            auto read = sessionFromJson(std::string_view(text).substr(0, length));
            QVERIFY2(!read.ok(), qPrintable(QString("prefix of %1 bytes read").arg(length)));
            const std::string message = read.status().message();
            QVERIFY2(message.find("damaged or truncated") != std::string::npos ||
                         message.find("not an Interstage session file") != std::string::npos,
                     message.c_str());
            ++checked;
        }
        QVERIFY(checked > 400);
        QCOMPARE(errorOf(text.substr(0, text.size() / 2)).left(60),
                 QString("invalid model: the text is a damaged or truncated Interstage ").left(60));
    }

    void aNewerVersionSaysSo() {
        nlohmann::json doc = nlohmann::json::parse(smallSessionText());
        doc["version"] = 2;
        doc["something_new"] = {1, 2};
        auto read = sessionFromJson(doc.dump());
        QCOMPARE(read.status().code(), StatusCode::Unsupported);
        QCOMPARE(read.status().message(),
                 std::string("the text was written by a newer Interstage (session format 2); this build reads "
                             "format 1 — update Interstage"));
        doc["version"] = 0;
        QVERIFY(errorOf(doc.dump()).contains("version is 0, outside 1.."));
        doc["version"] = "1";
        QVERIFY(errorOf(doc.dump()).contains("version must be a whole number, not a string"));
    }

    void randomBytesAreNotASession() {
        std::mt19937 random(21);
        for (int i = 0; i < 200; ++i) {
            std::string bytes(static_cast<std::size_t>(random() % 4096), '\0');
            for (char& c : bytes) c = static_cast<char>(random());
            const QString error = errorOf(bytes);
            QVERIFY2(error.contains("is not an Interstage session file"), qPrintable(error));
        }
        QVERIFY(errorOf("").contains("is not an Interstage session file"));
        QVERIFY(errorOf("[1, 2, 3]").contains("is not an Interstage session file"));
        QVERIFY(errorOf(R"({"format": "something-else", "version": 1})").contains("is not an Interstage session file"));
    }

    void missingFieldsAreNamed() {
        const nlohmann::json doc = nlohmann::json::parse(smallSessionText());
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"/writer", "field writer is missing"},
            {"/model/sha256", "field model.sha256 is missing"},
            {"/run_sets/0/options/mode/planner", "field run_sets[0].options.mode.planner is missing"},
            {"/run_sets/0/runs/1/events", "field run_sets[0].runs[1].events is missing"},
            {"/run_sets/0/memory_map", "field run_sets[0].memory_map is missing"},
            {"/run_sets/0/budget/source", "field run_sets[0].budget.source is missing"},
            {"/run_sets/0/runs/0/nodes/0/4", "run_sets[0].runs[0].nodes[0] must have 5 columns, not 4"},
        };
        for (const auto& [pointer, expected] : cases) {
            nlohmann::json damaged = doc;
            const nlohmann::json::json_pointer at(pointer);
            damaged[at.parent_pointer()].erase(damaged[at.parent_pointer()].is_array()
                                                   ? damaged[at.parent_pointer()].begin() + std::stoi(at.back())
                                                   : damaged[at.parent_pointer()].find(at.back()));
            const QString error = errorOf(damaged.dump());
            QVERIFY2(error.contains(QString::fromStdString(expected)), qPrintable(error));
        }
    }

    void wrongTypesAndValuesOutOfRangeAreNamed() {
        const nlohmann::json doc = nlohmann::json::parse(smallSessionText());
        QVERIFY(!doc["/run_sets/0/runs/0/events"_json_pointer].empty());
        QVERIFY(!doc["/run_sets/0/memory_map"_json_pointer].empty());
        const std::vector<std::tuple<std::string, nlohmann::json, std::string>> cases = {
            {"/run_sets/0/runs/0/events/0/3", 6, "run_sets[0].runs[0].events[0][3] is 6, outside 0..5"},
            {"/run_sets/0/runs/0/events/0/2", -1, "run_sets[0].runs[0].events[0][2] is -1, outside 0..1"},
            {"/run_sets/0/runs/0/peak_rss_bytes", -5, "run_sets[0].runs[0].peak_rss_bytes is -5, outside 0.."},
            {"/run_sets/0/weight_bytes", 18446744073709551615ull, "run_sets[0].weight_bytes is 18446744073709551615"},
            {"/run_sets/0/runs/0/ms", "fast", "run_sets[0].runs[0].ms must be a number, not a string"},
            {"/run_sets/0/runs", "runs", "run_sets[0].runs must be an array, not a string"},
            {"/run_sets/0/memory_map/0/3", 1.5, "run_sets[0].memory_map[0][3] must be a whole number"},
            {"/run_sets/0/options/mode/planner", "fast", "is 'fast', not a planner"},
            {"/run_sets/0/runs/0/bytes_at_start", {1, 2}, "bytes_at_start must have 6 columns, not 2"},
            {"/run_sets/0/options/input_shapes", {{"x", {1, -4}}}, "input_shapes.x[1] is -4, outside 0.."},
            {"/model/sha256", "xyz", "model.sha256 must be 64 lowercase hex digits"},
            {"/run_sets/0/runs/0/run", 1e300, "must be a whole number, not a decimal number"},
            {"/view_state", 5, "view_state must be an object"},
        };
        for (const auto& [pointer, value, expected] : cases) {
            nlohmann::json damaged = doc;
            damaged[nlohmann::json::json_pointer(pointer)] = value;
            const QString error = errorOf(damaged.dump());
            QVERIFY2(error.contains(QString::fromStdString(expected)), qPrintable(error + " / " + pointer.c_str()));
        }
    }

    void hostileShapesGiveClearErrors() {
        // Nesting deeper than any session: refused before it is walked.
        const std::string deep = std::string(100000, '[') + std::string(100000, ']');
        QVERIFY(errorOf(deep).contains("nested more than 64 deep"));
        const std::string deepInside = R"({"format":"interstage-session","version":1,"view_state":)" +
                                       std::string(70, '[') + std::string(70, ']') + "}";
        QVERIFY(errorOf(deepInside).contains("nested more than 64 deep"));
        // 100k empty arrays where run sets go: the first is named.
        std::string many = R"({"format":"interstage-session","version":1,"writer":"w","saved_at":"",)"
                           R"("model":{"path":"","bytes":0,"sha256":""},"input_shapes":{},"run_sets":[)";
        for (int i = 0; i < 100000; ++i) many += i ? ",[]" : "[]";
        many += "]}";
        QVERIFY(errorOf(many).contains("run_sets[0] must be an object, not an array"));
        // Numbers beyond any integer.
        nlohmann::json doc = nlohmann::json::parse(smallSessionText());
        std::string huge = doc.dump();
        const std::string key = "\"weight_bytes\":";
        const auto at = huge.find(key) + key.size();
        huge.insert(at, "99999999999999999999999999");
        QVERIFY(errorOf(huge).contains("weight_bytes must be a whole number"));
        // Bad base64 and sizes that disagree in an input value.
        doc["run_sets"][0]["inputs"]["x"] = {{"dtype", 1}, {"shape", {1, 4}}, {"data", "AAAA"}};
        QVERIFY(errorOf(doc.dump()).contains("inputs.x.data holds 3 bytes; float32 1x4 needs 16"));
        doc["run_sets"][0]["inputs"]["x"]["data"] = "!!!!";
        QVERIFY(errorOf(doc.dump()).contains("inputs.x.data is not base64"));
        doc["run_sets"][0]["inputs"]["x"]["dtype"] = 99;
        QVERIFY(errorOf(doc.dump()).contains("inputs.x.dtype is 99, not an ONNX element type"));
    }

    // tests/hostile/sessions: each file gives its manifest's error (or
    // loads); looksLikeSessionFile is true of every file that loads.
    void hostileSessionCorpus() {
        const QString dir = QString(INTERSTAGE_SOURCE_DIR) + "/tests/hostile/sessions/";
        QFile manifest(dir + "MANIFEST.tsv");
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        int errors = 0, loads = 0;
        QSet<QString> listed;
        while (!manifest.atEnd()) {
            const QString line = QString::fromUtf8(manifest.readLine()).trimmed();
            if (line.isEmpty() || line.startsWith('#')) continue;
            const QStringList field = line.split('\t');
            QCOMPARE(field.size(), 4);
            listed.insert(field[0]);
            const std::string path = (dir + field[0]).toStdString();
            auto read = readSessionFile(path);
            if (field[1] == "loads") {
                QVERIFY2(read.ok(), qPrintable(field[0] + ": " + QString::fromStdString(read.status().toString())));
                QVERIFY2(looksLikeSessionFile(path), qPrintable(field[0]));
                ++loads;
            } else {
                QCOMPARE(field[1], QString("error"));
                QVERIFY2(!read.ok(), qPrintable(field[0] + " read"));
                const QString message = QString::fromStdString(read.status().toString());
                QVERIFY2(message.contains(field[2]), qPrintable(field[0] + ": " + message));
                QVERIFY2(message.contains(QString::fromStdString("'" + path + "'")), qPrintable(message));
                QVERIFY2(!message.contains('\n'), qPrintable(message));
                ++errors;
            }
        }
        QVERIFY(errors >= 30);
        QVERIFY(loads >= 4);
        // Every file in the folder is listed.
        for (const QString& file : QDir(dir).entryList({"*.interstage"}, QDir::Files))
            QVERIFY2(listed.contains(file), qPrintable(file + " is not in MANIFEST.tsv"));
    }

    // Every prefix and every single-byte change of a valid file: read or a
    // clear error, never a crash.
    void everyPrefixAndByteFlipOfAValidFile() {
        QFile file(QString(INTERSTAGE_SOURCE_DIR) + "/tests/hostile/sessions/valid_small.interstage");
        QVERIFY(file.open(QIODevice::ReadOnly));
        const std::string text = file.readAll().toStdString();
        QVERIFY(sessionFromJson(text).ok());
        int failed = 0;
        for (std::size_t length = 0; length < text.size(); ++length)
            failed += sessionFromJson(std::string_view(text).substr(0, length)).ok() ? 0 : 1;
        QVERIFY(failed >= int(text.size()) - 2);  // the last brace and newline
        for (std::size_t i = 0; i < text.size(); ++i) {
            for (const char replacement : {'\0', '9', '"', '[', '-', '\xff'}) {
                std::string changed = text;
                changed[i] = replacement;
                auto read = sessionFromJson(changed);
                if (!read.ok()) QVERIFY(!read.status().message().empty());
            }
        }
    }

    void looksLikeASessionOnlyWhenItIsOne() {
        QTemporaryDir dir;
        const std::string session = dir.filePath("a.interstage").toStdString();
        QVERIFY(writeSessionFile(session, sessionAround({})).isOk());
        QVERIFY(looksLikeSessionFile(session));
        const std::string model = dir.filePath("m.onnx").toStdString();
        QVERIFY(testsupport::tinyChain().save(model).isOk());
        QVERIFY(!looksLikeSessionFile(model));
        QVERIFY(!looksLikeSessionFile(testsupport::writeFile(dir, "other.json", R"({"version":1,"format":"x"})")));
        QVERIFY(looksLikeSessionFile(
            testsupport::writeFile(dir, "spaced.json", "\n{ \"format\" : \"interstage-session\", \"version\": 1}")));
        QVERIFY(!looksLikeSessionFile(dir.filePath("missing").toStdString()));
        QVERIFY(!looksLikeSessionFile(dir.path().toStdString()));
        // Reading a model as a session: a clear error naming the file.
        auto read = readSessionFile(model);
        QVERIFY(!read.ok());
        QVERIFY2(read.status().message().find("'" + model + "' is not an Interstage session file") == 0,
                 read.status().message().c_str());
    }

    void theWriteIsAtomic() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("s.interstage").toStdString();
        SavedSession first = sessionAround({});
        first.writer = "first";
        QVERIFY(writeSessionFile(path, first).isOk());
        SavedSession second = first;
        second.writer = "second";
        QVERIFY(writeSessionFile(path, second).isOk());
        QCOMPARE(readSessionFile(path)->writer, std::string("second"));
        // No temporary file left beside it.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
        struct stat info {};
        QCOMPARE(::stat(path.c_str(), &info), 0);
        QVERIFY((info.st_mode & S_IRUSR) != 0);

        // A folder that does not exist: a clear error, nothing written.
        const std::string nowhere = dir.filePath("missing/s.interstage").toStdString();
        const Status missing = writeSessionFile(nowhere, first);
        QCOMPARE(missing.code(), StatusCode::IoError);
        QVERIFY2(missing.message().find("cannot write session file '" + nowhere + "'") == 0, missing.message().c_str());
        QVERIFY(missing.message().find("No such file or directory") != std::string::npos);
        QVERIFY(!QFileInfo::exists(dir.filePath("missing")));

        // A folder we may not write in (root may write anywhere: then only
        // the missing folder above says how a failed write reads).
        if (::geteuid() != 0) {
            QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), 0500) == 0);
            const Status denied = writeSessionFile(path, first);
            QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), 0700) == 0);
            QCOMPARE(denied.code(), StatusCode::IoError);
            QVERIFY2(denied.message().find("Permission denied") != std::string::npos, denied.message().c_str());
            QCOMPARE(readSessionFile(path)->writer, std::string("second"));
        }
    }

    void aFileTooLargeForMemoryIsNotRead() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("s.interstage").toStdString();
        QVERIFY(writeSessionFile(path, sessionAround({})).isOk());
        qputenv("INTERSTAGE_AVAILABLE_MEMORY", "1K");
        auto read = readSessionFile(path);
        qunsetenv("INTERSTAGE_AVAILABLE_MEMORY");
        QCOMPARE(read.status().code(), StatusCode::OutOfMemory);
        QVERIFY2(read.status().message().find("1.0 KiB available; not read") != std::string::npos,
                 read.status().message().c_str());
        QVERIFY(readSessionFile(path).ok());
        QCOMPARE(readSessionFile(dir.filePath("none").toStdString()).status().code(), StatusCode::NotFound);
    }

    void theCliSavesRunAndCompareSessions() {
        QTemporaryDir dir;
        const std::string model = dir.filePath("tiny.onnx").toStdString();
        QVERIFY(testsupport::tinyChain().save(model).isOk());
        const QString file = dir.filePath("run.interstage");
        CliResult run = runCli({"run", QString::fromStdString(model), "--runs", "2", "--threads", "1", "--mode",
                                "reduce", "--value", "x=1,2,3,4", "--session", file});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("session written to " + file + " ("), qPrintable(run.out));
        auto read = readSessionFile(file.toStdString());
        QVERIFY2(read.ok(), read.status().toString().c_str());
        QCOMPARE(read->model.sha256, identifyModel(model)->sha256);
        QVERIFY(read->writer.rfind("interstage-cli ", 0) == 0);
        QCOMPARE(read->runSets.size(), std::size_t(1));
        const SavedRunSet& set = read->runSets[0];
        QCOMPARE(set.label, std::string("reduce · 1 thread · cpu"));
        QCOMPARE(set.runsRequested, 2);
        QCOMPARE(set.runs.size(), std::size_t(2));
        QVERIFY(!set.runs[1].events.empty());
        QVERIFY(!set.memoryMap.empty());
        QVERIFY(set.plannedPeakBytes > 0);
        QVERIFY(!set.executedNodeNames.empty());
        QVERIFY(set.error.empty());
        // The typed value is saved with its dtype and bytes.
        QCOMPARE(set.inputs.at("x").shape, Shape({1, 4}));
        QCOMPARE(set.inputs.at("x").data<float>()[2], 3.0f);

        // A refused run is saved with its error and budget: a model whose
        // file fits the budget (the loader checks that first) and whose
        // plan (3 x 256 KiB) does not.
        const std::string wide = dir.filePath("wide.onnx").toStdString();
        {
            GraphBuilder b("wide", 13);
            b.input("x", DataType::Float, {1, 65536});
            const std::string r = b.op("Relu", {"x"}, {}, "relu");
            b.output(b.op("Sigmoid", {r}, {}, "sigmoid"), DataType::Float, {1, 65536});
            QVERIFY(b.save(wide).isOk());
        }
        const QString refused = dir.filePath("refused.interstage");
        run = runCli({"run", QString::fromStdString(wide), "--max-memory", "100K", "--session", refused});
        QCOMPARE(run.code, 1);
        auto refusedSet = readSessionFile(refused.toStdString());
        QVERIFY2(refusedSet.ok(), refusedSet.status().toString().c_str());
        QVERIFY(refusedSet->runSets[0].error.find("out of memory: ") == 0);
        QCOMPARE(refusedSet->runSets[0].budget.bytes, std::size_t(100 * 1024));
        QVERIFY(refusedSet->runSets[0].runs.empty());

        // compare: one run set per mode, in the table's order.
        const QString compared = dir.filePath("compare.interstage");
        run = runCli({"compare", QString::fromStdString(model), "--runs", "2", "--session", compared});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        auto all = readSessionFile(compared.toStdString());
        QVERIFY2(all.ok(), all.status().toString().c_str());
        QCOMPARE(all->runSets.size(), memoryPresets().size() + 1);
        for (std::size_t i = 0; i < memoryPresets().size(); ++i) {
            const SavedRunSet& s = all->runSets[i];
            QCOMPARE(s.setId, int(i) + 1);
            QCOMPARE(s.options.mode.name(), memoryPresets()[i].mode.name());
            QCOMPARE(s.aliasedLowerBoundBytes > 0, true);
            QCOMPARE(s.runs.size(), std::size_t(2));
            QVERIFY(s.error.empty());
        }
        // The last row: the arena with the constant flags off.
        QVERIFY(!all->runSets.back().options.mode.reduceConstant);
        QVERIFY(all->runSets.front().options.mode.reduceConstant);

        // A mode the guard refuses is a row of the table, not the end of
        // the comparison: every refused set is saved with its error.
        const QString failedCompare = dir.filePath("failed.interstage");
        run = runCli({"compare", QString::fromStdString(wide), "--max-memory", "100K", "--session", failedCompare});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("refused"), qPrintable(run.out));
        auto failed = readSessionFile(failedCompare.toStdString());
        QVERIFY2(failed.ok(), failed.status().toString().c_str());
        QCOMPARE(failed->runSets.size(), memoryPresets().size() + 1);
        for (const SavedRunSet& s : failed->runSets) {
            // Errors name a preset by its short name ("mode reduce: ...").
            const MemoryPreset* preset = presetOf(s.options.mode);
            const std::string row = preset ? preset->name : s.options.mode.name();
            QVERIFY2(s.error.find("out of memory: mode " + row + ": ") == 0, s.error.c_str());
            QCOMPARE(s.budget.bytes, std::size_t(100 * 1024));
            QVERIFY(s.runs.empty());
        }
        QCOMPARE(failed->runSets[0].label, std::string("default (T,T,F,F) · all cores · cpu"));
    }
};

QTEST_MAIN(SessionFileTest)
#include "test_session_file.moc"
