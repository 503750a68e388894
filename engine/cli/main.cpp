// interstage-cli: the engine without a window.
#include <iostream>
#include <string>

#include "cli_common.h"
#include "interstage/huge_page_malloc.h"

namespace {

void printHelp() {
    std::cout << "usage: interstage-cli COMMAND [options]\n"
                 "       interstage-cli --help | --version\n"
                 "\n"
                 "commands:\n"
                 "  info MODEL [--input NAME=DIMS]... [--json FILE]\n"
                 "      opset, ops, weights, intermediate tensors and the lower bound on memory\n"
                 "  run MODEL [--backend cpu] [--threads N] [--runs N] [--input NAME=DIMS]...\n"
                 "      [--input-file NAME=TENSOR.pb]... [--save-outputs DIR] [--json FILE]\n"
                 "      [--value NAME=V[,V...]]...  (a small input's values, by its dtype:\n"
                 "      integers, decimals or 0/1/true/false; e.g. --value sr=16000)\n"
                 "      [--mode default|reduce|reuse|reduce+reuse|arena] [--reduce-constant]\n"
                 "      [--ignore-input-initializer] [--no-fusion] [--no-in-place-concat]\n"
                 "      [--no-in-place-ops]  (no op writes its output over a dying input)\n"
                 "      [--no-blocked-layout]  (keep every CPU tensor NCHW)\n"
                 "      [--file-order]  (run nodes in the file's order, not the memory-aware one)\n"
                 "      [--allow-other-dims]  (run an input at other sizes than the static dims\n"
                 "                             the model declares)\n"
                 "      [--gpu-fp16]  (Vulkan: float32 tensors and weights stored as float16 on the\n"
                 "                     device, computed in float32)\n"
                 "      [--keep NAME]... [--trace FILE]\n"
                 "      [--max-memory SIZE|none]  (refuse a plan above SIZE, e.g. 200M; default: the\n"
                 "                                 host's available memory less a margin)\n"
                 "      [--timeout SECONDS]  (stop the runs after this long; exit status 1)\n"
                 "      [--session FILE.interstage]  (save the run set, a failed one too, as a\n"
                 "      session the app opens: interstage FILE.interstage)\n"
                 "      [--csv DIR]  (the same as CSV tables: sets, plan, node_times, events, rss)\n"
                 "      runs the model N times; prints each run's processing time and memory\n"
                 "  compare MODEL [--runs 5] [--json FILE] [--seed-table] [--presets LIST]\n"
                 "      [run's options]\n"
                 "      every memory preset in a fresh process, in one table; the presets use the\n"
                 "      SDK tutorial's flags, get_memory_mode(True, True, x, x), and the table\n"
                 "      shows them; --seed-table prints the tutorial's U^2-Net-P rows beside ours;\n"
                 "      --session FILE saves each mode as a run set of one session file; --csv DIR\n"
                 "      the same as CSV tables; --presets default,reduce,... runs only those;\n"
                 "      --gpu-fp16 (Vulkan) runs each mode twice, in float32 and in fp16 storage,\n"
                 "      the fp16 row with its outputs' largest error against the float32 row's\n"
                 "  explain MODEL [run's options] [--json FILE]\n"
                 "      why the plan peaks where it does, planned without a run: the peak step and\n"
                 "      node, the tensors alive there and why, the lower bounds, fragmentation,\n"
                 "      what each --keep and each in-place rule costs at the peak\n"
                 "  diff MODEL --a MODE[,OPT...] --b MODE[,OPT...] [--all|--rows N] [--json FILE]\n"
                 "      [run's options]  two plans side by side, planned without running: peaks,\n"
                 "      buffers, allocations per run and each tensor's buffer, offset and life,\n"
                 "      those that make the peak difference first. OPT: no-fusion, no-in-place,\n"
                 "      no-in-place-concat, no-in-place-ops, no-blocked-layout, file-order,\n"
                 "      reduce-constant, keep=NAME (e.g. --a reduce --b arena,no-in-place)\n"
                 "  fit MODEL --sweep NAME=1x3xSxS [--range 64:1024:32] [--budget 200M]\n"
                 "      [--presets default,reduce,...] [--input NAME=DIMS]... [--json FILE]\n"
                 "      plans every preset at each size of S (nothing runs): the peak --max-memory\n"
                 "      checks (weights + planned tensors + workspace + inputs), and the largest\n"
                 "      size whose plan fits the budget\n"
                 "  report MODEL|SESSION [run's options] [--presets default,reduce,reuse,arena]\n"
                 "      [--runs 3] [--style light|print] -o REPORT.pdf|.html\n"
                 "      runs each preset (as compare --session does), then draws the report:\n"
                 "      model facts, each configuration's timeline, memory map and peak, the\n"
                 "      timings, the tables and the graph; a session file is drawn as it is\n"
                 "  chart MODEL|SESSION [run's options] --chart timeline|map|timings\n"
                 "      [--style light|print] [--target slide|column] [--size WxH] [--dpi N]\n"
                 "      [--set N] [--run N] [--no-overlays] -o FILE.svg|.pdf|.png\n"
                 "      runs the configuration (2 runs, as run --session does) and draws one\n"
                 "      chart of the last run, titled, labelled and footnoted for a slide\n"
                 "      (1920 px) or a column (85 mm); a session file is drawn as it is\n"
                 "      (--set I: its set I, 0 the first, default the last; --run N: run N;\n"
                 "      --no-overlays: the timeline without the earlier sets' lines).\n"
                 "      Both need interstage-render (beside interstage-cli, in its installed\n"
                 "      place, or INTERSTAGE_RENDER) and no display\n"
                 "  zoo NAME [--fp16|--bf16] -o FILE.onnx | zoo --list\n"
                 "      writes a built-in architecture (u2netp, resnet, mobilenetv2, inception)\n"
                 "  devices\n"
                 "      the CPU and every Vulkan device (index, type, memory heaps, API version)\n"
                 "\n"
                 "Dynamic input dims default to 1 for the batch and 320 otherwise; dims with\n"
                 "one name share one size (set through any input). Set them with\n"
                 "--input x=1x3x640x640 (--input sr=scalar for rank 0). Inputs not given by\n"
                 "--input-file or --value get a generated pattern; --value's count must fill\n"
                 "the input's shape, or sets it for a dynamic scalar or 1-D input.\n"
                 "Errors: exit status 1 (2 for a bad command line) and one line on stderr\n"
                 "naming the problem.\n";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace interstage::cli;
    interstage::restartWithHugePageMalloc(argv);
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
    // The first line is what help2man and packagers read: "NAME VERSION".
    if (command == "--version") {
        std::cout << "interstage-cli " << INTERSTAGE_VERSION << "\n";
        return 0;
    }
    if (command == "info") return runInfo(args);
    if (command == "zoo") return runZoo(args);
    if (command == "run") return runRun(args);
    if (command == "compare") return runCompare(args);
    if (command == "explain") return runExplain(args);
    if (command == "diff") return runDiff(args);
    if (command == "devices") return runDevices(args);
    if (command == "fit") return runFit(args);
    if (command == "report") return runReport(args);
    if (command == "chart") return runChart(args);
    return usageError("unknown command '" + command + "'");
}
