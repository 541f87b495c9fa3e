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

/**
 * SAX handler for `{"metadata": {...}, "weight_map": {"name": "shard", ...}}`. It builds the map
 * directly (no DOM), refuses duplicate tensor names and skips any other top-level key.
 */
class IndexSax
{
public:
    using json = nlohmann::json;

    CheckpointIndex index;
    std::string error;
    std::string errorTensor;
    bool sawWeightMap = false;

    bool null() { return scalar(); }

    bool boolean(bool /*unused*/) { return scalar(); }

    bool number_float(json::number_float_t /*unused*/, const json::string_t & /*unused*/)
    {
        return scalar();
    }

    bool binary(json::binary_t & /*unused*/) { return scalar(); }

    bool number_integer(json::number_integer_t v)
    {
        if (isTotalSize()) {
            return v >= 0 ? (index.totalSize = static_cast<std::uint64_t>(v), true)
                          : fail("metadata.total_size is negative");
        }
        return scalar();
    }

    bool number_unsigned(json::number_unsigned_t v)
    {
        if (isTotalSize()) {
            index.totalSize = v;
            return true;
        }
        return scalar();
    }

    bool string(json::string_t &s)
    {
        if (m_depth == 2 && m_section == Section::WeightMap) {
            const auto [it, inserted] = index.weightMap.emplace(m_key, s);
            if (!inserted) {
                errorTensor = m_key;
                return fail("tensor listed twice in weight_map");
            }
            return true;
        }
        return scalar();
    }

    bool start_object(std::size_t /*unused*/)
    {
        ++m_depth;
        if (m_depth == 2) {
            m_section = m_key == "weight_map" ? Section::WeightMap
                        : m_key == "metadata" ? Section::Metadata
                                              : Section::Other;
            sawWeightMap = sawWeightMap || m_section == Section::WeightMap;
        } else if (m_depth > 2 && m_section == Section::WeightMap) {
            errorTensor = m_key;
            return fail("weight_map value is not a file name");
        }
        return true;
    }

    bool end_object()
    {
        --m_depth;
        return true;
    }

    bool start_array(std::size_t /*unused*/)
    {
        const bool ok = scalar();
        ++m_depth;
        return ok;
    }

    bool end_array()
    {
        --m_depth;
        return true;
    }

    bool key(json::string_t &k)
    {
        m_key = k;
        return true;
    }

    bool parse_error(std::size_t /*unused*/,
                     const std::string & /*unused*/,
                     const nlohmann::detail::exception &ex)
    {
        return fail(fmt::format("index is not a valid JSON object: {}", ex.what()));
    }

private:
    enum class Section
    {
        None,
        WeightMap,
        Metadata,
        Other
    };

    bool isTotalSize() const
    {
        return m_depth == 2 && m_section == Section::Metadata && m_key == "total_size";
    }

    /** Any other value: fine outside weight_map, an error inside it. */
    bool scalar()
    {
        if (m_depth == 0) {
            return fail("index is not a valid JSON object");
        }
        if (m_depth >= 2 && m_section == Section::WeightMap) {
            errorTensor = m_key;
            return fail("weight_map value is not a file name");
        }
        if (isTotalSize()) {
            return fail("metadata.total_size is not a non-negative integer");
        }
        return true;
    }

    bool fail(std::string what)
    {
        if (error.empty()) {
            error = std::move(what);
        }
        return false;
    }

    int m_depth = 0;
    Section m_section = Section::None;
    std::string m_key;
};

Result<CheckpointIndex> parseIndexJson(const std::string &text, const std::string &path)
{
    IndexSax sax;
    const bool ok = nlohmann::json::sax_parse(text, &sax, nlohmann::json::input_format_t::json,
                                              true, false);
    if (!ok || !sax.error.empty()) {
        Error e = indexError(sax.error.empty() ? std::string("index is not a valid JSON object")
                                               : sax.error,
                             path);
        return std::move(e).withTensor(sax.errorTensor);
    }
    if (!sax.sawWeightMap) {
        return indexError("index has no \"weight_map\" object", path);
    }
    std::set<std::string> shards;
    for (const auto &[name, shard] : sax.index.weightMap) {
        shards.insert(shard);
    }
    sax.index.shardNames.assign(shards.begin(), shards.end());
    return std::move(sax.index);
}

}  // namespace

namespace {

bool isUnder(const fs::path &root, const fs::path &path)
{
    const auto [rootEnd, pathIt] =
            std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return rootEnd == root.end();
}

}  // namespace

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
    if (isUnder(base, full)) {
        return true;
    }
    // A Hugging Face cache snapshot (<repo>/snapshots/<rev>/) links its files to <repo>/blobs/.
    const fs::path snapshots = base.parent_path();
    return snapshots.filename() == "snapshots" && isUnder(snapshots.parent_path() / "blobs", full);
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
            return makeError(
                           ErrorCode::UnsafePath,
                           fmt::format("shard name '{}' leads outside the model directory", shard))
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

}  // namespace

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
    // open() opened the shards in index.shardNames order, so shard i is shardNames[i].
    for (const auto &[name, shardName] : index.weightMap) {
        const Entry *e = find(name);
        const auto it =
                std::lower_bound(index.shardNames.begin(), index.shardNames.end(), shardName);
        const auto expected = static_cast<std::size_t>(it - index.shardNames.begin());
        if (e == nullptr || e->shard != expected) {
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

void Checkpoint::releasePages(const Entry &entry, std::uint64_t offset, std::uint64_t len) const
{
    m_shards.at(entry.shard).releasePages(entry.index, offset, len);
}

std::uint64_t Checkpoint::totalTensorBytes() const
{
    std::uint64_t total = 0;
    for (const Entry &e : m_tensors) {
        total += e.info->byteSize().value_or(0);
    }
    return total;
}

}  // namespace pq::core
