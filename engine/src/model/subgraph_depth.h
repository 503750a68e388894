// How deep control-flow bodies may nest; apart from model/graph_convert.h
// (which needs the ONNX protobuf headers) so that what walks bodies, like
// the fuzzer's nested-plan checks, can use the same limit.
#pragma once

namespace interstage {

// Subgraphs (If / Loop / Scan bodies) nest at most this deep: each level
// is converted, resolved and run by recursion, which must stay bounded
// whatever a file holds (protobuf's own limit is far deeper).
constexpr int kMaxSubgraphDepth = 16;

}  // namespace interstage
