// SPDX-License-Identifier: MIT
// inventoryModelDir: pick the tensor source a directory offers (weights, index, or config only).
#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"

namespace pq::core {
namespace fs = std::filesystem;

namespace {

bool hasSafetensors(const std::string &dir)
{
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        if (e.path().extension() == ".safetensors") {
            return true;
        }
    }
    return false;
}

/** Per-expert when the index names `<experts>.<e>.` tensors, else the profile's own storage. */
std::optional<ExpertStorage> indexExpertStorage(const CheckpointIndex &index, const ProfileSpec &p)
{
    if (!p.experts) {
        return std::nullopt;
    }
    const std::string marker = std::string(p.experts->path) + ".0.";
    for (const auto &[name, shard] : index.weightMap) {
        if (name.find(marker) != std::string::npos) {
            return ExpertStorage::PerExpert;
        }
    }
    return std::nullopt;
}

/** Names from the index, shapes from the config where the config can derive them. */
Result<ModelInventory>
fromIndex(ModelConfig cfg, const ProfileSpec *profile, const CheckpointIndex &index)
{
    const ProfileSpec &p = profile != nullptr ? *profile : genericProfile();
    std::unordered_map<std::string, TensorInfo> derived;
    for (TensorInfo &t : synthesizeTensors(cfg, p, indexExpertStorage(index, p))) {
        derived.emplace(t.name, std::move(t));
    }
    std::vector<TensorInfo> tensors;
    std::vector<std::string> shapeless;
    for (const auto &[name, shard] : index.weightMap) {
        const auto it = derived.find(name);
        if (it != derived.end()) {
            tensors.push_back(it->second);
        } else {
            tensors.push_back({name, DType::BF16, {}});
            shapeless.push_back(name);
        }
    }
    auto inv = buildInventory(std::move(cfg), profile, std::move(tensors),
                              TensorSource::IndexAndConfig, shapeless);
    if (inv && !shapeless.empty()) {
        inv->warnings.push_back(fmt::format(
                "{} tensors named by the index have no shape derivable from config.json "
                "(sizes of those are unknown until the weights are present)",
                shapeless.size()));
    }
    return inv;
}

}  // namespace

Result<ModelInventory> inventoryModelDir(const std::string &modelDir)
{
    auto cfg = loadModelConfig(modelDir);
    if (!cfg) {
        return std::move(cfg).error();
    }
    const ProfileSpec *profile = findProfile(*cfg);
    const fs::path indexPath = fs::path(modelDir) / INDEX_FILE_NAME;
    std::error_code ec;
    const bool haveIndex = fs::exists(indexPath, ec);
    bool shardsPresent = false;
    CheckpointIndex index;
    if (haveIndex) {
        auto parsed = readCheckpointIndex(indexPath.string());
        if (!parsed) {
            return std::move(parsed).error();
        }
        index = std::move(*parsed);
        shardsPresent = !index.shardNames.empty();
        for (const std::string &s : index.shardNames) {
            shardsPresent = shardsPresent && fs::exists(fs::path(modelDir) / s, ec);
        }
    }
    if (haveIndex && !shardsPresent) {
        return fromIndex(std::move(*cfg), profile, index);
    }
    if (!haveIndex && !hasSafetensors(modelDir)) {
        const ProfileSpec &p = profile != nullptr ? *profile : genericProfile();
        auto tensors = synthesizeTensors(*cfg, p);
        return buildInventory(std::move(*cfg), profile, std::move(tensors),
                              TensorSource::ConfigOnly);
    }
    auto checkpoint = Checkpoint::open(modelDir);
    if (!checkpoint) {
        return std::move(checkpoint).error();
    }
    std::vector<TensorInfo> tensors;
    tensors.reserve(checkpoint->tensors().size());
    for (const Checkpoint::Entry &e : checkpoint->tensors()) {
        tensors.push_back(*e.info);
    }
    return buildInventory(std::move(*cfg), profile, std::move(tensors), TensorSource::Weights);
}

}  // namespace pq::core
