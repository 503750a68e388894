// interstage-render's --report: `interstage-render SESSION_FILE --report
// [--style light|print] -o OUT.pdf|.html`. Exit 0 ok; 1 with one line on
// stderr naming the problem; 2 for a bad command line.
#pragma once

#include <QStringList>

namespace report {

// `arguments` without the program's name.
int renderReportCommand(const QStringList& arguments);

}  // namespace report
