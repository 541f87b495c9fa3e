// SPDX-License-Identifier: MIT
// inventoryModelDir: pick the tensor source a directory offers (weights, index, or config only),
// after checking that the path is a model directory at all (what newcomers point at instead).
#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <fmt/format.h>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"

namespace pq::core {
namespace fs = std::filesystem;

namespace {

/** What to give instead, appended to every "not a model directory" error. */
constexpr const char *MODEL_DIR_HINT =
        "give the directory of a Hugging Face model instead (config.json, the *.safetensors "
        "weights and tokenizer.json, as `huggingface-cli download ORG/MODEL --local-dir DIR` "
        "writes them)";

/** The GGUF version when `path` starts with the GGUF magic ("GGUF" + little-endian u32). */
std::optional<std::uint32_t> ggufVersion(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::array<char, 8> head{};
    if (!in.read(head.data(), head.size()) || std::memcmp(head.data(), "GGUF", 4) != 0) {
        return std::nullopt;
    }
    std::uint32_t version = 0;
    for (int i = 7; i >= 4; --i) {
        version = (version << 8U) | static_cast<unsigned char>(head[static_cast<std::size_t>(i)]);
    }
    return version;
}

Error ggufError(const std::string &found)
{
    return makeError(ErrorCode::Unsupported,
                     fmt::format("{}. PrismaQuant cannot use GGUF: it reads Hugging Face "
                                 "safetensors checkpoints in BF16/FP16, and GGUF weights are "
                                 "usually already quantized by llama.cpp. Download the original "
                                 "safetensors release instead (the Hugging Face repository the "
                                 "GGUF was made from, e.g. `huggingface-cli download ORG/MODEL "
                                 "--local-dir DIR`) and give that directory",
                                 found));
}

/** The error for a path that is a file where a model directory was expected. */
Error fileInsteadOfDirectory(const fs::path &path)
{
    const std::string ext = path.extension().string();
    const auto version = ggufVersion(path);
    if (version || ext == ".gguf") {
        return ggufError(version ? fmt::format("this is a GGUF file (llama.cpp's format, "
                                               "version {}), not a model directory",
                                               *version)
                                 : std::string("this is a .gguf file, not a model directory"))
                .withPath(path.string());
    }
    std::error_code ec;
    const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const bool parentIsModel = fs::is_regular_file(parent / "config.json", ec);
    const std::string instead =
            parentIsModel ? fmt::format("give its directory instead, which has a config.json: {}",
                                        parent.string())
                          : std::string(MODEL_DIR_HINT);
    if (ext == ".safetensors") {
        return makeError(ErrorCode::NotFound,
                         fmt::format("this is a single .safetensors file, not a model directory. "
                                     "The weights alone cannot be used: the architecture, layer "
                                     "count and tensor roles come from config.json beside them, "
                                     "and the tokenizer from tokenizer.json; {}",
                                     instead))
                .withPath(path.string());
    }
    if (path.filename() == "config.json") {
        return makeError(ErrorCode::NotFound,
                         fmt::format("this is config.json itself; PrismaQuant reads the whole "
                                     "model directory (config, weights, tokenizer), so give the "
                                     "directory that holds it: {}",
                                     parent.string()))
                .withPath(path.string());
    }
    return makeError(ErrorCode::NotFound,
                     fmt::format("this is a file, not a model directory; {}", instead))
            .withPath(path.string());
}

/** A direct sub-directory (or Hugging Face cache snapshot) of `dir` that has a config.json. */
std::optional<fs::path> nestedModel(const fs::path &dir)
{
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        if (!e.is_directory(ec)) {
            continue;
        }
        if (fs::is_regular_file(e.path() / "config.json", ec)) {
            return e.path();
        }
        for (const auto &snap : fs::directory_iterator(e.path() / "snapshots", ec)) {
            if (fs::is_regular_file(snap.path() / "config.json", ec)) {
                return snap.path();
            }
        }
    }
    return std::nullopt;
}

/** What a directory without config.json holds, as the error that says so. */
Error noConfigError(const fs::path &dir)
{
    std::vector<std::string> gguf;
    std::vector<std::string> safetensors;
    std::vector<std::string> other;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        const std::string ext = e.path().extension().string();
        (ext == ".gguf" ? gguf : ext == ".safetensors" ? safetensors : other).push_back(name);
    }
    for (auto *v : {&gguf, &safetensors, &other}) {
        std::sort(v->begin(), v->end());
    }
    const std::string path = dir.string();
    if (gguf.empty() && safetensors.empty() && other.empty()) {
        return makeError(ErrorCode::NotFound,
                         fmt::format("the directory is empty, so there is no model to read; {}",
                                     MODEL_DIR_HINT))
                .withPath(path);
    }
    if (!gguf.empty() && safetensors.empty()) {
        return ggufError(fmt::format("this directory holds GGUF files ({}{}) and no config.json",
                                     gguf.front(), gguf.size() > 1 ? ", …" : ""))
                .withPath(path);
    }
    if (!safetensors.empty()) {
        return makeError(ErrorCode::NotFound,
                         fmt::format("this directory holds {} .safetensors file(s) ({}) but no "
                                     "config.json, and without it the architecture, layer count "
                                     "and tensor roles are unknown. Copy config.json (and "
                                     "tokenizer.json, tokenizer_config.json) from the model's "
                                     "Hugging Face repository into it, or {}",
                                     safetensors.size(), safetensors.front(), MODEL_DIR_HINT))
                .withPath(path);
    }
    if (const auto nested = nestedModel(dir)) {
        return makeError(ErrorCode::NotFound,
                         fmt::format("there is no config.json here, but {} has one: give that "
                                     "directory (the model's own, not a folder of models)",
                                     nested->string()))
                .withPath(path);
    }
    return makeError(ErrorCode::NotFound,
                     fmt::format("no config.json here (only {} other entr{}, such as '{}'), so "
                                 "this is not a Hugging Face model directory; {}",
                                 other.size(), other.size() == 1 ? "y" : "ies", other.front(),
                                 MODEL_DIR_HINT))
            .withPath(path);
}

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

