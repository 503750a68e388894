// Typed status values: every fallible engine call returns a Status or a
// Result<T>; nothing in the engine throws across its public API.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace interstage {

enum class StatusCode {
    Ok,
    InvalidArgument,  // the caller passed something unusable (bad --input spec, ...)
    NotFound,         // a file or a named tensor does not exist
    IoError,          // reading or writing a file failed
    InvalidModel,     // the ONNX file is malformed or inconsistent
    Unsupported,      // valid ONNX that this engine cannot handle (yet)
    ShapeError,       // shapes cannot be resolved or do not fit together
    DataRemoved,      // a tensor's data was released by a memory mode or fusion
    OutOfMemory,      // an allocation failed or a budget would be exceeded
    Cancelled,        // the user stopped the work
    Internal,         // a bug in the engine
    DeviceLost,       // the GPU stopped answering (driver reset, hang, removal); its session cannot run again
};

const char* statusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
    Status() = default;
    // Control characters in the message (a newline in a tensor name read
    // from a file) are escaped ("\\n"): an error is always one line.
    Status(StatusCode code, std::string message);

    static Status ok() { return {}; }

    bool isOk() const { return code_ == StatusCode::Ok; }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }
    // "invalid model: <message>" — the one line the CLI prints on failure.
    std::string toString() const;

private:
    StatusCode code_ = StatusCode::Ok;
    std::string message_;
};

inline Status invalidModel(std::string message) { return {StatusCode::InvalidModel, std::move(message)}; }
inline Status invalidArgument(std::string message) { return {StatusCode::InvalidArgument, std::move(message)}; }
inline Status shapeError(std::string message) { return {StatusCode::ShapeError, std::move(message)}; }
inline Status unsupported(std::string message) { return {StatusCode::Unsupported, std::move(message)}; }

// A value or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Status status) : state_(std::move(status)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    const Status& status() const {
        static const Status okStatus;
        return ok() ? okStatus : std::get<Status>(state_);
    }
    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    T take() { return std::move(std::get<T>(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Status> state_;
};

}  // namespace interstage

// Early return of a failed Status from a function that returns Status or Result.
#define IS_RETURN_IF_ERROR(expr)                   \
    do {                                           \
        ::interstage::Status is_status_ = (expr);  \
        if (!is_status_.isOk()) return is_status_; \
    } while (0)
