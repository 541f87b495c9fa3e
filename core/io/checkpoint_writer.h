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
 * Streams a safetensors checkpoint to a directory, one tensor at a time, in any order.
 *
 * All tensor descriptions are given up front, so every shard's header and every tensor's offset
 * are known before any data. Tensors are assigned to shards in the order given; inside a shard
 * they are laid out like the reference writer (descending element size, then name) so mmap
 * readers get aligned data. writeTensor() accepts the tensors in any order (an exporter writes a
 * Linear's weight and scales together although they sit apart on disk); writeOrder() is the
 * purely sequential order. A shard's file is created, and its full size reserved on disk, when
 * its first tensor arrives; it is written under a temporary name and renamed into place when its
 * last tensor is written. finish() writes `model.safetensors.index.json` (total_size = sum of
 * tensor bytes) when there is more than one shard, else names the single file
 * `model.safetensors`. Destroying the writer removes the temporary files of unfinished shards;
 * callers that need all-or-nothing (the exporter) write into a temporary directory.
 * Not thread-safe.
 */
class CheckpointWriter
{
public:
    static Result<CheckpointWriter> create(const std::string &directory,
                                           std::vector<TensorInfo> tensors,
                                           CheckpointWriterOptions options = {});

    /** The on-disk order: writing in it fills each shard front to back. */
    const std::vector<std::string> &writeOrder() const { return m_order; }

    /** Writes one tensor: `name` must be one of the declared tensors not written yet, and
     *  `data` exactly its bytes. */
    Status writeTensor(const std::string &name, std::span<const std::byte> data);

    /** Checks every tensor was written and writes the index. Call once, at the end. */
    Status finish();

    /** Final file names of the shards, in order. */
    std::vector<std::string> shardFileNames() const;

    /** The shard file (final name) a declared tensor goes to; empty for an unknown name. */
    std::string shardOf(const std::string &name) const;

private:
    struct Slot
    {
        std::size_t shard = 0;
        std::uint64_t offset = 0;  ///< from the start of the shard file
        std::uint64_t bytes = 0;
        bool written = false;
    };

    struct Shard
    {
        std::vector<TensorInfo> tensors;  ///< in on-disk order
        std::uint64_t bytes = 0;          ///< tensor bytes
        std::uint64_t headerBytes = 0;
        std::size_t remaining = 0;  ///< tensors still to write
        std::optional<AtomicFile> file;
    };

    Status openShard(std::size_t shard);

    std::string m_directory;
    CheckpointWriterOptions m_options;
    std::vector<Shard> m_shards;
    std::vector<std::string> m_order;
    std::map<std::string, Slot, std::less<>> m_slots;
    std::size_t m_left = 0;  ///< tensors not written yet
    bool m_finished = false;
};

}  // namespace pq::core
