#include "report/figure_style.h"

#include <qcustomplot.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "interstage/format.h"

namespace report {

namespace {

constexpr double kMmPerInch = 25.4;
constexpr double kPointsPerInch = 72.0;

QFont pixelFont(double px, bool bold = false) {
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(std::max(6, static_cast<int>(std::lround(px))));
    font.setBold(bold);
    return font;
}

// Base text size in logical px for the target.
double basePixels(const FigureOptions& options, const QSizeF& size) {
    switch (options.target) {
        case Target::Slide:
            // 22 px on 1920x1080, scaled if a report draws the slide smaller.
            return 22.0 * std::min(size.width() / 1920.0, size.height() / 1080.0);
        case Target::Column:
            // 7 pt at the DPI: the column is 85 mm wide at that DPI.
            return 7.0 / kPointsPerInch * (size.width() / (85.0 / kMmPerInch));
        case Target::Custom:
            break;
    }
    return std::clamp(std::sqrt(size.width() * size.height()) / 60.0, 8.0, 40.0);
}

void styleAxis(QCPAxis* axis, Style style, const FigureFonts& fonts) {
    const QColor axisColor = style == Style::Print ? QColor(Qt::black) : QColor(0x5f, 0x63, 0x68);
    const QColor grid = style == Style::Print ? QColor(0xcc, 0xcc, 0xcc) : QColor(0xe3, 0xe6, 0xea);
    const QPen axisPen(axisColor, std::max(1.0, fonts.lineWidth * 0.6));
    axis->setBasePen(axisPen);
    axis->setTickPen(axisPen);
    axis->setSubTickPen(axisPen);
    axis->setTickLabelColor(textColor(style));
    axis->setLabelColor(textColor(style));
    axis->setTickLabelFont(fonts.tickLabel);
    axis->setLabelFont(fonts.axisLabel);
    axis->setTickLengthIn(0);
    axis->setTickLengthOut(static_cast<int>(fonts.basePx * 0.3));
    axis->setSubTickLengthIn(0);
    axis->setSubTickLengthOut(static_cast<int>(fonts.basePx * 0.15));
    axis->setTickLabelPadding(static_cast<int>(fonts.basePx * 0.3));
    axis->setLabelPadding(static_cast<int>(fonts.basePx * 0.4));
    axis->grid()->setPen(QPen(grid, std::max(1.0, fonts.lineWidth * 0.5), Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
    axis->grid()->setZeroLinePen(Qt::NoPen);
    axis->ticker()->setTickCount(6);
}

QBrush patterned(const QColor& color, Qt::BrushStyle pattern) { return QBrush(color, pattern); }

}  // namespace

FigureFonts fontsFor(const FigureOptions& options, const QSizeF& logicalSize) {
    FigureFonts fonts;
    const double base = basePixels(options, logicalSize);
    fonts.basePx = base;
    fonts.title = pixelFont(base * 1.3, true);
    fonts.subtitle = pixelFont(base * 1.0);
    fonts.axisLabel = pixelFont(base * 1.0);
    fonts.tickLabel = pixelFont(base * 0.9);
    fonts.legend = pixelFont(base * 0.9);
    fonts.reference = pixelFont(base * 0.85);
    fonts.footnote = pixelFont(base * 0.75);
    fonts.lineWidth = std::max(1.0, base / 11.0);
    return fonts;
}

void applyFigureTheme(QCustomPlot& plot, Style style, const FigureFonts& fonts) {
    plot.setBackground(Qt::white);
    plot.axisRect()->setBackground(Qt::white);
    for (QCPAxis* axis : {plot.xAxis, plot.yAxis, plot.xAxis2, plot.yAxis2}) styleAxis(axis, style, fonts);
    // A box on all four sides reads as clutter; the two axes with labels stay.
    plot.xAxis2->setVisible(false);
    plot.yAxis2->setVisible(false);
    plot.setAntialiasedElements(QCP::aeAll);
}

void applyAxisRectTheme(QCPAxisRect& rect, Style style, const FigureFonts& fonts) {
    rect.setBackground(Qt::white);
    for (QCPAxis* axis : rect.axes()) styleAxis(axis, style, fonts);
    rect.axis(QCPAxis::atTop)->setVisible(false);
    rect.axis(QCPAxis::atRight)->setVisible(false);
}

QColor textColor(Style style) { return style == Style::Print ? QColor(Qt::black) : QColor(0x20, 0x21, 0x24); }
QColor mutedTextColor(Style style) { return style == Style::Print ? QColor(Qt::black) : QColor(0x5f, 0x63, 0x68); }

QBrush categoryBrush(Style style, interstage::MemoryCategory category) {
    using C = interstage::MemoryCategory;
    if (style == Style::Print) {
        // Grey levels far apart, hatching for the thin transient bands.
        switch (category) {
            case C::Weights:
                return QBrush(QColor(0xd9, 0xd9, 0xd9));
            case C::Interstage:
                return QBrush(QColor(0x80, 0x80, 0x80));
            case C::Workspace:
                return patterned(Qt::black, Qt::DiagCrossPattern);
            case C::Input:
                return patterned(Qt::black, Qt::Dense6Pattern);
            case C::Output:
                return patterned(Qt::black, Qt::BDiagPattern);
            case C::Staging:
                return patterned(Qt::black, Qt::FDiagPattern);
        }
    }
    switch (category) {
        case C::Weights:
            return QBrush(QColor(0xa7, 0xb1, 0xbd));  // present but rarely the story
        case C::Interstage:
            return QBrush(QColor(0x4c, 0x8b, 0xf5));  // the activations this tool is about
        case C::Workspace:
            return QBrush(QColor(0xb3, 0x9d, 0xdb));
        case C::Input:
            return QBrush(QColor(0xf2, 0xc1, 0x4e));
        case C::Output:
            return QBrush(QColor(0xef, 0x8a, 0x62));
        case C::Staging:
            return QBrush(QColor(0x6c, 0xc5, 0xb0));
    }
    return QBrush(Qt::gray);
}

QPen categoryPen(Style style, interstage::MemoryCategory category, double width) {
    if (style == Style::Print) return QPen(Qt::black, width * 0.5);
    return QPen(categoryBrush(style, category).color().darker(130), width * 0.5);
}

QString categoryLabel(interstage::MemoryCategory category) {
    QString name = QString::fromLatin1(interstage::memoryCategoryName(category));
    if (!name.isEmpty()) name[0] = name[0].toUpper();
    return name;
}

QPen seriesPen(Style style, int index, double width) {
    if (style == Style::Print) {
        // Dash patterns that stay apart at print sizes, in grey levels for a second cue.
        static const std::array<Qt::PenStyle, 5> dashes = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                                           Qt::DashDotDotLine};
        static const std::array<QColor, 2> greys = {QColor(Qt::black), QColor(0x55, 0x55, 0x55)};
        const auto n = static_cast<std::size_t>(std::max(0, index));
        QPen pen(greys[(n / dashes.size()) % greys.size()], width, dashes[n % dashes.size()]);
        pen.setCapStyle(Qt::FlatCap);
        return pen;
    }
    // Distinct on white, none of them the blue of the activations or the red of the bounds.
    static const std::array<QColor, 8> palette = {
        QColor(0xe0, 0x6c, 0x00), QColor(0x2c, 0xa0, 0x2c), QColor(0x7b, 0x4f, 0xb5), QColor(0x8c, 0x56, 0x4b),
        QColor(0xd6, 0x3f, 0x9a), QColor(0x17, 0x9c, 0xaa), QColor(0x8a, 0x8a, 0x12), QColor(0x1f, 0x4e, 0x9c),
    };
    return QPen(palette[static_cast<std::size_t>(std::max(0, index)) % palette.size()], width);
}

QBrush seriesBrush(Style style, int index) {
    if (style == Style::Print) {
        static const std::array<QBrush, 6> brushes = {
            QBrush(QColor(0x40, 0x40, 0x40)),
            QBrush(QColor(0xc0, 0xc0, 0xc0)),
            QBrush(Qt::black, Qt::BDiagPattern),
            QBrush(Qt::black, Qt::Dense5Pattern),
            QBrush(Qt::white),
            QBrush(Qt::black, Qt::CrossPattern),
        };
        return brushes[static_cast<std::size_t>(std::max(0, index)) % brushes.size()];
    }
    return QBrush(seriesPen(style, index, 1).color());
}

QPen referencePen(Style style, Reference reference, double width) {
    const bool print = style == Style::Print;
    QPen pen(Qt::black, width * 0.9);
    switch (reference) {
        case Reference::LowerBound:
            pen = QPen(print ? QColor(Qt::black) : QColor(0xd9, 0x30, 0x25), width * 0.9, Qt::DashLine);
            break;
        case Reference::AliasedBound:
            pen = QPen(print ? QColor(Qt::black) : QColor(0x9c, 0x27, 0xb0), width * 0.9, Qt::DotLine);
            break;
        case Reference::Budget:
            pen = QPen(print ? QColor(Qt::black) : QColor(0x20, 0x21, 0x24), width * 1.1, Qt::DashDotLine);
            break;
        case Reference::Peak:
            pen = QPen(print ? QColor(Qt::black) : QColor(0xc5, 0x22, 0x1f), width, Qt::SolidLine);
            break;
        case Reference::Held:
            pen = QPen(print ? QColor(Qt::black) : QColor(0x5f, 0x63, 0x68), width * 0.7, Qt::DotLine);
            break;
        case Reference::PeakStep:
            pen = QPen(print ? QColor(Qt::black) : QColor(0xc5, 0x22, 0x1f), width * 0.9, Qt::DashLine);
            break;
    }
    pen.setCapStyle(Qt::FlatCap);
    return pen;
}

QBrush tensorBrush(Style style, double sizeFraction) {
    const double t = std::clamp(sizeFraction, 0.0, 1.0);
    const QColor light = style == Style::Print ? QColor(0xc8, 0xc8, 0xc8) : QColor(0xb9, 0xd3, 0xf6);
    const QColor dark = style == Style::Print ? QColor(0x40, 0x40, 0x40) : QColor(0x1f, 0x5f, 0xbf);
    return QBrush(QColor::fromRgbF(light.redF() + t * (dark.redF() - light.redF()),
                                   light.greenF() + t * (dark.greenF() - light.greenF()),
                                   light.blueF() + t * (dark.blueF() - light.blueF())));
}

QBrush blockBrush(Style style, BlockKind kind) {
    const bool print = style == Style::Print;
    switch (kind) {
        case BlockKind::Tensor:
            return tensorBrush(style, 0.5);
        case BlockKind::Kept:
            return print ? QBrush(Qt::black, Qt::BDiagPattern) : QBrush(QColor(0xef, 0x8a, 0x62));
        case BlockKind::Workspace:
            return print ? QBrush(Qt::black, Qt::DiagCrossPattern) : QBrush(QColor(0xb3, 0x9d, 0xdb));
        case BlockKind::InsideHost:
            return print ? QBrush(Qt::black, Qt::VerPattern) : QBrush(QColor(0x0b, 0x2f, 0x6e), Qt::BDiagPattern);
        case BlockKind::HeldLane:
            return print ? QBrush(QColor(0xf0, 0xf0, 0xf0)) : QBrush(QColor(0xe8, 0xec, 0xf2));
    }
    return QBrush(Qt::gray);
}

QPen blockPen(Style style, BlockKind kind, double width) {
    if (kind == BlockKind::HeldLane) return QPen(Qt::NoPen);
    if (kind == BlockKind::InsideHost)
        return QPen(style == Style::Print ? QColor(Qt::black) : QColor(0x0b, 0x2f, 0x6e), width * 0.4, Qt::DashLine);
    if (style == Style::Print) return QPen(Qt::black, width * 0.4);
    return QPen(blockBrush(style, kind).color().darker(150), width * 0.4);
}

double toMiB(double bytes) { return bytes / (1024.0 * 1024.0); }

QString formatBytes(double bytes) { return QString::fromStdString(interstage::formatBytes(bytes)); }

QString formatMs(double ms) {
    if (ms >= 100) return QString::number(ms, 'f', 0) + QStringLiteral(" ms");
    if (ms >= 1) return QString::number(ms, 'f', 1) + QStringLiteral(" ms");
    return QString::number(ms, 'f', 3) + QStringLiteral(" ms");
}

}  // namespace report
