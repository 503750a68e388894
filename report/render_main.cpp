// interstage-render: figures (and reports) from a saved session, with no
// display. The CLI's `chart` and `report` commands run it; scripts may too.
//   interstage-render SESSION --chart timeline|map|timings [--set N] [--run N]
//       [--style light|print] [--target slide|column] [--size WxH] [--dpi N]
//       [--no-overlays] -o OUT.png|.svg|.pdf
//   interstage-render SESSION --report [--style light|print] -o OUT.pdf|.html
// Exit 0: written. 1: one line on stderr naming the problem. 2: bad command line.
#include <QApplication>
#include <QStringList>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "interstage/session_file.h"
#include "report/figure.h"
#include "report/render_report.h"

namespace {

constexpr int kBadCommandLine = 2;

const char* const kUsage =
    "usage: interstage-render SESSION_FILE --chart timeline|map|timings [--set N] [--run N] "
    "[--style light|print] [--target slide|column] [--size WxH] [--dpi N] [--no-overlays] -o OUT.png|.svg|.pdf\n"
    "       interstage-render SESSION_FILE --report [--style light|print] -o OUT.pdf|.html";

struct CommandLine {
    QString session, output, chart;
    report::FigureOptions figure;
    QString error;  // a bad command line
};

std::optional<int> parseInt(const QString& text) {
    bool ok = false;
    const int value = text.toInt(&ok);
    return ok ? std::optional<int>(value) : std::nullopt;
}

bool parseSize(const QString& text, QSizeF* size) {
    const QStringList parts = text.toLower().split(QLatin1Char('x'));
    if (parts.size() != 2) return false;
    const auto w = parseInt(parts[0]), h = parseInt(parts[1]);
    if (!w || !h || *w <= 0 || *h <= 0) return false;
    *size = QSizeF(*w, *h);
    return true;
}

// One option and its value; false with cl.error set when it is bad.
bool applyOption(CommandLine& cl, const QString& name, const QString& value) {
    report::FigureOptions& f = cl.figure;
    auto bad = [&](const QString& why) {
        cl.error = QStringLiteral("%1 '%2': %3").arg(name, value, why);
        return false;
    };
    if (name == QLatin1String("-o")) {
        cl.output = value;
    } else if (name == QLatin1String("--chart")) {
        cl.chart = value;
        if (!report::chartKindFromName(value, &f.kind)) return bad(QStringLiteral("must be timeline, map or timings"));
    } else if (name == QLatin1String("--style")) {
        if (value == QLatin1String("light"))
            f.style = report::Style::Light;
        else if (value == QLatin1String("print"))
            f.style = report::Style::Print;
        else
            return bad(QStringLiteral("must be light or print"));
    } else if (name == QLatin1String("--target")) {
        if (value == QLatin1String("slide"))
            f.target = report::Target::Slide;
        else if (value == QLatin1String("column"))
            f.target = report::Target::Column;
        else
            return bad(QStringLiteral("must be slide or column (or give --size WxH)"));
    } else if (name == QLatin1String("--size")) {
        if (!parseSize(value, &f.size)) return bad(QStringLiteral("must be WIDTHxHEIGHT in px, such as 900x560"));
        f.target = report::Target::Custom;
    } else if (name == QLatin1String("--dpi")) {
        const auto dpi = parseInt(value);
        if (!dpi || *dpi <= 0) return bad(QStringLiteral("must be a positive whole number"));
        f.dpi = *dpi;
    } else if (name == QLatin1String("--set") || name == QLatin1String("--run")) {
        const auto n = parseInt(value);
        if (!n) return bad(QStringLiteral("must be a whole number"));
        (name == QLatin1String("--set") ? f.set : f.run) = *n;
    } else {
        cl.error = QStringLiteral("unknown option '%1'").arg(name);
        return false;
    }
    return true;
}

CommandLine parse(const QStringList& args) {
    CommandLine cl;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args[i];
        if (a == QLatin1String("--no-overlays")) {
            cl.figure.overlays = false;
        } else if (a.startsWith(QLatin1Char('-'))) {
            if (i + 1 >= args.size()) {
                cl.error = QStringLiteral("%1 needs a value").arg(a);
                return cl;
            }
            if (!applyOption(cl, a, args[++i])) return cl;
        } else if (cl.session.isEmpty()) {
            cl.session = a;
        } else {
            cl.error = QStringLiteral("unexpected argument '%1'").arg(a);
            return cl;
        }
    }
    if (cl.error.isEmpty() && cl.session.isEmpty()) cl.error = QStringLiteral("no session file given");
    if (cl.error.isEmpty() && cl.chart.isEmpty()) cl.error = QStringLiteral("say what to draw: --chart KIND");
    if (cl.error.isEmpty() && cl.output.isEmpty()) cl.error = QStringLiteral("no output file given (-o OUT)");
    return cl;
}

// Qt's notes about the environment (no XDG_RUNTIME_DIR on a CI machine)
// are not problems of the figure: stderr keeps to the one line that is.
void quietMessages(QtMsgType type, const QMessageLogContext&, const QString& message) {
    if (type == QtDebugMsg || type == QtInfoMsg || message.startsWith(QLatin1String("QStandardPaths:"))) return;
    std::fprintf(stderr, "%s\n", message.toLocal8Bit().constData());
}

int fail(const QString& message) {
    std::fprintf(stderr, "interstage-render: %s\n", message.toLocal8Bit().constData());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    // No display needed: figures are painted off screen.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quietMessages);
    // Qt reads options such as -style from argv: it gets only the program's
    // name, so --style stays ours.
    QStringList args;
    for (int i = 0; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
    int qtArgc = 1;
    QApplication app(qtArgc, argv);
    // --report: the whole report instead of one figure (render_report.h).
    if (args.contains(QLatin1String("--report"))) return report::renderReportCommand(args.mid(1));
    const CommandLine cl = parse(args);
    if (!cl.error.isEmpty()) {
        std::fprintf(stderr, "interstage-render: %s\n%s\n", cl.error.toLocal8Bit().constData(), kUsage);
        return kBadCommandLine;
    }
    const auto session = interstage::readSessionFile(cl.session.toStdString());
    if (!session.ok()) return fail(QString::fromStdString(session.status().message()));
    QString error;
    if (!report::saveFigure(cl.output, session.value(), cl.figure, &error)) return fail(error);
    return 0;
}
