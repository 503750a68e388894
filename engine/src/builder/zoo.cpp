// The zoo's registry: names, one-line descriptions, and the builders.

#include "interstage/zoo.h"

#include <array>
#include <fstream>
#include <span>
#include <utility>

#include "half_model.h"
#include "zoo_models.h"

namespace interstage {

namespace {

struct ZooModel {
    const char* name;
    const char* description;
    zoo::NetBuilder (*make)();
};

const std::array<ZooModel, 7>& registry() {
    static const std::array<ZooModel, 7> models{{
        {"u2netp",
         "U^2-Net-P salient object detection, 1x3xheightxwidth (320 by default), 11 RSU blocks, 7 outputs, "
         "1.13M params (data-dependent Resize sizes)",
         [] { return zoo::makeU2netp(); }},
        {"resnet", "ResNet-18 classifier, 1x3x224x224, basic blocks with residual Add, 11.7M params", zoo::makeResnet},
        {"mobilenetv2", "MobileNetV2 classifier, 1x3x224x224, depthwise convs and ReLU6 (Clip), 3.5M params",
         zoo::makeMobilenetV2},
        {"inception", "Inception-v1 (GoogLeNet) classifier, 1x3x224x224, 9 four-branch modules, 7.0M params",
         zoo::makeInception},
        {"transformer",
         "BERT-style encoder, 1x128 tokens of hidden 256, 4 layers, 4 heads, GELU (erf form), decomposed "
         "LayerNorm, an additive attention mask input, 3.2M params",
         zoo::makeTransformerEncoder},
        {"vit",
         "ViT-Tiny-style classifier, 1x3x224x224 in 16x16 patches (197 tokens), hidden 192, 3 heads, "
         "12 pre-LN layers, tanh GELU, LayerNormalization (opset 17), 5.7M params",
         zoo::makeVit},
        {"blazeface",
         "BlazeFace-style SSD face detector, 1x3x256x256, 5x5 depthwise BlazeBlocks with padded and pooled "
         "shortcuts, two heads over 896 anchors, 0.23M params",
         zoo::makeBlazeface},
    }};
    return models;
}

// Models for the graph view's speed and grouping, kept out of registry():
// their plans are not pinned by golden files, and the tests that run every
// zoo model need not run ten thousand nodes.
const std::array<ZooModel, 2>& stressRegistry() {
    static const std::array<ZooModel, 2> models{{
        {"densenet121",
         "DenseNet-121 classifier, 1x3x224x224, 427 nodes; every dense layer concatenates all earlier maps",
         zoo::makeDensenet},
        {"deep_encoder",
         "BERT-style encoder, 216 layers, ~9,950 nodes named /encoder/layer.N/...; hidden 32, 16 tokens",
         zoo::makeDeepEncoder},
    }};
    return models;
}

// Quantized variants of the registry's nets, for int8 kernels and their
// memory: built and saved like the others, not in zooModels() (no golden
// plans).
const std::array<ZooModel, 1>& quantizedRegistry() {
    static const std::array<ZooModel, 1> models{{
        {"u2netp-dynq",
         "U^2-Net-P with its 119 Convs dynamically quantized as ONNX Runtime writes them: DynamicQuantizeLinear, "
         "ConvInteger (uint8 weights), Cast, Mul",
         zoo::makeU2netpDynq},
    }};
    return models;
}

std::array<std::span<const ZooModel>, 3> allModels() { return {registry(), stressRegistry(), quantizedRegistry()}; }

std::string validNames() {
    std::string names;
    for (std::span<const ZooModel> list : allModels()) {
        for (const auto& m : list) {
            if (!names.empty()) names += ", ";
            names += m.name;
        }
    }
    return names;
}

Result<const ZooModel*> findModel(const std::string& name) {
    if (name.empty()) return Status(StatusCode::InvalidArgument, "no zoo model named; valid names: " + validNames());
    for (std::span<const ZooModel> list : allModels()) {
        for (const auto& m : list) {
            if (name == m.name) return &m;
        }
    }
    return Status(StatusCode::NotFound, "unknown zoo model '" + name + "'; valid names: " + validNames());
}

}  // namespace

std::vector<ZooEntry> zooModels() {
    std::vector<ZooEntry> entries;
    for (const auto& m : registry()) entries.push_back({m.name, m.description});
    return entries;
}

std::vector<ZooEntry> quantizedZooModels() {
    std::vector<ZooEntry> entries;
    for (const auto& m : quantizedRegistry()) entries.push_back({m.name, m.description});
    return entries;
}

std::vector<ZooEntry> graphStressModels() {
    std::vector<ZooEntry> entries;
    for (const auto& m : stressRegistry()) entries.push_back({m.name, m.description});
    return entries;
}

Result<std::string> buildZooModel(const std::string& name) {
    // "u2netp-fp16", "resnet-bf16": the model converted to the half type.
    for (const auto& [suffix, half] : {std::pair{"-fp16", DataType::Float16}, std::pair{"-bf16", DataType::BFloat16}}) {
        const std::string tail(suffix);
        if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0) {
            auto model = buildZooModel(name.substr(0, name.size() - tail.size()));
            if (!model.ok()) return model.status();
            return zoo::convertToHalf(model.value(), half);
        }
    }
    // "u2netp-1024": U^2-Net-P at another square input size (the fp16
    // comparisons run it at 1024x1024).
    const std::string sized = "u2netp-";
    if (name.rfind(sized, 0) == 0 && name.size() > sized.size() && name.size() <= sized.size() + 4 &&
        name.find_first_not_of("0123456789", sized.size()) == std::string::npos) {
        const int64_t size = std::stoll(name.substr(sized.size()));
        if (size < 32 || size % 32 != 0)
            return Status(StatusCode::InvalidArgument, "u2netp sizes are multiples of 32 from 32 to 9984");
        return zoo::makeU2netp(size).serialize();
    }
    auto model = findModel(name);
    if (!model.ok()) return model.status();
    return model.value()->make().serialize();
}

Status saveZooModel(const std::string& name, const std::string& path) {
    auto bytes = buildZooModel(name);
    if (!bytes.ok()) return bytes.status();
    std::ofstream out(path, std::ios::binary);
    out << bytes.value();
    out.close();
    if (!out) return Status(StatusCode::IoError, "cannot write " + path);
    return Status::ok();
}

}  // namespace interstage
