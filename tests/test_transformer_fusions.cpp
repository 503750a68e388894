// The transformer fusions (passes/fuse_layer_norm, fuse_gelu,
// fuse_matmul_epilogue): each pattern as exporters write it fuses into the
// node that replaces it, the fused graph gives the unfused graph's outputs,
// and near misses (a wrong constant, an intermediate with a second reader,
// another axis) stay as they are.
#include <QtTest>
#include <cmath>
#include <numbers>

#include "interstage/session.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr int64_t kTokens = 6, kHidden = 16;

struct Outcome {
    TensorData output;
    std::vector<Node> nodes;
    size_t count(const std::string& opType) const {
        return size_t(std::count_if(nodes.begin(), nodes.end(), [&](const Node& n) { return n.opType == opType; }));
    }
};

// Values in [-3, 3): both tails of GELU and rows with distinct means.
TensorData spread(const Shape& dims, int seed) {
    TensorData t = TensorData::zeros(DataType::Float, dims);
    for (int64_t i = 0; i < t.elementCount(); ++i)
        t.data<float>()[i] = static_cast<float>((i * 37 + seed * 11) % 97) / 97.f * 6.f - 3.f;
    return t;
}

Outcome runWith(const GraphBuilder& b, bool fusion, const std::string& output, const Shape& inputDims) {
    SessionOptions options;
    options.fusion = fusion;
    options.threads = 1;
    auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    if (!session.value()->run({{"x", spread(inputDims, 1)}}).isOk()) qFatal("run failed");
    return {session.value()->output(output).value(), session.value()->executedGraph().nodes};
}

void expectClose(const TensorData& a, const TensorData& b, float tolerance = 1e-4f) {
    QCOMPARE(a.shape, b.shape);
    for (int64_t i = 0; i < a.elementCount(); ++i) {
        const float x = a.data<float>()[i], y = b.data<float>()[i];
        QVERIFY2(std::abs(x - y) <= tolerance * (1.f + std::abs(y)),
                 qPrintable(QString("%1: %2 vs %3").arg(i).arg(x).arg(y)));
    }
}

std::string scalar(GraphBuilder& b, const std::string& name, float v) {
    return b.initializer(name, TensorData::fromFloat({v}, {}));
}

std::string vector(GraphBuilder& b, const std::string& name, int64_t n, int seed, const Shape& shape = {}) {
    std::vector<float> values(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) values[size_t(i)] = 0.5f + static_cast<float>((i * 13 + seed) % 17) / 17.f;
    return b.initializer(name, TensorData::fromFloat(values, shape.empty() ? Shape{n} : shape));
}

// The decomposed LayerNorm over x's last axis; `variant` picks the spelling.
std::string layerNorm(GraphBuilder& b, const std::string& x, const QString& variant, float eps = 1e-5f) {
    const auto last = intsAttr("axes", {-1});
    const std::string mean = b.op("ReduceMean", {x}, {last}, "mean");
    const std::string d = b.op("Sub", {x, mean}, {}, "centred");
    const std::string square =
        variant == "mul" ? b.op("Mul", {d, d}, {}, "square") : b.op("Pow", {d, scalar(b, "two", 2.f)}, {}, "square");
    const std::string var = b.op("ReduceMean", {square}, {last}, "variance");
    const std::string sd = b.op("Sqrt", {b.op("Add", {var, scalar(b, "eps", eps)}, {}, "add_eps")}, {}, "std");
    const std::string n = variant == "reciprocal" ? b.op("Mul", {d, b.op("Reciprocal", {sd}, {}, "inv")}, {}, "n")
                                                  : b.op("Div", {d, sd}, {}, "n");
    if (variant == "plain") return n;
    const std::string scaled = b.op("Mul", {n, vector(b, "gamma", kHidden, 1, {1, 1, kHidden})}, {}, "gamma_mul");
    if (variant == "gamma") return scaled;
    return b.op("Add", {vector(b, "beta", kHidden, 5), scaled}, {}, "beta_add");
}

