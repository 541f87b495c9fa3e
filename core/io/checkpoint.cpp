// SPDX-License-Identifier: MIT
#include "core/io/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"

namespace pq::core {
namespace fs = std::filesystem;

namespace {

Error indexError(std::string detail, const std::string &path)
{
    return makeError(ErrorCode::InvalidFormat, std::move(detail)).withPath(path);
}

Result<CheckpointIndex> parseIndexJson(const std::string &text, const std::string &path)
{
    const nlohmann::json root = nlohmann::json::parse(text, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        return indexError("index is not a valid JSON object", path);
    }
    const auto wm = root.find("weight_map");
    if (wm == root.end() || !wm->is_object()) {
        return indexError("index has no \"weight_map\" object", path);
    }
    CheckpointIndex index;
    std::set<std::string> shards;
    for (const auto &[name, shard] : wm->items()) {
        if (!shard.is_string()) {
            return indexError("weight_map value is not a file name", path).withTensor(name);
        }
        const auto &shardName = shard.get_ref<const std::string &>();
        index.weightMap.emplace(name, shardName);
        shards.insert(shardName);
    }
    index.shardNames.assign(shards.begin(), shards.end());
    const auto meta = root.find("metadata");
    if (meta != root.end() && meta->is_object()) {
        const auto ts = meta->find("total_size");
        if (ts != meta->end() && ts->is_number_unsigned()) {
            index.totalSize = ts->get<std::uint64_t>();
        } else if (ts != meta->end() && ts->is_number_integer() && ts->get<std::int64_t>() >= 0) {
            index.totalSize = static_cast<std::uint64_t>(ts->get<std::int64_t>());
        } else if (ts != meta->end() && !ts->is_null()) {
            return indexError("metadata.total_size is not a non-negative integer", path);
        }
    }
    return index;
}

} // namespace

bool isPathInside(const std::string &dir, const std::string &name)
{
    const fs::path rel(name);
    if (name.empty() || rel.is_absolute() || rel.has_root_name()) {
        return false;
    }
    for (const fs::path &part : rel) {
        if (part == "..") {
            return false;
        }
    }
    std::error_code ec;
    const fs::path base = fs::weakly_canonical(fs::path(dir), ec);
    if (ec) {
        return false;
    }
    const fs::path full = fs::weakly_canonical(base / rel, ec);
    if (ec) {
        return false;
    }
    const auto [baseEnd, fullIt] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
    return baseEnd == base.end();
}

Result<CheckpointIndex> readCheckpointIndex(const std::string &indexPath)
{
    auto text = readSmallFile(indexPath, MAX_INDEX_BYTES);
    if (!text) {
        return std::move(text).error();
    }
    auto index = parseIndexJson(*text, indexPath);
    if (!index) {
        return index;
    }
    const std::string dir = fs::path(indexPath).parent_path().string();
    for (const std::string &shard : index->shardNames) {
        if (!isPathInside(dir.empty() ? "." : dir, shard)) {
            return makeError(ErrorCode::UnsafePath,
                             fmt::format("shard name '{}' leads outside the model directory",
                                         shard))
                    .withPath(indexPath);
        }
    }
    return index;
}

namespace {

Result<std::vector<std::string>> listSafetensorsFiles(const std::string &dir)
{
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".safetensors" && entry.is_regular_file(ec)) {
            files.push_back(entry.path().string());
        }
    }
    if (ec) {
        return makeIoError("cannot list directory", dir, ec.value());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        return makeError(ErrorCode::NotFound,
                         "no model.safetensors, model.safetensors.index.json or *.safetensors "
                         "file in the directory")
                .withPath(dir);
    }
    return files;
}

} // namespace

Result<Checkpoint> Checkpoint::open(const std::string &path)
{
    Checkpoint cp;
    std::optional<CheckpointIndex> index;
    std::vector<std::string> files;
    std::error_code ec;
    const fs::path indexPath = fs::path(path) / INDEX_FILE_NAME;
    if (fs::is_regular_file(path, ec)) {
        cp.m_directory = fs::path(path).parent_path().string();
        files.push_back(path);
    } else if (!fs::is_directory(path, ec)) {
        return makeError(ErrorCode::NotFound, "no such file or directory").withPath(path);
    } else if (fs::exists(indexPath, ec)) {
        cp.m_directory = path;
        auto parsed = readCheckpointIndex(indexPath.string());
        if (!parsed) {
            return std::move(parsed).error();
        }
        index = std::move(*parsed);
        for (const std::string &shard : index->shardNames) {
            files.push_back((fs::path(path) / shard).string());
        }
    } else {
        cp.m_directory = path;
        auto listed = listSafetensorsFiles(path);
        if (!listed) {
            return std::move(listed).error();
        }
        files = std::move(*listed);
    }
    cp.m_hasIndex = index.has_value();
    cp.m_shards.reserve(files.size());
    for (const std::string &file : files) {
        auto shard = SafetensorsFile::open(file);
        if (!shard) {
            Error e = std::move(shard).error();
            if (e.code == ErrorCode::NotFound && index) {
                e.detail = "shard named by the index is missing";
            }
            return e;
        }
        cp.m_shards.push_back(std::move(*shard));
    }
    PQ_TRY_STATUS(cp.collect());
    if (index) {
        PQ_TRY_STATUS(cp.checkIndex(*index, indexPath.string()));
    }
    return cp;
}

Status Checkpoint::collect()
{
    for (std::size_t s = 0; s < m_shards.size(); ++s) {
        const auto &entries = m_shards[s].entries();
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto [it, inserted] = m_byName.emplace(entries[i].info.name, m_tensors.size());
            if (!inserted) {
                const Entry &first = m_tensors[it->second];
                return makeError(ErrorCode::InvalidFormat,
                                 fmt::format("tensor also stored in {}",
                                             m_shards[first.shard].path()))
                        .withPath(m_shards[s].path())
                        .withTensor(entries[i].info.name);
            }
            m_tensors.push_back({&entries[i].info, s, i});
        }
    }
    std::sort(m_tensors.begin(), m_tensors.end(),
              [](const Entry &a, const Entry &b) { return a.info->name < b.info->name; });
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        m_byName[m_tensors[i].info->name] = i;
    }
    return {};
}

Status Checkpoint::checkIndex(const CheckpointIndex &index, const std::string &indexPath) const
{
    for (const auto &[name, shardName] : index.weightMap) {
        const Entry *e = find(name);
        const std::string expected = (fs::path(m_directory) / shardName).string();
        if (e == nullptr || m_shards[e->shard].path() != expected) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("index places the tensor in '{}' but that shard does not "
                                         "hold it",
                                         shardName))
                    .withPath(indexPath)
                    .withTensor(name);
        }
    }
    return {};
}

const Checkpoint::Entry *Checkpoint::find(std::string_view name) const
{
    const auto it = m_byName.find(name);
    return it == m_byName.end() ? nullptr : &m_tensors[it->second];
}

TensorView Checkpoint::view(const Entry &entry) const
{
    return m_shards.at(entry.shard).view(entry.index);
}

std::uint64_t Checkpoint::totalTensorBytes() const
{
    std::uint64_t total = 0;
    for (const Entry &e : m_tensors) {
        total += e.info->byteSize().value_or(0);
    }
    return total;
}

} // namespace pq::core
