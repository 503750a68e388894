// Typed status values: every fallible engine call returns a Status or a
// Result<T>; nothing in the engine throws across its public API.
#pragma once

#include <initializer_list>
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

// A way out the engine's message names as a concept ("pin the tensor");
// each front end offers it as its own flag or button.
enum class Remedy : unsigned {
    PinTensor = 1,        // keep the tensor readable after the run
    DefaultMode = 2,      // run in the default memory mode, which keeps every tensor
    DisableFusion = 4,    // turn layer fusion off, so fused-away tensors exist
    KeepFileWeights = 8,  // run without reduce-constant
    SetInputShape = 16,   // give a graph input its dims
    AllowOtherDims = 32,  // run an input at dims other than the static ones it declares
};

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

    // The ways out the message names (none by default).
    Status&& offering(std::initializer_list<Remedy> remedies) && {
        for (Remedy r : remedies) remedies_ |= static_cast<unsigned>(r);
        return std::move(*this);
    }
    bool offers(Remedy remedy) const { return (remedies_ & static_cast<unsigned>(remedy)) != 0; }

private:
    StatusCode code_ = StatusCode::Ok;
    std::string message_;
    unsigned remedies_ = 0;
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
// IS_ASSIGN_OR_RETURN(auto x, f()) declares x from a Result's value, or
// returns the Result's Status.
#define IS_RETURN_IF_ERROR(expr)                   \
    do {                                           \
        ::interstage::Status is_status_ = (expr);  \
        if (!is_status_.isOk()) return is_status_; \
    } while (0)

#define IS_CONCAT_INNER_(a, b) a##b
#define IS_CONCAT_(a, b) IS_CONCAT_INNER_(a, b)
// A declaration cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define IS_ASSIGN_OR_RETURN_IMPL_(result, declaration, expr) \
    auto result = (expr);                                    \
    if (!result.ok()) return result.status();                \
    declaration = result.take()
#define IS_ASSIGN_OR_RETURN(declaration, expr) \
    IS_ASSIGN_OR_RETURN_IMPL_(IS_CONCAT_(is_result_, __LINE__), declaration, expr)
// NOLINTEND(bugprone-macro-parentheses)
