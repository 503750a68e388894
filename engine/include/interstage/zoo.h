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
// Models that test the graph view at size ("densenet121": dense all-to-all
// edges; "deep_encoder": ~10,000 nodes in name scopes). Built and saved
// like the others, but not in zooModels(): no golden plans, no model runs.
std::vector<ZooEntry> graphStressModels();
// Quantized variants ("u2netp-dynq"), built and saved like the others.
std::vector<ZooEntry> quantizedZooModels();

// The serialized ONNX model (deterministic weights: same bytes every time).
// A name ending in "-fp16" or "-bf16" ("u2netp-fp16") gives that model in
// float16 / bfloat16: weights, inputs, outputs and every activation;
// "u2netp-1024" is U^2-Net-P at 1024x1024 (any multiple of 32), also
// "u2netp-1024-fp16".
Result<std::string> buildZooModel(const std::string& name);
Status saveZooModel(const std::string& name, const std::string& path);

}  // namespace interstage
