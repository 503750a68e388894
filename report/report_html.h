// The report as ONE self-contained HTML file: inline CSS, figures as
// inline SVG, no scripts and nothing fetched, so it opens anywhere and
// can be mailed as one file. Same content as the PDF.
#pragma once

#include <QString>

#include "report_document.h"

namespace report {

bool writeReportHtml(const QString& path, const ReportDocument& document, const interstage::SavedSession& session,
                     QString* error, ReportLayout* layout);

// An SVG document made fit to sit inside HTML: the XML prolog, doctype
// and namespace declarations dropped (HTML's parser knows SVG's).
QByteArray inlineSvg(const QByteArray& svg);

}  // namespace report
