#include "report/figure_kinds.h"

namespace report {

void buildMemoryMap(FigureFrame&, const interstage::SavedSession&, const FigureOptions&) {}

}  // namespace report
