#include "interstage/status.h"

namespace interstage {

const char* statusCodeName(StatusCode code) {
    switch (code) {
        case StatusCode::Ok: return "ok";
        case StatusCode::InvalidArgument: return "invalid argument";
        case StatusCode::NotFound: return "not found";
        case StatusCode::IoError: return "i/o error";
        case StatusCode::InvalidModel: return "invalid model";
        case StatusCode::Unsupported: return "unsupported";
        case StatusCode::ShapeError: return "shape error";
        case StatusCode::DataRemoved: return "data removed";
        case StatusCode::OutOfMemory: return "out of memory";
        case StatusCode::Cancelled: return "cancelled";
        case StatusCode::DeviceLost: return "device lost";
        case StatusCode::Internal: return "internal error";
    }
    return "unknown";
}

std::string Status::toString() const {
    if (isOk()) return "ok";
    return std::string(statusCodeName(code_)) + ": " + message_;
}

}  // namespace interstage
