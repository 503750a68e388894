// Shared by the document parser and the file reader.
#pragma once

#include <string>
#include <string_view>

#include "interstage/session_file.h"

namespace interstage::session_file_detail {

// sessionFromJson with `what` ("'run.interstage'", "the text") naming the
// source in every message.
Result<SavedSession> parseSession(std::string_view text, const std::string& what);

}  // namespace interstage::session_file_detail
