// write_seeds DIR: saves the models the test suites build in code
// (tests/models/: If, Loop and Scan models, the LSTM / GRU / RNN cases) as
// DIR/<name>.onnx, so that the fuzzer starts from graphs with bodies and
// recurrent nodes without binaries in the repository (scripts/fuzz.sh).
#include <cctype>
#include <cstdio>
#include <string>

#include "models/control_flow_models.h"
#include "models/recurrent_models.h"

namespace {

// "lstm bidirectional, lengths" -> "lstm_bidirectional__lengths".
std::string fileName(const std::string& name) {
    std::string out = name;
    for (char& ch : out)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return out + ".onnx";
}

bool save(const interstage::GraphBuilder& model, const std::string& dir, const std::string& name) {
    const interstage::Status saved = model.save(dir + "/" + fileName(name));
    if (!saved.isOk()) std::fprintf(stderr, "write_seeds: %s: %s\n", name.c_str(), saved.toString().c_str());
    return saved.isOk();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: write_seeds DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    int written = 0;
    for (const auto& [name, model] : testmodels::controlFlowModels()) {
        if (!save(model, dir, name)) return 1;
        ++written;
    }
    for (const auto& [name, c] : testmodels::recurrentCases()) {
        if (!save(testmodels::makeGraph(c, testmodels::makeInputs(c)), dir, "recurrent_" + name)) return 1;
        ++written;
    }
    std::printf("write_seeds: %d models in %s\n", written, dir.c_str());
    return 0;
}
