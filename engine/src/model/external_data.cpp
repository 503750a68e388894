// External tensor data: side files next to the model. The location comes
// from an untrusted file, so it may only name a file inside the model's own
// folder — no absolute paths, no '..', no symlink that leads out.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "model/tensor_proto.h"

namespace interstage {

namespace fs = std::filesystem;

Result<std::vector<std::byte>> readExternalData(const std::string& directory, const std::string& location,
                                                uint64_t offset, uint64_t length, const std::string& what) {
    const fs::path relative(location);
    if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory())
        return invalidModel(what + ": external data location '" + location +
                            "' is an absolute path; it must be inside the model's folder");
    for (const auto& part : relative)
        if (part == "..")
            return invalidModel(what + ": external data location '" + location + "' leaves the model's folder");
    if (location.find('\0') != std::string::npos)
        return invalidModel(what + ": external data location contains a NUL byte");

    std::error_code ec;
    const fs::path base = fs::weakly_canonical(fs::path(directory.empty() ? "." : directory), ec);
    if (ec) return Status(StatusCode::IoError, what + ": cannot resolve the model's folder '" + directory + "'");
    const fs::path full = base / relative;
    if (!fs::exists(full, ec))
        return Status(StatusCode::NotFound,
                      what + ": external data file '" + location + "' does not exist in '" + base.string() + "'");
    const fs::path resolved = fs::canonical(full, ec);
    if (ec) return Status(StatusCode::IoError, what + ": cannot resolve external data file '" + location + "'");
    auto [baseEnd, resolvedIt] = std::mismatch(base.begin(), base.end(), resolved.begin(), resolved.end());
    if (baseEnd != base.end())
        return invalidModel(what + ": external data location '" + location + "' resolves to '" + resolved.string() +
                            "', outside the model's folder");
    if (!fs::is_regular_file(resolved, ec))
        return invalidModel(what + ": external data location '" + location + "' is not a regular file");

    const uint64_t fileSize = fs::file_size(resolved, ec);
    if (ec) return Status(StatusCode::IoError, what + ": cannot read the size of '" + location + "'");
    if (offset > fileSize || length > fileSize - offset)
        return invalidModel(what + ": external data at offset " + std::to_string(offset) + ", " +
                            std::to_string(length) + " bytes long, lies beyond the end of '" + location + "' (" +
                            std::to_string(fileSize) + " bytes)");

    std::ifstream in(resolved, std::ios::binary);
    if (!in) return Status(StatusCode::IoError, what + ": cannot open external data file '" + location + "'");
    std::vector<std::byte> bytes(length);
    in.seekg(static_cast<std::streamoff>(offset));
    if (length > 0) in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(length));
    if (!in) return Status(StatusCode::IoError, what + ": reading external data file '" + location + "' failed");
    return bytes;
}

}  // namespace interstage
