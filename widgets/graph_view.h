// The model's graph as boxes and arrows (a dot layout from
// appcore::layoutGraph), coloured by op family, tensor size or tensor
// lifetime. Fed with plain data: it copies what it draws and keeps no
// reference to the engine's Graph.
#pragma once

#include <QGraphicsView>
#include <QHash>
#include <QString>
#include <QVector>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/executed_nodes.h"
#include "core/graph_layout.h"
#include "core/grouped_layout.h"
#include "interstage/graph.h"

class QGraphicsScene;
class QLabel;

namespace widgets {

namespace graphitems {
class NodeItem;
class EdgeItem;
class GroupFrameItem;
}  // namespace graphitems
class GraphLegend;
class GraphMinimap;

// One step of a run on the file's graph (appcore::graphStepAt builds it
// from a run set's plan): names as the file's graph gives them.
using GraphStep = appcore::GraphStep;

class GraphView : public QGraphicsView {
    Q_OBJECT
public:
    enum class ColorBy {
        OpType,           // boxes by op family (the default)
        TensorSize,       // boxes and arrows by their tensor's bytes, log scale
        Lifetime,         // by steps between a tensor's producer and its last consumer
        LiveBytes,        // boxes by the bytes alive when they run (setNodeMemory), linear
        BytesAddedFreed,  // boxes by what their step allocates minus what it frees (diverging)
    };
    Q_ENUM(ColorBy)

    // What a drawn node or edge looks like at the step shown.
    enum class StepState {
        None,        // no step shown, or not drawn
        Running,     // the node running (or a collapsed group holding it)
        Live,        // made and still alive
        NotYetMade,  // greyed: made at a later step (or never, folded away)
        Freed,       // greyed: made and already freed
    };
    Q_ENUM(StepState)

    explicit GraphView(QWidget* parent = nullptr);
    ~GraphView() override;

    // Shows a graph laid out by appcore::layoutGraph(graph). Clears the
    // selection and the search; the first view shows the whole graph when
    // it is readable that small, else its top (the inputs) at a readable zoom.
    void setGraph(const interstage::Graph& graph, const appcore::GraphLayout& layout);
    void clearGraph();
    bool hasGraph() const { return !nodes_.isEmpty(); }
    // What the empty view says ("No model open"; a session restored
    // without its model says why the graph is missing).
    void setEmptyText(const QString& text);
    QString emptyText() const { return emptyText_; }

    // Shows a graph with groups (appcore::GroupedGraph), laid out under
    // `expansion`. A double-click on a group, or a click on its +/- marker,
    // expands or collapses it; the new layout is made off the UI thread
    // and replaces the picture when it is done (layoutChanged). Selecting
    // or finding a node inside a collapsed group expands the groups around it.
    void setGroupedGraph(const interstage::Graph& graph, std::shared_ptr<const appcore::GroupedGraph> grouped,
                         const appcore::GraphLayout& layout, const appcore::Expansion& expansion);
    bool isGrouped() const { return grouped_ != nullptr; }
    const appcore::GroupedGraph* groupedGraph() const { return grouped_.get(); }
    // Expands or collapses a group (GroupTree index); false if there is none.
    bool setGroupExpanded(int group, bool expanded);
    bool isGroupExpanded(int group) const { return grouped_ && expansion_.isOpen(group); }
    bool isLayoutPending() const { return layoutGeneration_ != shownGeneration_; }
    // Whether a Graph::nodes index is drawn as its own box now.
    bool isNodeShown(int nodeIndex) const;
    int shownGroupBoxes() const;  // collapsed groups on screen
    // The focused group's path as the breadcrumb shows it ("graph › encoder › layer.3").
    QString breadcrumb() const;

