#include "report/figure_kinds.h"

namespace report {

void buildTimings(FigureFrame&, const interstage::SavedSession&, const FigureOptions&) {}

}  // namespace report