// x @ W + b.
std::string dense(GraphBuilder& b, const std::string& x, int64_t in, int64_t out, const std::string& name) {
    std::vector<float> w(static_cast<size_t>(in * out));
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(int(i * 29 % 31) - 15) / 40.f;
    const std::string weights = b.initializer(name + ".weight", TensorData::fromFloat(w, {in, out}));
    const std::string product = b.op("MatMul", {x, weights}, {}, name + "/MatMul");
    return b.op("Add", {product, vector(b, name + ".bias", out, 3)}, {}, name + "/Add");
}

// GELU written out; `form` picks the spelling and the order of the products.
std::string gelu(GraphBuilder& b, const std::string& x, const QString& form,
                 float root = std::numbers::sqrt2_v<float>) {
    std::string core;
    if (form.startsWith("erf")) {
        const std::string scaled = form == "erf_mul" ? b.op("Mul", {x, scalar(b, "inv_root", 1.f / root)}, {}, "scale")
                                                     : b.op("Div", {x, scalar(b, "root", root)}, {}, "scale");
        core = b.op("Erf", {scaled}, {}, "erf");
    } else {
        const std::string cube = form == "tanh_mul" ? b.op("Mul", {x, b.op("Mul", {x, x}, {}, "sq")}, {}, "cube")
                                                    : b.op("Pow", {x, scalar(b, "three", 3.f)}, {}, "cube");
        const std::string small = b.op("Mul", {scalar(b, "cubic", 0.044715f), cube}, {}, "small");
        const std::string inner = b.op("Add", {x, small}, {}, "inner");
        const float s = std::sqrt(2.f / std::numbers::pi_v<float>);
        core = b.op("Tanh", {b.op("Mul", {inner, scalar(b, "s2pi", s)}, {}, "scaled")}, {}, "tanh");
    }
    const std::string onePlus = b.op("Add", {core, scalar(b, "one", 1.f)}, {}, "one_plus");
    if (form == "erf_half_first")  // (x * 0.5) * (1 + erf)
        return b.op("Mul", {b.op("Mul", {x, scalar(b, "half", 0.5f)}, {}, "half_x"), onePlus}, {}, "gelu");
    if (form == "tanh_half_last")  // x * ((1 + tanh) * 0.5)
        return b.op("Mul", {x, b.op("Mul", {onePlus, scalar(b, "half", 0.5f)}, {}, "half_p")}, {}, "gelu");
    return b.op("Mul", {b.op("Mul", {x, onePlus}, {}, "x_p"), scalar(b, "half", 0.5f)}, {}, "gelu");
}

const Node* find(const Outcome& o, const std::string& opType) {
    for (const Node& n : o.nodes)
        if (n.opType == opType) return &n;
    return nullptr;
}

}  // namespace

class TransformerFusionsTest : public QObject {
    Q_OBJECT
private slots:
    void decomposedLayerNormFuses_data() {
        QTest::addColumn<QString>("variant");
        for (const char* v : {"pow", "mul", "reciprocal", "plain", "gamma"}) QTest::newRow(v) << QString(v);
    }
    void decomposedLayerNormFuses() {
        QFETCH(QString, variant);
        GraphBuilder b("ln", 13);
        b.input("x", DataType::Float, {1, kTokens, kHidden});
        const std::string y = layerNorm(b, "x", variant);
        b.output(y, DataType::Float, {1, kTokens, kHidden});
        const Outcome fused = runWith(b, true, y, {1, kTokens, kHidden});
        const Outcome plain = runWith(b, false, y, {1, kTokens, kHidden});
        QCOMPARE(fused.nodes.size(), size_t(1));
        QCOMPARE(fused.nodes[0].opType, std::string("LayerNormalization"));
        QVERIFY(plain.nodes.size() >= 7);
        expectClose(fused.output, plain.output);
    }

