// SPDX-License-Identifier: MIT
// Checkpoint::fingerprint(): identifies a model for run directories (resume, stage skipping).
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/io/checkpoint.h"
#include "core/util/atomic_file.h"
#include "core/util/file_hash.h"

namespace pq::core {

Result<std::string> Checkpoint::fingerprint() const
{
    constexpr std::size_t SAMPLE = 4096;
    constexpr std::uint64_t MAX_CONFIG = 16ULL << 20U;
    std::string text = "prismaquant.checkpoint-fingerprint/1\n";
    const std::filesystem::path config = std::filesystem::path(m_directory) / "config.json";
    std::error_code ec;
    if (std::filesystem::is_regular_file(config, ec)) {
        auto bytes = readSmallFile(config.string(), MAX_CONFIG);
        if (!bytes) {
            return std::move(bytes).error();
        }
        text += "config " + sha256Hex(*bytes) + "\n";
    }
    for (const Entry &e : m_tensors) {
        const TensorView v = view(e);
        text += fmt::format("{} {} [{}] ", e.info->name, dtypeName(e.info->dtype),
                            fmt::join(e.info->shape, ","));
        const std::size_t n = std::min(SAMPLE, v.data.size());
        const std::string_view head(reinterpret_cast<const char *>(v.data.data()), n);
        const std::string_view tail(
                reinterpret_cast<const char *>(v.data.data() + v.data.size() - n), n);
        text += sha256Hex(std::string(head) + std::string(tail)) + "\n";
    }
    return sha256Hex(text);
}

}  // namespace pq::core
