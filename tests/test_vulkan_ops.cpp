// Each Vulkan kernel against the CPU kernel (the oracle) on odd sizes, the
// ncnn way: one tiny graph per case, run by the CPU Session and by
// VulkanExecutor on lavapipe (or any Vulkan device), compared with
// rtol 1e-3 / atol 1e-5, and again with fp16 storage (the _fp16 shaders)
// within half precision's tolerance (vktest::compareHalf). Validation is
// on; a run must raise no errors.
#include <QTest>

#include "interstage/builder.h"
#include "test_vulkan_common.h"
#include "vulkan/shader_code.h"
#include "vulkan/vulkan_kernel.h"

using namespace interstage;

namespace {

TensorData weights(const Shape& shape, uint64_t seed, float scale = 0.5f, float offset = 0.0f) {
    WeightGenerator gen(seed);
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v = gen.uniform(n, scale);
    for (float& x : v) x += offset;
    return TensorData::fromFloat(v, shape);
}

// Runs the builder's graph on both backends and compares every output.
// expectGpuOnly: the graph must not need the CPU fallback; otherwise it
// must need it (a kernel that declines a case).
// Every op type some case ran on the device (everyTableShaderIsTested).
std::set<std::string>& opsRunOnGpu() {
    static std::set<std::string> ops;
    return ops;
}

void checkStorage(const Session& session, bool expectGpuOnly, bool fp16) {
    auto gpu = vktest::runOnVulkan(session, MemoryMode{}, 1, {}, fp16);
    QVERIFY2(gpu.ok(), gpu.status().toString().c_str());
    if (!fp16) opsRunOnGpu().insert(gpu->gpuOps.begin(), gpu->gpuOps.end());
    const std::string storage = fp16 ? " (fp16 storage)" : "";
    for (const auto& [name, actual] : gpu->outputs) {
        auto expected = session.output(name);
        QVERIFY2(expected.ok(), expected.status().toString().c_str());
        auto c = fp16 ? vktest::compareHalf(expected.value(), actual, gpu->inputMagnitude)
                      : vktest::compare(expected.value(), actual);
        QVERIFY2(c.bad == 0, (name + storage + ": " + std::to_string(c.bad) + " of " + std::to_string(c.count) +
                              " differ; " + c.first)
                                 .c_str());
    }
    if (expectGpuOnly)
        QVERIFY2(gpu->fallbackTransfers == 0, ("ran on the CPU" + storage + ": " + gpu->fallbackNodes).c_str());
    else
        QVERIFY(gpu->fallbackTransfers > 0);
    QVERIFY2(gpu->validationErrors == 0, gpu->validationMessage.c_str());
}

void checkGraph(const GraphBuilder& builder, bool expectGpuOnly = true) {
    auto session = vktest::cpuSession(builder.serialize());
    QVERIFY2(session.ok(), session.status().toString().c_str());
    checkStorage(*session.value(), expectGpuOnly, false);
    if (QTest::currentTestFailed()) return;
    checkStorage(*session.value(), expectGpuOnly, true);
}

std::vector<int64_t> ints(const QString& list) {
    std::vector<int64_t> v;
    for (const QString& part : list.split(',', Qt::SkipEmptyParts)) v.push_back(part.trimmed().toLongLong());
    return v;
}

GraphBuilder single(const std::string& op, const Shape& x, const std::vector<std::string>& extraInputs,
                    const std::vector<Attribute>& attrs, GraphBuilder b = GraphBuilder("op")) {
    std::vector<std::string> inputs{b.input("x", DataType::Float, x)};
    inputs.insert(inputs.end(), extraInputs.begin(), extraInputs.end());
    b.output(b.op(op, inputs, attrs, "y"));
    return b;
}

}  // namespace

