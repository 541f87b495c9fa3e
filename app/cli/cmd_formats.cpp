// SPDX-License-Identifier: MIT
// `prismaquant formats [--shape OUT,IN] [--json]`: the number formats, what they store and cost.
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "app/cli/backends.h"
#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "core/quant/format_spec.h"

namespace pq::cli {
namespace {

using core::quant::FormatInfo;

struct FormatsArgs
{
    std::vector<std::uint64_t> shape = {4096, 4096};
    bool json = false;
};

std::string tensorsText(const FormatInfo &f, std::uint64_t out, std::uint64_t in)
{
    std::string s;
    for (const auto &t : core::quant::storedTensors(f.id, out, in, core::DType::BF16)) {
        s += fmt::format("{}{} {} [{}]", s.empty() ? "" : ", ", t.suffix, core::dtypeName(t.dtype),
                         fmt::join(t.shape, ","));
    }
    return s;
}

nlohmann::ordered_json formatJson(const FormatInfo &f, std::uint64_t out, std::uint64_t in)
{
    const core::Status fits = core::quant::checkShape(f.id, out, in);
    nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
    if (fits) {
        for (const auto &t : core::quant::storedTensors(f.id, out, in, core::DType::BF16)) {
            tensors.push_back(
                    {{"name", t.suffix}, {"dtype", core::dtypeName(t.dtype)}, {"shape", t.shape}});
        }
    }
    return {{"name", f.name},
            {"nominal_bits", f.nominalBits},
            {"group_size", f.layout.groupSize},
            {"fits_shape", fits.has_value()},
            {"bytes", fits ? nlohmann::ordered_json(
                                     core::quant::formatBytes(f.id, out, in, core::DType::BF16))
                           : nullptr},
            {"effective_bits", fits ? nlohmann::ordered_json(core::quant::effectiveBits(
                                              f.id, out, in, core::DType::BF16))
                                    : nullptr},
            {"compressed_tensors_format", f.ctFormat.empty() ? nlohmann::ordered_json(nullptr)
                                                             : nlohmann::ordered_json(f.ctFormat)},
            {"tensors", tensors},
            {"activations", core::quant::activationQuantName(f.activation)},
            {"min_compute_capability", f.minComputeCapability},
            {"servable_by_vllm", f.servable},
            {"summary", f.summary}};
}

int runFormats(const FormatsArgs &a)
{
    const std::uint64_t out = a.shape[0];
    const std::uint64_t in = a.shape[1];
    if (a.json) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const FormatInfo &f : core::quant::allFormats()) {
            list.push_back(formatJson(f, out, in));
        }
        fmt::print("{}\n", nlohmann::ordered_json{{"shape", {out, in}}, {"formats", list}}.dump(2));
        return EXIT_OK;
    }
    fmt::print("Formats for a Linear of shape [{}, {}] (BF16 source: {} bytes)\n\n", out, in,
               out * in * 2);
    fmt::print("{:<12} {:>5} {:>9} {:>14} {:>6} {:<22} {:<18} {:>5}  {}\n", "format", "bits",
               "eff.bits", "bytes", "group", "compressed-tensors", "activations", "SM", "vLLM");
    for (const FormatInfo &f : core::quant::allFormats()) {
        const core::Status fits = core::quant::checkShape(f.id, out, in);
        const std::string bytes =
                fits ? fmt::format("{}", core::quant::formatBytes(f.id, out, in, core::DType::BF16))
                     : std::string("-");
        const std::string eff =
                fits ? fmt::format("{:.3f}",
                                   core::quant::effectiveBits(f.id, out, in, core::DType::BF16))
                     : std::string("n/a");
        fmt::print("{:<12} {:>5} {:>9} {:>14} {:>6} {:<22} {:<18} {:>5}  {}\n", f.name,
                   f.nominalBits, eff, bytes,
                   f.layout.groupSize == 0 ? std::string("row")
                                           : fmt::format("{}", f.layout.groupSize),
                   !f.servable ? "(not exportable)"
                               : (f.ctFormat.empty() ? "(dense, ignored)" : f.ctFormat),
                   core::quant::activationQuantName(f.activation),
                   f.minComputeCapability == 0 ? std::string("any")
                                               : fmt::format("{}", f.minComputeCapability),
                   f.servable ? "yes" : "no (measure only)");
        if (!fits) {
            fmt::print("{:<12} ^ {}\n", "", fits.error().message());
        }
    }
    fmt::print("\nQuantizer backends (preferred last): {}\n", fmt::join(backends().names(), ", "));
    fmt::print("\nTensors written per Linear:\n");
    for (const FormatInfo &f : core::quant::allFormats()) {
        if (core::quant::checkShape(f.id, out, in)) {
            fmt::print("  {:<12} {}\n", f.name, tensorsText(f, out, in));
        }
    }
    return EXIT_OK;
}

}  // namespace

void registerFormats(CLI::App &app, CommandRegistry &registry)
{
    auto args = std::make_shared<FormatsArgs>();
    CLI::App *sub = app.add_subcommand(
            "formats",
            "List the number formats: nominal and effective bits (scales included), exact bytes "
            "for a Linear shape, the compressed-tensors format and tensors written, the "
            "activation quantizer at serve time, the first GPU generation with native kernels "
            "(SM), and whether vLLM can serve it.\n\n"
            "Examples:\n  prismaquant formats\n  prismaquant formats --shape 11008,4096 --json");
    sub->add_option("--shape", args->shape, "Linear shape OUT,IN (default 4096,4096)")
            ->delimiter(',')
            ->expected(2)
            ->check(CLI::PositiveNumber);
    sub->add_flag("--json", args->json, "Print JSON");
    registry.add(sub, [args] { return runFormats(*args); });
}

}  // namespace pq::cli
