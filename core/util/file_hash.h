// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "core/util/result.h"

namespace pq::core {

/** SHA-256 of a file's bytes as lower-case hex (OpenSSL), streamed in 1 MiB blocks. */
Result<std::string> sha256File(const std::string &path);

/** SHA-256 of bytes in memory, lower-case hex. */
std::string sha256Hex(std::string_view bytes);

}  // namespace pq::core
