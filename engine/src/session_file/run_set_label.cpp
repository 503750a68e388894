// A run set's name in legends and tables, the same text as the app's
// RunConfig::label() so that a set saved by the CLI reads like one the app
// ran.
#include "interstage/session_file.h"

namespace interstage {

std::string runSetLabel(const SessionOptions& s) {
    std::string text = modeLabel(s.mode);
    if (!s.fusion) text += " · no fusion";
    if (!s.memoryAwareOrder) text += " · file order";
    if (!s.inPlaceConcat && !s.inPlaceOps) text += " · no in-place writes";
    if (!s.blockedLayout) text += " · NCHW only";
    if (s.gpuFp16) text += " · fp16 storage";
    text += " · " + (s.threads > 0 ? std::to_string(s.threads) + (s.threads == 1 ? " thread" : " threads")
                                   : std::string("all cores"));
    text += " · " + s.backend;
    return text;
}

}  // namespace interstage
