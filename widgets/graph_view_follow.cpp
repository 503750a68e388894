// The graph view follows a node without selecting it: stepping through a
// run keeps the running node on screen while the inspector stays on the
// node the user chose.
#include "widgets/graph_view.h"

namespace widgets {

bool GraphView::centreOnNode(const QString& nodeName) {
    const int index = layoutIndexOfNode(nodeName);
    if (index < 0) return false;
    centreOn(index);
    return true;
}

}  // namespace widgets