/** The inventory of a directory that has a config.json. */
Result<ModelInventory> inventoryFiles(const std::string &modelDir)
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

/** The warning for a directory without tokenizer.json (or with only a SentencePiece model). */
std::optional<std::string> tokenizerWarning(const fs::path &dir)
{
    std::error_code ec;
    if (fs::is_regular_file(dir / TOKENIZER_FILE_NAME, ec)) {
        return std::nullopt;
    }
    const bool sentencePiece = fs::is_regular_file(dir / "tokenizer.model", ec);
    return fmt::format("no tokenizer.json{}: `probe` and `eval` cannot tokenize calibration text "
                       "for this model (inspect, validate, `allocate --data-free` and `export` do "
                       "not need it); copy tokenizer.json and tokenizer_config.json from the "
                       "model's Hugging Face repository into the directory",
                       sentencePiece ? " (only a SentencePiece tokenizer.model, which PrismaQuant "
                                       "does not read)"
                                     : "");
}

}  // namespace

Status checkModelPath(const std::string &path)
{
    std::error_code ec;
    const fs::path p(path);
    if (fs::is_directory(p, ec)) {
        return {};
    }
    if (fs::exists(p, ec)) {
        return fileInsteadOfDirectory(p);
    }
    return makeError(ErrorCode::NotFound,
                     fmt::format("no such file or directory (check the spelling, and that the "
                                 "download finished); {}",
                                 MODEL_DIR_HINT))
            .withPath(path);
}

Status checkModelDirectory(const std::string &path)
{
    PQ_TRY_STATUS(checkModelPath(path));
    std::error_code ec;
    if (fs::exists(fs::path(path) / "config.json", ec)) {
        return {};
    }
    return noConfigError(fs::path(path));
}

Result<ModelInventory> inventoryModelDir(const std::string &modelDir)
{
    PQ_TRY_STATUS(checkModelDirectory(modelDir));
    auto inv = inventoryFiles(modelDir);
    if (inv) {
        if (auto w = tokenizerWarning(modelDir)) {
            inv->warnings.push_back(std::move(*w));
        }
    }
    return inv;
}

}  // namespace pq::core
