// The main window: graph view in the middle, charts in tabs, run controls
// and the inspector in docks. It wires widgets to the app core; the work
// itself happens in RunController's worker and in loadDocument() off the
// UI thread.
#pragma once

#include <QFutureWatcher>
#include <QMainWindow>
#include <QMessageBox>
#include <atomic>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/autosave.h"
#include "core/model_document.h"
#include "core/run_controller.h"
#include "interstage/session_file.h"
#include "report/figure.h"

class FitExplorer;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace widgets {
class GraphView;
class Inspector;
class LiveList;
class PeakPanel;
class MemoryMap;
class MemoryTimeline;
class PlanDiffView;
class RunPanel;
class StepScrubber;
class TimingChart;
}  // namespace widgets
namespace appcore {
struct ExecutedNodes;
struct StepState;
}  // namespace appcore

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a model off the UI thread; a failure shows the loader's error in
    // a dialog (unless quiet) and keeps the model that was open. Opening
    // another model while one loads cancels the first.
    // Opens path with its dynamic input dims set from shapes (others
    // default, as in the engine).
    void openModel(const QString& path, const interstage::InputShapes& shapes = {});
    void openSample(const QString& name);
    void runOnce();
    void comparePresets();
    // Plans the Run panel's configuration without running it
    // (main_window_steps.cpp): the map and the step-through, no times.
    void planOnce();

    // For tests and scripted screenshots.
    const appcore::ModelDocument* document() const { return document_.get(); }
    const std::vector<appcore::RunSetResult>& results() const { return results_; }
    bool isBusy() const;
    QString lastError() const { return lastError_; }
    void setQuiet(bool quiet) { quiet_ = quiet; }  // errors go to lastError() only
    widgets::Inspector* inspector() const { return inspector_; }
    widgets::RunPanel* runPanel() const { return runPanel_; }
    widgets::TimingChart* timingChart() const { return timingChart_; }
    widgets::MemoryTimeline* memoryTimeline() const { return timeline_; }
    widgets::GraphView* graphView() const { return graphView_; }
    void selectNode(int nodeIndex);
    QTabWidget* chartTabs() const { return tabs_; }
    widgets::MemoryMap* memoryMap() const { return memoryMap_; }
    // Step-through (main_window_steps.cpp): the scrubber follows the set
    // the memory map shows, a run set or a plan that did not run.
    widgets::StepScrubber* stepScrubber() const { return scrubber_; }
    widgets::LiveList* liveList() const { return liveList_; }
    const appcore::RunSetResult* stepSet() const { return stepSet_ ? &*stepSet_ : nullptr; }
    appcore::StepState currentStep() const;
    // Shows `step` of the set followed; false when it has no such step.
    bool showStep(int step);
    widgets::PeakPanel* peakPanel() const { return peakPanel_; }
    // The Peak tab's costs for results()[set], planned now (main_window_peak.cpp).
    void planPeakCosts(int set);
    // The "Compare plans" tab (main_window_diff.cpp).
    widgets::PlanDiffView* planDiffView() const { return planDiff_; }
    void showPlanDiff();
    // Plans the Run panel's configuration without running it (a set of no
    // runs: its plan and memory map only), for Compare plans.
    void planOnly();
    FitExplorer* fitExplorer() const { return fitExplorer_; }  // the "Will it fit?" tab
    // Tests: faults for the next run set only (see RunConfig).
    void injectFaultsForTesting(int failNthAllocation, int loseDeviceAtSubmit) {
        nextFaults_ = {failNthAllocation, loseDeviceAtSubmit};
    }

    // Exports (main_window_export.cpp, also behind File > Export); false +
    // lastError() on failure. Charts and the report are drawn afresh from
    // exportDocument() (report/), never grabbed from the screen.
    // A chart of the set the charts show, as they show it (run, overlays),
    // in the default style and size: "timeline", "timings", "memorymap".
    bool exportChart(const QString& which, const QString& path);
    bool exportFigure(const report::FigureOptions& options, const QString& path);
    report::FigureOptions chartOptionsAsShown(report::ChartKind kind) const;
    // .json: the one export document; .csv: one row per run of every set.
    bool exportData(const QString& path);
    // The plan, per-node times, memory events and RSS samples as CSV tables in `dir`.
    bool exportCsvTables(const QString& dir);
    bool exportTrace(const QString& path);
    bool exportReport(const QString& path, report::Style style = report::Style::Light);  // .pdf or .html

    // Saved sessions (main_window_session.cpp; File > Save Session / Open
    // Session). false + lastError() on failure.
    bool saveSession(const QString& path);
    // The export document (docs/session_format.md): what Save Session
    // writes, model facts, plan roles and peaks included; the data export,
    // the charts and the report are made from it.
    interstage::SavedSession exportDocument() const;
    // Reads the file now; a file that cannot be read, or is not a session
    // of a format this build reads, is an error and the window keeps what
    // it had. Then, off the UI thread (isBusy() until sessionRestored()),
    // the model where the session says is hashed: the same size and
    // SHA-256 open it with the saved input shapes and redraw the run sets;
    // otherwise the charts alone, and the window says why (chartsOnlyNote()).
    bool openSession(const QString& path);
    // Opens a session file or a model, whichever `path` is.
    void openPath(const QString& path);
    // Run sets finished since the last save or open (the title's [*]).
    bool hasUnsavedRuns() const { return unsaved_; }
    bool isChartsOnly() const { return !chartsOnlyNote_.isEmpty(); }
    QString chartsOnlyNote() const { return chartsOnlyNote_; }
    QString sessionPath() const { return sessionPath_; }
    // Every finished run set in order, failed ones included (what a saved
    // session holds; results() holds those with runs, as the charts do).
    const std::vector<appcore::RunSetResult>& runSetHistory() const { return history_; }
    const appcore::Autosave& autosave() const { return *autosave_; }
    // Tests: in quiet mode the unsaved-runs question is not asked; this is
    // its answer (Discard unless set) and where Save then writes.
    void setUnsavedAnswerForTesting(QMessageBox::StandardButton answer, const QString& savePath = QString()) {
        unsavedAnswer_ = answer;
        unsavedSavePath_ = savePath;
    }
    // Save / Discard / Cancel for unsaved run sets; true: go on (saved or
    // discarded). Asked before quitting and before opening something else.
    bool confirmDiscardUnsaved();

