// Base64 (RFC 4648, with padding) for input values in session files.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace interstage::session_json {

std::string base64Encode(const std::vector<std::byte>& bytes);
// nullopt for anything that is not canonical padded base64.
std::optional<std::vector<std::byte>> base64Decode(std::string_view text);

}  // namespace interstage::session_json
