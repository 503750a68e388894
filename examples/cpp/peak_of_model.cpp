// Loads an ONNX model, runs it once in a memory mode (default: reduce) and
// prints the lower bound of its intermediate memory and the run's peaks.
//   peak_of_model MODEL.onnx [default|reduce|reuse|reduce+reuse|arena]
#include <interstage/model.h>
#include <interstage/session.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: peak_of_model MODEL.onnx [MODE]\n");
        return 2;
    }
    // Every engine call returns a Status or a Result: nothing throws.
    auto model = interstage::loadModel(argv[1]);
    if (!model.ok()) {
        std::fprintf(stderr, "peak_of_model: %s\n", model.status().toString().c_str());
        return 1;
    }
    interstage::SessionOptions options;
    auto mode = interstage::MemoryMode::parse(argc == 3 ? argv[2] : "reduce");
    if (!mode.ok()) {
        std::fprintf(stderr, "peak_of_model: %s\n", mode.status().toString().c_str());
        return 2;
    }
    options.mode = mode.value();
    auto session = interstage::Session::create(model.take(), options);
    if (!session.ok()) {
        std::fprintf(stderr, "peak_of_model: %s\n", session.status().toString().c_str());
        return 1;
    }
    // No inputs given: each gets the engine's deterministic pattern.
    interstage::RunStats stats;
    if (auto status = session.value()->run({}, &stats); !status.isOk()) {
        std::fprintf(stderr, "peak_of_model: %s\n", status.toString().c_str());
        return 1;
    }
    std::printf("mode %s\n", options.mode.name().c_str());
    std::printf("lower bound %zu bytes\n", session.value()->lowerBoundBytes());
    std::printf("peak activations %zu bytes\n", stats.peakActivationBytes);
    std::printf("peak tracked %zu bytes (weights included)\n", stats.peakTrackedBytes);
    std::printf("run %.1f ms\n", stats.ms);
    return 0;
}
