// The graph view's look: op families and their colours, the colour ramp
// for tensor size and lifetime, and the fonts. One place, so the items, the
// legend and the layout's size estimates (app/core/graph_layout.cpp) agree.
#pragma once

#include <QColor>
#include <QFont>
#include <QString>

namespace widgets::graphstyle {

// Ops grouped the way a reader of the graph thinks about them.
enum class OpFamily { Conv, Activation, Normalization, Pooling, Math, Shape, Resize, Reduce, Control, Other, Count };

OpFamily familyOf(const QString& opType);
QString familyName(OpFamily family);

struct FamilyColors {
    QColor header;  // title band fill
    QColor border;  // outline, legend swatch
};
FamilyColors familyColors(OpFamily family);

// Sequential ramp from cool (small, short-lived) to warm (large,
// long-lived); t in [0, 1].
QColor rampColor(double t);
// Diverging ramp for bytes a step adds (t > 0, red) or frees (t < 0,
// blue); t in [-1, 1], grey at 0.
QColor divergingColor(double t);
// A pale version of a colour for box fills (mixed with white).
QColor pale(const QColor& color, double amount);

// Theme colours.
inline const QColor kBackground{0xFF, 0xFF, 0xFF};
inline const QColor kText{0x1F, 0x24, 0x30};
inline const QColor kMutedText{0x5B, 0x64, 0x72};
// Groups: collapsed boxes and expanded frames, neutral so op colours stay
// the loudest thing on screen.
inline const QColor kGroupFill{0xF3, 0xF5, 0xF9};
inline const QColor kGroupHeader{0xDD, 0xE3, 0xEE};
inline const QColor kGroupBorder{0x6B, 0x78, 0x90};
inline const QColor kEdge{0x8A, 0x94, 0xA3};
inline const QColor kSelection{0x2F, 0x6F, 0xED};
inline const QColor kMatch{0xF0, 0xB4, 0x00};
// Step-through (GraphView::showStep): the node running, the tensors alive.
// Violet and indigo: apart from the op families, the heat ramp and the selection.
inline const QColor kStepRunning{0xAE, 0x3E, 0xC9};
inline const QColor kStepLive{0x5F, 0x3D, 0xC4};
inline const QColor kProblem{0xC6, 0x28, 0x28};  // cannot run, or no shape
inline const QColor kInputFill{0xE7, 0xEF, 0xFB};
inline const QColor kInputBorder{0x7F, 0x9C, 0xCC};
inline const QColor kOutputFill{0xE6, 0xF4, 0xEA};
inline const QColor kOutputBorder{0x79, 0xB0, 0x8A};

// Fonts in scene units (1 unit = 1 point of the layout), unhinted so text
// scales smoothly with the zoom.
const QFont& titleFont();  // op type: 11 units, bold
const QFont& smallFont();  // name and attributes: 9 units
const QFont& labelFont();  // edge labels: 8 units

}  // namespace widgets::graphstyle
