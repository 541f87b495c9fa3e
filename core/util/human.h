// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace pq::core {

/** "21.9 GB" (decimal units, like disk sizes and model cards). */
std::string formatBytes(std::uint64_t bytes);

/** "8.03 B", "612.4 M", "4,096" (parameter counts). */
std::string formatCount(std::uint64_t n);

/**
 * "22GB", "20 GiB", "1.5GiB", "512MiB", "4096" (bytes): decimal units (kB/KB, MB, GB, TB) are
 * powers of 1000, binary units (KiB, MiB, GiB, TiB) powers of 1024; case-insensitive. An
 * InvalidArgument error names what was wrong.
 */
Result<std::uint64_t> parseByteSize(std::string_view text);

/** The current UTC time in ISO 8601 to the second: "2026-11-27T15:04:05Z". */
std::string utcTimestamp();

}  // namespace pq::core
