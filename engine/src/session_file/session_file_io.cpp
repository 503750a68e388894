// Session files on disk: an atomic write (a temporary file beside the
// target, flushed to the disk, then renamed over it), a read that refuses
// what cannot fit before reading it, and the sniffing of a file's start.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "interstage/format.h"
#include "interstage/session_file.h"
#include "session_file/session_file_detail.h"

namespace interstage {
namespace {

// A session file this large is no session the app made: a 100-run set of
// a big model is tens of MiB.
constexpr std::uint64_t kMaxSessionFileBytes = std::uint64_t(1) << 30;
// The parsed document takes several times the text (a json value per
// number): the file must fit this many times in the available memory.
constexpr std::uint64_t kParsedBytesPerFileByte = 8;

Status writeFailed(const std::string& path, const std::string& what, int error) {
    return Status(StatusCode::IoError, "cannot write session file '" + path + "': " + what + ": " +
                                           std::strerror(error) + " (the previous file, if any, is unchanged)");
}

// Writes all of text to fd; false with errno set on failure.
bool writeAll(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

Status writeSessionFile(const std::string& path, const SavedSession& session) {
    const std::string text = sessionToJson(session);
    const std::filesystem::path target(path);
    std::filesystem::path folder = target.parent_path();
    if (folder.empty()) folder = ".";
    // Same folder as the target: rename() is atomic only within one
    // filesystem.
    std::string temp = (folder / ("." + target.filename().string() + ".XXXXXX")).string();
    std::vector<char> name(temp.begin(), temp.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) return writeFailed(path, "cannot create a temporary file in '" + folder.string() + "'", errno);
    temp = name.data();
    auto abandon = [&](const std::string& what) {
        const int error = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        return writeFailed(path, what, error);
    };
    // mkstemp makes the file 0600; a session is a document like any other.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0) return abandon("cannot set permissions");
    if (!writeAll(fd, text)) return abandon("writing " + formatBytes(double(text.size())));
    // On the disk before the rename: a crash leaves the old file or the
    // whole new one, never a short one under the target's name.
    if (::fsync(fd) != 0) return abandon("flushing to disk");
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(temp.c_str());
        return writeFailed(path, "closing", error);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temp.c_str());
        return writeFailed(path, "renaming the temporary file over it", error);
    }
    // The rename itself reaches the disk with the folder's entry.
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
    }
    return Status::ok();
}

Result<SavedSession> readSessionFile(const std::string& path) {
    const std::string what = "'" + path + "'";
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        return Status(errno == ENOENT ? StatusCode::NotFound : StatusCode::IoError,
                      "cannot open session file " + what + ": " + std::strerror(errno));
    if (!S_ISREG(info.st_mode)) return Status(StatusCode::IoError, what + " is not a regular file");
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (size > kMaxSessionFileBytes)
        return invalidModel(what + " is " + formatBytes(double(size)) + ", larger than any session file (at most " +
                            formatBytes(double(kMaxSessionFileBytes)) + "); not read");
    const std::size_t available = hostAvailableBytes();
    if (available > 0 && size * kParsedBytesPerFileByte > available)
        return Status(StatusCode::OutOfMemory, what + " is " + formatBytes(double(size)) + "; reading it needs about " +
                                                   formatBytes(double(size * kParsedBytesPerFileByte)) + ", " +
                                                   formatBytes(double(available)) + " available; not read");
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::IoError, "cannot open session file " + what + ": " + std::strerror(errno));
    std::string text(size, '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    if (in.bad()) return Status(StatusCode::IoError, "cannot read session file " + what);
    return session_file_detail::parseSession(text, what);
}

bool looksLikeSessionFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    char head[256] = {};
    in.read(head, sizeof head);
    std::string compact;
    std::streamsize i = 0;
    // A UTF-8 byte order mark (an editor's) before the document.
    if (in.gcount() >= 3 && std::memcmp(head, "\xEF\xBB\xBF", 3) == 0) i = 3;
    for (; i < in.gcount(); ++i)
        if (!std::isspace(static_cast<unsigned char>(head[i]))) compact += head[i];
    // The writer puts the format tag first: {"format":"interstage-session"
    return compact.rfind("{\"format\":\"interstage-session\"", 0) == 0;
}

}  // namespace interstage