signals:
    void documentChanged();
    void runSetFinished();
    // A session's run sets are drawn (with its model, or charts only).
    void sessionRestored();
    // Every error the window reports (shown in a dialog unless quiet).
    void errorShown(const QString& title, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildDocks();
    void documentLoaded(std::shared_ptr<const appcore::ModelDocument> doc);
    void showError(const QString& title, const QString& message);
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void startSet(const appcore::RunConfig& config);
    void onSetFinished(const appcore::RunSetResult& result);
    // What every chart does with a finished set, live or restored from a
    // session (one function, so that both draw the same).
    void drawFinishedSet(const appcore::RunSetResult& result);
    void showTensor(const QString& name);
    // main_window_graphheat.cpp
    void showMemoryOnGraph(const appcore::RunSetResult& result);
    void addMemoryColourActions(QMenu* colour);
    void updateStatus();
    // main_window_steps.cpp
    QWidget* buildStepArea(QTabWidget* tabs);
    void followSetForSteps(const appcore::RunSetResult& set);
    void showPlannedSet(const appcore::RunSetResult& set);
    void clearSteps();
    void onStepChanged(int step);
    void showStepInGraph(const appcore::StepState& state);
    // main_window_peak.cpp
    void buildPeakPanel();
    void selectProducer(const QString& tensor, const QString& producer);
    // main_window_diff.cpp
    void buildDiffTab();
    // The Run panel's configuration; false (and the reason shown) when a
    // field does not parse.
    bool panelConfig(appcore::RunConfig& config);
    void updateDiffView();
    // main_window_session.cpp
    void buildSessionMenu(QMenu* file);
    void buildExportMenu(QMenu* file);
    void exportChartWithDialog(report::ChartKind kind);  // File > Export > a chart: options, preview, file
    appcore::Autosave::Builder sessionBuilder() const;
    void requestAutosave();
    void modelChecked(const interstage::SavedSession& session, const QString& path,
                      const interstage::Result<interstage::ModelIdentity>& found);
    void restorePending();  // the session's model has opened: its run sets follow
    void restoreSession(const interstage::SavedSession& session, const QString& path);
    void restoreChartsOnly(const interstage::SavedSession& session, const QString& path, const QString& why);
    void clearCharts();
    void setUnsaved(bool unsaved);
    void updateTitle();
    void identifyOpenModel();
    void buildFitTab(QMenu* view);  // main_window_fit.cpp

    std::shared_ptr<const appcore::ModelDocument> document_;
    appcore::RunController controller_;
    std::vector<appcore::RunSetResult> results_;
    std::deque<appcore::RunConfig> queue_;  // compare: the presets still to run
    QFutureWatcher<void>* loadWatcher_ = nullptr;
    std::shared_ptr<std::atomic<bool>> loadCancel_;  // the load in flight's stop flag
    bool loading_ = false;
    bool quiet_ = false;
    QString lastError_;
    int selectedNode_ = -1;
    QString currentLabel_;                  // the running set's label
    std::pair<int, int> nextFaults_{0, 0};  // injectFaultsForTesting

    widgets::GraphView* graphView_ = nullptr;
    widgets::MemoryTimeline* timeline_ = nullptr;
    widgets::MemoryMap* memoryMap_ = nullptr;
    widgets::TimingChart* timingChart_ = nullptr;
    widgets::RunPanel* runPanel_ = nullptr;
    widgets::Inspector* inspector_ = nullptr;
    widgets::PeakPanel* peakPanel_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    widgets::StepScrubber* scrubber_ = nullptr;
    widgets::LiveList* liveList_ = nullptr;
    std::optional<appcore::RunSetResult> stepSet_;             // the set the scrubber steps through
    std::shared_ptr<const appcore::ExecutedNodes> stepNodes_;  // its steps on the file's graph
    // The graph greys what a step has not made or has freed only once the
    // user steps (the scrubber, ← →, Play, --step): a finished set leaves
    // the graph as it was.
    bool steppingGraph_ = false;
    bool settingSteps_ = false;  // the scrubber moved by a new set, not by the user
    widgets::PlanDiffView* planDiff_ = nullptr;
    FitExplorer* fitExplorer_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QProgressBar* progress_ = nullptr;

    // Sessions (main_window_session.cpp).
    struct PendingRestore {
        interstage::SavedSession session;
        QString path;
    };
    std::optional<PendingRestore> pendingRestore_;  // waits for its model to open
    std::vector<appcore::RunSetResult> history_;    // runSetHistory()
    // The open model's identity (hashed off the UI thread) or, charts only,
    // the identity the session saved.
    std::shared_future<interstage::Result<interstage::ModelIdentity>> modelIdentity_;
    interstage::InputShapes sessionShapes_;  // charts only: the shapes the session was opened with
    QStringList sessionTensorNames_;         // charts only: the model's value names, as saved
    interstage::ModelFacts sessionFacts_;    // charts only: the model's facts, as saved
    QString chartsOnlyNote_;
    QString sessionPath_;
    bool unsaved_ = false;
    QMessageBox::StandardButton unsavedAnswer_ = QMessageBox::Discard;
    QString unsavedSavePath_;
    std::unique_ptr<appcore::Autosave> autosave_;
};
