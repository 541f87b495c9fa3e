// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/io/tensor_info.h"
#include "core/util/result.h"

namespace pq::core {

/** The largest header the reader accepts (the format's own limit, 100 MB). */
inline constexpr std::uint64_t MAX_SAFETENSORS_HEADER_BYTES = 100'000'000;

/** The most dimensions a tensor may declare; real checkpoints use at most 5. */
inline constexpr std::size_t MAX_TENSOR_RANK = 16;

/** One tensor entry of a header: its description and its byte span in the data buffer. */
struct SafetensorsEntry
{
    TensorInfo info;
    std::uint64_t begin =
            0;  ///< first byte, relative to the data buffer (file offset dataOffset+begin)
    std::uint64_t end = 0;  ///< one past the last byte
};

/** A parsed, fully validated header. Entries are in ascending offset order. */
struct SafetensorsHeader
{
    std::vector<SafetensorsEntry> entries;
    std::map<std::string, std::string> metadata;  ///< the flat `__metadata__` map
    std::uint64_t dataOffset = 0;  ///< 8 + header length: where the data buffer starts
};

/**
 * Parses and validates a safetensors header.
 *
 * @param prefix   the first bytes of the file; must hold at least 8 + header length bytes.
 * @param fileSize the size of the whole file, used to check that the data buffer ends at EOF.
 *
 * Validation follows the reference reader: header length ≤ MAX_SAFETENSORS_HEADER_BYTES and inside
 * the file, UTF-8 JSON object, known dtype tokens, non-negative integer shapes and offsets,
 * end − begin == numel × bits / 8, no duplicate names, and spans that tile the data buffer exactly
 * (no holes, overlaps or trailing bytes). Nothing is allocated from an unchecked length.
 * Errors carry ErrorCode::InvalidFormat, the tensor name and the byte offset where known; the
 * caller adds the path. Pure function; thread-safe.
 */
Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const std::byte> prefix,
                                                 std::uint64_t fileSize);

/**
 * Serializes a header for `tensors` laid out back to back in the given order, padded with spaces
 * to a multiple of 8 bytes, with `__metadata__` = `metadata`. Returns the 8-byte length prefix
 * followed by the JSON, i.e. everything before the data buffer.
 */
std::string buildSafetensorsHeader(const std::vector<TensorInfo> &tensors,
                                   const std::map<std::string, std::string> &metadata);

}  // namespace pq::core
