// The report's content, built once from a session and laid out twice: as
// PDF pages (report_pdf) and as HTML (report_html). Everything the report
// says is decided here, so both formats say the same.
#pragma once

#include <QByteArray>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <vector>

#include "figure.h"
#include "interstage/session_file.h"
#include "report.h"
#include "report_graph.h"

namespace report {

struct TableSpec {
    QString caption;
    QStringList header;
    std::vector<QStringList> rows;
    std::vector<bool> numeric;  // per column: right-aligned
    QString key;                // the abbreviations used, explained under the table
};

struct FigureSpec {
    bool graph = false;                           // the graph's SVG (report_graph), else a chart (drawFigure)
    FigureOptions chart;                          // for a chart
    QByteArray svg;                               // for the graph
    QSizeF svgSize;                               // its natural size in points
    std::shared_ptr<const GraphDrawing> drawing;  // the graph for the PDF (the same layout as svg)
    double heightMm = 95;                         // height on the page at the text's full width (charts)
    QString caption;
};

struct Block {
    enum class Kind { Heading, Paragraph, Table, Figure };
    Kind kind = Kind::Paragraph;
    QString text;  // heading or paragraph
    TableSpec table;
    FigureSpec figure;
};

struct Section {
    QString id;     // HTML anchor: "cover", "contents", "set-1", ...
    QString title;  // as listed in the contents
    std::vector<Block> blocks;
};

struct ReportDocument {
    QString title;     // "Interstage memory report"
    QString subtitle;  // the model's file name
    QString header;    // the running header: model · date
    QString footnote;  // version, date, options
    Style style = Style::Light;
    std::vector<Section> sections;  // "contents" has no blocks: each layout fills it
};

ReportDocument buildReportDocument(const interstage::SavedSession& session, const ReportOptions& options);

// Shared helpers for the builders.
Block heading(const QString& text);
Block paragraph(const QString& text);
Block tableBlock(TableSpec table);
QString bytesText(double bytes);
QString msText(double ms);

}  // namespace report
