// The main window (offscreen) meets the hostile-model corpus: each broken
// file shows a "Cannot open model" dialog whose one line names the problem,
// and the model that was open stays open and runs. The valid odd ones
// (zero-size tensors, a graph with no nodes) open, lay out and run.
#include <QApplication>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTimer>
#include <QtTest>

#include "app_wait.h"
#include "hostile_manifest.h"
#include "main_window.h"
#include "widgets/graph_view.h"
#include "widgets/run_panel.h"

using testsupport::waitIdle;

namespace {

// Closes every message box that comes up (they are modal: the window waits
// in their event loop) and remembers its title and text.
class DialogCatcher : public QObject {
public:
    DialogCatcher() {
        timer_.setInterval(10);
        connect(&timer_, &QTimer::timeout, this, [this] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box) return;
            titles << box->windowTitle();
            texts << box->text();
            box->accept();
        });
        timer_.start();
    }
    QStringList titles, texts;

private:
    QTimer timer_;
};

}  // namespace

class AppHostileTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void everyBrokenFileShowsADialogAndKeepsTheOpenModel() {
        const auto cases = testsupport::hostileCorpus();
        QVERIFY(!cases.empty());
        MainWindow w;  // not quiet: errors go to a real dialog
        w.show();
        DialogCatcher dialogs;
        const QString base = QString::fromStdString(testsupport::hostileDir() + "/ext_inside_folder_valid.onnx");
        w.openModel(base);
        QVERIFY(waitIdle(w));
        QVERIFY2(w.document(), qPrintable(dialogs.texts.join(" | ")));
        const auto* before = w.document();

        int broken = 0;
        for (const auto& c : cases) {
            if (c.mustRun || c.opensForInspection) continue;
            ++broken;
            const qsizetype shown = dialogs.texts.size();
            w.openModel(QString::fromStdString(c.path()));
            QVERIFY2(waitIdle(w), c.file.c_str());
            QVERIFY2(dialogs.texts.size() == shown + 1, ("no single dialog for " + c.file).c_str());
            QCOMPARE(dialogs.titles.last(), QString("Cannot open model"));
            const QString text = dialogs.texts.last();
            QVERIFY2(text.contains(QString::fromStdString(c.expected)),
                     qPrintable(QString::fromStdString(c.file + ": '" + c.expected + "' not in: ") + text));
            QVERIFY2(!text.contains('\n'), qPrintable(text));
            QCOMPARE(w.lastError(), text);
            QCOMPARE(w.document(), before);
        }
        QVERIFY(broken > 40);

        // Still usable: the model that stayed open runs.
        w.runPanel()->setRunCount(1);
        w.runOnce();
        QVERIFY(waitIdle(w));
        QCOMPARE(int(w.results().size()), 1);
        QCOMPARE(int(dialogs.texts.size()), broken);
    }

    // A file whose graph is whole but cannot run (weights not readable, an
    // op nobody defines, a shape that cannot be found) opens: the problem
    // is marked on the graph or stops Run, and running says what it is.
    void inspectableFilesOpenWithTheProblemMarked() {
        MainWindow w;
        w.show();
        DialogCatcher dialogs;
        int inspected = 0;
        for (const auto& c : testsupport::hostileCorpus()) {
            if (!c.opensForInspection) continue;
            ++inspected;
            const qsizetype shown = dialogs.texts.size();
            w.openModel(QString::fromStdString(c.path()));
            QVERIFY2(waitIdle(w), c.file.c_str());
            QVERIFY2(dialogs.texts.size() == shown,
                     qPrintable(QString::fromStdString(c.file + ": ") + dialogs.texts.mid(shown).join(" | ")));
            QVERIFY(w.document());
            QCOMPARE(w.document()->path, QString::fromStdString(c.path()));
            const bool marked = !w.document()->problems.isEmpty() || !w.document()->runBlocker.isEmpty();
            QVERIFY2(marked, c.file.c_str());
            QCOMPARE(w.graphView()->problemCount(), int(w.document()->problems.size()));
            QCOMPARE(w.runPanel()->blockedReason(), w.document()->runBlocker);

            w.runPanel()->setRunCount(1);
            w.runOnce();
            QVERIFY(waitIdle(w));
            QVERIFY2(dialogs.texts.size() == shown + 1, ("no single dialog on Run for " + c.file).c_str());
            QVERIFY2(
                dialogs.texts.last().contains(QString::fromStdString(c.expected)),
                qPrintable(QString::fromStdString(c.file + ": '" + c.expected + "' not in: ") + dialogs.texts.last()));
            QCOMPARE(w.document()->path, QString::fromStdString(c.path()));  // the graph stays open
        }
        QVERIFY(inspected >= 15);
    }

    void validOddFilesOpenAndRun() {
        MainWindow w;
        w.show();
        DialogCatcher dialogs;
        int valid = 0;
        for (const auto& c : testsupport::hostileCorpus()) {
            if (!c.mustRun) continue;
            ++valid;
            w.openModel(QString::fromStdString(c.path()));
            QVERIFY2(waitIdle(w), c.file.c_str());
            QVERIFY2(dialogs.texts.isEmpty(), qPrintable(dialogs.texts.join(" | ")));
            QVERIFY(w.document());
            QCOMPARE(w.document()->path, QString::fromStdString(c.path()));
            for (const char* preset : {"default", "reduce", "arena"}) {
                w.runPanel()->applyPreset(preset);
                w.runPanel()->setRunCount(2);
                w.runOnce();
                QVERIFY(waitIdle(w));
                QVERIFY2(dialogs.texts.isEmpty(),
                         qPrintable(QString::fromStdString(c.file + ": ") + dialogs.texts.join(" | ")));
            }
            QCOMPARE(int(w.results().size()), 3);
        }
        QVERIFY(valid >= 4);
    }
};

QTEST_MAIN(AppHostileTest)
#include "test_app_hostile.moc"
