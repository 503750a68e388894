#include "graphviz/graphviz_context.h"

namespace gvshared {

GraphvizSession lockGraphviz() {
    static std::mutex mutex;
    GraphvizSession session{std::unique_lock<std::mutex>(mutex), nullptr};
    static GVC_t* context = gvContext();
    session.context = context;
    return session;
}

}  // namespace gvshared
