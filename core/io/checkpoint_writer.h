// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/io/tensor_info.h"
#include "core/util/atomic_file.h"

namespace pq::core {

/** How a checkpoint is split into files. */
struct CheckpointWriterOptions
{
    /** A shard is closed before a tensor would take it past this many tensor bytes. A single
     *  tensor larger than the limit gets a shard of its own. */
    std::uint64_t maxShardBytes = 5'000'000'000ULL;
    /** `__metadata__` of every shard; the format requires {"format":"pt"} for transformers. */
    std::map<std::string, std::string> metadata = {{"format", "pt"}};
};

/**
 * Streams a safetensors checkpoint to a directory, one tensor at a time.
 *
 * All tensor descriptions are given up front, so each shard's header is known before its data.
 * Tensors are assigned to shards in the order given; inside a shard they are laid out like the
 * reference writer (descending element size, then name) so mmap readers get aligned data.
 * The caller passes each tensor's bytes with writeTensor() in writeOrder(). Each shard is written
 * to a temporary name and renamed into place when its last tensor is written; finish() writes
 * `model.safetensors.index.json` (total_size = sum of tensor bytes) when there is more than one
 * shard, else names the single file `model.safetensors`. Destroying the writer mid-shard
 * removes that shard's temporary file; callers that need all-or-nothing (the exporter) write
 * into a temporary directory. Not thread-safe.
 */
class CheckpointWriter
{
public:
    static Result<CheckpointWriter> create(const std::string &directory,
                                           std::vector<TensorInfo> tensors,
                                           CheckpointWriterOptions options = {});

    /** The order in which writeTensor() must be called. */
    const std::vector<std::string> &writeOrder() const { return m_order; }

    /** Writes the next tensor; `name` must be writeOrder()[n] and `data` exactly its bytes. */
    Status writeTensor(const std::string &name, std::span<const std::byte> data);

    /** Closes the last shard and writes the index. Call once, after every tensor. */
    Status finish();

    /** Final file names of the shards, in order. */
    std::vector<std::string> shardFileNames() const;

private:
    struct Shard
    {
        std::vector<TensorInfo> tensors;  ///< in on-disk order
        std::uint64_t bytes = 0;
    };

    Status openShard(std::size_t shard);

    std::string m_directory;
    CheckpointWriterOptions m_options;
    std::vector<Shard> m_shards;
    std::vector<std::string> m_order;
    std::size_t m_next = 0;     ///< index into m_order
    std::size_t m_shard = 0;    ///< shard being written
    std::size_t m_inShard = 0;  ///< tensors written into the current shard
    std::optional<AtomicFile> m_file;
    bool m_finished = false;
};

}  // namespace pq::core
