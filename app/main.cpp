// The Interstage desktop application.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QLocale>
#include <QMap>
#include <QMessageBox>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "core/autosave.h"
#include "core/step_state.h"
#include "fit_explorer.h"
#include "interstage/huge_page_malloc.h"
#include "main_window.h"
#include "ui_benchmark.h"
#include "widgets/graph_view.h"
#include "widgets/plan_diff_view.h"
#include "widgets/run_panel.h"

namespace {

// The command line, declared once for both the text-only and the GUI start.
struct AppOptions {
    QCommandLineOption compare{
        "compare", "Compare the memory presets (default, reduce, reuse, reduce+reuse, arena) once the model is open."};
    QCommandLineOption screenshot{"screenshot",
                                  "After --compare (or --preset), save a screenshot to FILE and quit. If the model "
                                  "fails to open or run, the window as it is is saved, the error goes to stderr and "
                                  "the exit status is 1.",
                                  "FILE"};
    QCommandLineOption tab{"tab", "The chart tab to show: timeline (default), map, timings, peak, diff or fit.", "TAB"};
    QCommandLineOption diff{"diff",
                            "With --compare and --screenshot: the Compare plans tab with the sets of presets A "
                            "and B (e.g. reduce,arena).",
                            "A,B"};
    QCommandLineOption preset{"preset",
                              "Run one memory preset (default, reduce, reuse, reduce+reuse or arena) once the model "
                              "is open, instead of --compare's five.",
                              "NAME"};
    QCommandLineOption benchmark{"benchmark-ui",
                                 "Time opening MODEL, then the longest UI stall while the presets run on the sample, "
                                 "print both and quit.",
                                 "MODEL"};
    QCommandLineOption find{"find",
                            "With --screenshot: select the first node whose name or op contains TEXT (expanding "
                            "the groups around it) instead of the first output's producer; \"\" selects nothing.",
                            "TEXT"};
    QCommandLineOption input{"input",
                             "Set the shape of an input, as the CLI's --input: NAME=DIMS (1x512; scalar for rank 0). "
                             "Repeatable.",
                             "NAME=DIMS"};
    QCommandLineOption value{"value",
                             "Give a small input (at most 16 elements) its values, as the CLI's --value: "
                             "NAME=V[,V...] (sr=16000), instead of the generated pattern. Repeatable.",
                             "NAME=V"};
    QCommandLineOption backend{"backend",
                               "Select the backend to run on (cpu, vulkan:0, ...; see interstage-cli devices).", "ID"};
    QCommandLineOption gpuFp16{"gpu-fp16",
                               "With a Vulkan --backend: store float32 tensors and weights as float16 on the "
                               "device (the Run panel's Half-precision storage box), as the CLI's --gpu-fp16."};
    QCommandLineOption plan{"plan",
                            "Plan --preset's configuration (or the Run panel's) without running it: the memory "
                            "map and the step-through, without times."};
    QCommandLineOption step{"step",
                            "With --screenshot: show step N of the execution order (the scrubber under the "
                            "charts: the map's and the timeline's cursors, the Live now list) before the picture.",
                            "N"};
    QCommandLineOption restoreAutosave{
        "restore-autosave",
        "Restore the newest autosave that a crashed or killed Interstage left, without "
        "asking (instead of MODEL). Autosaves live in INTERSTAGE_AUTOSAVE_DIR when set."};

    QCommandLineOption colorBy{"color-by",
                               "Colour the graph by: op (default), size, lifetime, live (bytes alive at each node's "
                               "step, from the run set drawn) or delta (bytes each step adds minus frees).",
                               "MODE"};

