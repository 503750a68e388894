// Built-in model architectures, written as ONNX by `interstage-cli zoo`.
#pragma once

#include <string>
#include <vector>

#include "interstage/status.h"

namespace interstage {

struct ZooEntry {
    std::string name;         // "u2netp", "resnet", "mobilenetv2", "inception"
    std::string description;  // one line for `zoo --list`
};

std::vector<ZooEntry> zooModels();

// The serialized ONNX model (deterministic weights: same bytes every time).
Result<std::string> buildZooModel(const std::string& name);
Status saveZooModel(const std::string& name, const std::string& path);

}  // namespace interstage
