#include "widgets/graph_style.h"

#include <QHash>
#include <algorithm>
#include <array>
#include <cmath>

namespace widgets::graphstyle {

OpFamily familyOf(const QString& opType) {
    // Built once: familyOf runs for every node of every graph shown.
    static const QHash<QString, OpFamily> families = [] {
        QHash<QString, OpFamily> map;
        auto add = [&](OpFamily family, std::initializer_list<const char*> ops) {
            for (const char* op : ops) map.insert(QString::fromLatin1(op), family);
        };
        add(OpFamily::Conv, {"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "Gemm", "MatMul", "MatMulInteger",
                             "QLinearMatMul", "Einsum", "DeformConv", "LSTM", "GRU", "RNN"});
        add(OpFamily::Activation,
            {"Relu", "LeakyRelu", "PRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Clip", "Elu", "Selu", "Celu",
             "Gelu", "Mish", "Softplus", "Softsign", "ThresholdedRelu", "Softmax", "LogSoftmax", "Hardmax"});
        add(OpFamily::Normalization, {"BatchNormalization", "InstanceNormalization", "LayerNormalization",
                                      "GroupNormalization", "LpNormalization", "LRN", "MeanVarianceNormalization"});
        add(OpFamily::Pooling, {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
                                "GlobalLpPool", "MaxRoiPool", "RoiAlign", "MaxUnpool"});
        add(OpFamily::Math, {"Add",         "Sub",   "Mul",  "Div",        "Pow",     "Sqrt",  "Exp",
                             "Log",         "Abs",   "Neg",  "Reciprocal", "Floor",   "Ceil",  "Round",
                             "Sign",        "Erf",   "Sin",  "Cos",        "Tan",     "Min",   "Max",
                             "Mean",        "Sum",   "Mod",  "Equal",      "Greater", "Less",  "GreaterOrEqual",
                             "LessOrEqual", "Not",   "And",  "Or",         "Xor",     "Where", "CumSum",
                             "BitShift",    "IsNaN", "IsInf"});
        add(OpFamily::Shape, {"Reshape",
                              "Transpose",
                              "Concat",
                              "Split",
                              "Slice",
                              "Gather",
                              "GatherElements",
                              "GatherND",
                              "Scatter",
                              "ScatterElements",
                              "ScatterND",
                              "Squeeze",
                              "Unsqueeze",
                              "Flatten",
                              "Expand",
                              "Tile",
                              "Pad",
                              "Shape",
                              "Size",
                              "Cast",
                              "CastLike",
                              "Identity",
                              "DepthToSpace",
                              "SpaceToDepth",
                              "Range",
                              "ConstantOfShape",
                              "OneHot",
                              "Trilu",
                              "ReverseSequence",
                              "NonZero",
                              "TopK",
                              "Compress",
                              "Dropout"});
        add(OpFamily::Resize, {"Resize", "Upsample", "GridSample"});
        add(OpFamily::Reduce, {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                               "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin"});
        add(OpFamily::Control,
            {"If", "Loop", "Scan", "SequenceAt", "SequenceConstruct", "SplitToSequence", "ConcatFromSequence"});
        return map;
    }();
    return families.value(opType, OpFamily::Other);
}

QString familyName(OpFamily family) {
    switch (family) {
        case OpFamily::Conv:
            return QStringLiteral("Conv / MatMul");
        case OpFamily::Activation:
            return QStringLiteral("Activation");
        case OpFamily::Normalization:
            return QStringLiteral("Normalization");
        case OpFamily::Pooling:
            return QStringLiteral("Pooling");
        case OpFamily::Math:
            return QStringLiteral("Elementwise");
        case OpFamily::Shape:
            return QStringLiteral("Shape / data");
        case OpFamily::Resize:
            return QStringLiteral("Resize");
        case OpFamily::Reduce:
            return QStringLiteral("Reduce");
        case OpFamily::Control:
            return QStringLiteral("Control flow");
        case OpFamily::Other:
        case OpFamily::Count:
            break;
    }
    return QStringLiteral("Other");
}

FamilyColors familyColors(OpFamily family) {
    // Muted hues of similar lightness, so no family shouts; borders are the
    // same hue, darker.
    switch (family) {
        case OpFamily::Conv:
            return {QColor(0xD4, 0xE3, 0xF7), QColor(0x6F, 0x96, 0xCF)};
        case OpFamily::Activation:
            return {QColor(0xF6, 0xDA, 0xD7), QColor(0xCC, 0x7F, 0x78)};
        case OpFamily::Normalization:
            return {QColor(0xD3, 0xEE, 0xE8), QColor(0x62, 0xAE, 0x9C)};
        case OpFamily::Pooling:
            return {QColor(0xDF, 0xEE, 0xD3), QColor(0x84, 0xB3, 0x6A)};
        case OpFamily::Math:
            return {QColor(0xE5, 0xE1, 0xF4), QColor(0x93, 0x88, 0xC6)};
        case OpFamily::Shape:
            return {QColor(0xF5, 0xEA, 0xD2), QColor(0xC9, 0xA4, 0x5C)};
        case OpFamily::Resize:
            return {QColor(0xFA, 0xE0, 0xCB), QColor(0xD9, 0x93, 0x5E)};
        case OpFamily::Reduce:
            return {QColor(0xF3, 0xDC, 0xEC), QColor(0xBF, 0x7A, 0xAB)};
        case OpFamily::Control:
            return {QColor(0xDD, 0xE1, 0xE6), QColor(0x6B, 0x75, 0x82)};
        case OpFamily::Other:
        case OpFamily::Count:
            break;
    }
    return {QColor(0xEC, 0xEE, 0xF1), QColor(0x9A, 0xA3, 0xAF)};
}

QColor rampColor(double t) {
    // Blue -> teal -> amber -> orange -> red: ordered by warmth and readable
    // as thin lines on white at every stop.
    static const std::array<QColor, 5> stops = {QColor(0x3A, 0x7B, 0xD5), QColor(0x3B, 0xA9, 0x9C),
                                                QColor(0xE0, 0xAE, 0x1F), QColor(0xE8, 0x70, 0x2A),
                                                QColor(0xC9, 0x28, 0x3E)};
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (stops.size() - 1);
    const size_t i = std::min(static_cast<size_t>(t), stops.size() - 2);
    const double f = t - static_cast<double>(i);
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * f),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * f),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * f));
}

