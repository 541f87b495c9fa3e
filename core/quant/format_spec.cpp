// SPDX-License-Identifier: MIT
#include "core/quant/format_spec.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace pq::core::quant {
namespace {

// clang-format off
constexpr std::array<FormatInfo, FORMAT_COUNT> FORMATS = {{
    {FormatId::BF16, "BF16", 16, {0, 16, 0}, "", ActivationQuant::None, 0, true, "bf16",
     "unquantized (source dtype kept; listed in `ignore`)"},
    {FormatId::FP8Dynamic, "FP8_DYNAMIC", 8, FP8_CHANNEL_LAYOUT, "float-quantized",
     ActivationQuant::Fp8PerToken, 89, true, "fp8",
     "E4M3 weights, one BF16 scale per output channel; FP8 activations per token"},
    {FormatId::MXFP8, "MXFP8", 8, MXFP8_LAYOUT, "mxfp8-quantized", ActivationQuant::Mxfp8, 100,
     true, "mx", "E4M3 weights in groups of 32 with an E8M0 scale; MXFP8 activations"},
    {FormatId::NVFP4, "NVFP4", 4, NVFP4_LAYOUT, "nvfp4-pack-quantized", ActivationQuant::Nvfp4,
     100, true, "nv",
     "E2M1 weights in groups of 16, E4M3 block scale + F32 global; NVFP4 activations (W4A4)"},
    {FormatId::NVFP4A16, "NVFP4A16", 4, NVFP4_LAYOUT, "nvfp4-pack-quantized",
     ActivationQuant::None, 75, true, "nv", "NVFP4 weights, activations kept in 16 bits"},
    {FormatId::MXFP4, "MXFP4", 4, MXFP4_LAYOUT, "mxfp4-pack-quantized", ActivationQuant::Mxfp4,
     100, true, "mx", "E2M1 weights in groups of 32 with an E8M0 scale; MXFP4 activations"},
    {FormatId::W4A16, "W4A16", 4, W4A16_LAYOUT, "pack-quantized", ActivationQuant::None, 75, true,
     "int", "INT4 symmetric, groups of 128, BF16 scales; weight-only"},
    {FormatId::W8A16, "W8A16", 8, W8A16_LAYOUT, "pack-quantized", ActivationQuant::None, 75, true,
     "int", "INT8 symmetric, groups of 128, BF16 scales; weight-only"},
    {FormatId::W8A16Channel, "W8A16_CH", 8, W8A16_CHANNEL_LAYOUT, "pack-quantized",
     ActivationQuant::None, 75, true, "int",
     "INT8 symmetric, one BF16 scale per output channel; weight-only"},
    {FormatId::MXFP6E2M3, "MXFP6_E2M3", 6, MXFP6_LAYOUT, "", ActivationQuant::None, 100, false,
     "mx", "E2M3 weights in groups of 32, E8M0 scale (measurable only: vLLM cannot serve it)"},
    {FormatId::MXFP6E3M2, "MXFP6_E3M2", 6, MXFP6_LAYOUT, "", ActivationQuant::None, 100, false,
     "mx", "E3M2 weights in groups of 32, E8M0 scale (measurable only: vLLM cannot serve it)"},
}};

// clang-format on

std::string upper(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b)
{
    return (a + b - 1) / b;
}

}  // namespace

std::span<const FormatInfo> allFormats()
{
    return FORMATS;
}

const FormatInfo &formatInfo(FormatId id)
{
    return FORMATS.at(static_cast<std::size_t>(id));
}

std::optional<FormatId> parseFormatName(std::string_view name)
{
    const std::string u = upper(name);
    for (const FormatInfo &f : FORMATS) {
        if (f.name == u) {
            return f.id;
        }
    }
    if (u == "FP8" || u == "FP8_CHANNEL") {
        return FormatId::FP8Dynamic;
    }
    if (u == "W8A16_CHANNEL") {
        return FormatId::W8A16Channel;
    }
    return std::nullopt;
}

std::uint64_t StoredTensorSpec::bytes() const
{
    std::uint64_t n = 1;
    for (const std::uint64_t d : shape) {
        n *= d;
    }
    return n * dtypeBits(dtype) / 8;
}

std::vector<StoredTensorSpec>
storedTensors(FormatId id, std::uint64_t out, std::uint64_t in, DType source)
{
    const GroupLayout l = formatInfo(id).layout;
    const std::uint64_t groups = l.groupSize == 0 ? 1 : in / l.groupSize;
    switch (id) {
    case FormatId::BF16:
        return {{"weight", source, {out, in}}};
    case FormatId::FP8Dynamic:
        return {{"weight", DType::F8E4M3, {out, in}}, {"weight_scale", DType::BF16, {out, 1}}};
    case FormatId::MXFP8:
        return {{"weight", DType::F8E4M3, {out, in}}, {"weight_scale", DType::U8, {out, groups}}};
    case FormatId::NVFP4:
    case FormatId::NVFP4A16: {
        std::vector<StoredTensorSpec> t = {{"weight_packed", DType::U8, {out, in / 2}},
                                           {"weight_scale", DType::F8E4M3, {out, groups}},
                                           {"weight_global_scale", DType::F32, {1}}};
        if (id == FormatId::NVFP4) {
            t.push_back({"input_global_scale", DType::F32, {1}});
        }
        return t;
    }
    case FormatId::MXFP4:
        return {{"weight_packed", DType::U8, {out, in / 2}},
                {"weight_scale", DType::U8, {out, groups}}};
    case FormatId::W4A16:
    case FormatId::W8A16:
    case FormatId::W8A16Channel:
        return {{"weight_packed", DType::I32, {out, ceilDiv(in * l.elemBits, 32)}},
                {"weight_scale", DType::BF16, {out, groups}},
                {"weight_shape", DType::I64, {2}}};
    case FormatId::MXFP6E2M3:
    case FormatId::MXFP6E3M2:
        return {{"weight_packed", DType::U8, {out, in * 3 / 4}},
                {"weight_scale", DType::U8, {out, groups}}};
    }
    return {};
}

std::uint64_t formatBytes(FormatId id, std::uint64_t out, std::uint64_t in, DType source)
{
    std::uint64_t total = 0;
    for (const StoredTensorSpec &t : storedTensors(id, out, in, source)) {
        total += t.bytes();
    }
    return total;
}

double effectiveBits(FormatId id, std::uint64_t out, std::uint64_t in, DType source)
{
    const auto n = static_cast<double>(out) * static_cast<double>(in);
    return n > 0 ? 8.0 * static_cast<double>(formatBytes(id, out, in, source)) / n : 0.0;
}

Status checkShape(FormatId id, std::uint64_t out, std::uint64_t in)
{
    const FormatInfo &f = formatInfo(id);
    if (out == 0 || in == 0) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("{} cannot take an empty weight [{}, {}]", f.name, out, in));
    }
    const std::uint32_t g = f.layout.groupSize;
    if (g != 0 && in % g != 0) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("{} needs in_features divisible by its group size {} (got "
                                     "{})",
                                     f.name, g, in));
    }
    return {};
}

std::string_view activationQuantName(ActivationQuant a)
{
    switch (a) {
    case ActivationQuant::None:
        return "none (A16)";
    case ActivationQuant::Nvfp4:
        return "NVFP4 (group 16)";
    case ActivationQuant::Mxfp4:
        return "MXFP4 (group 32)";
    case ActivationQuant::Mxfp8:
        return "MXFP8 (group 32)";
    case ActivationQuant::Fp8PerToken:
        return "FP8 per token";
    }
    return "?";
}

}  // namespace pq::core::quant
