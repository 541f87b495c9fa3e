// SPDX-License-Identifier: MIT
#include "core/io/checkpoint_writer.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_header.h"

namespace pq::core {
namespace fs = std::filesystem;

namespace {

/** The reference writer's order: descending dtype (its enum runs by ascending alignment, like
 *  ours), then name; so every tensor starts at a multiple of its element size. */
bool diskOrder(const TensorInfo &a, const TensorInfo &b)
{
    return a.dtype != b.dtype ? a.dtype > b.dtype : a.name < b.name;
}

/** Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), as JSON needs. */
bool isValidUtf8(std::string_view s)
{
    constexpr std::uint32_t MIN_CODE_POINT[] = {0, 0, 0x80, 0x800, 0x10000};
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80              ? 1
                                : (c & 0xE0U) == 0xC0 ? 2
                                : (c & 0xF0U) == 0xE0 ? 3
                                : (c & 0xF8U) == 0xF0 ? 4
                                                      : 0;
        if (len == 0 || len > s.size() - i) {
            return false;
        }
        std::uint32_t cp = len == 1 ? c : c & (0x7FU >> len);
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0U) != 0x80) {
                return false;
            }
            cp = (cp << 6U) | (cc & 0x3FU);
        }
        if (cp < MIN_CODE_POINT[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += len;
    }
    return true;
}

/** Names the header can carry: JSON needs UTF-8 (the serializer throws otherwise) and
 *  `__metadata__` is the format's reserved key. */
Status checkNames(const std::vector<TensorInfo> &tensors,
                  const std::map<std::string, std::string> &metadata)
{
    for (const TensorInfo &t : tensors) {
        if (!isValidUtf8(t.name)) {
            return makeError(ErrorCode::InvalidArgument, "tensor name is not valid UTF-8")
                    .withTensor(t.name);
        }
        if (t.name == "__metadata__") {
            return makeError(ErrorCode::InvalidArgument, "the name is reserved by the format")
                    .withTensor(t.name);
        }
    }
    for (const auto &[key, value] : metadata) {
        if (!isValidUtf8(key) || !isValidUtf8(value)) {
            return makeError(ErrorCode::InvalidArgument, "metadata is not valid UTF-8");
        }
    }
    return {};
}

}  // namespace

Result<CheckpointWriter> CheckpointWriter::create(const std::string &directory,
                                                  std::vector<TensorInfo> tensors,
                                                  CheckpointWriterOptions options)
{
    PQ_TRY_STATUS(checkNames(tensors, options.metadata));
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) {
        return makeError(ErrorCode::NotFound, "the output directory does not exist")
                .withPath(directory);
    }
    CheckpointWriter w;
    w.m_directory = directory;
    w.m_options = std::move(options);
    std::set<std::string> names;
    for (TensorInfo &t : tensors) {
        const auto bytes = t.byteSize();
        if (!bytes) {
            return makeError(ErrorCode::InvalidArgument,
                             "shape and dtype do not give a whole number of bytes")
                    .withTensor(t.name);
        }
        if (!names.insert(t.name).second) {
            return makeError(ErrorCode::InvalidArgument, "tensor name given twice")
                    .withTensor(t.name);
        }
        if (w.m_shards.empty() || (w.m_shards.back().bytes + *bytes > w.m_options.maxShardBytes &&
                                   !w.m_shards.back().tensors.empty())) {
            w.m_shards.emplace_back();
        }
        w.m_shards.back().bytes += *bytes;
        w.m_shards.back().tensors.push_back(std::move(t));
    }
    if (w.m_shards.empty()) {
        w.m_shards.emplace_back();  // a checkpoint with no tensors is still a valid file
    }
    for (std::size_t s = 0; s < w.m_shards.size(); ++s) {
        Shard &shard = w.m_shards[s];
        std::sort(shard.tensors.begin(), shard.tensors.end(), diskOrder);
        shard.headerBytes = buildSafetensorsHeader(shard.tensors, w.m_options.metadata).size();
        shard.remaining = shard.tensors.size();
        std::uint64_t offset = shard.headerBytes;
        for (const TensorInfo &t : shard.tensors) {
            const std::uint64_t bytes = *t.byteSize();
            w.m_slots.emplace(t.name, Slot{s, offset, bytes, false});
            w.m_order.push_back(t.name);
            offset += bytes;
        }
    }
    w.m_left = w.m_order.size();
    return w;
}