QColor divergingColor(double t) {
    static const QColor freed(0x21, 0x66, 0xAC);
    static const QColor zero(0xB8, 0xBE, 0xC8);
    static const QColor added(0xC9, 0x28, 0x3E);
    t = std::clamp(std::isfinite(t) ? t : 0.0, -1.0, 1.0);
    const QColor& end = t < 0 ? freed : added;
    const double f = std::abs(t);
    return QColor::fromRgbF(static_cast<float>(zero.redF() + (end.redF() - zero.redF()) * f),
                            static_cast<float>(zero.greenF() + (end.greenF() - zero.greenF()) * f),
                            static_cast<float>(zero.blueF() + (end.blueF() - zero.blueF()) * f));
}

QColor pale(const QColor& color, double amount) {
    const double k = std::clamp(amount, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(1.0 - (1.0 - color.redF()) * k),
                            static_cast<float>(1.0 - (1.0 - color.greenF()) * k),
                            static_cast<float>(1.0 - (1.0 - color.blueF()) * k));
}

namespace {
QFont makeFont(int pixelSize, bool bold) {
    QFont font(QStringLiteral("Sans Serif"));
    font.setStyleHint(QFont::SansSerif);
    font.setPixelSize(pixelSize);
    font.setBold(bold);
    font.setHintingPreference(QFont::PreferNoHinting);
    return font;
}
}  // namespace

const QFont& titleFont() {
    static const QFont font = makeFont(11, true);
    return font;
}

const QFont& smallFont() {
    static const QFont font = makeFont(9, false);
    return font;
}

const QFont& labelFont() {
    static const QFont font = makeFont(8, false);
    return font;
}

}  // namespace widgets::graphstyle
