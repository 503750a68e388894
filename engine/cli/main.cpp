// interstage-cli: the engine without a window.
#include <iostream>
#include <string>

#include "cli_common.h"

namespace {

void printHelp() {
    std::cout <<
        "usage: interstage-cli COMMAND [options]\n"
        "\n"
        "commands:\n"
        "  info MODEL [--input NAME=DIMS]... [--json FILE]\n"
        "      opset, ops, weights, intermediate tensors and the lower bound on memory\n"
        "  zoo NAME -o FILE.onnx | zoo --list\n"
        "      writes a built-in architecture (u2netp, resnet, mobilenetv2, inception)\n"
        "\n"
        "Dynamic input dims default to 1 for the batch and 320 otherwise; set them\n"
        "with --input x=1x3x640x640. Errors: exit status 1 (2 for a bad command line)\n"
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
    return usageError("unknown command '" + command + "'");
}
