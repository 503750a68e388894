// The hostile-model corpus (tests/hostile, listed in MANIFEST.tsv): every
// broken file fails with one clear line naming the problem — through the
// engine API (load, shapes, lifetimes, session, run) and through the CLI
// (info, run: exit status 1, one line on stderr, no crash, no hang). The few
// valid-but-odd files (zero-size tensors, external data, a graph with no
// nodes) run in every memory mode. Deep graphs (100k nodes, generated here,
// not committed) load, plan and run without exhausting the stack.
#include <onnx/onnx_pb.h>

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <set>

#include "hostile_manifest.h"
#include "interstage/model.h"
#include "interstage/model_info.h"
#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;
using testsupport::HostileCase;

namespace {

// Plans above this are refused before any run: a mutated file must not make
// a test allocate gigabytes.
constexpr std::size_t kBudget = std::size_t(64) << 20;

SessionOptions smallOptions(const std::string& mode = "default", bool fusion = true) {
    SessionOptions options;
    options.threads = 1;
    options.maxMemoryBytes = kBudget;
    options.mode = MemoryMode::parse(mode).value();
    options.fusion = fusion;
    return options;
}

// Every stage that opening and running a model goes through; the first
// failure, or ok after one run.
Status throughEveryStage(Result<Model> model) {
    if (!model.ok()) return model.status();
    Graph graph = model->graph;
    auto shapes = resolveShapes(graph, {});
    if (!shapes.ok()) return shapes.status();
    (void)summarizeModel(graph);  // lifetimes and the lower bound
    auto session = Session::create(model.take(), smallOptions());
    if (!session.ok()) return session.status();
    return session.value()->run({});
}

const HostileCase* findCase(const std::vector<HostileCase>& cases, const std::string& file) {
    for (const auto& c : cases)
        if (c.file == file) return &c;
    return nullptr;
}

// Data rows: one per manifest entry, named by file.
void addCaseRows(bool mustRun) {
    QTest::addColumn<QString>("file");
    for (const auto& c : testsupport::hostileCorpus())
        if (c.mustRun == mustRun) QTest::newRow(c.file.c_str()) << QString::fromStdString(c.file);
}

struct CliResult {
    bool finished = false;
    bool crashed = false;
    int exitCode = -1;
    QByteArray out, err;
};

CliResult runCli(const QStringList& args) {
    QProcess p;
    p.start(INTERSTAGE_CLI, args);
    CliResult r;
    r.finished = p.waitForFinished(60000);
    if (!r.finished) {
        p.kill();
        p.waitForFinished();
    }
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// x [1,4] -> Neg -> Neg -> ... (n nodes) -> y: an even n gives y == x.
onnx::ModelProto negChain(int n) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("chain");
    auto* x = g->add_input();
    x->set_name("x");
    x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    for (int d : {1, 4}) x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    std::string previous = "x";
    for (int i = 0; i < n; ++i) {
        auto* node = g->add_node();
        node->set_op_type("Neg");
        node->set_name("neg" + std::to_string(i));
        node->add_input(previous);
        previous = i + 1 == n ? "y" : "t" + std::to_string(i);
        node->add_output(previous);
    }
    g->add_output()->set_name("y");
    return m;
}

}  // namespace

class HostileTest : public QObject {
    Q_OBJECT
private slots:
    // The manifest and the folder agree: no file untested, no entry without
    // its file, no name listed twice.
    void manifestMatchesTheFolder() {
        const auto cases = testsupport::hostileCorpus();
        QVERIFY2(cases.size() >= 80, "MANIFEST.tsv is missing, malformed or nearly empty");
        std::set<std::string> listed;
        for (const auto& c : cases) {
            QVERIFY2(listed.insert(c.file).second, ("listed twice: " + c.file).c_str());
            QVERIFY2(!c.expected.empty(), ("no expected text for " + c.file).c_str());
            QVERIFY2(testsupport::fileExists(c.path()), ("listed but missing: " + c.file).c_str());
        }
        const QStringList onFolder =
            QDir(QString::fromStdString(testsupport::hostileDir())).entryList({"*.onnx"}, QDir::Files | QDir::Hidden);
        for (const QString& f : onFolder)
            QVERIFY2(listed.count(f.toStdString()), qPrintable("not in MANIFEST.tsv: " + f));
        QCOMPARE(std::size_t(onFolder.size()), listed.size());
    }

