// saveFigure: one figure to a PNG (at figurePixelSize, with its DPI), an
// SVG or a PDF (the figure's size in mm, no margins). Written through
// QSaveFile: a failed write leaves no half file and the old one whole.
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QPicture>
#include <QSaveFile>
#include <QSvgGenerator>
#include <cmath>

#include "report/figure.h"
#include "report/figure_layout.h"

namespace report {

namespace {

constexpr double kMmPerInch = 25.4;
constexpr double kScreenDpi = 96;  // what a slide's px are

// The px per inch the figure's size means: a slide is screen pixels.
double effectiveDpi(const FigureOptions& options) { return options.target == Target::Slide ? kScreenDpi : options.dpi; }

bool writePng(QSaveFile& file, const interstage::SavedSession& session, const FigureOptions& options) {
    const QSize px = figurePixelSize(options).toSize();
    QImage image(px, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    const int dotsPerMeter = static_cast<int>(std::lround(effectiveDpi(options) / kMmPerInch * 1000.0));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        drawFigure(painter, QRectF(QPointF(0, 0), QSizeF(px)), session, options);
    }
    QImageWriter writer(&file, "png");
    return writer.write(image);
}

// The figure's title and footnote for the file's metadata, from a layout pass.
FigureLayout layoutOf(const interstage::SavedSession& session, const FigureOptions& options) {
    QPicture scratch;
    QPainter painter(&scratch);
    return drawFigureWithLayout(painter, QRectF(QPointF(0, 0), figurePixelSize(options)), session, options);
}

QString titleOf(const FigureLayout& layout) {
    return layout.subtitle.isEmpty() ? layout.title : layout.title + QStringLiteral(" — ") + layout.subtitle;
}

bool writeSvg(QSaveFile& file, const interstage::SavedSession& session, const FigureOptions& options) {
    const QSizeF px = figurePixelSize(options);
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(px.toSize());
    svg.setViewBox(QRectF(QPointF(0, 0), px));
    // The SVG's width and height are px / resolution: a column keeps its
    // 85 mm; slides and custom sizes show at their px in a browser.
    svg.setResolution(static_cast<int>(std::lround(options.target == Target::Column ? options.dpi : kScreenDpi)));
    const FigureLayout layout = layoutOf(session, options);
    svg.setTitle(titleOf(layout));
    svg.setDescription(layout.footnote);
    QPainter painter;
    if (!painter.begin(&svg)) return false;
    drawFigure(painter, QRectF(QPointF(0, 0), px), session, options);
    return painter.end();
}

bool writePdf(QSaveFile& file, const interstage::SavedSession& session, const FigureOptions& options) {
    const QSizeF px = figurePixelSize(options);
    const double mmPerPx = kMmPerInch / effectiveDpi(options);
    QPdfWriter pdf(&file);
    pdf.setTitle(titleOf(layoutOf(session, options)));
    pdf.setCreator(QStringLiteral("Interstage"));
    pdf.setResolution(1200);  // device units fine enough for hairlines; the figure is vector
    const QPageSize page(QSizeF(px.width() * mmPerPx, px.height() * mmPerPx), QPageSize::Millimeter,
                         QStringLiteral("figure"), QPageSize::ExactMatch);
    pdf.setPageLayout(QPageLayout(page, QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
    QPainter painter;
    if (!painter.begin(&pdf)) return false;
    drawFigure(painter, QRectF(0, 0, pdf.width(), pdf.height()), session, options);
    return painter.end();
}

}  // namespace

bool saveFigure(const QString& path, const interstage::SavedSession& session, const FigureOptions& options,
                QString* error) {
    auto fail = [&](const QString& message) {
        if (error) *error = message;
        return false;
    };
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg") && suffix != QLatin1String("pdf"))
        return fail(QStringLiteral("'%1': unknown figure format '%2' (use .png, .svg or .pdf)")
                        .arg(path, suffix.isEmpty() ? QStringLiteral("(no suffix)") : QStringLiteral(".") + suffix));
    const QString problem = figureInputError(session, options);
    if (!problem.isEmpty()) return fail(QStringLiteral("cannot draw '%1': %2").arg(path, problem));
    const QFileInfo folder(QFileInfo(path).absolutePath());
    if (!folder.isDir()) return fail(QStringLiteral("cannot write '%1': no folder '%2'").arg(path, folder.filePath()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write '%1': %2").arg(path, file.errorString()));
    bool written = false;
    if (suffix == QLatin1String("png"))
        written = writePng(file, session, options);
    else if (suffix == QLatin1String("svg"))
        written = writeSvg(file, session, options);
    else
        written = writePdf(file, session, options);
    if (!written || !file.commit()) return fail(QStringLiteral("cannot write '%1': %2").arg(path, file.errorString()));
    return true;
}

}  // namespace report