    // The standardization must be over the last axis alone, with eps added
    // and a square taken: anything else is left as written.
    void layerNormNearMissesStay() {
        {  // the centred value has a third reader
            GraphBuilder b("ln_reader", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string y = layerNorm(b, "x", "pow");
            const std::string extra = b.op("Add", {"centred", y}, {}, "extra");
            b.output(extra, DataType::Float, {1, kTokens, kHidden});
            const Outcome fused = runWith(b, true, extra, {1, kTokens, kHidden});
            QCOMPARE(fused.count("LayerNormalization"), size_t(0));
            expectClose(fused.output, runWith(b, false, extra, {1, kTokens, kHidden}).output);
        }
        {  // the variance is pinned as a graph output
            GraphBuilder b("ln_output", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string y = layerNorm(b, "x", "pow");
            b.output(y, DataType::Float, {1, kTokens, kHidden});
            b.output("variance", DataType::Float, {1, kTokens, 1});
            QCOMPARE(runWith(b, true, y, {1, kTokens, kHidden}).count("LayerNormalization"), size_t(0));
        }
        {  // Pow 3 is no variance
            GraphBuilder b("ln_cube", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string mean = b.op("ReduceMean", {"x"}, {intsAttr("axes", {-1})}, "mean");
            const std::string d = b.op("Sub", {"x", mean}, {}, "centred");
            const std::string sq = b.op("Pow", {d, scalar(b, "three", 3.f)}, {}, "square");
            const std::string var = b.op("ReduceMean", {sq}, {intsAttr("axes", {-1})}, "variance");
            const std::string sd = b.op("Sqrt", {b.op("Add", {var, scalar(b, "eps", 1.f)}, {}, "add_eps")}, {}, "std");
            const std::string y = b.op("Div", {d, sd}, {}, "n");
            b.output(y, DataType::Float, {1, kTokens, kHidden});
            QCOMPARE(runWith(b, true, y, {1, kTokens, kHidden}).count("LayerNormalization"), size_t(0));
        }
        {  // the mean over another axis
            GraphBuilder b("ln_axis", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string mean = b.op("ReduceMean", {"x"}, {intsAttr("axes", {1})}, "mean");
            const std::string d = b.op("Sub", {"x", mean}, {}, "centred");
            const std::string sq = b.op("Mul", {d, d}, {}, "square");
            const std::string var = b.op("ReduceMean", {sq}, {intsAttr("axes", {1})}, "variance");
            const std::string sd = b.op("Sqrt", {b.op("Add", {var, scalar(b, "eps", 1.f)}, {}, "add_eps")}, {}, "std");
            const std::string y = b.op("Div", {d, sd}, {}, "n");
            b.output(y, DataType::Float, {1, kTokens, kHidden});
            QCOMPARE(runWith(b, true, y, {1, kTokens, kHidden}).count("LayerNormalization"), size_t(0));
        }
    }

    // dense -> GELU: the bias and the GELU both end in the MatMul.
    void geluFusesIntoTheDense_data() {
        QTest::addColumn<QString>("form");
        QTest::addColumn<QString>("fused");
        QTest::newRow("erf div") << "erf_div"
                                 << "Gelu";
        QTest::newRow("erf mul") << "erf_mul"
                                 << "Gelu";
        QTest::newRow("erf half first") << "erf_half_first"
                                        << "Gelu";
        QTest::newRow("tanh pow") << "tanh_pow"
                                  << "GeluTanh";
        QTest::newRow("tanh mul") << "tanh_mul"
                                  << "GeluTanh";
        QTest::newRow("tanh half last") << "tanh_half_last"
                                        << "GeluTanh";
    }
    void geluFusesIntoTheDense() {
        QFETCH(QString, form);
        QFETCH(QString, fused);
        GraphBuilder b("gelu", 13);
        b.input("x", DataType::Float, {1, kTokens, kHidden});
        const std::string y = gelu(b, dense(b, "x", kHidden, 24, "dense"), form);
        b.output(y, DataType::Float, {1, kTokens, 24});
        const Outcome withFusion = runWith(b, true, y, {1, kTokens, kHidden});
        const Outcome plain = runWith(b, false, y, {1, kTokens, kHidden});
        QCOMPARE(withFusion.nodes.size(), size_t(1));
        const Node& matmul = withFusion.nodes[0];
        QCOMPARE(matmul.opType, std::string("MatMul"));
        QCOMPARE(matmul.name, std::string("dense/MatMul"));
        QCOMPARE(matmul.inputs.size(), size_t(3));  // A, B and the bias
        QCOMPARE(QString::fromStdString(matmul.attrString("_fused_activation", "")), fused);
        expectClose(withFusion.output, plain.output);
    }

    // GELU after something other than a MatMul stays one Gelu node.
    void geluAloneBecomesOneNode() {
        GraphBuilder b("gelu_alone", 13);
        b.input("x", DataType::Float, {1, kTokens, kHidden});
        const std::string y = gelu(b, b.op("Sin", {"x"}, {}, "sin"), "tanh_pow");
        b.output(y, DataType::Float, {1, kTokens, kHidden});
        const Outcome fused = runWith(b, true, y, {1, kTokens, kHidden});
        QCOMPARE(fused.nodes.size(), size_t(2));
        const Node* node = find(fused, "Gelu");
        QVERIFY(node);
        QCOMPARE(node->attrString("approximate", ""), std::string("tanh"));
        expectClose(fused.output, runWith(b, false, y, {1, kTokens, kHidden}).output);
    }

    void geluNearMissesStay() {
        {  // x / 1.5 is not x / sqrt(2)
            GraphBuilder b("gelu_constant", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string y = gelu(b, b.op("Sin", {"x"}, {}, "sin"), "erf_div", 1.5f);
            b.output(y, DataType::Float, {1, kTokens, kHidden});
            const Outcome fused = runWith(b, true, y, {1, kTokens, kHidden});
            QCOMPARE(fused.count("Gelu"), size_t(0));
            QCOMPARE(fused.count("Erf"), size_t(1));
            expectClose(fused.output, runWith(b, false, y, {1, kTokens, kHidden}).output);
        }
        {  // the Erf's output has a second reader
            GraphBuilder b("gelu_reader", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string y = gelu(b, b.op("Sin", {"x"}, {}, "sin"), "erf_div");
            const std::string extra = b.op("Add", {"erf", y}, {}, "extra");
            b.output(extra, DataType::Float, {1, kTokens, kHidden});
            const Outcome fused = runWith(b, true, extra, {1, kTokens, kHidden});
            QCOMPARE(fused.count("Gelu"), size_t(0));
            QCOMPARE(fused.count("Erf"), size_t(1));
        }
    }

    // A bias must be one value per output column; the dense's output read
    // twice keeps its Add.
    void biasNearMissesStay() {
        {
            GraphBuilder b("bias_rows", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string w = vector(b, "w", kHidden * 8, 2, {kHidden, 8});
            const std::string product = b.op("MatMul", {"x", w}, {}, "mm");
            const std::string y = b.op("Add", {product, vector(b, "per_row", kTokens, 4, {kTokens, 1})}, {}, "add");
            b.output(y, DataType::Float, {1, kTokens, 8});
            const Outcome fused = runWith(b, true, y, {1, kTokens, kHidden});
            QCOMPARE(fused.nodes.size(), size_t(2));
            expectClose(fused.output, runWith(b, false, y, {1, kTokens, kHidden}).output);
        }
        {
            GraphBuilder b("bias_reader", 13);
            b.input("x", DataType::Float, {1, kTokens, kHidden});
            const std::string w = vector(b, "w", kHidden * 8, 2, {kHidden, 8});
            const std::string product = b.op("MatMul", {"x", w}, {}, "mm");
            const std::string biased = b.op("Add", {product, vector(b, "bias", 8, 4)}, {}, "add");
            const std::string y = b.op("Mul", {biased, product}, {}, "y");
            b.output(y, DataType::Float, {1, kTokens, 8});
            QCOMPARE(runWith(b, true, y, {1, kTokens, kHidden}).nodes.size(), size_t(3));
        }
    }

    // dense -> Add(residual): the residual becomes the MatMul's fourth input,
    // even when it is computed after the MatMul in the file's order.
    void residualFusesIntoTheDense() {
        GraphBuilder b("residual", 13);
        b.input("x", DataType::Float, {1, kTokens, kHidden});
        const std::string projected = dense(b, "x", kHidden, kHidden, "dense");
        const std::string residual = b.op("Sin", {"x"}, {}, "late_residual");  // after the MatMul in the list
        const std::string y = b.op("Add", {residual, projected}, {}, "residual_add");
        const std::string relu = b.op("Relu", {y}, {}, "relu");
        b.output(relu, DataType::Float, {1, kTokens, kHidden});
        const Outcome fused = runWith(b, true, relu, {1, kTokens, kHidden});
        QCOMPARE(fused.nodes.size(), size_t(2));  // Sin, then MatMul + bias + residual + Relu
        QCOMPARE(fused.nodes[1].opType, std::string("MatMul"));
        QCOMPARE(fused.nodes[1].inputs.size(), size_t(4));
        QCOMPARE(fused.nodes[1].attrString("_fused_activation", ""), std::string("Relu"));
        expectClose(fused.output, runWith(b, false, relu, {1, kTokens, kHidden}).output);
    }

    // A residual that broadcasts is no residual of the output's shape.
    void broadcastResidualStays() {
        GraphBuilder b("residual_broadcast", 13);
        b.input("x", DataType::Float, {1, kTokens, kHidden});
        const std::string projected = dense(b, "x", kHidden, kHidden, "dense");
        const std::string row = b.op("ReduceMean", {"x"}, {intsAttr("axes", {1})}, "row");  // [1, 1, kHidden]
        const std::string y = b.op("Add", {projected, row}, {}, "add");
        b.output(y, DataType::Float, {1, kTokens, kHidden});
        const Outcome fused = runWith(b, true, y, {1, kTokens, kHidden});
        QCOMPARE(fused.count("Add"), size_t(1));
        expectClose(fused.output, runWith(b, false, y, {1, kTokens, kHidden}).output);
    }

    // Heads split by Reshape + Transpose and merged back, as attention
    // writes them: the MatMuls read and write through strides instead.
    // Sigmoid, not Softmax, so the attention fusion leaves them to this one.
    void transposeFoldsIntoMatMul() {
        GraphBuilder b("heads", 13);
        b.input("x", DataType::Float, {1, kTokens, kHidden});
        const std::string q = b.op("Sin", {"x"}, {}, "q");
        const std::string k = b.op("Cos", {"x"}, {}, "k");
        auto split = [&](const std::string& v, std::vector<int64_t> perm, const std::string& name) {
            const std::string shape = b.initializer(name + "_shape", TensorData::fromInt64({1, kTokens, 2, 8}, {4}));
            const std::string r = b.op("Reshape", {v, shape}, {}, name + "_reshape");
            return b.op("Transpose", {r}, {intsAttr("perm", std::move(perm))}, name + "_transpose");
        };
        const std::string scores = b.op("MatMul", {split(q, {0, 2, 1, 3}, "q"), split(k, {0, 2, 3, 1}, "k")}, {}, "s");
        const std::string probs = b.op("Sigmoid", {scores}, {}, "probs");
        const std::string v = b.op("Tanh", {"x"}, {}, "v");
        const std::string context = b.op("MatMul", {probs, split(v, {0, 2, 1, 3}, "v")}, {}, "context");
        const std::string merged = b.op("Transpose", {context}, {intsAttr("perm", {0, 2, 1, 3})}, "merge");
        const std::string shape = b.initializer("merged_shape", TensorData::fromInt64({1, kTokens, kHidden}, {3}));
        const std::string y = b.op("Reshape", {merged, shape}, {}, "y");
        b.output(y, DataType::Float, {1, kTokens, kHidden});
        const Outcome fused = runWith(b, true, y, {1, kTokens, kHidden});
        const Outcome plain = runWith(b, false, y, {1, kTokens, kHidden});
        QCOMPARE(fused.count("Transpose") + fused.count("Reshape"), size_t(0));
        QCOMPARE(plain.count("Transpose"), size_t(4));
        const Node* matmul = find(fused, "MatMul");
        QVERIFY(matmul);
        QCOMPARE(matmul->attrInts("_view_perm_1"), (std::vector<int64_t>{0, 2, 3, 1}));
        QCOMPARE(fused.nodes.back().attrInts("_view_perm_out"), (std::vector<int64_t>{0, 2, 1, 3}));
        expectClose(fused.output, plain.output);
    }

    // A transposed tensor someone else reads stays as it is.
    void sharedTransposeStays() {
        GraphBuilder b("shared_transpose", 13);
        b.input("x", DataType::Float, {1, kTokens, kHidden});
        const std::string t = b.op("Transpose", {"x"}, {intsAttr("perm", {0, 2, 1})}, "t");
        const std::string gram = b.op("MatMul", {t, "x"}, {}, "gram");
        const std::string other = b.op("MatMul", {t, b.op("Sin", {"x"}, {}, "sin")}, {}, "other");
        const std::string y = b.op("Add", {gram, other}, {}, "y");
        b.output(y, DataType::Float, {1, kHidden, kHidden});
        const Outcome fused = runWith(b, true, y, {1, kTokens, kHidden});
        QCOMPARE(fused.count("Transpose"), size_t(1));
        expectClose(fused.output, runWith(b, false, y, {1, kTokens, kHidden}).output);
    }

    // cpuKernelFusions off (as on Vulkan) leaves every pattern as written.
    void cpuKernelFusionsOffKeepsThePatterns() {
        auto bytes = buildZooModel("transformer");
        QVERIFY(bytes.ok());
        SessionOptions options;
        options.cpuKernelFusions = false;
        options.threads = 1;
        auto session = Session::create(loadModelFromBytes(bytes.value(), ".").take(), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        int layerNorms = 0, erfs = 0, views = 0;
        for (const Node& n : session.value()->executedGraph().nodes) {
            layerNorms += n.opType == "LayerNormalization";
            erfs += n.opType == "Erf";
            views += n.opType == "MatMul" && (n.inputs.size() > 2 || n.hasAttr("_view_perm_1"));
        }
        QCOMPARE(layerNorms, 0);
        QCOMPARE(erfs, 4);
        QCOMPARE(views, 0);
    }

    // The zoo's encoders: every LayerNorm, GELU and bias fuses, and the
    // outputs stay the unfused graph's.
    void zooEncodersFuse_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("layerNorms");
        QTest::addColumn<int>("geluMatMuls");
        QTest::newRow("transformer") << "transformer" << 9 << 4;
        QTest::newRow("vit") << "vit" << 25 << 12;
    }
    void zooEncodersFuse() {
        QFETCH(QString, name);
        QFETCH(int, layerNorms);
        QFETCH(int, geluMatMuls);
        auto bytes = buildZooModel(name.toStdString());
        QVERIFY(bytes.ok());
        const Model model = loadModelFromBytes(bytes.value(), ".").take();
        std::map<std::string, TensorData> inputs;
        if (name == "transformer") {
            inputs["embeddings"] = defaultInput(DataType::Float, {1, 128, 256});
            inputs["attention_bias"] = defaultInput(DataType::Float, {1, 1, 1, 128});
        } else {
            inputs["pixel_values"] = defaultInput(DataType::Float, {1, 3, 224, 224});
        }
        TensorData outputs[2];
        for (int fusion = 0; fusion < 2; ++fusion) {
            SessionOptions options;
            options.fusion = fusion == 1;
            options.threads = 2;
            auto session = Session::create(model, options);
            QVERIFY2(session.ok(), session.status().toString().c_str());
            QVERIFY(session.value()->run(inputs).isOk());
            outputs[fusion] = session.value()->output(session.value()->outputNames()[0]).value();
            if (fusion == 0) continue;
            const Graph& g = session.value()->executedGraph();
            int ln = 0, geluMatMul = 0, leftovers = 0, biased = 0, residuals = 0;
            for (const Node& n : g.nodes) {
                ln += n.opType == "LayerNormalization";
                geluMatMul += n.opType == "MatMul" && n.attrString("_fused_activation", "").starts_with("Gelu");
                biased += n.opType == "MatMul" && n.inputs.size() >= 3 && n.inputs[2] != kNoValue;
                residuals += n.opType == "MatMul" && n.inputs.size() == 4;
                leftovers += n.opType == "ReduceMean" || n.opType == "Erf" || n.opType == "Tanh" || n.opType == "Pow";
            }
            QCOMPARE(ln, layerNorms);
            QCOMPARE(geluMatMul, geluMatMuls);
            QCOMPARE(leftovers, 0);
            QVERIFY(biased > 0);
            QVERIFY(residuals > 0);
        }
        expectClose(outputs[1], outputs[0], 2e-4f);
    }
};

QTEST_GUILESS_MAIN(TransformerFusionsTest)
#include "test_transformer_fusions.moc"