    void engineRefuses_data() { addCaseRows(false); }
    void engineRefuses() {
        QFETCH(QString, file);
        const auto cases = testsupport::hostileCorpus();
        const HostileCase* c = findCase(cases, file.toStdString());
        QVERIFY(c);
        const Status status = throughEveryStage(loadModel(c->path()));
        QVERIFY2(!status.isOk(), ("loaded, planned and ran: " + c->why).c_str());
        QVERIFY2(status.message().find(c->expected) != std::string::npos,
                 ("'" + c->expected + "' not in: " + status.toString()).c_str());
        QVERIFY2(status.message().find('\n') == std::string::npos, status.toString().c_str());
        QVERIFY2(status.code() != StatusCode::Internal, status.toString().c_str());
    }

    // Valid but odd: runs in every memory mode, with and without fusion,
    // and gives the declared output shape (empty for zero-size tensors).
    void validOnesRunEverywhere_data() { addCaseRows(true); }
    void validOnesRunEverywhere() {
        QFETCH(QString, file);
        const auto cases = testsupport::hostileCorpus();
        const HostileCase* c = findCase(cases, file.toStdString());
        QVERIFY(c);
        const auto eq = c->expected.find('=');
        QVERIFY(eq != std::string::npos);
        const std::string output = c->expected.substr(0, eq), dims = c->expected.substr(eq + 1);
        for (const char* mode : {"default", "reduce", "reuse", "reduce+reuse", "arena"}) {
            for (bool fusion : {true, false}) {
                auto model = loadModel(c->path());
                QVERIFY2(model.ok(), model.status().toString().c_str());
                auto session = Session::create(model.take(), smallOptions(mode, fusion));
                QVERIFY2(session.ok(), session.status().toString().c_str());
                for (int run = 0; run < 2; ++run) {
                    Status ran = session.value()->run({});
                    QVERIFY2(ran.isOk(), (std::string(mode) + ": " + ran.toString()).c_str());
                }
                auto y = session.value()->output(output);
                QVERIFY2(y.ok(), y.status().toString().c_str());
                QCOMPARE(shapeToString(y->shape), dims);
                QCOMPARE(y->byteSize(), std::size_t(y->elementCount()) * dataTypeSize(y->dtype));
            }
        }
    }

    // The values, where a valid file has non-empty outputs.
    void validOnesGiveTheRightValues() {
        auto outputOf = [](const std::string& file, const std::string& name) -> Result<TensorData> {
            auto model = loadModel(testsupport::hostileDir() + "/" + file);
            if (!model.ok()) return model.status();
            auto session = Session::create(model.take(), smallOptions());
            if (!session.ok()) return session.status();
            IS_RETURN_IF_ERROR(session.value()->run({}));
            return session.value()->output(name);
        };
        const TensorData x22 = defaultInput(DataType::Float, {2, 2});
        auto concat = outputOf("zero_size_concat.onnx", "y");  // x ++ (nothing) == x
        QVERIFY2(concat.ok(), concat.status().toString().c_str());
        QCOMPARE(concat->bytes, x22.bytes);
        auto pass = outputOf("graph_input_is_output.onnx", "x");
        QVERIFY2(pass.ok(), pass.status().toString().c_str());
        QCOMPARE(pass->bytes, defaultInput(DataType::Float, {2, 3}).bytes);
        auto ext = outputOf("ext_inside_folder_valid.onnx", "y");  // x + {10, 20, 30, 40} from ext_weights.bin
        QVERIFY2(ext.ok(), ext.status().toString().c_str());
        for (int i = 0; i < 4; ++i) QCOMPARE(ext->data<float>()[i], x22.data<float>()[i] + 10.f * float(i + 1));
    }