std::vector<std::string> CheckpointWriter::shardFileNames() const
{
    if (m_shards.size() == 1) {
        return {"model.safetensors"};
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < m_shards.size(); ++i) {
        out.push_back(fmt::format("model-{:05d}-of-{:05d}.safetensors", i + 1, m_shards.size()));
    }
    return out;
}

std::string CheckpointWriter::shardOf(const std::string &name) const
{
    const auto it = m_slots.find(name);
    return it == m_slots.end() ? std::string() : shardFileNames()[it->second.shard];
}

Status CheckpointWriter::openShard(std::size_t shard)
{
    Shard &s = m_shards[shard];
    const std::string path = (fs::path(m_directory) / shardFileNames()[shard]).string();
    auto file = AtomicFile::create(path);
    if (!file) {
        return std::move(file).error();
    }
    PQ_TRY_STATUS(file->reserve(s.headerBytes + s.bytes));
    PQ_TRY_STATUS(file->write(buildSafetensorsHeader(s.tensors, m_options.metadata)));
    s.file = std::move(*file);
    return {};
}

Status CheckpointWriter::writeTensor(const std::string &name, std::span<const std::byte> data)
{
    const auto it = m_slots.find(name);
    if (it == m_slots.end()) {
        return makeError(ErrorCode::InvalidArgument, "not a tensor of this checkpoint")
                .withTensor(name);
    }
    Slot &slot = it->second;
    if (slot.written) {
        return makeError(ErrorCode::InvalidArgument, "the tensor has already been written")
                .withTensor(name);
    }
    if (data.size() != slot.bytes) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("got {} bytes, the declared shape needs {}", data.size(),
                                     slot.bytes))
                .withTensor(name);
    }
    Shard &shard = m_shards[slot.shard];
    if (!shard.file) {
        PQ_TRY_STATUS(openShard(slot.shard));
    }
    PQ_TRY_STATUS(shard.file->writeAt(slot.offset, data));
    slot.written = true;
    --m_left;
    if (--shard.remaining == 0) {
        PQ_TRY_STATUS(shard.file->commit());
        shard.file.reset();
    }
    return {};
}

Status CheckpointWriter::finish()
{
    if (m_finished) {
        return makeError(ErrorCode::InvalidArgument, "finish() called twice");
    }
    if (m_left != 0) {
        const auto missing = std::find_if(m_order.begin(), m_order.end(), [&](const auto &n) {
            return !m_slots.find(n)->second.written;
        });
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("{} of {} tensors were written", m_order.size() - m_left,
                                     m_order.size()))
                .withTensor(*missing);
    }
    if (m_order.empty()) {  // a checkpoint with no tensors is still a valid file
        PQ_TRY_STATUS(openShard(0));
        PQ_TRY_STATUS(m_shards[0].file->commit());
        m_shards[0].file.reset();
    }
    m_finished = true;
    if (m_shards.size() == 1) {
        return {};
    }
    nlohmann::ordered_json index;
    std::uint64_t total = 0;
    nlohmann::ordered_json weightMap = nlohmann::ordered_json::object();
    const std::vector<std::string> names = shardFileNames();
    std::map<std::string, std::string> sorted;
    for (std::size_t s = 0; s < m_shards.size(); ++s) {
        total += m_shards[s].bytes;
        for (const TensorInfo &t : m_shards[s].tensors) {
            sorted.emplace(t.name, names[s]);
        }
    }
    for (const auto &[name, shard] : sorted) {
        weightMap[name] = shard;
    }
    index["metadata"] = {{"total_size", total}};
    index["weight_map"] = std::move(weightMap);
    return writeFileAtomically((fs::path(m_directory) / INDEX_FILE_NAME).string(),
                               index.dump(2) + "\n");
}

}  // namespace pq::core
