// interstage-cli: the engine without a window.
#include <iostream>
#include <string>

#include "cli_common.h"

namespace {

void printHelp() {
    std::cout << "usage: interstage-cli COMMAND [options]\n"
                 "\n"
                 "commands:\n"
                 "  info MODEL [--input NAME=DIMS]... [--json FILE]\n"
                 "      opset, ops, weights, intermediate tensors and the lower bound on memory\n"
                 "  run MODEL [--backend cpu] [--threads N] [--runs N] [--input NAME=DIMS]...\n"
                 "      [--input-file NAME=TENSOR.pb]... [--save-outputs DIR] [--json FILE]\n"
                 "      [--mode default|reduce|reuse|reduce+reuse|arena] [--reduce-constant]\n"
                 "      [--ignore-input-initializer] [--no-fusion] [--no-in-place-concat]\n"
                 "      [--no-in-place-ops]  (no op writes its output over a dying input)\n"
                 "      [--no-blocked-layout]  (keep every CPU tensor NCHW)\n"
                 "      [--file-order]  (run nodes in the file's order, not the memory-aware one)\n"
                 "      [--keep NAME]... [--trace FILE]\n"
                 "      [--max-memory SIZE]  (refuse a plan above SIZE, e.g. 200M)\n"
                 "      [--timeout SECONDS]  (stop the runs after this long; exit status 1)\n"
                 "      runs the model N times; prints each run's processing time and memory\n"
                 "  compare MODEL [--runs 5] [--json FILE] [run's options]\n"
                 "      every memory mode in a fresh process, in one table\n"
                 "  zoo NAME -o FILE.onnx | zoo --list\n"
                 "      writes a built-in architecture (u2netp, resnet, mobilenetv2, inception)\n"
                 "  devices\n"
                 "      the CPU and every Vulkan device (index, type, memory heaps, API version)\n"
                 "\n"
                 "Dynamic input dims default to 1 for the batch and 320 otherwise; dims with\n"
                 "one name share one size (set through any input). Set them with\n"
                 "--input x=1x3x640x640. Errors: exit status 1 (2 for a bad command line)\n"
                 "and one line on stderr naming the problem.\n";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace interstage::cli;
    if (argc < 2) {
        printHelp();
        return kExitUsage;
    }
    const std::string command = argv[1];
    Args args(argc, argv, 2);
    if (command == "--help" || command == "-h" || command == "help") {
        printHelp();
        return 0;
    }
    if (command == "info") return runInfo(args);
    if (command == "zoo") return runZoo(args);
    if (command == "run") return runRun(args);
    if (command == "compare") return runCompare(args);
    if (command == "devices") return runDevices(args);
    return usageError("unknown command '" + command + "'");
}
