// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/io/tensor_info.h"
#include "core/model/model_config.h"
#include "core/model/profile.h"
#include "core/util/result.h"

namespace pq::core {

/** Where the tensor list of an inventory came from. */
enum class TensorSource : std::uint8_t
{
    Weights,         ///< safetensors headers (names, dtypes and shapes are real)
    IndexAndConfig,  ///< names from the index, shapes derived from config.json
    ConfigOnly,      ///< names and shapes derived from config.json
};

std::string_view tensorSourceName(TensorSource source);

/** One tensor of the checkpoint, classified. */
struct ClassifiedTensor
{
    TensorInfo info;  ///< shape empty and shapeKnown false when it cannot be derived
    bool shapeKnown = true;
    TensorKind kind = TensorKind::Unknown;
    Section section = Section::Text;
    std::int64_t layer = -1;  ///< decoder layer (MTP layers count from 0 inside the MTP block)
    std::string note;         ///< why, for Unknown / QuantCompanion / Passthrough
};

/** Which part of a (possibly fused 3-D) source tensor a Linear is. */
struct SourceSlice
{
    std::size_t tensor = 0;    ///< index into ModelInventory::tensors
    std::int64_t expert = -1;  ///< index along dim 0 of a 3-D expert tensor, -1 for a 2-D weight
    std::uint64_t first = 0;   ///< first output row (column when transposed)
    std::uint64_t stride = 1;  ///< 2 for gate/up interleaved rows
    bool transposed = false;   ///< stored [in, out] (gpt-oss experts)
};

/** One quantizable Linear: the unit the probe measures and the allocator prices. */
struct LinearInfo
{
    std::string
            name;  ///< per-Linear checkpoint module, e.g. model.layers.3.mlp.experts.7.gate_proj
    std::string vllmModule;  ///< the module vLLM loads it into, e.g. model.layers.3.mlp.experts
    LinearRole role = LinearRole::AttnQ;
    Section section = Section::Text;  ///< Text or Mtp
    std::int64_t layer = -1;
    std::int64_t expert = -1;
    std::uint64_t outFeatures = 0;
    std::uint64_t inFeatures = 0;
    DType sourceDtype = DType::BF16;
    SourceSlice source;
    std::size_t group = 0;  ///< index into ModelInventory::groups

    std::uint64_t params() const { return outFeatures * inFeatures; }

    std::uint64_t sourceBytes() const { return params() * dtypeBits(sourceDtype) / 8; }
};

/** Linears that must share one format (vLLM loads them as one module). */
struct FusedGroup
{
    std::string vllmModule;            ///< e.g. model.layers.3.self_attn.qkv_proj
    std::vector<std::size_t> linears;  ///< indices into ModelInventory::linears
    std::int64_t layer = -1;
    bool experts = false;  ///< all experts of one MoE layer
};

/** Parameter and byte totals of one kind of tensor. */
struct RoleTotals
{
    std::uint64_t tensors = 0;
    std::uint64_t params = 0;
    std::uint64_t bytes = 0;
};

/**
 * Everything the engine knows about a model before measuring it: config, profile, every tensor
 * classified, the Linears with their fused groups, and totals. Built once; immutable after.
 */
struct ModelInventory
{
    ModelConfig config;
    const ProfileSpec *profile = nullptr;
    bool genericFallback = false;  ///< no profile for this architecture; generic naming assumed
    TensorSource source = TensorSource::Weights;
    std::vector<ClassifiedTensor> tensors;  ///< sorted by name
    std::vector<LinearInfo> linears;        ///< in tensor order, experts by index
    std::vector<FusedGroup> groups;
    std::vector<std::string> warnings;  ///< things a user should know (fallback, missing MTP, ...)

    std::map<TensorKind, RoleTotals> totalsByKind() const;
    RoleTotals totals() const;
    std::uint64_t linearParams() const;
    std::uint64_t linearSourceBytes() const;
    std::size_t countKind(TensorKind kind) const;
    std::size_t mtpTensors() const;
    std::size_t passthroughTensors(Section section) const;
    /** Names of tensors the profile could not classify (should be empty). */
    std::vector<std::string> unclassified() const;
    /** Quant companions found (weight_scale, qweight, ...): a non-empty list means refuse. */
    std::vector<std::string> quantCompanions() const;
    /** The source dtype of the Linear weights ("BF16", or "mixed"). */
    std::string sourceDtypeName() const;

    /**
     * Ok when this model can be quantized: not already quantized (no quantization_config, no
     * companion tensors such as weight_scale/qweight/SCB), every tensor classified, and every
     * Linear stored in a dense float dtype. Otherwise an error saying what was found, why it
     * cannot be used and what to do instead (ErrorCode::AlreadyQuantized or Unsupported).
     */
    Status checkQuantizable() const;
};

/** A checkpoint module name as vLLM names it (the profile's prefix renames applied). */
std::string toVllmName(const ProfileSpec &profile, std::string_view module);

/**
 * Classifies `tensors` against `profile` (nullptr = generic fallback with a warning) and builds
 * Linears and fused groups. Never fails on unknown names (they become TensorKind::Unknown);
 * fails only on shapes that contradict the role (e.g. a 3-D expert tensor whose first dimension
 * is not the expert count).
 */
Result<ModelInventory> buildInventory(ModelConfig config,
                                      const ProfileSpec *profile,
                                      std::vector<TensorInfo> tensors,
                                      TensorSource source,
                                      const std::vector<std::string> &shapeless = {});

/**
 * Derives the language model's tensor list (names, shapes, dtype) from config.json alone, as the
 * family's checkpoints name them. Vision/audio towers are not derived. Used for planning without
 * weights and to give shapes to index-only directories. `storage` overrides the profile's expert
 * storage (a Qwen3.5 export may hold per-expert tensors instead of fused 3-D ones).
 */
std::vector<TensorInfo> synthesizeTensors(const ModelConfig &config,
                                          const ProfileSpec &profile,
                                          std::optional<ExpertStorage> storage = std::nullopt);

/**
 * Checks that `path` names an existing directory. Otherwise the error says what was found there
 * (nothing, a GGUF file, a single .safetensors file, config.json itself, another file), why it
 * cannot be used and what to give instead (docs/errors.md): ErrorCode::Unsupported for GGUF,
 * NotFound for the rest. Reads at most a file's first 8 bytes.
 */
Status checkModelPath(const std::string &path);

/**
 * checkModelPath, then that the directory holds config.json. Without one the error says what the
 * directory holds instead (nothing, only GGUF files, safetensors without their config, a
 * sub-directory that is a model, other files) and what to do.
 */
Status checkModelDirectory(const std::string &path);

/** The file a model directory needs for its tokenizer (probe, eval and tokenize read it). */
inline constexpr std::string_view TOKENIZER_FILE_NAME = "tokenizer.json";

/**
 * Inventories a model directory: config.json plus safetensors shards when present, else the
 * index with shapes from the config, else the config alone. Errors name the file; a path that is
 * not a model directory gets checkModelDirectory's error. A directory without tokenizer.json is
 * inventoried with a warning (probe and eval need it; inspect, validate, allocate --data-free
 * and export do not).
 */
Result<ModelInventory> inventoryModelDir(const std::string &modelDir);

}  // namespace pq::core