class TestVulkanOps : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        vktest::enableValidation();
        std::string why;
        if (!vktest::haveVulkan(why)) QSKIP(why.c_str());
    }

    void shadersAreEmbedded() {
        QVERIFY(!vulkan::shaderNames().empty());
        for (std::string_view name : vulkan::shaderNames())
            QVERIFY2(!vulkan::shaderCode(name).empty(), std::string(name).c_str());
        QVERIFY(vulkan::shaderCode("no_such_shader").empty());
    }

    void binary_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("add same") << "Add"
                                  << "1x3x17x23"
                                  << "1x3x17x23";
        QTest::newRow("sub row") << "Sub"
                                 << "13x127"
                                 << "127";
        QTest::newRow("mul both") << "Mul"
                                  << "2x3x1x5"
                                  << "3x4x1";
        QTest::newRow("div scalar") << "Div"
                                    << "13"
                                    << "1";
        QTest::newRow("add channel") << "Add"
                                     << "1x5x7x9"
                                     << "1x5x1x1";
        QTest::newRow("pow channel") << "Pow"
                                     << "1x5x7x9"
                                     << "1x5x1x1";
        // Same shapes, a multiple of 4 elements: binary_vec4.
        QTest::newRow("add same vec4") << "Add"
                                       << "1x3x8x12"
                                       << "1x3x8x12";
        QTest::newRow("div same vec4") << "Div"
                                       << "2x4x6"
                                       << "2x4x6";
        // Broadcasts whose merged last axis is whole vec4: binary_vec4.
        QTest::newRow("mul channel vec4") << "Mul"
                                          << "1x5x6x8"
                                          << "1x5x1x1";
        QTest::newRow("sub channel first vec4") << "Sub"
                                                << "1x5x1x1"
                                                << "1x5x6x8";
        QTest::newRow("add row vec4") << "Add"
                                      << "3x8"
                                      << "8";
        QTest::newRow("pow scalar vec4") << "Pow"
                                         << "2x12"
                                         << "1";
    }
    void binary() {
        QFETCH(QString, op);
        QFETCH(QString, a);
        QFETCH(QString, b);
        GraphBuilder g("binary");
        std::string x = g.input("x", DataType::Float, parseShape(a.toStdString()).value());
        // Weights in [0.5, 1.5]: no division by (almost) zero.
        std::string w = g.initializer("w", weights(parseShape(b.toStdString()).value(), 7, 0.5f, 1.0f));
        g.output(g.op(op.toStdString(), {x, w}, {}, "y"));
        checkGraph(g);
    }

    // A constant of one value on either side of a tensor of whole vec4:
    // binary_scalar_vec4, the value in the push constants; with a fused Relu
    // after the Add.
    void binaryScalarConstant_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<bool>("constantFirst");
        QTest::addColumn<bool>("relu");
        for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow"})
            for (bool first : {false, true})
                QTest::newRow((std::string(op) + (first ? " constant first" : " constant second")).c_str())
                    << op << first << false;
        QTest::newRow("Add then Relu") << "Add" << false << true;
    }
    void binaryScalarConstant() {
        QFETCH(QString, op);
        QFETCH(bool, constantFirst);
        QFETCH(bool, relu);
        GraphBuilder g("binary_scalar");
        // Div and Pow take 1.7: no division by 0 when the constant divides,
        // and a negative base gives NaN on both backends (power()).
        std::string x = g.input("x", DataType::Float, {1, 3, 8, 12});
        const bool positive = op == "Div" || op == "Pow";
        std::string c =
            g.initializer("c", positive ? TensorData::fromFloat({1.7f}, {1}) : TensorData::fromFloat({-1.3f}, {}));
        std::vector<std::string> inputs =
            constantFirst ? std::vector<std::string>{c, x} : std::vector<std::string>{x, c};
        std::string y = g.op(op.toStdString(), inputs, {}, relu ? "sum" : "y");
        if (relu) y = g.op("Relu", {y}, {}, "y");
        g.output(y);
        checkGraph(g);
    }

    // Pow with a negative base: defined for integral exponents (x^2 in layer
    // norms), NaN otherwise, as on the CPU.
    void power_data() {
        QTest::addColumn<float>("exponent");
        for (float e : {2.f, 3.f, 0.5f, -1.f, 0.f, 1.f}) QTest::newRow(std::to_string(e).c_str()) << e;
    }
    void power() {
        QFETCH(float, exponent);
        GraphBuilder g("pow");
        std::string x = g.input("x", DataType::Float, {3, 41});
        g.output(g.op("Pow", {x, g.initializer("e", TensorData::fromFloat({exponent}, {}))}, {}, "y"));
        checkGraph(g);
    }

    void fusedAddRelu() {
        GraphBuilder g("fused");
        std::string x = g.input("x", DataType::Float, {1, 3, 17, 23});
        std::string w = g.initializer("w", weights({3, 1, 1}, 3));
        g.output(g.op("Relu", {g.op("Add", {x, w})}, {}, "y"));
        checkGraph(g);
    }

    void unary_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("shape");
        for (const char* op : {"Relu", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "Tanh", "Clip", "Sqrt",
                               "Exp", "Log", "Abs", "Neg", "Reciprocal", "Floor", "Ceil"}) {
            QTest::newRow((std::string(op) + " 127").c_str()) << op << "127";
            QTest::newRow((std::string(op) + " 1x3x17x23").c_str()) << op << "1x3x17x23";
        }
    }
    void unary() {
        QFETCH(QString, op);
        QFETCH(QString, shape);
        GraphBuilder g("unary");
        std::string x = g.input("x", DataType::Float, parseShape(shape.toStdString()).value());
        std::vector<std::string> inputs{x};
        std::vector<Attribute> attrs;
        if (op == "Clip") {
            inputs.push_back(g.initializer("lo", TensorData::fromFloat({-0.2f}, {})));
            inputs.push_back(g.initializer("hi", TensorData::fromFloat({0.3f}, {})));
        } else if (op == "HardSigmoid") {
            attrs = {floatAttr("alpha", 0.3f), floatAttr("beta", 0.4f)};
        } else if (op == "LeakyRelu") {
            attrs = {floatAttr("alpha", 0.1f)};
        }
        g.output(g.op(op.toStdString(), inputs, attrs, "y"));
        checkGraph(g);
    }

    void conv_data() {
        QTest::addColumn<QString>("x");
        QTest::addColumn<int>("outChannels");
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("pad");
        QTest::addColumn<int>("dilation");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("activation");
        QTest::newRow("3x3 s2 bias") << "1x3x17x23" << 5 << 3 << 2 << 1 << 1 << 1 << "";
        QTest::newRow("1x1") << "1x7x13x11" << 9 << 1 << 1 << 0 << 1 << 1 << "";
        QTest::newRow("groups dilated") << "1x4x13x13" << 6 << 3 << 1 << 2 << 2 << 2 << "";
        QTest::newRow("depthwise relu") << "1x6x15x17" << 6 << 3 << 1 << 1 << 1 << 6 << "Relu";
        QTest::newRow("5x5 clip6") << "2x3x19x21" << 4 << 5 << 2 << 2 << 1 << 1 << "Clip";
        QTest::newRow("3x3 sigmoid") << "1x8x9x7" << 3 << 3 << 1 << 1 << 1 << 1 << "Sigmoid";
        // Widths that are a multiple of 4 take the vec4 shaders
        // (conv1x1_packed, conv3x3_packed): output channels past a block
        // of 8, row ends, padding on every side, a batch.
        QTest::newRow("1x1 vec4 planes") << "1x7x12x8" << 9 << 1 << 1 << 0 << 1 << 1 << "";
        QTest::newRow("1x1 vec4 batch relu") << "2x5x4x6" << 17 << 1 << 1 << 0 << 1 << 1 << "Relu";
        QTest::newRow("3x3 vec4 rows") << "1x5x9x12" << 11 << 3 << 1 << 1 << 1 << 1 << "";
        QTest::newRow("3x3 vec4 dilation 2") << "1x4x10x16" << 8 << 3 << 1 << 2 << 2 << 1 << "Relu";
        QTest::newRow("3x3 vec4 dilation 4") << "1x3x11x20" << 5 << 3 << 1 << 4 << 4 << 1 << "";
        QTest::newRow("3x3 vec4 no pads") << "1x4x9x12" << 6 << 3 << 1 << 0 << 1 << 1 << "";
        QTest::newRow("3x3 vec4 batch") << "2x3x7x8" << 9 << 3 << 1 << 1 << 1 << 1 << "Clip";
        QTest::newRow("3x3 stride 2 (not vec4)") << "1x3x9x16" << 4 << 3 << 2 << 1 << 1 << 1 << "";
        QTest::newRow("3x3 dilation 8") << "1x2x20x24" << 3 << 3 << 1 << 8 << 8 << 1 << "";
        // Depthwise: rows of whole vec4 (conv_depthwise_rows), else
        // conv_depthwise; a channel multiplier of 2 in both.
        QTest::newRow("depthwise rows 3x3") << "1x6x9x12" << 6 << 3 << 1 << 1 << 1 << 6 << "Relu";
        QTest::newRow("depthwise rows 5x5 batch") << "2x3x9x12" << 3 << 5 << 1 << 2 << 1 << 3 << "";
        QTest::newRow("depthwise rows multiplier") << "1x3x8x8" << 6 << 3 << 1 << 1 << 1 << 3 << "";
        QTest::newRow("depthwise stride 2") << "1x4x11x13" << 4 << 3 << 2 << 1 << 1 << 4 << "Clip";
        QTest::newRow("depthwise multiplier stride 2") << "1x2x9x9" << 4 << 3 << 2 << 1 << 1 << 2 << "";
    }
    void conv() {
        QFETCH(QString, x);
        QFETCH(int, outChannels);
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, pad);
        QFETCH(int, dilation);
        QFETCH(int, group);
        QFETCH(QString, activation);
        const Shape xs = parseShape(x.toStdString()).value();
        GraphBuilder g("conv");
        std::string in = g.input("x", DataType::Float, xs);
        std::string w = g.initializer("w", weights({outChannels, xs[1] / group, kernel, kernel}, 11));
        std::string b = g.initializer("b", weights({outChannels}, 12));
        std::string y = g.op("Conv", {in, w, b},
                             {intsAttr("strides", {stride, stride}), intsAttr("pads", {pad, pad, pad, pad}),
                              intsAttr("dilations", {dilation, dilation}), intAttr("group", group)});
        if (activation == "Clip") {
            y = g.op("Clip", {y, g.initializer("lo", TensorData::fromFloat({0.f}, {})),
                              g.initializer("hi", TensorData::fromFloat({0.1f}, {}))});
        } else if (!activation.isEmpty()) {
            y = g.op(activation.toStdString(), {y});
        }
        g.output(y);
        checkGraph(g);
    }

    void pool_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<int>("ceil");
        QTest::addColumn<int>("includePad");
        QTest::newRow("max") << "MaxPool" << 0 << 0;
        QTest::newRow("max ceil") << "MaxPool" << 1 << 0;
        QTest::newRow("avg") << "AveragePool" << 0 << 0;
        QTest::newRow("avg ceil") << "AveragePool" << 1 << 0;
        QTest::newRow("avg ceil include pad") << "AveragePool" << 1 << 1;
    }
    void pool() {
        QFETCH(QString, op);
        QFETCH(int, ceil);
        QFETCH(int, includePad);
        std::vector<Attribute> attrs{intsAttr("kernel_shape", {3, 3}), intsAttr("strides", {2, 2}),
                                     intsAttr("pads", {1, 1, 1, 1}), intAttr("ceil_mode", ceil)};
        if (op == "AveragePool") attrs.push_back(intAttr("count_include_pad", includePad));
        checkGraph(single(op.toStdString(), {1, 3, 17, 23}, {}, attrs));
    }

    // 2x2 / stride 2 MaxPool over rows of whole vec4 (maxpool2x2_vec4):
    // ragged output rows, an odd height with and without ceil_mode, a batch.
    void maxPoolHalving_data() {
        QTest::addColumn<QString>("x");
        QTest::addColumn<int>("ceil");
        QTest::newRow("12 wide") << "1x3x8x12" << 0;
        QTest::newRow("odd height ceil") << "2x2x7x8" << 1;
        QTest::newRow("odd height floor") << "1x2x7x16" << 0;
    }
    void maxPoolHalving() {
        QFETCH(QString, x);
        QFETCH(int, ceil);
        std::vector<Attribute> attrs{intsAttr("kernel_shape", {2, 2}), intsAttr("strides", {2, 2}),
                                     intAttr("ceil_mode", ceil)};
        checkGraph(single("MaxPool", parseShape(x.toStdString()).value(), {}, attrs));
    }

    void globalPool() {
        checkGraph(single("GlobalAveragePool", {1, 5, 13, 11}, {}, {}));
        checkGraph(single("GlobalMaxPool", {2, 3, 7, 9}, {}, {}));
        // Planes of 256 values and more: a workgroup each (global_pool_wide),
        // sizes that leave some lanes short.
        checkGraph(single("GlobalAveragePool", {1, 5, 17, 19}, {}, {}));
        checkGraph(single("GlobalMaxPool", {2, 3, 16, 16}, {}, {}));
    }

    void resize_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("coordinates");
        QTest::addColumn<QString>("out");
        QTest::newRow("linear half_pixel x2") << "linear"
                                              << "half_pixel"
                                              << "1x3x14x18";
        QTest::newRow("linear align_corners") << "linear"
                                              << "align_corners"
                                              << "1x3x13x17";
        QTest::newRow("linear pytorch_half_pixel") << "linear"
                                                   << "pytorch_half_pixel"
                                                   << "1x3x1x17";
        QTest::newRow("linear asymmetric down") << "linear"
                                                << "asymmetric"
                                                << "1x3x4x5";
        QTest::newRow("nearest asymmetric") << "nearest"
                                            << "asymmetric"
                                            << "1x3x13x17";
        QTest::newRow("nearest half_pixel") << "nearest"
                                            << "half_pixel"
                                            << "1x3x21x4";
    }
    void resize() {
        QFETCH(QString, mode);
        QFETCH(QString, coordinates);
        QFETCH(QString, out);
        const Shape outShape = parseShape(out.toStdString()).value();
        GraphBuilder g("resize");
        std::string x = g.input("x", DataType::Float, {1, 3, 7, 9});
        std::string sizes = g.initializer("sizes", TensorData::fromInt64(outShape, {4}));
        g.output(g.op("Resize", {x, "", "", sizes},
                      {stringAttr("mode", mode.toStdString()),
                       stringAttr("coordinate_transformation_mode", coordinates.toStdString())},
                      "y"));
        checkGraph(g);
    }

    void resizeScales() {
        GraphBuilder g("resize");
        std::string x = g.input("x", DataType::Float, {1, 2, 5, 7});
        std::string scales = g.initializer("scales", TensorData::fromFloat({1, 1, 2, 2}, {4}));
        g.output(g.op("Resize", {x, "", scales}, {stringAttr("mode", "linear")}, "y"));
        checkGraph(g);
    }

    void concat() {
        for (int axis : {1, 3, -1, 0}) {
            GraphBuilder g("concat");
            std::string x = g.input("x", DataType::Float, {1, 3, 5, 7});
            Shape other{1, 3, 5, 7};
            other[static_cast<size_t>(axis < 0 ? 3 : axis)] = 2;
            std::string a = g.initializer("a", weights(other, 21));
            std::string y = g.op("Relu", {x});
            g.output(g.op("Concat", {a, y, x}, {intAttr("axis", axis)}, "y"));
            checkGraph(g);
        }
    }

    // Rows, slots and output rows in whole vec4: concat_vec4, on every axis.
    void concatVec4() {
        for (int axis : {0, 1, 2, 3}) {
            GraphBuilder g("concat");
            std::string x = g.input("x", DataType::Float, {2, 3, 4, 8});
            Shape other{2, 3, 4, 8};
            other[static_cast<size_t>(axis)] = 4;
            std::string a = g.initializer("a", weights(other, 22));
            std::string y = g.op("Relu", {x});
            g.output(g.op("Concat", {a, y, x}, {intAttr("axis", axis)}, "y"));
            checkGraph(g);
        }
    }

    void softmax() {
        checkGraph(single("Softmax", {13, 127}, {}, {intAttr("axis", -1)}));
        checkGraph(single("Softmax", {2, 13, 5}, {}, {intAttr("axis", 1)}));
        checkGraph(single("LogSoftmax", {13, 127}, {}, {intAttr("axis", -1)}));
        // Rows of 256 values and more: a workgroup each (softmax_wide).
        checkGraph(single("Softmax", {3, 1000}, {}, {intAttr("axis", -1)}));
        checkGraph(single("LogSoftmax", {2, 2, 257}, {}, {intAttr("axis", -1)}));
    }

    void gemmAndMatMul() {
        {
            GraphBuilder g("gemm");
            std::string x = g.input("x", DataType::Float, {3, 13});
            std::string w = g.initializer("w", weights({7, 13}, 31));
            std::string c = g.initializer("c", weights({7}, 32));
            g.output(g.op("Gemm", {x, w, c}, {intAttr("transB", 1), floatAttr("alpha", 0.5f)}, "y"));
            checkGraph(g);
        }
        {
            GraphBuilder g("matmul");
            std::string x = g.input("x", DataType::Float, {2, 13, 7});
            std::string w = g.initializer("w", weights({7, 5}, 33));
            g.output(g.op("MatMul", {x, w}, {}, "y"));
            checkGraph(g);
        }
        // 4 x 4 blocks (gemm_tiled): transposes, a full C, ragged edges, a
        // batch on both sides.
        {
            GraphBuilder g("gemm");
            std::string x = g.input("x", DataType::Float, {11, 9});
            std::string w = g.initializer("w", weights({6, 11}, 34));
            std::string c = g.initializer("c", weights({9, 6}, 35));
            g.output(
                g.op("Gemm", {x, w, c}, {intAttr("transA", 1), intAttr("transB", 1), floatAttr("beta", 0.25f)}, "y"));
            checkGraph(g);
        }
        {
            GraphBuilder g("matmul");
            std::string x = g.input("x", DataType::Float, {2, 9, 11});
            std::string w = g.initializer("w", weights({2, 11, 6}, 36));
            g.output(g.op("MatMul", {x, w}, {}, "y"));
            checkGraph(g);
        }
    }

    // The ops that only relabel a tensor's shape copy it on the device.
    void reshapeIsACopy_data() {
        QTest::addColumn<QString>("op");
        for (const char* op : {"Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout"})
            QTest::newRow(op) << op;
    }

    void reshapeIsACopy() {
        QFETCH(QString, op);
        GraphBuilder g("copy");
        std::string x = g.input("x", DataType::Float, {1, 3, 5, 7});
        std::string relu = g.op("Relu", {x});
        std::vector<std::string> inputs{relu};
        std::vector<Attribute> attrs;
        if (op == "Flatten") attrs.push_back(intAttr("axis", 1));
        if (op == "Reshape") inputs.push_back(g.initializer("shape", TensorData::fromInt64({3, 35}, {2})));
        if (op == "Squeeze") inputs.push_back(g.initializer("axes", TensorData::fromInt64({0}, {1})));
        if (op == "Unsqueeze") inputs.push_back(g.initializer("axes", TensorData::fromInt64({1}, {1})));
        // The copy's output feeds another device op, so the copy itself runs.
        g.output(g.op("Sigmoid", {g.op(op.toStdString(), inputs, attrs)}, {}, "y"));
        checkGraph(g);
    }

    void convTranspose_data() {
        QTest::addColumn<QString>("x");
        QTest::addColumn<int>("outChannels");
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("pad");
        QTest::addColumn<int>("dilation");
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("outputPadding");
        QTest::addColumn<QString>("activation");
        QTest::newRow("k2 s2 upsample") << "1x8x7x9" << 4 << 2 << 2 << 0 << 1 << 1 << 0 << "";
        QTest::newRow("k3 s2 pad1 output_padding1") << "1x3x7x9" << 5 << 3 << 2 << 1 << 1 << 1 << 1 << "";
        QTest::newRow("k3 s1 pad1 groups") << "1x4x5x7" << 6 << 3 << 1 << 1 << 1 << 2 << 0 << "";
        QTest::newRow("k3 s2 dilated pad2") << "1x3x6x5" << 2 << 3 << 2 << 2 << 2 << 1 << 0 << "";
        QTest::newRow("depthwise k4 s2 relu") << "1x6x5x5" << 6 << 4 << 2 << 1 << 1 << 6 << 0 << "Relu";
        QTest::newRow("k3 s3 batch2 sigmoid") << "2x3x5x4" << 3 << 3 << 3 << 0 << 1 << 1 << 2 << "Sigmoid";
        QTest::newRow("k5 s3 pad2 groups output_padding") << "1x6x4x3" << 9 << 5 << 3 << 2 << 1 << 3 << 1 << "";
        // Input rows of whole vec4: conv_transpose2x2_packed (channels past
        // a block of 8, a batch, an activation); output_padding keeps the
        // general shader.
        QTest::newRow("k2 s2 upsample vec4") << "1x5x3x8" << 11 << 2 << 2 << 0 << 1 << 1 << 0 << "";
        QTest::newRow("k2 s2 upsample vec4 batch relu") << "2x9x4x4" << 8 << 2 << 2 << 0 << 1 << 1 << 0 << "Relu";
        QTest::newRow("k2 s2 output_padding1") << "1x3x4x8" << 4 << 2 << 2 << 0 << 1 << 1 << 1 << "";
    }
    void convTranspose() {
        QFETCH(QString, x);
        QFETCH(int, outChannels);
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, pad);
        QFETCH(int, dilation);
        QFETCH(int, group);
        QFETCH(int, outputPadding);
        QFETCH(QString, activation);
        const Shape xs = parseShape(x.toStdString()).value();
        GraphBuilder g("convtranspose");
        std::string in = g.input("x", DataType::Float, xs);
        std::string w = g.initializer("w", weights({xs[1], outChannels / group, kernel, kernel}, 41));
        std::string b = g.initializer("b", weights({outChannels}, 42));
        std::string y = g.op("ConvTranspose", {in, w, b},
                             {intsAttr("strides", {stride, stride}), intsAttr("pads", {pad, pad, pad, pad}),
                              intsAttr("dilations", {dilation, dilation}), intAttr("group", group),
                              intsAttr("output_padding", {outputPadding, outputPadding})});
        if (!activation.isEmpty()) y = g.op(activation.toStdString(), {y});
        g.output(y);
        checkGraph(g);
    }

    // Asymmetric strides and pads, no bias, auto_pad and output_shape, 1-D.
    void convTransposeVariants_data() {
        QTest::addColumn<QString>("x");
        QTest::addColumn<QString>("kernel");
        QTest::addColumn<QString>("attributes");
        QTest::newRow("strides 2x3 pads 0,1,2,0") << "1x3x5x6"
                                                  << "3x4"
                                                  << "strides=2,3 pads=0,1,2,0";
        QTest::newRow("auto_pad SAME_UPPER") << "1x3x5x6"
                                             << "3x3"
                                             << "strides=2,2 auto_pad=SAME_UPPER";
        QTest::newRow("auto_pad SAME_LOWER") << "1x3x5x6"
                                             << "4x4"
                                             << "strides=2,2 auto_pad=SAME_LOWER";
        QTest::newRow("output_shape") << "1x3x5x6"
                                      << "3x3"
                                      << "strides=2,2 output_shape=12,13";
        QTest::newRow("1-D stride 2 output_padding") << "2x3x11"
                                                     << "3"
                                                     << "strides=2 pads=1,0 output_padding=1";
    }
    void convTransposeVariants() {
        QFETCH(QString, x);
        QFETCH(QString, kernel);
        QFETCH(QString, attributes);
        const Shape xs = parseShape(x.toStdString()).value();
        Shape ws{xs[1], 4};
        const Shape kernelShape = parseShape(kernel.toStdString()).value();
        ws.insert(ws.end(), kernelShape.begin(), kernelShape.end());
        std::vector<Attribute> attrs;
        for (const QString& item : attributes.split(' ', Qt::SkipEmptyParts)) {
            const QString name = item.section('=', 0, 0), value = item.section('=', 1);
            if (name == "auto_pad")
                attrs.push_back(stringAttr("auto_pad", value.toStdString()));
            else
                attrs.push_back(intsAttr(name.toStdString(), ints(value)));
        }
        GraphBuilder g("convtranspose");
        std::string in = g.input("x", DataType::Float, xs);
        std::string w = g.initializer("w", weights(ws, 43));
        g.output(g.op("ConvTranspose", {in, w}, attrs, "y"));
        checkGraph(g);
    }

    void slice_data() {
        QTest::addColumn<QString>("x");
        QTest::addColumn<QString>("starts");
        QTest::addColumn<QString>("ends");
        QTest::addColumn<QString>("axes");
        QTest::addColumn<QString>("steps");
        QTest::addColumn<bool>("int64");
        QTest::newRow("last axis") << "1x3x17x23"
                                   << "2"
                                   << "-3"
                                   << "3"
                                   << "1" << false;
        QTest::newRow("reverse an axis") << "1x3x17x23"
                                         << "-1"
                                         << "-100"
                                         << "2"
                                         << "-1" << false;
        QTest::newRow("negative steps on two axes") << "1x3x17x23"
                                                    << "15,20"
                                                    << "1,0"
                                                    << "2,-1"
                                                    << "-3,-2" << false;
        QTest::newRow("step 2 without axes") << "5x7x9"
                                             << "0,1"
                                             << "5,7"
                                             << ""
                                             << "2,3" << false;
        QTest::newRow("contiguous rows (a copy)") << "4x3x5"
                                                  << "1"
                                                  << "3"
                                                  << "0"
                                                  << "1" << false;
        QTest::newRow("5-D three axes") << "2x3x4x5x6"
                                        << "1,0,-2"
                                        << "2,3,100"
                                        << "0,2,4"
                                        << "1,2,1" << false;
        QTest::newRow("int64 negative step") << "3x13x7"
                                             << "-2,6"
                                             << "0,-100"
                                             << "1,-1"
                                             << "-4,-2" << true;
        QTest::newRow("int64 contiguous") << "13x7"
                                          << "3"
                                          << "11"
                                          << "0"
                                          << "1" << true;
    }
    void slice() {
        QFETCH(QString, x);
        QFETCH(QString, starts);
        QFETCH(QString, ends);
        QFETCH(QString, axes);
        QFETCH(QString, steps);
        QFETCH(bool, int64);
        auto list = [](const QString& values) {
            const std::vector<int64_t> v = ints(values);
            return TensorData::fromInt64(v, {static_cast<int64_t>(v.size())});
        };
        GraphBuilder g("slice");
        std::string in = g.input("x", int64 ? DataType::Int64 : DataType::Float, parseShape(x.toStdString()).value());
        std::vector<std::string> inputs{in, g.initializer("starts", list(starts)), g.initializer("ends", list(ends))};
        inputs.push_back(axes.isEmpty() ? "" : g.initializer("axes", list(axes)));
        inputs.push_back(g.initializer("steps", list(steps)));
        g.output(g.op("Slice", inputs, {}, "y"), int64 ? DataType::Int64 : DataType::Float);
        checkGraph(g);
    }

    // Opset 9 reads starts / ends / axes from attributes.
    void sliceAttributes() {
        GraphBuilder g("slice", 9);
        std::string x = g.input("x", DataType::Float, {2, 13, 7});
        g.output(g.op("Slice", {x},
                      {intsAttr("starts", {1, -5}), intsAttr("ends", {100, -1}), intsAttr("axes", {2, 1})}, "y"));
        checkGraph(g);
    }

    void transpose_data() {
        QTest::addColumn<QString>("x");
        QTest::addColumn<QString>("perm");  // empty: the default (reversed axes)
        QTest::addColumn<bool>("int64");
        QTest::newRow("3-D 2,0,1") << "2x13x7"
                                   << "2,0,1" << false;
        QTest::newRow("3-D default") << "3x5x7"
                                     << "" << false;
        QTest::newRow("NCHW to NHWC") << "1x3x17x23"
                                      << "0,2,3,1" << false;
        QTest::newRow("NHWC to NCHW") << "2x17x23x3"
                                      << "0,3,1,2" << false;
        QTest::newRow("4-D 0,2,1,3") << "2x3x5x7"
                                     << "0,2,1,3" << false;
        QTest::newRow("5-D 4,2,0,3,1") << "2x3x4x5x6"
                                       << "4,2,0,3,1" << false;
        QTest::newRow("6-D reversed") << "2x3x1x5x2x3"
                                      << "5,4,3,2,1,0" << false;
        QTest::newRow("only size-1 axes move (a copy)") << "1x5x1x7"
                                                        << "2,1,0,3" << false;
        QTest::newRow("int64 4-D") << "2x3x5x7"
                                   << "3,1,0,2" << true;
        QTest::newRow("int64 5-D") << "2x3x4x5x3"
                                   << "0,4,2,1,3" << true;
    }
    void transpose() {
        QFETCH(QString, x);
        QFETCH(QString, perm);
        QFETCH(bool, int64);
        std::vector<Attribute> attrs;
        if (!perm.isEmpty()) attrs.push_back(intsAttr("perm", ints(perm)));
        GraphBuilder g("transpose");
        std::string in = g.input("x", int64 ? DataType::Int64 : DataType::Float, parseShape(x.toStdString()).value());
        g.output(g.op("Transpose", {in}, attrs, "y"), int64 ? DataType::Int64 : DataType::Float);
        checkGraph(g);
    }

    void reduce_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("x");
        QTest::addColumn<QString>("axes");  // "none": no axes at all
        QTest::addColumn<int>("keepdims");
        QTest::addColumn<int>("opset");  // 13: axes attribute (ReduceSum: input); 18: axes input
        for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                               "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"}) {
            const std::string name(op);
            QTest::newRow((name + " last axis keepdims").c_str()) << op << "2x5x13x7"
                                                                  << "-1" << 1 << 13;
            QTest::newRow((name + " axes 1,3 no keepdims").c_str()) << op << "2x5x13x7"
                                                                    << "1,3" << 0 << 13;
            QTest::newRow((name + " axes -3,0 opset 18").c_str()) << op << "3x5x13x7"
                                                                  << "-3,0" << 1 << 18;
            QTest::newRow((name + " all axes").c_str()) << op << "3x5x11"
                                                        << "none" << 0 << 13;
            // 256 elements and more per output: reduce_wide, its lanes
            // splitting the outer walk (70 x 9) or the inner run (300).
            QTest::newRow((name + " wide axes 0,2").c_str()) << op << "70x3x9"
                                                             << "0,2" << 0 << 18;
            QTest::newRow((name + " wide last axis").c_str()) << op << "2x3x300"
                                                              << "-1" << 1 << 13;
        }
        QTest::newRow("ReduceMean H,W keepdims") << "ReduceMean"
                                                 << "1x6x17x23"
                                                 << "2,3" << 1 << 13;
        QTest::newRow("ReduceSum over channels") << "ReduceSum"
                                                 << "2x7x9x11"
                                                 << "1" << 0 << 13;
        QTest::newRow("ReduceMax 5-D 0,2,4") << "ReduceMax"
                                             << "2x3x4x5x6"
                                             << "0,2,4" << 0 << 18;
        QTest::newRow("ReduceMin size-1 axis") << "ReduceMin"
                                               << "3x1x7"
                                               << "1" << 1 << 18;
        QTest::newRow("ReduceSum big cancelling") << "ReduceSum"
                                                  << "3x4096"
                                                  << "1" << 1 << 13;
    }
    void reduce() {
        QFETCH(QString, op);
        QFETCH(QString, x);
        QFETCH(QString, axes);
        QFETCH(int, keepdims);
        QFETCH(int, opset);
        GraphBuilder g("reduce", opset);
        std::string in = g.input("x", DataType::Float, parseShape(x.toStdString()).value());
        // Prod and LogSum want positive inputs near 1 (no underflow, no log of a negative sum).
        if (op == "ReduceProd" || op == "ReduceLogSum")
            in = g.op("Add", {g.op("Sigmoid", {in}), g.initializer("half", TensorData::fromFloat({0.5f}, {}))});
        std::vector<std::string> inputs{in};
        std::vector<Attribute> attrs{intAttr("keepdims", keepdims)};
        const bool axesAsInput = opset >= 18 || op == "ReduceSum";
        if (axes != "none") {
            const std::vector<int64_t> list = ints(axes);
            if (axesAsInput)
                inputs.push_back(
                    g.initializer("axes", TensorData::fromInt64(list, {static_cast<int64_t>(list.size())})));
            else
                attrs.push_back(intsAttr("axes", list));
        }
        g.output(g.op(op.toStdString(), inputs, attrs, "y"));
        checkGraph(g);
    }

    // noop_with_empty_axes and no axes: the output is the input.
    void reduceNoop() {
        GraphBuilder g("reduce", 18);
        std::string x = g.input("x", DataType::Float, {2, 5, 7});
        g.output(g.op("ReduceMean", {g.op("Relu", {x})}, {intAttr("noop_with_empty_axes", 1)}, "y"));
        checkGraph(g);
    }

    // A BatchNormalization that fusion cannot fold (its producer is not a
    // Conv) runs on the GPU; also on a 3-D input, and with the Relu after
    // it fused into it (the shader's activation).
    void batchNorm_data() {
        QTest::addColumn<QString>("x");
        QTest::addColumn<bool>("relu");
        QTest::newRow("NCHW") << "2x5x7x9" << false;
        QTest::newRow("NCL") << "3x4x11" << false;
        QTest::newRow("NCHW, Relu fused") << "2x5x7x9" << true;
    }
    void batchNorm() {
        QFETCH(QString, x);
        QFETCH(bool, relu);
        const Shape xs = parseShape(x.toStdString()).value();
        const Shape c{xs[1]};
        GraphBuilder g("batchnorm");
        std::string in = g.input("x", DataType::Float, xs);
        const std::string bn =
            g.op("BatchNormalization",
                 {g.op("Relu", {in}), g.initializer("scale", weights(c, 51)), g.initializer("bias", weights(c, 52)),
                  g.initializer("mean", weights(c, 53)), g.initializer("var", weights(c, 54, 0.4f, 0.6f))},
                 {floatAttr("epsilon", 1e-3f)}, relu ? "bn" : "y");
        g.output(relu ? g.op("Relu", {bn}, {}, "y") : bn);
        checkGraph(g);
    }

    // Cases the new kernels decline run on the CPU, visibly (transfers
    // counted) and with the CPU's results, never a wrong one.
    void declinedCasesFallBack_data() {
        QTest::addColumn<QString>("op");
        QTest::newRow("Slice of 1-byte elements") << "Slice";
        QTest::newRow("Transpose of 2-byte elements") << "Transpose";
        QTest::newRow("ReduceSum of int64") << "ReduceSum";
        QTest::newRow("3-D ConvTranspose") << "ConvTranspose";
    }
    void declinedCasesFallBack() {
        QFETCH(QString, op);
        GraphBuilder g("declined");
        if (op == "Slice") {
            std::string x = g.input("x", DataType::UInt8, {3, 5, 7});
            g.output(g.op("Slice",
                          {x, g.initializer("starts", TensorData::fromInt64({1}, {1})),
                           g.initializer("ends", TensorData::fromInt64({4}, {1}))},
                          {}, "y"),
                     DataType::UInt8);
        } else if (op == "Transpose") {
            std::string x = g.input("x", DataType::Float16, {3, 5, 7});
            g.output(g.op("Transpose", {x}, {intsAttr("perm", {2, 0, 1})}, "y"), DataType::Float16);
        } else if (op == "ReduceSum") {
            std::string x = g.input("x", DataType::Int64, {3, 5, 7});
            g.output(g.op("ReduceSum", {x, g.initializer("axes", TensorData::fromInt64({1}, {1}))}, {}, "y"),
                     DataType::Int64);
        } else {
            std::string x = g.input("x", DataType::Float, {1, 2, 3, 4, 5});
            std::string w = g.initializer("w", weights({2, 3, 2, 2, 2}, 44));
            g.output(g.op("ConvTranspose", {x, w}, {intsAttr("strides", {2, 2, 2})}, "y"));
        }
        checkGraph(g, false);
    }

    // An op without a shader between two GPU ops runs on the CPU: same
    // results, and the transfers are counted.
    void cpuFallback() {
        GraphBuilder g("fallback");
        std::string x = g.input("x", DataType::Float, {1, 3, 5, 7});
        // Pick another op when Sin gets a shader.
        QVERIFY(!vulkan::findVulkanKernel("Sin"));
        std::string t = g.op("Sin", {g.op("Relu", {x})});
        g.output(g.op("Sigmoid", {t}, {}, "y"));
        auto session = vktest::cpuSession(g.serialize());
        QVERIFY2(session.ok(), session.status().toString().c_str());
        // With fp16 storage the tensors are converted on the way down and up.
        for (bool fp16 : {false, true}) {
            auto gpu = vktest::runOnVulkan(*session.value(), MemoryMode{}, 1, {}, fp16);
            QVERIFY2(gpu.ok(), gpu.status().toString().c_str());
            QCOMPARE(gpu->fallbackTransfers, 2);  // Relu's output down, Sin's up
            const TensorData expected = session.value()->output("y").value();
            auto c = fp16 ? vktest::compareHalf(expected, gpu->outputs.at("y"))
                          : vktest::compare(expected, gpu->outputs.at("y"));
            QVERIFY2(c.bad == 0, c.first.c_str());
            QCOMPARE(gpu->validationErrors, 0);
        }
    }

    // Runs last: every op the op table gives a Vulkan kernel ran on the
    // device in some case above, so a new shader cannot go untested.
    void everyTableShaderIsTested() {
        QVERIFY(!vulkan::findVulkanKernel("NoSuchOp"));
        std::string untested;
        for (const std::string& op : vulkan::vulkanSupportedOps())
            if (!opsRunOnGpu().count(op)) untested += (untested.empty() ? "" : ", ") + op;
        QVERIFY2(untested.empty(), ("no case runs these ops on the device: " + untested).c_str());
    }
};

QTEST_GUILESS_MAIN(TestVulkanOps)
#include "test_vulkan_ops.moc"
