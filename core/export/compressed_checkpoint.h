// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/export/quantization_config.h"
#include "core/io/checkpoint.h"
#include "core/quant/quant_backend.h"
#include "core/util/result.h"

namespace pq::core::ct {

/** One quantized Linear of a compressed-tensors checkpoint. */
struct QuantizedModule
{
    std::string name;                       ///< module, e.g. model.layers.0.mlp.down_proj
    const SchemeGroup *group = nullptr;     ///< the config group vLLM gives it
    std::optional<quant::FormatId> format;  ///< our format, when the scheme is one of ours
    std::uint64_t rows = 0;                 ///< out features
    std::uint64_t cols = 0;                 ///< in features
};

/**
 * Read-back of a compressed-tensors checkpoint, ours or another tool's: the parsed
 * quantization_config, every quantized Linear with the scheme vLLM would give it, and each
 * Linear's weights dequantized. Untrusted input: tensors whose dtype or shape differ from what
 * the scheme stores are InvalidFormat errors naming the tensor; schemes outside our formats
 * (asymmetric INT, FP8 block or per-tensor, activation ordering, ...) are listed but their
 * dequantization is Unsupported. Move-only; const methods are thread-safe.
 */
class CompressedCheckpoint
{
public:
    static Result<CompressedCheckpoint> open(const std::string &dir);

    const QuantizationConfig &config() const { return *m_config; }

    const Checkpoint &checkpoint() const { return m_checkpoint; }

    /** The quantized Linears, sorted by name. */
    const std::vector<QuantizedModule> &modules() const { return m_modules; }

    const QuantizedModule *find(const std::string &module) const;

    /** The module's stored tensors, checked against its format (copies their bytes). */
    Result<quant::EncodedWeight> encoded(const QuantizedModule &module) const;

    /** The module's weights as float32 [rows × cols], through `backend`'s decode. */
    Status dequantize(const QuantizedModule &module,
                      quant::QuantBackend &backend,
                      std::span<float> out) const;

    /** NVFP4 W4A4: the calibrated max |x| the checkpoint's input_global_scale encodes. */
    std::optional<float> inputAmax(const QuantizedModule &module) const;

private:
    Checkpoint m_checkpoint;
    std::unique_ptr<QuantizationConfig> m_config;  ///< stable address: modules point into it
    std::vector<QuantizedModule> m_modules;
};

/** What a compressed-tensors checkpoint holds: for `prismaquant inspect` and the Studio. */
struct CompressedSummary
{
    struct Group
    {
        std::string name;
        std::string ctFormat;  ///< the group's compressed-tensors format
        std::string scheme;    ///< our format name ("NVFP4"), or a description of a foreign one
        std::size_t modules = 0;
    };

    std::string format;   ///< top-level format
    std::string version;  ///< compressed-tensors version the writer targeted
    std::vector<Group> groups;
    std::map<std::string, std::size_t> modulesByScheme;  ///< scheme → quantized Linears
    std::size_t ignoreEntries = 0;
};

CompressedSummary summarize(const CompressedCheckpoint &checkpoint);

/** The summary as a JSON object (docs/inspect-json.md, "compressed_tensors"). */
std::string summaryToJson(const CompressedSummary &summary);

/** The summary as lines for the terminal. */
std::string summaryToText(const CompressedSummary &summary);

}  // namespace pq::core::ct
