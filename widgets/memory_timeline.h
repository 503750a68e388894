// The memory timeline: tracked bytes over one run, stacked by category,
// with the process's resident memory, the lower bound, node boundaries and
// lines of earlier run sets to compare against. Fed with plain values from
// the run worker; grows live while a run set runs.
#pragma once

#include <QStringList>
#include <QWidget>
#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "core/run_types.h"

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPItemRect;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QEvent;
class QMouseEvent;
class QSpinBox;
class QTimer;

namespace widgets {

class MemoryTimeline : public QWidget {
    Q_OBJECT
public:
    explicit MemoryTimeline(QWidget* parent = nullptr);
    ~MemoryTimeline() override;

    // A new run set starts: the set drawn so far (if it finished a run)
    // becomes an overlay line, and the chart follows the new set's runs.
    void beginSet(int setId, const QString& label);
    // Appends a live batch of the current set (other sets' batches are
    // ignored). Each memory event adds one point to every category graph;
    // a batch of a new run restarts the chart at that run's time 0. The
    // plot is redrawn at most 30 times a second, never per event.
    void addProgress(const appcore::RunProgress& progress);
    // A run finished: its exact statistics replace the live points.
    void finishRun(const appcore::RunDone& done);
    // The set finished: every run becomes selectable (the last is shown).
    void finishSet(const appcore::RunSetResult& result);
    // Draws a finished set again as the current one (its overlay line
    // goes): after a newer set was refused before it ran anything.
    void showFinishedSet(const appcore::RunSetResult& result);
    // Activation bytes no memory plan can go below for this execution
    // order; drawn as a dashed line on top of the bytes held for weights,
    // inputs and workspace when the run starts. 0 hides it.
    void setLowerBound(std::size_t bytes);
    // Tensor names by tensor id (the ids in MemoryEvent::tensor), for the
    // hover tooltip.
    void setTensorNames(const QStringList& names);
    // Forgets every set and overlay.
    void clear();

    QCustomPlot* plot() const { return plot_; }
    // Redraws now instead of at the next throttled tick (export, tests).
    void replotNow();

    // Which run of the current set is drawn (0: none yet).
    int displayedRun() const { return shown_.run; }
    // Points of a category's stacked graph: 1 at time 0 plus 1 per event,
    // plus 1 at the end (a finished run's end, or while live the newest
    // node's end when it lies past the last event).
    int pointCount(interstage::MemoryCategory category) const;
    int rssPointCount() const;
    int nodeTickCount() const;
    int overlayCount() const { return static_cast<int>(overlays_.size()); }
    bool overlayVisible(int index) const;
    int overlaySetId(int index) const;  // the run set an overlay line draws (-1: no such overlay)
    void setOverlayVisible(int index, bool visible);
    // The step-through's cursor (memory_timeline_step.cpp): a line at the
    // step's start in the run drawn and a band over its node's time;
    // hidden for a step without times (a plan that did not run).
    void setTimeCursor(double startMs, double ms);
    void hideTimeCursor();
    bool timeCursorVisible() const;
    double timeCursorMs() const { return timeCursorMs_; }
    // What the hover tooltip says at `ms` of the run drawn, with the
    // memory events within `windowMs` of it (HTML).
    QString tooltipAt(double ms, double windowMs) const;

public slots:
    // Draws run `run` (1-based) of the current set once it has finished.
    void showRun(int run);

signals:
    // Another finished run is drawn (the step cursor takes its times).
    void runShown(int run);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    // What is drawn for the current run; built live or from RunStats.
    struct Shown {
        int run = 0;
        bool live = false;
        bool tail = false;  // the last points only hold the level to the newest node (live)
        double endMs = 0;
        double maxStackBytes = 0;
        double maxRssBytes = 0;
        std::array<long long, interstage::kMemoryCategoryCount> held{};
        std::array<long long, interstage::kMemoryCategoryCount> atStart{};
        std::array<bool, interstage::kMemoryCategoryCount> seen{};
        std::vector<interstage::MemoryEvent> events;
        std::vector<interstage::NodeTiming> nodes;
    };
    struct Overlay;
    static const std::array<interstage::MemoryCategory, interstage::kMemoryCategoryCount> kStackOrder;

