#include "test_support.h"

#include <QtGlobal>
#include <filesystem>
#include <fstream>

#include "interstage/zoo.h"

namespace testsupport {

std::string modelsDir() { return std::string(INTERSTAGE_SOURCE_DIR) + "/models"; }

std::string sampleModelPath() {
    std::string path = modelsDir() + "/u2netp.onnx";
    if (!fileExists(path)) {
        std::filesystem::create_directories(modelsDir());
        (void)interstage::saveZooModel("u2netp", path);
    }
    return path;
}

bool fileExists(const std::string& path) { return std::filesystem::is_regular_file(path); }

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& bytes) {
    std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

interstage::Model builtModel(const interstage::GraphBuilder& builder) {
    auto model = interstage::loadModelFromBytes(builder.serialize(), ".");
    if (!model.ok()) qFatal("%s", model.status().toString().c_str());
    return model.take();
}

interstage::GraphBuilder tinyChain() {
    using namespace interstage;
    GraphBuilder b("tiny", 13);
    b.input("x", DataType::Float, {1, 4});
    std::string r = b.op("Relu", {"x"}, {}, "relu");
    std::string s = b.op("Sigmoid", {r}, {}, "sigmoid");
    b.output(s, DataType::Float, {1, 4});
    return b;
}

interstage::GraphBuilder chainWithoutVulkanShader() {
    using namespace interstage;
    GraphBuilder b("fallback", 13);
    b.input("x", DataType::Float, {1, 4, 8, 8});
    auto relu = b.op("Relu", {"x"}, {}, "relu");
    auto erf = b.op("Erf", {relu}, {}, "erf");
    auto y = b.op("Sigmoid", {erf}, {}, "y");
    b.output(y, DataType::Float, {1, 4, 8, 8});
    return b;
}

}  // namespace testsupport
