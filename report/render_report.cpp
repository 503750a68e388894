#include "render_report.h"

#include <cstdio>

#include "interstage/session_file.h"
#include "report.h"

namespace report {

namespace {

struct ReportArgs {
    QString session, output;
    Style style = Style::Light;
};

// One line on stderr; `code` returned for the caller to exit with.
int fail(int code, const QString& message) {
    std::fprintf(stderr, "interstage-render: %s\n", qPrintable(message));
    return code;
}

bool parse(const QStringList& args, ReportArgs& out, QString& problem) {
    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--report") continue;
        if ((a == "-o" || a == "--style") && !hasValue) {
            problem = a + " needs a value";
            return false;
        }
        if (a == "-o") {
            out.output = args[++i];
        } else if (a == "--style") {
            const QString style = args[++i];
            if (style != "light" && style != "print") {
                problem = "--style is light or print, not '" + style + "'";
                return false;
            }
            out.style = style == "print" ? Style::Print : Style::Light;
        } else if (!a.startsWith('-') && out.session.isEmpty()) {
            out.session = a;
        } else {
            problem = "--report takes SESSION_FILE [--style light|print] -o OUT.pdf|.html, not '" + a + "'";
            return false;
        }
    }
    if (out.session.isEmpty() || out.output.isEmpty()) problem = "--report needs SESSION_FILE and -o OUT.pdf|.html";
    return problem.isEmpty();
}

}  // namespace

int renderReportCommand(const QStringList& arguments) {
    ReportArgs args;
    QString problem;
    if (!parse(arguments, args, problem)) return fail(2, problem);
    auto session = interstage::readSessionFile(args.session.toStdString());
    if (!session.ok()) return fail(1, QString::fromStdString(session.status().message()));
    ReportOptions options;
    options.style = args.style;
    QString error;
    if (!writeReport(args.output, session.value(), options, &error)) return fail(1, error);
    return 0;
}

}  // namespace report
