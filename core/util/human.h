// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

namespace pq::core {

/** "21.9 GB" (decimal units, like disk sizes and model cards). */
std::string formatBytes(std::uint64_t bytes);

/** "8.03 B", "612.4 M", "4,096" (parameter counts). */
std::string formatCount(std::uint64_t n);

}  // namespace pq::core
