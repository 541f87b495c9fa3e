// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/io/safetensors_file.h"

namespace pq::core {

/** The index file name of a sharded checkpoint. */
inline constexpr std::string_view INDEX_FILE_NAME = "model.safetensors.index.json";

/** The largest index file accepted (a 100k-tensor index is about 10 MB). */
inline constexpr std::uint64_t MAX_INDEX_BYTES = 256ULL << 20U;

/** A parsed `model.safetensors.index.json`: which shard holds each tensor. */
struct CheckpointIndex
{
    std::map<std::string, std::string> weightMap;  ///< tensor name → shard file name
    std::vector<std::string> shardNames;           ///< distinct shard names, sorted
    std::optional<std::uint64_t> totalSize;        ///< metadata.total_size when present
};

/**
 * Reads and validates an index file. Shard names must be relative paths that stay inside the
 * index's directory ("../x", "/abs" and names that resolve outside through symlinks are
 * ErrorCode::UnsafePath). Shard files need not exist (config-only planning).
 */
Result<CheckpointIndex> readCheckpointIndex(const std::string &indexPath);

/**
 * True when `name`, relative to `dir`, stays inside `dir` after resolving symlinks of the parts
 * that exist. Used for every file name read from a file.
 */
bool isPathInside(const std::string &dir, const std::string &name);

/**
 * A safetensors checkpoint: a directory with `model.safetensors`, with an index and its shards,
 * or with several `*.safetensors` files and no index; or a single `.safetensors` file.
 * Every shard is memory-mapped and validated on open; every index entry must exist in the shard
 * it names and a tensor may live in only one shard.
 * Move-only; const methods are thread-safe.
 */
class Checkpoint
{
public:
    static Result<Checkpoint> open(const std::string &path);

    struct Entry
    {
        const TensorInfo *info = nullptr;
        std::size_t shard = 0;  ///< index into shards()
        std::size_t index = 0;  ///< index into shards()[shard].entries()
    };

    /** Every tensor, sorted by name. */
    const std::vector<Entry> &tensors() const { return m_tensors; }

    const std::vector<SafetensorsFile> &shards() const { return m_shards; }

    const std::string &directory() const { return m_directory; }

    bool hasIndex() const { return m_hasIndex; }

    const Entry *find(std::string_view name) const;
    TensorView view(const Entry &entry) const;

    /**
     * Drops the process's mapped pages of bytes [offset, offset+len) of `entry` after a reader
     * copied them out (SafetensorsFile::releasePages): RSS stops growing with the file, and later
     * reads fault the bytes back in.
     */
    void
    releasePages(const Entry &entry, std::uint64_t offset = 0, std::uint64_t len = ~0ULL) const;

    /** Sum of all tensors' byte sizes (what an index's total_size should be). */
    std::uint64_t totalTensorBytes() const;

    /**
     * A SHA-256 that changes when the model changes, cheap enough for a 200 GB checkpoint: it
     * covers config.json (when the checkpoint is a directory with one), every tensor's name,
     * dtype and shape, and the first and last 4 KiB of every tensor's bytes. It does not read all
     * weights, so an edit in the middle of a tensor that keeps its size goes unnoticed.
     */
    Result<std::string> fingerprint() const;

private:
    Status collect();
    Status checkIndex(const CheckpointIndex &index, const std::string &indexPath) const;

    std::string m_directory;
    bool m_hasIndex = false;
    std::vector<SafetensorsFile> m_shards;
    std::vector<Entry> m_tensors;
    std::unordered_map<std::string_view, std::size_t> m_byName;
};

}  // namespace pq::core
