#include "report_pdf.h"

#include <QFileInfo>
#include <cmath>

#include "report_pdf_page.h"
#include "report_pdf_table.h"
#include "report_tables.h"

namespace report {

namespace {

constexpr double kMarginMm = 16;
constexpr double kFigurePxPerMm = 3.0;

class PdfReport {
public:
    PdfReport(QPdfWriter& writer, const ReportDocument& doc, const interstage::SavedSession& session,
              ReportLayout* layout)
        : doc_(doc), session_(session), layout_(layout), theme_(PdfTheme::make(doc.style)), flow_(writer, kMarginMm) {}

    void layOut();
    void paint(QPainter& p, QPdfWriter& writer) const;

private:
    void heading(const QString& text, const QFont& font, double keepWithMm);
    void section(size_t index);
    void contents();
    void cover();
    void block(const Block& b);
    void figure(const FigureSpec& f);
    void graphFigure(const FigureSpec& f);
    void graphBand(const FigureSpec& f, const QRectF& box, double from, double scale);
    void chrome(QPainter& p, int page, int pages) const;

    const ReportDocument& doc_;
    const interstage::SavedSession& session_;
    ReportLayout* layout_;
    PdfTheme theme_;
    PageFlow flow_;
    std::vector<int> sectionPages_;  // per document section, 1-based
};

void PdfReport::heading(const QString& text, const QFont& font, double keepWithMm) {
    const QFontMetricsF fm(font, flow_.device());
    flow_.ensure(fm.lineSpacing() * 1.6 + flow_.mm(keepWithMm));
    flow_.skip(fm.lineSpacing() * 0.3);
    flowText(flow_, font, theme_.accent, text, flow_.width());
    flow_.skip(fm.lineSpacing() * 0.3);
}

void PdfReport::cover() {
    const QFontMetricsF fm(theme_.title, flow_.device());
    flow_.skip(flow_.mm(4));
    flowText(flow_, theme_.title, theme_.accent, doc_.title, flow_.width());
    flowText(flow_, theme_.subtitle, theme_.text, doc_.subtitle, flow_.width());
    flow_.skip(fm.lineSpacing() * 0.3);
    flowText(flow_, theme_.small, theme_.muted, doc_.footnote, flow_.width());
    flow_.skip(fm.lineSpacing() * 0.6);
}

void PdfReport::contents() {
    heading("Contents", theme_.h1, 20);
    const QFontMetricsF fm(theme_.body, flow_.device());
    // Room for page numbers up to 9999; a long title wraps before them.
    const double numberRoom = fm.horizontalAdvance("99999") + flow_.mm(4);
    for (size_t i = 0; i < doc_.sections.size(); ++i) {
        if (doc_.sections[i].id == "contents") continue;
        const QStringList lines = wrapText(doc_.sections[i].title, fm, flow_.width() - numberRoom);
        const double height = fm.lineSpacing() * (double(lines.size()) + 0.4);
        flow_.ensure(height);
        const QRectF box(flow_.left(), flow_.y(), flow_.width(), height);
        // The page numbers are known once the whole document is laid out:
        // the step reads them when it is painted.
        flow_.add(height, [this, i, box, lines](QPainter& p) {
            p.setFont(theme_.body);
            p.setPen(theme_.text);
            const QFontMetricsF m = p.fontMetrics();
            const double base = box.top() + m.lineSpacing() * 0.2 + m.ascent();
            for (int k = 0; k < lines.size(); ++k)
                p.drawText(QPointF(box.left(), base + k * m.lineSpacing()), lines[k]);
            const QString number = QString::number(sectionPages_[i]);
            const double y = base + double(lines.size() - 1) * m.lineSpacing();
            p.drawText(QPointF(box.right() - m.horizontalAdvance(number), y), number);
            // Dots from the title's last line to the number.
            p.setPen(QPen(theme_.rule, flow_.mm(0.2), Qt::DotLine));
            const double from = box.left() + m.horizontalAdvance(lines.back()) + flow_.mm(2);
            const double to = box.right() - m.horizontalAdvance(number) - flow_.mm(2);
            if (to > from) p.drawLine(QPointF(from, y - m.ascent() * 0.3), QPointF(to, y - m.ascent() * 0.3));
        });
    }
}

// The most of `room` from `done` (device units) that ends between nodes.
double bandHeight(const FigureSpec& f, double done, double room, double scale) {
    double cut = (done + room) / scale;
    if ((done + room) / scale >= f.svgSize.height()) return room;
    // Move the cut up above any node it would go through; again, for
    // nodes side by side.
    for (bool moved = true; moved;) {
        moved = false;
        for (const auto& box : f.drawing->boxes)
            if (box.rect.top() - 2 < cut && cut < box.rect.bottom() + 2 && box.rect.top() - 2 > done / scale) {
                cut = box.rect.top() - 2;
                moved = true;
            }
    }
    return cut * scale - done;
}

// The pages the graph takes at `scale` in `columns`, from `first` room on
// this page and `page` on each next one.
int graphPages(const FigureSpec& f, double scale, int columns, double first, double page) {
    const double height = f.svgSize.height() * scale;
    int pages = 0;
    for (double done = 0, room = first; done < height; room = page, ++pages)
        for (int c = 0; c < columns && done < height; ++c)
            done += bandHeight(f, done, std::min(height - done, room), scale);
    return pages;
}

// The graph at its natural size (or narrower, to fit the width), in bands
// of a page each when it is taller than a page: small type stays readable.
void PdfReport::graphFigure(const FigureSpec& f) {
    // A narrow graph (a chain, mostly) runs in columns side by side, as
    // newspaper text does, instead of down many pages: as many as keep
    // its 10 pt labels at 6.5 pt or more.
    const double gap = flow_.mm(6), natural = flow_.device()->logicalDpiY() / 72.0;
    auto scaleFor = [&](int c) { return std::min(natural, (flow_.width() - (c - 1) * gap) / c / f.svgSize.width()); };
    int columns = 1;
    while (columns < 4 && scaleFor(columns + 1) >= 0.65 * natural) ++columns;
    // A graph short enough for half a page keeps its natural size.
    while (columns > 1 && f.svgSize.height() * scaleFor(1) <= flow_.pageHeight() * 0.5) --columns;
    double scale = scaleFor(columns);
    flow_.ensure(std::min(f.svgSize.height() * scale, flow_.mm(60)));
    // A last page holding a few boxes: a slightly smaller graph (labels at
    // 6 pt or more) may take one page less.
    const double first = flow_.room() < flow_.mm(20) ? flow_.pageHeight() : flow_.room();
    const int pages = graphPages(f, scale, columns, first, flow_.pageHeight());
    for (double shrink = 0.95; pages > 1 && shrink > 0.79 && scale * shrink >= 0.6 * natural; shrink -= 0.05)
        if (graphPages(f, scale * shrink, columns, first, flow_.pageHeight()) < pages) {
            scale *= shrink;
            break;
        }
    const double width = f.svgSize.width() * scale, height = f.svgSize.height() * scale;
    const double left = flow_.left() + (flow_.width() - (columns * (width + gap) - gap)) / 2;
    for (double done = 0; done < height;) {
        if (flow_.room() < flow_.mm(20)) flow_.newPage();
        double used = 0;
        for (int c = 0; c < columns && done < height; ++c) {
            const double band = bandHeight(f, done, std::min(height - done, flow_.room()), scale);
            graphBand(f, QRectF(left + c * (width + gap), flow_.y(), width, band), done / scale, scale);
            used = std::max(used, band);
            done += band;
        }
        flow_.skip(used);
    }
}

// One band of the graph: SVG rows from `from` (points) drawn into `box`.
void PdfReport::graphBand(const FigureSpec& f, const QRectF& box, double from, double scale) {
    const QRectF view(0, from, f.svgSize.width(), box.height() / scale);
    const std::shared_ptr<const GraphDrawing> drawing = f.drawing;
    flow_.add(0, [drawing, box, view](QPainter& p) { drawGraph(p, *drawing, box, view); });
}

void PdfReport::figure(const FigureSpec& f) {
    const QFontMetricsF cfm(theme_.caption, flow_.device());
    if (f.graph) {
        // The caption above: after a graph cut into page-high columns it
        // could land alone on the next page.
        if (!f.caption.isEmpty()) flowText(flow_, theme_.caption, theme_.muted, f.caption, flow_.width());
        flow_.skip(cfm.lineSpacing() * 0.4);
        graphFigure(f);
        flow_.skip(cfm.lineSpacing() * 0.8);
        return;
    }
    const QRectF box(flow_.left(), 0, flow_.width(), flow_.mm(f.heightMm));
    flow_.ensure(box.height() + cfm.lineSpacing() * 2);
    FigureOptions options = f.chart;
    // Laid out at kFigurePxPerMm logical px per mm of the box, which
    // drawFigure scales to the box as vectors: with the figures' text at
    // 8 px or more (figure_style.cpp), about 7.5 pt on the page, near the
    // body's 9.5 pt.
    options.size = QSizeF(box.width(), box.height()) / flow_.mm(1) * kFigurePxPerMm;
    const QRectF at = box.translated(0, flow_.y());
    flow_.add(box.height(), [this, options, at](QPainter& p) {
        p.save();
        drawFigure(p, at, session_, options);
        p.restore();
    });
    flow_.skip(cfm.lineSpacing() * 0.4);
    if (!f.caption.isEmpty()) flowText(flow_, theme_.caption, theme_.muted, f.caption, flow_.width());
    flow_.skip(cfm.lineSpacing() * 0.8);
}

void PdfReport::block(const Block& b) {
    switch (b.kind) {
        case Block::Kind::Heading:
            heading(b.text, theme_.h2, 25);
            break;
        case Block::Kind::Paragraph:
            flowText(flow_, theme_.body, theme_.text, b.text, flow_.width());
            flow_.skip(QFontMetricsF(theme_.body, flow_.device()).lineSpacing() * 0.6);
            break;
        case Block::Kind::Table:
            flowTable(flow_, theme_, b.table, layout_);
            break;
        case Block::Kind::Figure:
            figure(b.figure);
            break;
    }
}

void PdfReport::section(size_t index) {
    const Section& s = doc_.sections[index];
    if (index > 0) flow_.newPage();
    sectionPages_[index] = flow_.page();
    if (layout_) layout_->sections.push_back({s.title, flow_.page()});
    if (s.id == "cover")
        cover();
    else if (s.id == "contents")
        contents();
    else
        heading(s.title, theme_.h1, 30);
    for (const Block& b : s.blocks) block(b);
}

void PdfReport::layOut() {
    sectionPages_.assign(doc_.sections.size(), 0);
    for (size_t i = 0; i < doc_.sections.size(); ++i) section(i);
    if (layout_) layout_->pages = int(flow_.pages().size());
}

void PdfReport::chrome(QPainter& p, int page, int pages) const {
    const QRectF c = flow_.content();
    const QFontMetricsF fm(theme_.small, flow_.device());
    p.setFont(theme_.small);
    p.setPen(theme_.muted);
    const QRectF head(c.left(), c.top() - flow_.mm(6), c.width(), fm.lineSpacing());
    p.drawText(head, Qt::AlignLeft | Qt::AlignVCenter, doc_.header);
    p.drawText(head, Qt::AlignRight | Qt::AlignVCenter, doc_.title);
    p.setPen(QPen(theme_.rule, flow_.mm(0.2)));
    p.drawLine(QPointF(c.left(), head.bottom() + flow_.mm(0.8)), QPointF(c.right(), head.bottom() + flow_.mm(0.8)));
    p.setPen(theme_.muted);
    const QRectF foot(c.left(), c.bottom() + flow_.mm(3), c.width(), fm.lineSpacing());
    p.drawText(foot, Qt::AlignCenter, QString("page %1 of %2").arg(page).arg(pages));
}

void PdfReport::paint(QPainter& p, QPdfWriter& writer) const {
    const auto& pages = flow_.pages();
    for (size_t i = 0; i < pages.size(); ++i) {
        if (i > 0) writer.newPage();
        chrome(p, int(i + 1), int(pages.size()));
        for (const auto& step : pages[i]) step(p);
    }
}

}  // namespace

bool writeReportPdf(const QString& path, const ReportDocument& doc, const interstage::SavedSession& session,
                    QString* error, ReportLayout* layout) {
    QPdfWriter writer(path);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageOrientation(QPageLayout::Portrait);
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setResolution(300);
    writer.setTitle(doc.title + " · " + doc.subtitle);
    writer.setCreator("Interstage");
    PdfReport report(writer, doc, session, layout);
    report.layOut();
    QPainter painter;
    if (!painter.begin(&writer)) {
        if (error) *error = QString("cannot write '%1'").arg(path);
        return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    report.paint(painter, writer);
    painter.end();
    if (!QFileInfo(path).isFile()) {
        if (error) *error = QString("cannot write '%1'").arg(path);
        return false;
    }
    return true;
}

}  // namespace report