    explicit AppOptions(QCommandLineParser& parser) {
        parser.setApplicationDescription("Makes the memory of neural-network inference visible.");
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument("model",
                                     "ONNX model or saved session to open (default: the built-in U^2-Net-P sample). "
                                     "A session opens with its model when the file there is unchanged, else as "
                                     "charts only; --screenshot then saves the restored window.");
        parser.addOptions(
            {backend, input, value, compare, screenshot, tab, preset, benchmark, find, restoreAutosave, diff});
        parser.addOption(colorBy);
        parser.addOptions({plan, step, gpuFp16});
    }
};

// --diff A,B: the Compare plans tab with the sets of those presets (the
// first and the last set when either is missing).
void showDiff(MainWindow& window, const QString& pair) {
    window.showPlanDiff();
    const QStringList modes = pair.split(',');
    widgets::PlanDiffView* view = window.planDiffView();
    if (modes.size() == 2) view->compare(view->findSet(modes[0]), view->findSet(modes[1]));
}

// --help and --version print and exit; they must work where there is no
// display (a server, a CI job), and QApplication aborts there.
bool onlyPrintsText(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "--help-all" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

// Qt's xcb platform aborts the process (exit 134) when it cannot reach a
// display: say what to do instead, before trying.
bool displayConfigured(int argc, char** argv) {
    if (!qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) return true;
    for (int i = 1; i < argc; ++i)
        if (QString::fromLocal8Bit(argv[i]) == "-platform") return true;
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

// The newest autosave a crashed or killed app left, if the user (or
// --restore-autosave) wants it back; "" otherwise. Declined autosaves are
// removed, or they would be offered at every start.
QString autosaveToRestore(MainWindow& window, bool restore, bool mayAsk) {
    const auto orphans = appcore::Autosave::orphans();
    if (orphans.empty()) {
        if (restore) std::fprintf(stderr, "interstage: --restore-autosave: no autosave to restore\n");
        return QString();
    }
    const appcore::Autosave::Orphan& newest = orphans.front();
    if (!restore && mayAsk) {
        const auto answer =
            QMessageBox::question(&window, QObject::tr("Restore session?"),
                                  QObject::tr("Interstage did not quit cleanly. Restore the session from %1?")
                                      .arg(QLocale().toString(newest.savedAt, QLocale::LongFormat)),
                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        restore = answer == QMessageBox::Yes;
    }
    if (!restore) {
        if (mayAsk)
            for (const auto& orphan : orphans) appcore::Autosave::discardOrphan(orphan.path);
        return QString();
    }
    return newest.path;
}

void describeApplication() {
    QCoreApplication::setApplicationName("Interstage");
    QCoreApplication::setOrganizationName("Interstage");
    QCoreApplication::setApplicationVersion(INTERSTAGE_VERSION);
}

}  // namespace

namespace {

// --tab NAME: the tab whose title it names (tabs are added by several
// files, so their order is not fixed).
void selectChartTab(MainWindow& window, const QString& name) {
    static const QMap<QString, QString> titles = {{"timeline", "Memory timeline"}, {"map", "Memory map"},
                                                  {"timings", "Timings"},          {"peak", "Peak"},
                                                  {"diff", "Compare plans"},       {"fit", "Will it fit?"}};
    QTabWidget* tabs = window.chartTabs();
    for (int i = 0; i < tabs->count(); ++i)
        if (tabs->tabText(i).remove('&') == titles.value(name)) tabs->setCurrentIndex(i);
}

}  // namespace

int main(int argc, char** argv) {
    interstage::restartWithHugePageMalloc(argv);
    if (onlyPrintsText(argc, argv)) {
        QCoreApplication textOnly(argc, argv);
        describeApplication();
        QCommandLineParser parser;
        const AppOptions options(parser);
        parser.process(textOnly);  // prints the help or version and exits
        return 0;
    }
    if (!displayConfigured(argc, argv)) {
        std::fprintf(stderr,
                     "interstage: no display (DISPLAY is not set): run it under xvfb-run, set "
                     "QT_QPA_PLATFORM=offscreen, or use interstage-cli\n");
        return 1;
    }
    QApplication app(argc, argv);
    describeApplication();
    QApplication::setWindowIcon(QIcon(":/interstage.svg"));
    // The installed desktop file (resources/), which Wayland shells match
    // the window to for its name and icon.
    QGuiApplication::setDesktopFileName("org.interstage.Interstage");

    QCommandLineParser parser;
    const AppOptions options(parser);
    parser.process(app);
    QStringList presets;
    for (const auto& p : interstage::memoryPresets()) presets << p.name;
    if (parser.isSet(options.preset) && !presets.contains(parser.value(options.preset))) {
        std::fprintf(stderr, "interstage: no preset '%s' (offered: %s)\n", qPrintable(parser.value(options.preset)),
                     qPrintable(presets.join(", ")));
        return 1;
    }
    const QStringList chartTabs = {"timeline", "map", "timings", "peak", "diff", "fit"};
    if (parser.isSet(options.tab) && !chartTabs.contains(parser.value(options.tab))) {
        std::fprintf(stderr, "interstage: no chart tab '%s' (offered: %s)\n", qPrintable(parser.value(options.tab)),
                     qPrintable(chartTabs.join(", ")));
        return 1;
    }

    bool stepIsNumber = false;
    const int step = parser.value(options.step).toInt(&stepIsNumber);
    if (parser.isSet(options.step) && (!stepIsNumber || step < 0)) {
        std::fprintf(stderr, "interstage: --step '%s' must be a step number (0, 1, ...)\n",
                     qPrintable(parser.value(options.step)));
        return 1;
    }
    using ColorBy = widgets::GraphView::ColorBy;
    const QMap<QString, ColorBy> colorModes = {{"op", ColorBy::OpType},
                                               {"size", ColorBy::TensorSize},
                                               {"lifetime", ColorBy::Lifetime},
                                               {"live", ColorBy::LiveBytes},
                                               {"delta", ColorBy::BytesAddedFreed}};
    if (parser.isSet(options.colorBy) && !colorModes.contains(parser.value(options.colorBy))) {
        std::fprintf(stderr, "interstage: no colour mode '%s' (offered: %s)\n",
                     qPrintable(parser.value(options.colorBy)), qPrintable(colorModes.keys().join(", ")));
        return 1;
    }

    MainWindow window;
    window.show();
    if (parser.isSet(options.colorBy)) window.graphView()->setColorBy(colorModes.value(parser.value(options.colorBy)));
    if (parser.isSet(options.backend) && !window.runPanel()->setBackend(parser.value(options.backend))) {
        std::fprintf(stderr, "interstage: no backend '%s' on this machine (offered: %s)\n",
                     qPrintable(parser.value(options.backend)), qPrintable(window.runPanel()->backendIds().join(", ")));
        return 1;
    }
    if (parser.isSet(options.gpuFp16) && !window.runPanel()->setGpuFp16(true)) {
        std::fprintf(stderr, "interstage: --gpu-fp16 stores tensors on a Vulkan device; add --backend vulkan:0\n");
        return 1;
    }
    if (parser.isSet(options.benchmark)) {
        auto sample = appcore::sampleModelPath("u2netp");
        if (!sample.ok()) return 1;
        return runUiBenchmark(window, parser.value(options.benchmark), sample.value(), 5);
    }
    const QStringList args = parser.positionalArguments();
    // What the window starts with: an autosave a killed app left (offered,
    // or taken with --restore-autosave), a session file, or a model.
    const QString autosaved = autosaveToRestore(window, parser.isSet(options.restoreAutosave),
                                                /*mayAsk=*/!parser.isSet(options.screenshot));
    const bool startsWithSession =
        !autosaved.isEmpty() || (!args.isEmpty() && interstage::looksLikeSessionFile(args.first().toStdString()));
    const bool onePreset = parser.isSet(options.preset);
    const bool planOnly = parser.isSet(options.plan);
    const bool doCompare =
        !onePreset && !planOnly && (parser.isSet(options.compare) || parser.isSet(options.screenshot));
    const QString shotPath = parser.value(options.screenshot);
    QObject::connect(&window, &MainWindow::documentChanged, &window, [&] {
        if (startsWithSession) return;  // a session shows its run sets; nothing runs by itself
        // The panel's fields, as a user would fill them; a bad shape or
        // value is the run's error (the panel checks them when it runs).
        const auto fill = [&](const QCommandLineOption& option,
                              bool (widgets::RunPanel::*set)(const QString&, const QString&)) {
            for (const QString& spec : parser.values(option)) {
                const auto eq = spec.indexOf('=');
                if (eq > 0 && (window.runPanel()->*set)(spec.left(eq), spec.mid(eq + 1))) continue;
                std::fprintf(stderr, "interstage: --%s '%s' must name an input of the model as NAME=...\n",
                             qPrintable(option.names().first()), qPrintable(spec));
                return false;
            }
            return true;
        };
        if (!fill(options.input, &widgets::RunPanel::setInputShape) ||
            !fill(options.value, &widgets::RunPanel::setInputValues)) {
            app.exit(1);
            return;
        }
        if (onePreset) window.runPanel()->applyPreset(parser.value(options.preset));
        if (planOnly) {
            window.planOnce();
        } else if (onePreset) {
            window.runOnce();
        } else if (doCompare) {
            window.comparePresets();
        }
    });
    if (!shotPath.isEmpty()) {
        // A scripted screenshot never waits at a dialog: an error is saved
        // as the window shows it, printed, and ends the program.
        window.setQuiet(true);
        QObject::connect(&window, &MainWindow::errorShown, &window, [&](const QString& title, const QString& message) {
            std::fprintf(stderr, "interstage: %s: %s\n", qPrintable(title.toLower()), qPrintable(message));
            window.grab().save(shotPath);
            app.exit(1);
        });
        const auto takeScreenshot = [&] {
            if (window.isBusy() || !window.lastError().isEmpty()) return;
            // Show the first graph output in the inspector (it is readable
            // in every mode) before taking the picture.
            const auto* doc = window.document();
            if (parser.isSet(options.find)) {
                window.graphView()->findAndSelect(parser.value(options.find));
                if (window.graphView()->selectedNode() >= 0) window.selectNode(window.graphView()->selectedNode());
            } else if (doc && !doc->resolved.outputs.empty() && !startsWithSession) {
                const auto producer = doc->resolved.value(doc->resolved.outputs.front()).producer;
                if (producer != interstage::kNoNode) {
                    window.graphView()->selectNode(QString::fromStdString(doc->resolved.nodes[size_t(producer)].name));
                    window.selectNode(producer);
                }
            }
            if (parser.isSet(options.tab)) selectChartTab(window, parser.value(options.tab));
            if (parser.isSet(options.diff) || parser.value(options.tab) == "diff")
                showDiff(window, parser.value(options.diff));
            if (parser.isSet(options.step) && !window.showStep(step)) {
                const int steps = window.stepSet() ? appcore::stepCount(*window.stepSet()) : 0;
                std::fprintf(stderr, "interstage: --step %d: the plan shown has %d steps (0 to %d)\n", step, steps,
                             steps - 1);
                window.grab().save(shotPath);
                app.exit(1);
                return;
            }
            // Once the graph view's re-layout (if any) is on screen.
            auto* poll = new QTimer(&window);
            QObject::connect(poll, &QTimer::timeout, &window, [&, poll] {
                if (window.graphView()->isLayoutPending() || window.fitExplorer()->isPlanning()) return;
                poll->stop();
                QTimer::singleShot(800, &window, [&] {
                    window.grab().save(shotPath);
                    app.quit();
                });
            });
            poll->start(100);
        };
        QObject::connect(&window, &MainWindow::runSetFinished, &window, takeScreenshot);
        QObject::connect(&window, &MainWindow::sessionRestored, &window, takeScreenshot);
    }
    // Shapes given on the command line are the model's from the start, so
    // the graph, the problems and the lower bound show them (a spec that
    // does not parse is reported by the panel's fill above).
    interstage::InputShapes shapes;
    for (const QString& spec : parser.values(options.input))
        if (auto parsed = interstage::parseInputSpec(spec.toStdString()); parsed.ok())
            shapes[parsed.value().first] = parsed.value().second;
    QTimer::singleShot(0, &window, [&] {
        if (!autosaved.isEmpty()) {
            // Read now (the window keeps its own autosave from here on), so
            // the file is not offered again whether it opens or not.
            window.openSession(autosaved);
            appcore::Autosave::discardOrphan(autosaved);
        } else if (startsWithSession) {
            window.openSession(args.first());
        } else if (args.isEmpty()) {
            window.openSample("u2netp");
        } else {
            window.openModel(args.first(), shapes);
        }
    });
    return app.exec();
}