    // The CLI: exit status 1, exactly one line on stderr naming the problem,
    // never a signal, never a hang. Valid files: exit 0, nothing on stderr.
    // Files that open for inspection: `info` shows them and names the problem.
    void cliNamesTheProblem_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("command");
        for (const auto& c : testsupport::hostileCorpus())
            for (const char* command : {"info", "run"})
                QTest::addRow("%s %s", command, c.file.c_str()) << QString::fromStdString(c.file) << command;
    }
    void cliNamesTheProblem() {
        QFETCH(QString, file);
        QFETCH(QString, command);
        const auto cases = testsupport::hostileCorpus();
        const HostileCase* c = findCase(cases, file.toStdString());
        QVERIFY(c);
        QStringList args{command, QString::fromStdString(c->path())};
        if (command == "run")
            args << "--threads"
                 << "1"
                 << "--max-memory"
                 << "64M";
        const CliResult r = runCli(args);
        QVERIFY2(r.finished, "interstage-cli hung (killed after 60 s)");
        QVERIFY2(!r.crashed, qPrintable("interstage-cli died by a signal; stderr: " + r.err));
        if (c->mustRun) {
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QVERIFY2(r.err.isEmpty(), r.err.constData());
            if (command == "info") {
                const std::string dims = c->expected.substr(c->expected.find('=') + 1);
                QVERIFY2(r.out.contains(QByteArray::fromStdString(dims)), r.out.constData());
            }
            return;
        }
        if (c->opensForInspection && command == "info") {
            // Inspection goes on past the problem and names it on stdout.
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QVERIFY2(r.out.contains(QByteArray::fromStdString(c->expected)),
                     qPrintable("'" + QString::fromStdString(c->expected) + "' not in: " + r.out));
            // Missing weights or kernels rule a run out; a shape problem
            // may be the default input shapes'.
            QVERIFY2(r.out.contains("run            not possible") || r.out.contains("run            may fail"),
                     r.out.constData());
            return;
        }
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1, qPrintable("not one line: " + r.err));
        QVERIFY2(r.err.startsWith("interstage-cli: "), r.err.constData());
        QVERIFY2(r.err.contains(QByteArray::fromStdString(c->expected)),
                 qPrintable("'" + QString::fromStdString(c->expected) + "' not in: " + r.err));
    }

    // A cheap fuzzer over the corpus: every prefix of every file, and every
    // byte flipped, must load-or-fail cleanly through every stage.
    void mutationsNeverCrash() {
        int loaded = 0, refused = 0;
        for (const auto& c : testsupport::hostileCorpus()) {
            const std::string bytes = readBytes(c.path());
            auto check = [&](const std::string& mutated) {
                const Status status = throughEveryStage(loadModelFromBytes(mutated, testsupport::hostileDir()));
                if (status.isOk()) {
                    ++loaded;
                    return true;
                }
                ++refused;
                return !status.message().empty() && status.message().find('\n') == std::string::npos;
            };
            for (size_t cut = 0; cut < bytes.size(); ++cut)
                QVERIFY2(check(bytes.substr(0, cut)), (c.file + " cut at " + std::to_string(cut)).c_str());
            for (size_t i = 0; i < bytes.size(); ++i)
                for (unsigned char mask : {0xffu, 0x01u}) {
                    std::string flipped = bytes;
                    flipped[i] = static_cast<char>(flipped[i] ^ mask);
                    QVERIFY2(check(flipped), (c.file + " byte " + std::to_string(i) + " flipped").c_str());
                }
        }
        qInfo("mutations: %d ran, %d refused with one line", loaded, refused);
        QVERIFY(refused > 0 && loaded > 0);
    }

    // 100k nodes in one chain: ordering, shapes, lifetimes, passes, the
    // plan and the run must not recurse per node (the stack would overflow)
    // nor take quadratic time.
    void hundredThousandNodeChain() {
        constexpr int kNodes = 100000;
        QTemporaryDir dir;
        const std::string path = testsupport::writeFile(dir, "chain.onnx", negChain(kNodes).SerializeAsString());
        QElapsedTimer timer;
        timer.start();
        auto model = loadModel(path);
        QVERIFY2(model.ok(), model.status().toString().c_str());
        QCOMPARE(int(model->graph.nodes.size()), kNodes);
        const qint64 loadMs = timer.restart();
        Graph graph = model->graph;
        auto shapes = resolveShapes(graph, {});
        QVERIFY2(shapes.ok(), shapes.status().toString().c_str());
        const ModelSummary summary = summarizeModel(graph);
        QCOMPARE(summary.nodes, kNodes);
        QCOMPARE(summary.lowerBound.bytes, std::size_t(32));  // one 16-byte tensor in, one out
        const qint64 shapeMs = timer.restart();
        for (const char* mode : {"arena", "reduce"}) {
            auto session = Session::create(model.value(), smallOptions(mode));
            QVERIFY2(session.ok(), session.status().toString().c_str());
            QVERIFY2(session.value()->run({}).isOk(), mode);
            auto y = session.value()->output("y");
            QVERIFY2(y.ok(), y.status().toString().c_str());
            QCOMPARE(y->bytes, defaultInput(DataType::Float, {1, 4}).bytes);  // an even number of Negs
        }
        const qint64 runMs = timer.restart();
        qInfo("100k-node chain: load %lld ms, shapes + lifetimes %lld ms, two sessions + runs %lld ms", loadMs, shapeMs,
              runMs);
        QVERIFY2(loadMs + shapeMs + runMs < 120000, "a 100k-node chain took over two minutes");

        // The CLI in its own process, on its main thread's stack.
        const CliResult info = runCli({"info", QString::fromStdString(path)});
        QVERIFY2(info.finished && !info.crashed && info.exitCode == 0, info.err.constData());
        QVERIFY(info.out.contains("nodes          100000"));
    }
};

QTEST_GUILESS_MAIN(HostileTest)
#include "test_hostile.moc"
