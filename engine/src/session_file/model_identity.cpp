// A model's identity for a session file: its absolute path, size and
// SHA-256, the file streamed in blocks so that a model larger than memory
// is hashed too.
#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "interstage/session_file.h"

namespace interstage {

Result<ModelIdentity> identifyModel(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec) return Status(StatusCode::IoError, "cannot resolve '" + path + "': " + ec.message());
    if (std::filesystem::is_directory(absolute, ec))
        return Status(StatusCode::IoError, "'" + path + "' is a folder, not a model file");
    // A pipe or a device would block or never end: only files are hashed.
    if (std::filesystem::exists(absolute, ec) && !std::filesystem::is_regular_file(absolute, ec))
        return Status(StatusCode::IoError, "'" + path + "' is not a regular file");
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(absolute.c_str(), "rb"), &std::fclose);
    if (!file)
        return Status(errno == ENOENT ? StatusCode::NotFound : StatusCode::IoError,
                      "cannot open '" + path + "': " + std::strerror(errno));
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
        return Status(StatusCode::Internal, "SHA-256 is not available (OpenSSL)");
    ModelIdentity identity;
    identity.path = absolute.string();
    std::vector<unsigned char> block(1 << 20);
    for (;;) {
        const std::size_t n = std::fread(block.data(), 1, block.size(), file.get());
        if (n > 0) {
            EVP_DigestUpdate(context.get(), block.data(), n);
            identity.bytes += n;
        }
        if (n < block.size()) break;
    }
    if (std::ferror(file.get())) return Status(StatusCode::IoError, "cannot read '" + path + "'");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context.get(), digest, &length) != 1)
        return Status(StatusCode::Internal, "SHA-256 failed (OpenSSL)");
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < length; ++i) {
        identity.sha256 += kHex[digest[i] >> 4];
        identity.sha256 += kHex[digest[i] & 15];
    }
    return identity;
}

}  // namespace interstage
