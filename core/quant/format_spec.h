// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/dtype.h"
#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::core::quant {

/** What a format is, for the allocator, the exporter and `prismaquant formats`. */
struct FormatInfo
{
    FormatId id;
    std::string_view name;       ///< "NVFP4"; parseFormatName accepts it case-insensitively
    double nominalBits;          ///< bits per weight element (16 for BF16)
    GroupLayout layout;          ///< group geometry (BF16: {0, 16, 0})
    std::string_view ctFormat;   ///< compressed-tensors format; "" = dense (ignored layer)
    ActivationQuant activation;  ///< activation quantizer at serve time
    int minComputeCapability;    ///< SM of the first GPUs with native kernels (e.g. 100)
    bool servable;               ///< vLLM can load it from a compressed-tensors checkpoint
    std::string_view family;     ///< "bf16", "fp8", "mx", "nv", "int"
    std::string_view summary;    ///< one line for tables and tooltips (English)
};

/** All formats in menu order. */
std::span<const FormatInfo> allFormats();

const FormatInfo &formatInfo(FormatId id);

/** Case-insensitive lookup of a format name ("nvfp4", "W4A16", "mxfp6_e3m2", "fp8"). */
std::optional<FormatId> parseFormatName(std::string_view name);

/** One tensor a format writes for a Linear: name suffix after the module, dtype, shape. */
struct StoredTensorSpec
{
    std::string suffix;  ///< "weight", "weight_packed", "weight_scale", ...
    DType dtype;
    std::vector<std::uint64_t> shape;

    std::uint64_t bytes() const;
};

/**
 * Exactly the tensors `id` writes for a Linear of shape [out, in] whose source weight has
 * dtype `source` (BF16 keeps it). Precondition: checkShape(id, out, in) succeeded.
 */
std::vector<StoredTensorSpec>
storedTensors(FormatId id, std::uint64_t out, std::uint64_t in, DType source);

/** Exact bytes of storedTensors(): weights plus every scale and global tensor. */
std::uint64_t formatBytes(FormatId id, std::uint64_t out, std::uint64_t in, DType source);

/** 8 × formatBytes / (out × in): the effective bits per weight, scales included. */
double effectiveBits(FormatId id, std::uint64_t out, std::uint64_t in, DType source);

/**
 * Whether a Linear of shape [out, in] can take `id`; the error (InvalidArgument) names the
 * format and the rule, e.g. "NVFP4 needs in_features divisible by 16 (got 100)". The caller adds
 * the tensor name.
 */
Status checkShape(FormatId id, std::uint64_t out, std::uint64_t in);

std::string_view activationQuantName(ActivationQuant a);

}  // namespace pq::core::quant
