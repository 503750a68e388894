#include "model/crash_sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define IS_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define IS_SANITIZED 1
#endif
#ifdef IS_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

namespace interstage {

namespace {

bool writeAll(int fd, const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

std::optional<std::string> runInCrashSandbox(const std::function<std::string()>& work, int timeoutMs) {
    int fds[2];
    if (::pipe(fds) != 0) return std::nullopt;
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return std::nullopt;
    }
    if (pid == 0) {
        ::close(fds[0]);
        // A crash here is an expected outcome: die quietly instead of
        // running the parent's crash reporters. Signals go back to their
        // defaults; a sanitizer finding (libonnx's Einsum inference frees a
        // stack address on a crafted equation) ends in the sanitizer's own
        // abort, so its report goes to /dev/null and libFuzzer's death
        // callback, which would save the input as a crash, is dropped.
        for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
        if (const int devNull = ::open("/dev/null", O_WRONLY); devNull >= 0) ::dup2(devNull, STDERR_FILENO);
#ifdef IS_SANITIZED
        __sanitizer_set_death_callback(nullptr);
#endif
        int status = 1;
        try {
            status = writeAll(fds[1], work()) ? 0 : 1;
        } catch (...) {
        }
        ::close(fds[1]);
        ::_exit(status);
    }

    ::close(fds[1]);
    std::string bytes;
    bool timedOut = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    char buffer[65536];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timedOut = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;  // timeout is checked at the top
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the child closed its end (done or dead)
        bytes.append(buffer, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    if (timedOut) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timedOut || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return bytes;
}

}  // namespace interstage
