#include "interstage/status.h"

#include <algorithm>

namespace interstage {
namespace {

std::string oneLine(std::string message) {
    auto isControl = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
    if (std::none_of(message.begin(), message.end(), [&](char c) { return isControl(static_cast<unsigned char>(c)); }))
        return message;
    std::string out;
    out.reserve(message.size() + 8);
    for (char ch : message) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (isControl(c)) {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else
            out += ch;
    }
    return out;
}

}  // namespace

Status::Status(StatusCode code, std::string message) : code_(code), message_(oneLine(std::move(message))) {}

const char* statusCodeName(StatusCode code) {
    switch (code) {
        case StatusCode::Ok:
            return "ok";
        case StatusCode::InvalidArgument:
            return "invalid argument";
        case StatusCode::NotFound:
            return "not found";
        case StatusCode::IoError:
            return "i/o error";
        case StatusCode::InvalidModel:
            return "invalid model";
        case StatusCode::Unsupported:
            return "unsupported";
        case StatusCode::ShapeError:
            return "shape error";
        case StatusCode::DataRemoved:
            return "data removed";
        case StatusCode::OutOfMemory:
            return "out of memory";
        case StatusCode::Cancelled:
            return "cancelled";
        case StatusCode::DeviceLost:
            return "device lost";
        case StatusCode::Internal:
            return "internal error";
    }
    return "unknown";
}

std::string Status::toString() const {
    if (isOk()) return "ok";
    return std::string(statusCodeName(code_)) + ": " + message_;
}

}  // namespace interstage
