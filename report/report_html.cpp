#include "report_html.h"

#include <QBuffer>
#include <QFile>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>

#include "report_tables.h"

namespace report {

namespace {

// The width the HTML's tables are measured at (CSS px), with the fonts the
// CSS names: A4 printed from a browser (about 718 px inside its margins),
// so columns sized for print only gain room on a wider screen.
constexpr double kTableWidthPx = 700;
// The figures' SVG size (CSS scales them to the text's width).
constexpr double kFigureWidthPx = 1000;
constexpr double kCellPaddingPx = 5;
constexpr double kFontPx = 12;

QString css(Style style) {
    const bool print = style == Style::Print;
    const QString accent = print ? "#000" : "#1f56a0";
    const QString headFill = print ? "#d7d7d7" : "#dee8f6";
    const QString stripe = print ? "#f4f4f4" : "#f6f8fc";
    return QString(R"(
body{font-family:"DejaVu Sans",Verdana,sans-serif;font-size:14px;color:#141414;max-width:1040px;margin:0 auto;padding:16px 20px;background:#fff}
header.running{font-size:11px;color:#5a626e;border-bottom:1px solid #a0aab9;display:flex;justify-content:space-between;padding-bottom:3px}
h1{color:%1;font-size:32px;margin:24px 0 4px} h2{color:%1;font-size:22px;margin:0 0 10px}
h3{color:%1;font-size:16px;margin:18px 0 8px} .subtitle{font-size:19px;margin:0 0 6px} .note{font-size:11px;color:#5a626e}
section,nav{padding-top:18px;margin-top:18px;border-top:2px solid %1;page-break-before:always}
section#cover{border-top:none;page-break-before:auto}
nav ol{padding-left:22px;line-height:1.7} nav a{color:%1;text-decoration:none}
table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:%4px;margin:4px 0 6px}
caption{text-align:left;font-style:italic;color:#5a626e;padding-bottom:4px;font-size:13px}
th,td{padding:2px %5px;vertical-align:top;overflow-wrap:anywhere;word-break:break-word;text-align:left;border-bottom:1px solid #e0e4ea}
th{background:%2;border-bottom:2px solid #a0aab9} tbody tr:nth-child(even){background:%3} td.n,th.n{text-align:right}
thead{display:table-header-group} .key{font-size:11px;color:#5a626e;margin:0 0 14px}
figure{margin:10px 0 16px} figure svg{width:100%;height:auto;display:block} figure.graph svg{width:auto;max-width:100%;margin:0 auto} figcaption{font-style:italic;color:#5a626e;font-size:13px}
)")
        .arg(accent, headFill, stripe)
        .arg(kFontPx)
        .arg(kCellPaddingPx);
}

QString esc(const QString& text) { return text.toHtmlEscaped(); }

class HtmlReport {
public:
    HtmlReport(const ReportDocument& doc, const interstage::SavedSession& session, ReportLayout* layout)
        : doc_(doc), session_(session), layout_(layout) {}
    QString html();

private:
    void contents();
    void section(const Section& s);
    void table(const TableSpec& t);
    void figure(const FigureSpec& f);

    const ReportDocument& doc_;
    const interstage::SavedSession& session_;
    ReportLayout* layout_;
    QString out_;
};

void HtmlReport::table(const TableSpec& t) {
    QFont font("DejaVu Sans"), bold("DejaVu Sans");
    font.setPixelSize(int(kFontPx));
    bold.setPixelSize(int(kFontPx));
    bold.setBold(true);
    const QFontMetricsF fm(font), hfm(bold);
    const std::vector<double> widths = columnWidths(t, fm, hfm, kTableWidthPx, kCellPaddingPx);
    out_ += "<table>";
    if (!t.caption.isEmpty()) out_ += "<caption>" + esc(t.caption) + "</caption>";
    out_ += "<colgroup>";
    for (double w : widths)
        out_ += QString("<col style=\"width:%1%\">").arg((w + 2 * kCellPaddingPx) * 100 / kTableWidthPx, 0, 'f', 2);
    out_ += "</colgroup><thead><tr>";
    auto cell = [&](const QString& tag, const QString& text, size_t c, const QFontMetricsF& m) {
        const bool number = c < t.numeric.size() && t.numeric[c];
        out_ += "<" + tag + (number ? " class=\"n\">" : ">") + esc(text) + "</" + tag + ">";
        if (layout_ && c < widths.size())
            layout_->cells.push_back(measureCell(text, wrapText(text, m, widths[c]), m, widths[c]));
    };
    for (int c = 0; c < t.header.size(); ++c) cell("th", t.header[c], size_t(c), hfm);
    out_ += "</tr></thead><tbody>\n";
    for (const QStringList& row : t.rows) {
        out_ += "<tr>";
        for (int c = 0; c < row.size(); ++c) cell("td", row[c], size_t(c), fm);
        out_ += "</tr>\n";
    }
    out_ += "</tbody></table>";
    if (!t.key.isEmpty()) out_ += "<p class=\"key\">Key: " + esc(t.key) + "</p>";
}

void HtmlReport::figure(const FigureSpec& f) {
    QByteArray svg = f.svg;
    if (!f.graph) {
        const QSize size(int(kFigureWidthPx), int(kFigureWidthPx * f.heightMm / 174));
        QBuffer buffer(&svg);
        buffer.open(QIODevice::WriteOnly);
        QSvgGenerator generator;
        generator.setOutputDevice(&buffer);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(f.caption);
        QPainter painter(&generator);
        FigureOptions options = f.chart;
        options.size = QSizeF(size);
        drawFigure(painter, QRectF(QPointF(0, 0), QSizeF(size)), session_, options);
    }
    out_ += QString(f.graph ? "<figure class=\"graph\">" : "<figure>") + QString::fromUtf8(inlineSvg(svg));
    if (!f.caption.isEmpty()) out_ += "<figcaption>" + esc(f.caption) + "</figcaption>";
    out_ += "</figure>\n";
}

void HtmlReport::contents() {
    out_ += "<nav id=\"contents\"><h2>Contents</h2><ol>";
    for (const Section& s : doc_.sections)
        if (s.id != "contents") out_ += QString("<li><a href=\"#%1\">%2</a></li>").arg(s.id, esc(s.title));
    out_ += "</ol></nav>\n";
}

void HtmlReport::section(const Section& s) {
    if (layout_) layout_->sections.push_back({s.title, 0});  // HTML: no pages
    if (s.id == "contents") return contents();
    out_ += QString("<section id=\"%1\">").arg(s.id);
    if (s.id == "cover")
        out_ += "<h1>" + esc(doc_.title) + "</h1><p class=\"subtitle\">" + esc(doc_.subtitle) +
                "</p><p class=\"note\">" + esc(doc_.footnote) + "</p>";
    else
        out_ += "<h2>" + esc(s.title) + "</h2>";
    for (const Block& b : s.blocks) {
        switch (b.kind) {
            case Block::Kind::Heading:
                out_ += "<h3>" + esc(b.text) + "</h3>";
                break;
            case Block::Kind::Paragraph:
                out_ += "<p>" + esc(b.text) + "</p>";
                break;
            case Block::Kind::Table:
                table(b.table);
                break;
            case Block::Kind::Figure:
                figure(b.figure);
                break;
        }
    }
    out_ += "</section>\n";
}

QString HtmlReport::html() {
    out_ = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
           esc(doc_.title + " · " + doc_.subtitle) + "</title><style>" + css(doc_.style) + "</style></head><body>\n";
    out_ += "<header class=\"running\"><span>" + esc(doc_.header) + "</span><span>" + esc(doc_.title) +
            "</span></header>\n";
    for (const Section& s : doc_.sections) section(s);
    out_ += "</body></html>\n";
    return out_;
}

}  // namespace

QByteArray inlineSvg(const QByteArray& svg) {
    QString text = QString::fromUtf8(svg);
    const qsizetype start = text.indexOf("<svg");
    if (start < 0) return {};
    text = text.mid(start);
    static const QRegularExpression xmlns(R"re(\s+xmlns(:\w+)?="[^"]*")re");
    text.remove(xmlns);
    return text.toUtf8();
}

bool writeReportHtml(const QString& path, const ReportDocument& doc, const interstage::SavedSession& session,
                     QString* error, ReportLayout* layout) {
    HtmlReport report(doc, session, layout);
    const QByteArray bytes = report.html().toUtf8();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) *error = QString("cannot write '%1': %2").arg(path, file.errorString());
        return false;
    }
    if (layout) layout->pages = 0;
    return true;
}

}  // namespace report
