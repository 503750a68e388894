// The report (issue 17): one document of a session's run sets, written as
// an A4 PDF (vector figures, a table of contents with page numbers, page
// numbers and a running header) or as ONE self-contained HTML file (inline
// CSS and SVG, nothing fetched, no scripts) with the same content.
#pragma once

#include <QString>
#include <vector>

#include "figure.h"
#include "interstage/session_file.h"

namespace report {

struct ReportOptions {
    Style style = Style::Light;
    QString footnote;  // empty: footnoteFor(session, -1)
};

// What was laid out, for tests: pages, where each section starts, and
// every table cell drawn with its widest line against the room it had.
struct ReportLayout {
    int pages = 0;  // 0 for HTML (the browser paginates)
    struct Section {
        QString title;
        int page = 0;  // 1-based; 0 in HTML
    };
    std::vector<Section> sections;  // in order
    struct Cell {
        QString text;
        double textWidth = 0;  // the widest wrapped line
        double cellWidth = 0;  // the room inside the cell's padding
        int lines = 1;
    };
    std::vector<Cell> cells;
};

// .pdf or .html by the path's suffix; false with `error` set (naming the
// problem) when the path's suffix is neither or the file cannot be written.
bool writeReport(const QString& path, const interstage::SavedSession& session, const ReportOptions& options,
                 QString* error, ReportLayout* layout = nullptr);

}  // namespace report
