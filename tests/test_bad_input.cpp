// Every kind of bad input the loader meets gives a clear error that names
// the problem — never a crash.
#include <onnx/onnx_pb.h>

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

#include "interstage/model.h"
#include "test_support.h"

using namespace interstage;

namespace {

// A valid model: x[2,2] + w (initializer) -> y.
onnx::ModelProto addModel() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("add");
    auto* x = g->add_input();
    x->set_name("x");
    x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    for (int d : {2, 2}) x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    auto* w = g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(2);
    w->add_dims(2);
    for (float v : {1.f, 2.f, 3.f, 4.f}) w->add_float_data(v);
    auto* n = g->add_node();
    n->set_op_type("Add");
    n->set_name("add");
    n->add_input("x");
    n->add_input("w");
    n->add_output("y");
    g->add_output()->set_name("y");
    return m;
}

Status loadProto(const QTemporaryDir& dir, const onnx::ModelProto& m, const std::string& name = "m.onnx") {
    auto model = loadModel(testsupport::writeFile(dir, name, m.SerializeAsString()));
    return model.ok() ? Status::ok() : model.status();
}

void expectError(const Status& status, StatusCode code, const char* fragment) {
    QVERIFY2(!status.isOk(), "expected an error");
    QVERIFY2(status.message().find(fragment) != std::string::npos, status.toString().c_str());
    QCOMPARE(int(status.code()), int(code));
    QVERIFY2(status.message().find('\n') == std::string::npos, "errors are one line");
}

void makeExternal(onnx::TensorProto* w, const std::string& location) {
    w->clear_float_data();
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* entry = w->add_external_data();
    entry->set_key("location");
    entry->set_value(location);
}

}  // namespace

