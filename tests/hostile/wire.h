// A few lines of the protobuf wire format, for corruptions the generated
// ONNX classes cannot express (a field with the wrong wire type, a length
// that runs past the end, an unterminated group).
#pragma once

#include <cstdint>
#include <string>

namespace wire {

enum Type { Varint = 0, Fixed64 = 1, Len = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5, Invalid7 = 7 };

inline std::string varint(uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
    return out;
}

inline std::string tag(int field, Type type) { return varint((uint64_t(field) << 3) | uint64_t(type)); }
inline std::string number(int field, uint64_t v) { return tag(field, Varint) + varint(v); }
inline std::string bytes(int field, const std::string& payload) {
    return tag(field, Len) + varint(payload.size()) + payload;
}
inline std::string fixed64(int field, uint64_t v) {
    std::string out = tag(field, Fixed64);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}

// Field numbers from onnx.proto that the corruptions touch.
namespace model {
constexpr int irVersion = 1, graph = 7;
}
namespace graph {
constexpr int node = 1, initializer = 5, input = 11;
}
namespace node {
constexpr int opType = 4;
}
namespace tensor {
constexpr int dims = 1, dataType = 2;
}
namespace valueInfo {
constexpr int name = 1;
}

}  // namespace wire