    void buildPlot();
    void resetShown();
    void startShown(int run, bool live, const std::array<long long, interstage::kMemoryCategoryCount>& atStart);
    void appendEvent(const interstage::MemoryEvent& event);
    void appendPoint(double ms);
    void extendTail();
    void appendRss(const interstage::RssSample& sample);
    void appendNodes(const std::vector<interstage::NodeTiming>& nodes);
    void drawStats(const interstage::RunStats& stats);
    void ensureSet(int setId, const QString& label);
    void archiveCurrentSet();
    void addOverlay(int setId, const QString& label, const interstage::RunStats& stats);
    void removeOverlay(int setId);
    void scheduleReplot();
    void updateRanges();
    void updateLowerBound();
    void makeBoundItems(const QPen& pen, const QString& name, QCPGraph*& legend, QCPItemStraightLine*& line,
                        QCPItemText*& text);
    void updateHeader();
    void updateLegend();
    void hideCursor();
    void onMouseMove(QMouseEvent* event);
    void onOverlayItemChanged(QListWidgetItem* item);
    QString tensorName(int id) const;
    // The tensor an event holds: a graph tensor's name, or a body value's
    // label ("embedded in decode › body, iteration 3"); empty: none.
    QString eventName(const interstage::MemoryEvent& event) const;

    QCustomPlot* plot_ = nullptr;
    QLabel* title_ = nullptr;
    QLabel* summary_ = nullptr;
    QSpinBox* runBox_ = nullptr;
    QWidget* overlayPanel_ = nullptr;
    QListWidget* overlayList_ = nullptr;
    QTimer* replotTimer_ = nullptr;

    // Stacked graphs indexed by MemoryCategory.
    std::array<QCPGraph*, interstage::kMemoryCategoryCount> stack_{};
    QCPGraph* rss_ = nullptr;
    QCPGraph* ticks_ = nullptr;
    QCPGraph* lowerBoundLegend_ = nullptr;
    QCPItemStraightLine* lowerBoundLine_ = nullptr;
    QCPItemText* lowerBoundText_ = nullptr;
    // The bound under the set's in-place rules (no plan goes below it),
    // drawn beside the graph-as-written one when it is lower.
    QCPGraph* aliasedBoundLegend_ = nullptr;
    QCPItemStraightLine* aliasedBoundLine_ = nullptr;
    QCPItemText* aliasedBoundText_ = nullptr;
    QCPItemStraightLine* cursorLine_ = nullptr;
    QCPItemRect* nodeSpan_ = nullptr;
    QCPItemStraightLine* stepLine_ = nullptr;  // the step-through's cursor, made on first use
    QCPItemRect* stepSpan_ = nullptr;
    double timeCursorMs_ = 0;

    int setId_ = -1;
    QString setLabel_;
    bool setFinished_ = false;
    std::vector<std::shared_ptr<const interstage::RunStats>> finishedRuns_;
    Shown shown_;
    // Bytes held per category between live runs (the next run's baseline)
    // and the last run whose exact statistics set them.
    std::array<long long, interstage::kMemoryCategoryCount> liveHeld_{};
    int syncedRun_ = 0;
    // Resident-memory samples of the set's runs as they came live: a
    // run's statistics hold only those no batch carried.
    std::map<int, std::vector<interstage::RssSample>> liveRss_;
    std::size_t lowerBound_ = 0;
    std::size_t aliasedBound_ = 0;
    QStringList tensorNames_;
    // The session's body values (MemoryEvent::bodyValue), from the newest
    // finished run: indices never change, so it names live batches too.
    std::vector<interstage::BodyValue> bodyValues_;
    std::vector<std::unique_ptr<Overlay>> overlays_;
    bool userZoomed_ = false;
    bool settingRange_ = false;
};

}  // namespace widgets