    // Step-through (graph_view_step.cpp): highlights the running node(s)
    // and the edges of live tensors, and greys nodes and edges not yet made
    // or already freed. Kept across re-layouts (expanding a group); a node
    // inside a collapsed group lights its group. clearStep() restores all.
    void showStep(const GraphStep& step);
    void clearStep();
    // Centres the view on a node by file name (or the collapsed group
    // holding it) without selecting it (graph_view_follow.cpp: the
    // step-through follows the running node). False: not drawn.
    bool centreOnNode(const QString& nodeName);
    bool hasStep() const { return hasStep_; }
    // The state of a node by file name: its box, or the collapsed group
    // drawn for it; None when no step is shown or it is not drawn.
    StepState stepStateOf(const QString& nodeName) const;
    // The state of a tensor's edges (the first drawn one) by value name.
    StepState edgeStepStateOf(const QString& valueName) const;

    // Memory per node from a plan (appcore::nodeMemoryOf) for the
    // LiveBytes and BytesAddedFreed colours and the minimap's peak marker.
    // Without it those modes draw every node neutral.
    void setNodeMemory(const appcore::NodeMemory& memory);
    void clearNodeMemory();
    const appcore::NodeMemory& nodeMemory() const { return memory_; }
    // The outline colour a node's box (or its collapsed group) has now;
    // invalid when not drawn.
    QColor nodeColorOf(const QString& nodeName) const;
    const GraphLegend* legend() const { return legend_; }
    // The overview in the corner; it marks the peak step's node.
    GraphMinimap* minimap() const { return minimap_; }
    // The layout index of the box drawn for the peak step (its first
    // file node, or the collapsed group holding it); -1 without memory.
    int peakLayoutIndex() const;
    QRectF layoutRect(int layoutIndex) const;

    void setColorBy(ColorBy mode);
    // Marks nodes that cannot run or have outputs without a shape (by
    // Graph::nodes index, with the reason shown as their tooltip).
    void setProblems(const QHash<int, QString>& reasonByNode);
    int problemCount() const;
    ColorBy colorBy() const { return colorBy_; }

    // The whole graph in the window.
    void fitToWindow();
    void zoomIn();
    void zoomOut();
    double zoom() const;  // device pixels per layout point

    // Node numbers are Graph::nodes indices, then the control-flow body
    // nodes after them (appcore::collectBodies).
    // Selection by node number (-1 clears) or by node name; centres
    // the node. nodeSelected is emitted whenever the selection changes, by
    // a click or by these calls (never twice for the same node, so an
    // inspector that calls back here does not loop).
    bool selectNodeIndex(int nodeIndex);
    bool selectNode(const QString& name);
    int selectedNode() const;

    // Selects the next node whose name or op type contains `text`
    // (case-insensitive): repeated calls with the same text cycle through
    // the matches, in execution order. All matches are outlined. Returns
    // the number of matches (0 clears the outlines).
    int findAndSelect(const QString& text);

signals:
    void nodeSelected(int nodeIndex);
    // An arrow or an input/output marker was clicked (a ValueId).
    void valueSelected(int valueId);
    void zoomChanged(double zoom);
    // A re-layout after an expand or collapse is on screen.
    void layoutChanged();

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void drawBackground(QPainter* painter, const QRectF& rect) override;

private:
    // What the view keeps of a drawn node or marker.
    struct NodeEntry {
        int node = -1;                                     // Graph::nodes index, -1 for markers
        interstage::ValueId value = interstage::kNoValue;  // the tensor it is coloured by
        QString name;
        QString opType;
        int family = 0;   // graphstyle::OpFamily
        int group = -1;   // a collapsed group's GroupTree index
        QString tooltip;  // what the item says before any problem is added
        graphitems::NodeItem* item = nullptr;
    };
    struct EdgeEntry {
        interstage::ValueId value = interstage::kNoValue;
        int from = -1;
        int to = -1;
        graphitems::EdgeItem* item = nullptr;
    };
    struct ValueStats {
        std::uint64_t bytes = 0;
        int lifetime = 0;  // steps from producer to last consumer
        QString name;
        interstage::Shape shape;  // formatted only for tooltips of boxes drawn
        bool shapeResolved = false;
    };

