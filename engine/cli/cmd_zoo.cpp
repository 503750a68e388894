// `interstage-cli zoo NAME [--fp16|--bf16] -o FILE.onnx`: writes a built-in
// architecture, optionally in float16 / bfloat16.
#include <iostream>

#include "cli_common.h"
#include "interstage/zoo.h"

namespace interstage::cli {

int runZoo(Args& args) {
    std::string name, output;
    std::string suffix;  // "-fp16" / "-bf16": the zoo's half variants
    bool list = false;
    while (!args.done()) {
        Status error;
        if (args.option("-o", output, error) || args.option("--output", output, error)) {
            if (!error.isOk()) return reportError(error);
        } else if (args.flag("--fp16")) {
            suffix = "-fp16";
        } else if (args.flag("--bf16")) {
            suffix = "-bf16";
        } else if (args.flag("--list")) {
            list = true;
        } else if (args.peek().rfind('-', 0) == 0) {
            return usageError("zoo: unknown option '" + args.peek() + "'");
        } else if (name.empty()) {
            name = args.next();
        } else {
            return usageError("zoo: unexpected argument '" + args.peek() + "'");
        }
    }
    if (list || name.empty()) {
        for (const auto& entry : zooModels()) std::cout << entry.name << "\t" << entry.description << "\n";
        for (const auto& entry : graphStressModels())
            std::cout << entry.name << "\t" << entry.description << " (graph view stress test)\n";
        for (const auto& entry : quantizedZooModels()) std::cout << entry.name << "\t" << entry.description << "\n";
        return list ? 0 : usageError("zoo: name a model (see the list above) and -o FILE.onnx");
    }
    if (output.empty()) return usageError("zoo: give the output file with -o FILE.onnx");
    name += suffix;
    Status status = saveZooModel(name, output);
    if (!status.isOk()) return reportError(status);
    std::cout << "wrote " << name << " to " << output << "\n";
    return 0;
}

}  // namespace interstage::cli