class BadInputTest : public QObject {
    Q_OBJECT
private slots:
    void validModelLoads() {
        QTemporaryDir dir;
        auto model = loadModel(testsupport::writeFile(dir, "ok.onnx", addModel().SerializeAsString()));
        QVERIFY2(model.ok(), model.status().toString().c_str());
        QCOMPARE(model->graph.nodes.size(), size_t(1));
        auto report = resolveShapes(model->graph, {});
        QVERIFY(report.ok());
        QCOMPARE(model->graph.value(model->graph.find("y")).shape, (Shape{2, 2}));
    }
    void missingFile() {
        auto model = loadModel("/nonexistent/dir/model.onnx");
        expectError(model.status(), StatusCode::NotFound, "no such file");
    }
    void directoryInsteadOfFile() {
        QTemporaryDir dir;
        expectError(loadModel(dir.path().toStdString()).status(), StatusCode::InvalidArgument, "is a directory");
    }
    void emptyFile() {
        QTemporaryDir dir;
        expectError(loadModel(testsupport::writeFile(dir, "e.onnx", "")).status(), StatusCode::InvalidModel, "empty");
    }
    void notAnOnnxFile() {
        QTemporaryDir dir;
        auto path = testsupport::writeFile(dir, "t.onnx", "this is a text file, not a model\n");
        expectError(loadModel(path).status(), StatusCode::InvalidModel, "not an ONNX model");
    }
    void protobufWithoutGraph() {
        QTemporaryDir dir;
        onnx::ModelProto m;
        m.set_ir_version(8);
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "holds no graph");
    }
    void truncatedFile() {
        QTemporaryDir dir;
        std::string bytes = addModel().SerializeAsString();
        expectError(loadModel(testsupport::writeFile(dir, "half.onnx", bytes.substr(0, bytes.size() / 2))).status(),
                    StatusCode::InvalidModel, "truncated");
        // Every cut point: an error or (at a field boundary) a smaller valid
        // model — never a crash.
        for (size_t cut = 1; cut < bytes.size(); ++cut) {
            auto model = loadModel(testsupport::writeFile(dir, "cut.onnx", bytes.substr(0, cut)));
            if (!model.ok()) QVERIFY(!model.status().message().empty());
        }
    }
    void cycle() {
        QTemporaryDir dir;
        auto m = addModel();
        auto* g = m.mutable_graph();
        g->mutable_node(0)->set_input(0, "b");  // add reads b, b reads y
        auto* b = g->add_node();
        b->set_op_type("Relu");
        b->set_name("relu_b");
        b->add_input("y");
        b->add_output("b");
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "cycle");
    }
    void danglingInput() {
        QTemporaryDir dir;
        auto m = addModel();
        m.mutable_graph()->mutable_node(0)->set_input(1, "ghost");
        expectError(loadProto(dir, m), StatusCode::InvalidModel,
                    "'ghost', which no node, initializer or graph input produces");
    }
    void valueProducedTwice() {
        QTemporaryDir dir;
        auto m = addModel();
        *m.mutable_graph()->add_node() = m.graph().node(0);
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "produced twice");
    }
    void outputNothingProduces() {
        QTemporaryDir dir;
        auto m = addModel();
        m.mutable_graph()->add_output()->set_name("nowhere");
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "graph output 'nowhere'");
    }
    void initializerSizeMismatch() {
        QTemporaryDir dir;
        auto m = addModel();
        auto* w = m.mutable_graph()->mutable_initializer(0);
        w->clear_float_data();
        w->set_raw_data(std::string(12, '\0'));
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "needs 16 bytes but holds 12");
        w->clear_raw_data();
        w->add_float_data(1.f);
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "declares 4 elements but float_data holds 1");
    }
    void absurdDimensions() {
        QTemporaryDir dir;
        auto m = addModel();
        auto* w = m.mutable_graph()->mutable_initializer(0);
        w->set_dims(0, int64_t(1) << 40);
        w->set_dims(1, int64_t(1) << 40);
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "absurd dimensions");
        w->set_dims(0, -3);
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "negative dimension");

        auto m2 = addModel();
        m2.mutable_graph()
            ->mutable_input(0)
            ->mutable_type()
            ->mutable_tensor_type()
            ->mutable_shape()
            ->mutable_dim(0)
            ->set_dim_value(-5);
        expectError(loadProto(dir, m2), StatusCode::InvalidModel, "negative dimension -5");
    }
    void absurdInputSpec() {
        expectError(parseInputSpec("x=1x3x99999999999999x99999999").status(), StatusCode::InvalidArgument, "absurd");
        expectError(parseInputSpec("x=1x-3").status(), StatusCode::InvalidArgument, "negative");
        expectError(parseInputSpec("x=1xaxb").status(), StatusCode::InvalidArgument, "not a number");
        expectError(parseInputSpec("1x3").status(), StatusCode::InvalidArgument, "NAME=DIMS");
        expectError(parseShape("scalarx2").status(), StatusCode::InvalidArgument, "not a number");
    }
    // What shapeToString() writes for rank 0 reads back as rank 0 (the run
    // panel's field for a scalar input shows "scalar").
    void scalarShapeRoundTrips() {
        QCOMPARE(shapeToString(Shape{}), std::string("scalar"));
        auto scalar = parseShape(shapeToString(Shape{}));
        QVERIFY2(scalar.ok(), scalar.status().message().c_str());
        QVERIFY(scalar->empty());
        auto spec = parseInputSpec("sr=scalar");
        QVERIFY(spec.ok());
        QCOMPARE(spec->first, std::string("sr"));
        QVERIFY(spec->second.empty());
        QCOMPARE(parseShape(shapeToString(Shape{1, 512})).value(), (Shape{1, 512}));
    }
    void inputShapeThatDoesNotFit() {
        QTemporaryDir dir;
        auto model = loadModel(testsupport::writeFile(dir, "ok.onnx", addModel().SerializeAsString()));
        QVERIFY(model.ok());
        expectError(resolveShapes(model->graph, {{"x", {2, 3}}}).status(), StatusCode::InvalidArgument,
                    "must be 2, not 3");
        expectError(resolveShapes(model->graph, {{"nope", {2, 2}}}).status(), StatusCode::InvalidArgument,
                    "no input named 'nope'");
    }
    void unknownElementType() {
        QTemporaryDir dir;
        auto m = addModel();
        m.mutable_graph()->mutable_initializer(0)->set_data_type(99);
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "unknown element type 99");
    }
    void externalDataInsideFolderLoads() {
        QTemporaryDir dir;
        float values[4] = {5, 6, 7, 8};
        testsupport::writeFile(dir, "weights.bin", std::string(reinterpret_cast<char*>(values), sizeof values));
        auto m = addModel();
        makeExternal(m.mutable_graph()->mutable_initializer(0), "weights.bin");
        auto model = loadModel(testsupport::writeFile(dir, "ext.onnx", m.SerializeAsString()));
        QVERIFY2(model.ok(), model.status().toString().c_str());
        const auto& w = model->graph.value(model->graph.find("w"));
        QCOMPARE(w.constant->data<float>()[3], 8.f);
    }
    void externalDataLeavingFolder() {
        QTemporaryDir dir;
        auto m = addModel();
        makeExternal(m.mutable_graph()->mutable_initializer(0), "../weights.bin");
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "leaves the model's folder");
        m = addModel();
        makeExternal(m.mutable_graph()->mutable_initializer(0), "/etc/passwd");
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "absolute path");
        m = addModel();
        makeExternal(m.mutable_graph()->mutable_initializer(0), "missing.bin");
        expectError(loadProto(dir, m), StatusCode::NotFound, "does not exist");
    }
    void externalDataSymlinkOutOfFolder() {
        QTemporaryDir outside, dir;
        testsupport::writeFile(outside, "secret.bin", std::string(16, 'x'));
        std::filesystem::create_symlink(outside.filePath("secret.bin").toStdString(),
                                        dir.filePath("link.bin").toStdString());
        auto m = addModel();
        makeExternal(m.mutable_graph()->mutable_initializer(0), "link.bin");
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "outside the model's folder");
    }
    void externalDataTooShort() {
        QTemporaryDir dir;
        testsupport::writeFile(dir, "short.bin", std::string(8, '\0'));
        auto m = addModel();
        makeExternal(m.mutable_graph()->mutable_initializer(0), "short.bin");
        expectError(loadProto(dir, m), StatusCode::InvalidModel, "beyond the end");
    }
};

QTEST_GUILESS_MAIN(BadInputTest)
#include "test_bad_input.moc"