    // What the view copies of each Graph::nodes entry once per graph.
    struct NodeInfo {
        QString name;
        QString opType;
        std::vector<interstage::ValueId> outputs;  // for the tooltip, made when the box is
        interstage::ValueId value = interstage::kNoValue;
    };

    void prepareGraph(const interstage::Graph& graph);
    void clearScene();
    void buildScene(const appcore::GraphLayout& layout);
    void requestLayout();
    void showLayout(const appcore::GraphLayout& layout);
    void setFocusGroup(int group);
    void centreOnGroup(int group);
    // The group whose box or frame marker is at a viewport position.
    int groupAt(const QPoint& pos, bool* onMarker) const;
    void applyColors();
    void applyMarks();
    void applyProblems();
    QString problemInGroup(int group) const;
    void setSelection(int layoutIndex, int edgeIndex, bool centre);
    void centreOn(int layoutIndex);
    void initialView();
    void zoomBy(double factor);
    double rampPosition(interstage::ValueId value) const;
    void updateLegend();
    void placeLegend();
    // graph_view_step.cpp
    int layoutIndexOfNode(const QString& nodeName) const;
    int collapsedGroupEntry(int nodeIndex) const;  // nodes_ index of the collapsed group drawn for a node
    void applyStep();
    StepState nodeStepState(const NodeEntry& entry) const;
    StepState groupStepState(int group) const;
    // The node numbers drawn inside a group, at any depth (its items and
    // its child groups' items: a walk of that group only).
    std::vector<int> nodesInGroup(int group) const;
    StepState valueStepState(interstage::ValueId value) const;
    bool applyHeatColor(const NodeEntry& entry);
    double heatPosition(const NodeEntry& entry) const;
    bool showHeatLegend();
    QString memoryNote(const NodeEntry& entry) const;  // the tooltip's memory line
    void updateMinimap();

    QGraphicsScene* scene_;
    GraphLegend* legend_;
    QVector<NodeEntry> nodes_;
    QVector<EdgeEntry> edges_;
    std::vector<ValueStats> values_;
    std::vector<int> layoutOfNode_;  // node number -> nodes_ index, -1 when not drawn
    std::vector<NodeInfo> infos_;    // per node number (body nodes after the main graph's)
    std::vector<graphitems::GroupFrameItem*> frames_;
    std::shared_ptr<const appcore::GroupedGraph> grouped_;
    QHash<int, QString> problems_;  // Graph::nodes index -> reason (setProblems)
    appcore::Expansion expansion_;
    std::vector<int> itemOfNode_;  // Graph::nodes index -> the grouped plan's item, -1 when not drawn
    int layoutGeneration_ = 0;     // the newest layout asked for
    int shownGeneration_ = 0;      // the one on screen
    std::shared_ptr<std::atomic<bool>> layoutCancel_;  // the running layout's stop flag
    int pendingNode_ = -1;                             // selected, shown when its layout arrives
    int focusGroup_ = -1;
    QLabel* breadcrumb_ = nullptr;
    QVector<int> matchNodes_;  // Graph::nodes indices, in execution order
    std::uint64_t minBytes_ = 0;
    std::uint64_t maxBytes_ = 0;
    int maxLifetime_ = 0;
    ColorBy colorBy_ = ColorBy::OpType;
    int selected_ = -1;      // nodes_ index
    int selectedEdge_ = -1;  // edges_ index
    QString query_;
    QVector<int> matches_;  // nodes_ indices
    int matchCursor_ = -1;
    bool pendingInitialView_ = false;
    QString emptyText_ = tr("No model open");
    QPoint pressPos_;
    GraphStep step_;
    bool hasStep_ = false;
    appcore::NodeMemory memory_;
    std::int64_t maxHeatDelta_ = 0;  // the largest |added - freed| of a node, for the diverging scale
    GraphMinimap* minimap_ = nullptr;
};

}  // namespace widgets
