// The Interstage desktop application.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>
#include <cstdio>

#include "main_window.h"
#include "ui_benchmark.h"
#include "widgets/graph_view.h"
#include "widgets/run_panel.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Interstage");
    QApplication::setOrganizationName("Interstage");
    QApplication::setApplicationVersion("0.1");
    QApplication::setWindowIcon(QIcon(":/interstage.svg"));

    QCommandLineParser parser;
    parser.setApplicationDescription("Makes the memory of neural-network inference visible.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("model", "ONNX model to open (default: the built-in U^2-Net-P sample)");
    QCommandLineOption compare(
        "compare", "Compare the memory presets (default, reduce, reuse, reduce+reuse, arena) once the model is open.");
    QCommandLineOption screenshot("screenshot", "After --compare (or --preset), save a screenshot to FILE and quit.",
                                  "FILE");
    QCommandLineOption tab("tab", "The chart tab to show: timeline (default), map or timings.", "TAB");
    QCommandLineOption preset("preset",
                              "Run one memory preset (default, reduce, reuse, reduce+reuse or arena) once the model is "
                              "open, instead of --compare's five.",
                              "NAME");
    QCommandLineOption benchmark("benchmark-ui",
                                 "Time opening MODEL, then the longest UI stall while the presets run on "
                                 "the sample, print both and quit.",
                                 "MODEL");
    QCommandLineOption find("find",
                            "With --screenshot: select the first node whose name or op contains TEXT (expanding "
                            "the groups around it) instead of the first output's producer; \"\" selects nothing.",
                            "TEXT");
    QCommandLineOption backend("backend",
                               "Select the backend to run on (cpu, vulkan:0, ...; see interstage-cli devices).", "ID");
    parser.addOption(backend);
    parser.addOption(compare);
    parser.addOption(screenshot);
    parser.addOption(tab);
    parser.addOption(preset);
    parser.addOption(benchmark);
    parser.addOption(find);
    parser.process(app);
    QStringList presets;
    for (const auto& p : interstage::memoryPresets()) presets << p.name;
    if (parser.isSet(preset) && !presets.contains(parser.value(preset))) {
        std::fprintf(stderr, "interstage: no preset '%s' (offered: %s)\n", qPrintable(parser.value(preset)),
                     qPrintable(presets.join(", ")));
        return 1;
    }
    const QStringList chartTabs = {"timeline", "map", "timings"};
    if (parser.isSet(tab) && !chartTabs.contains(parser.value(tab))) {
        std::fprintf(stderr, "interstage: no chart tab '%s' (offered: %s)\n", qPrintable(parser.value(tab)),
                     qPrintable(chartTabs.join(", ")));
        return 1;
    }

    MainWindow window;
    window.show();
    if (parser.isSet(backend) && !window.runPanel()->setBackend(parser.value(backend))) {
        std::fprintf(stderr, "interstage: no backend '%s' on this machine (offered: %s)\n",
                     qPrintable(parser.value(backend)), qPrintable(window.runPanel()->backendIds().join(", ")));
        return 1;
    }
    if (parser.isSet(benchmark)) {
        auto sample = appcore::sampleModelPath("u2netp");
        if (!sample.ok()) return 1;
        return runUiBenchmark(window, parser.value(benchmark), sample.value(), 5);
    }
    const QStringList args = parser.positionalArguments();
    const bool onePreset = parser.isSet(preset);
    const bool doCompare = !onePreset && (parser.isSet(compare) || parser.isSet(screenshot));
    const QString shotPath = parser.value(screenshot);
    QObject::connect(&window, &MainWindow::documentChanged, &window, [&] {
        if (onePreset) {
            window.runPanel()->applyPreset(parser.value(preset));
            window.runOnce();
        } else if (doCompare) {
            window.comparePresets();
        }
    });
    if (!shotPath.isEmpty()) {
        QObject::connect(&window, &MainWindow::runSetFinished, &window, [&] {
            if (window.isBusy()) return;
            // Show the first graph output in the inspector (it is readable
            // in every mode) before taking the picture.
            const auto* doc = window.document();
            if (parser.isSet(find)) {
                window.graphView()->findAndSelect(parser.value(find));
                if (window.graphView()->selectedNode() >= 0) window.selectNode(window.graphView()->selectedNode());
            } else if (doc && !doc->resolved.outputs.empty()) {
                const auto producer = doc->resolved.value(doc->resolved.outputs.front()).producer;
                if (producer != interstage::kNoNode) {
                    window.graphView()->selectNode(QString::fromStdString(doc->resolved.nodes[size_t(producer)].name));
                    window.selectNode(producer);
                }
            }
            if (parser.isSet(tab)) window.chartTabs()->setCurrentIndex(int(chartTabs.indexOf(parser.value(tab))));
            // Once the graph view's re-layout (if any) is on screen.
            auto* poll = new QTimer(&window);
            QObject::connect(poll, &QTimer::timeout, &window, [&, poll] {
                if (window.graphView()->isLayoutPending()) return;
                poll->stop();
                QTimer::singleShot(800, &window, [&] {
                    window.grab().save(shotPath);
                    app.quit();
                });
            });
            poll->start(100);
        });
    }
    QTimer::singleShot(0, &window, [&] {
        if (args.isEmpty())
            window.openSample("u2netp");
        else
            window.openModel(args.first());
    });
    return app.exec();
}
