#include "interstage/shape.h"

#include <cerrno>
#include <cstdlib>

namespace interstage {

std::optional<int64_t> elementCount(const Shape& shape) {
    int64_t count = 1;
    for (int64_t d : shape) {
        if (d < 0 || d > kMaxElements) return std::nullopt;
        if (d == 0) return 0;  // a zero dim makes the product 0 whatever follows
    }
    for (int64_t d : shape) {
        if (count > kMaxElements / d) return std::nullopt;
        count *= d;
    }
    return count;
}

std::string shapeToString(const Shape& shape) {
    if (shape.empty()) return "scalar";
    std::string text;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) text += 'x';
        text += std::to_string(shape[i]);
    }
    return text;
}

std::string shapeToString(const SymbolicShape& shape) {
    if (shape.empty()) return "scalar";
    std::string text;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) text += 'x';
        if (shape[i].isStatic())
            text += std::to_string(shape[i].value);
        else if (!shape[i].param.empty())
            text += shape[i].param;
        else
            text += '?';
    }
    return text;
}

Result<Shape> parseShape(const std::string& text) {
    Shape shape;
    // shapeToString() writes rank 0 as "scalar"; what it writes must read
    // back (the app's input fields show it and hand it back unchanged).
    if (text.empty() || text == "scalar") return shape;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find_first_of("x,", pos);
        if (end == std::string::npos) end = text.size();
        std::string part = text.substr(pos, end - pos);
        if (part.empty()) return invalidArgument("empty dimension in shape '" + text + "'");
        char* stop = nullptr;
        errno = 0;
        long long value = std::strtoll(part.c_str(), &stop, 10);
        if (*stop != '\0' || errno == ERANGE)
            return invalidArgument("'" + part + "' in shape '" + text + "' is not a number");
        if (value < 0) return invalidArgument("negative dimension " + part + " in shape '" + text + "'");
        if (value > kMaxElements)
            return invalidArgument("dimension " + part + " in shape '" + text + "' is absurdly large");
        shape.push_back(value);
        pos = end + 1;
    }
    if (!elementCount(shape)) return invalidArgument("shape '" + text + "' has more than 2^40 elements");
    return shape;
}

}  // namespace interstage
