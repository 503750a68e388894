// `report` and `chart`: the export document made the way `compare
// --session` and `run --session` make it (those commands run as children
// of this process; nothing of theirs is repeated here), or a session file
// as given, handed to interstage-render, which draws with Qt. The CLI
// stays Qt-free and works with no display.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli_common.h"
#include "interstage/session_file.h"
#include "run_options.h"

extern char** environ;

namespace interstage::cli {
namespace {

// What `report` and `chart` take beyond the run options.
struct ExportOptions {
    std::string output, style, presets, chart, target, dpi, size, set, run;
    bool noOverlays = false;  // chart: earlier sets' lines left out of a session's timeline
};

bool takeExportOption(Args& a, ExportOptions& e, Status& error, bool chart) {
    if (a.option("-o", e.output, error) || a.option("--output", e.output, error) || a.option("--style", e.style, error))
        return true;
    if (!chart) return a.option("--presets", e.presets, error);
    if (a.flag("--no-overlays")) return e.noOverlays = true;
    return a.option("--chart", e.chart, error) || a.option("--target", e.target, error) ||
           a.option("--dpi", e.dpi, error) || a.option("--size", e.size, error) || a.option("--set", e.set, error) ||
           a.option("--run", e.run, error);
}

std::string suffixOf(const std::string& path) {
    std::string s = std::filesystem::path(path).extension().string();
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
    for (const char* a : allowed)
        if (value == a) return true;
    return false;
}

// A bad command line, found before anything runs: "" when it is fine.
std::string checkExportOptions(const RunOptions& o, const ExportOptions& e, bool chart) {
    const std::string command = chart ? "chart" : "report";
    if (o.model.empty()) return command + ": name a model or a session file";
    if (e.output.empty()) return command + ": name the output file with -o FILE";
    if (!e.style.empty() && !oneOf(e.style, {"light", "print"}))
        return "--style '" + e.style + "' must be light or print";
    if (!chart) {
        if (!oneOf(suffixOf(e.output), {".pdf", ".html"}))
            return "report: -o '" + e.output + "' must end in .pdf or .html";
        return {};
    }
    if (e.chart.empty()) return "chart: say what to draw: --chart timeline|map|timings";
    if (!oneOf(e.chart, {"timeline", "map", "timings"}))
        return "--chart '" + e.chart + "' must be timeline, map or timings";
    if (!e.target.empty() && !oneOf(e.target, {"slide", "column"}))
        return "--target '" + e.target + "' must be slide or column (or give --size WxH)";
    if (!oneOf(suffixOf(e.output), {".svg", ".pdf", ".png"}))
        return "chart: -o '" + e.output + "' must end in .svg, .pdf or .png";
    return {};
}

// $INTERSTAGE_RENDER, else interstage-render beside this executable (the
// build tree), else where the install puts it, relative to this program's
// folder (INTERSTAGE_RENDER_INSTALLED: ../libexec/interstage/...).
Result<std::string> findRenderer() {
    const char* env = std::getenv("INTERSTAGE_RENDER");
    std::string path;
    if (env && *env) {
        path = env;
    } else {
        std::error_code ec;
        const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (ec) return Status(StatusCode::IoError, "cannot find this program's folder: " + ec.message());
        path = (self.parent_path() / "interstage-render").string();
        const auto installed = (self.parent_path() / INTERSTAGE_RENDER_INSTALLED).lexically_normal();
        if (::access(path.c_str(), X_OK) != 0 && ::access(installed.c_str(), X_OK) == 0) path = installed.string();
    }
    if (::access(path.c_str(), X_OK) != 0)
        return Status(StatusCode::NotFound, "the renderer '" + path +
                                                "' is missing or not executable (build the interstage-render "
                                                "target, or set INTERSTAGE_RENDER to its path)");
    return path;
}

// Runs a program with stdout and stderr shared (the child's table and its
// one-line error reach the user as they are); its exit status, -1 when it
// could not start or died.
int runProgram(const std::string& program, const std::vector<std::string>& args) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    std::string name = program;
    argv.push_back(name.data());
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A temporary file name that no other process uses; removed on exit.
struct TempSession {
    std::string path;
    TempSession() {
        char name[] = "/tmp/interstage-report-XXXXXX";
        const int fd = ::mkstemp(name);
        if (fd >= 0) {
            ::close(fd);
            path = name;
        }
    }
    ~TempSession() {
        if (!path.empty()) std::remove(path.c_str());
    }
    TempSession(const TempSession&) = delete;
    TempSession& operator=(const TempSession&) = delete;
};

// The run sets, made by `compare` (report: every preset asked for) or
// `run` (chart: the one configuration of the run options), saved to
// `session`. The child prints its progress and, on failure, its error.
int makeDocument(const RunOptions& o, const ExportOptions& e, bool chart, const std::string& session) {
    std::vector<std::string> args = {chart ? "run" : "compare", o.model, "--session", session};
    if (chart) args.insert(args.end(), {"--mode", o.mode});
    if (!chart) args.insert(args.end(), {"--presets", e.presets.empty() ? "default,reduce,reuse,arena" : e.presets});
    const auto child = childArguments(o);
    args.insert(args.end(), child.begin(), child.end());
    return runProgram("/proc/self/exe", args);
}

std::vector<std::string> rendererArguments(const std::string& session, const ExportOptions& e, bool chart) {
    std::vector<std::string> args = {session};
    if (chart)
        args.insert(args.end(), {"--chart", e.chart});
    else
        args.push_back("--report");
    const std::pair<const char*, const std::string*> passed[] = {{"--style", &e.style}, {"--target", &e.target},
                                                                 {"--dpi", &e.dpi},     {"--size", &e.size},
                                                                 {"--set", &e.set},     {"--run", &e.run}};
    for (const auto& [flag, value] : passed)
        if (!value->empty()) args.insert(args.end(), {flag, *value});
    if (e.noOverlays) args.push_back("--no-overlays");
    args.insert(args.end(), {"-o", e.output});
    return args;
}

int runExport(Args& args, bool chart) {
    RunOptions o;
    // The charts show the last run: a second one is past the first run's
    // one-time costs (packing weights, first touches); the report's
    // timings take the median of runs 2 and 3.
    o.runs = chart ? 2 : 3;
    ExportOptions e;
    bool usage = false;
    Status parsed = parseCommandArgs(args, chart ? "chart" : "report", o, usage,
                                     [&](Args& a, Status& error) { return takeExportOption(a, e, error, chart); });
    if (!parsed.isOk()) return usage ? usageError(parsed.message()) : reportError(parsed);
    const std::string bad = checkExportOptions(o, e, chart);
    if (!bad.empty()) return usageError(bad);
    if (!chart && o.mode != "default") return usageError("report runs each of --presets; drop --mode");
    // Before any run: a missing renderer would waste them.
    auto renderer = findRenderer();
    if (!renderer.ok()) return reportError(renderer.status());
    TempSession temp;
    std::string session = o.model;
    if (!looksLikeSessionFile(o.model)) {
        if (temp.path.empty()) return reportError(Status(StatusCode::IoError, "cannot make a temporary file in /tmp"));
        const int made = makeDocument(o, e, chart, temp.path);
        if (made != 0) return made < 0 ? reportError(Status(StatusCode::Internal, "the run did not finish")) : made;
        session = temp.path;
    }
    const int rendered = runProgram(renderer.value(), rendererArguments(session, e, chart));
    if (rendered < 0)
        return reportError(Status(StatusCode::Internal, "the renderer '" + renderer.value() + "' failed"));
    if (rendered == 0) std::cout << (chart ? "chart" : "report") << " written to " << e.output << std::endl;
    return rendered;
}

}  // namespace

int runReport(Args& args) { return runExport(args, false); }
int runChart(Args& args) { return runExport(args, true); }

}  // namespace interstage::cli
