// SPDX-License-Identifier: MIT
#include "core/export/compressed_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/quant/encoded_weight.h"
#include "core/quant/format_spec.h"
#include "core/util/atomic_file.h"

namespace pq::core::ct {
namespace {

namespace fs = std::filesystem;

/** Parameter suffixes that mark a module as quantized. */
constexpr std::string_view QUANT_SUFFIXES[] = {".weight_packed", ".weight_scale"};

std::string describe(const TensorInfo &t)
{
    return fmt::format("{} [{}]", dtypeName(t.dtype), fmt::join(t.shape, ", "));
}

/** [out, in] of a quantized module from its stored tensors. */
Result<std::pair<std::uint64_t, std::uint64_t>> moduleShape(const Checkpoint &c,
                                                            const std::string &module)
{
    if (const auto *shape = c.find(module + ".weight_shape"); shape != nullptr) {
        const TensorView v = c.view(*shape);
        if (v.info->dtype != DType::I64 || v.data.size() != 16) {
            return makeError(ErrorCode::InvalidFormat, "weight_shape is not I64 [2]")
                    .withTensor(module + ".weight_shape");
        }
        std::int64_t dims[2];
        std::memcpy(dims, v.data.data(), sizeof dims);
        if (dims[0] <= 0 || dims[1] <= 0) {
            return makeError(ErrorCode::InvalidFormat, "weight_shape is not positive")
                    .withTensor(module + ".weight_shape");
        }
        return std::pair{static_cast<std::uint64_t>(dims[0]), static_cast<std::uint64_t>(dims[1])};
    }
    if (const auto *w = c.find(module + ".weight"); w != nullptr && w->info->shape.size() == 2) {
        return std::pair{w->info->shape[0], w->info->shape[1]};
    }
    if (const auto *p = c.find(module + ".weight_packed");
        p != nullptr && p->info->shape.size() == 2 && p->info->dtype == DType::U8) {
        return std::pair{p->info->shape[0], p->info->shape[1] * 2};  // two FP4 codes per byte
    }
    return makeError(ErrorCode::InvalidFormat,
                     "cannot tell the Linear's shape (no weight, weight_shape or FP4 "
                     "weight_packed)")
            .withTensor(module);
}

}  // namespace

Result<CompressedCheckpoint> CompressedCheckpoint::open(const std::string &dir)
{
    const std::string configPath = (fs::path(dir) / "config.json").string();
    auto text = readSmallFile(configPath, 64ULL << 20U);
    if (!text) {
        return std::move(text).error();
    }
    auto config = parseQuantizationConfig(*text);
    if (!config) {
        return std::move(config).error().withPath(configPath);
    }
    auto ckpt = Checkpoint::open(dir);
    if (!ckpt) {
        return std::move(ckpt).error();
    }
    CompressedCheckpoint c;
    c.m_checkpoint = std::move(*ckpt);
    c.m_config = std::make_unique<QuantizationConfig>(std::move(*config));
    std::set<std::string> modules;
    for (const Checkpoint::Entry &e : c.m_checkpoint.tensors()) {
        const std::string &name = e.info->name;
        for (const std::string_view suffix : QUANT_SUFFIXES) {
            if (name.ends_with(suffix)) {
                modules.insert(name.substr(0, name.size() - suffix.size()));
            }
        }
    }
    for (const std::string &m : modules) {
        QuantizedModule q;
        q.name = m;
        q.group = c.m_config->schemeFor(m);
        if (q.group == nullptr) {
            return makeError(ErrorCode::InvalidFormat,
                             "quantized tensors that no quantization_config group targets (vLLM "
                             "would load it unquantized and fail)")
                    .withTensor(m)
                    .withPath(configPath);
        }
        q.format = formatOfScheme(*q.group);
        auto shape = moduleShape(c.m_checkpoint, m);
        if (!shape) {
            return std::move(shape).error();
        }
        std::tie(q.rows, q.cols) = *shape;
        c.m_modules.push_back(std::move(q));
    }
    return c;
}

const QuantizedModule *CompressedCheckpoint::find(const std::string &module) const
{
    const auto it = std::lower_bound(
            m_modules.begin(), m_modules.end(), module,
            [](const QuantizedModule &m, const std::string &name) { return m.name < name; });
    return it != m_modules.end() && it->name == module ? &*it : nullptr;
}

Result<quant::EncodedWeight> CompressedCheckpoint::encoded(const QuantizedModule &module) const
{
    if (!module.format) {
        return makeError(ErrorCode::Unsupported,
                         fmt::format("group '{}' ({}) is a scheme outside PrismaQuant's formats; "
                                     "it can be listed but not dequantized",
                                     module.group->name, module.group->format))
                .withTensor(module.name);
    }
    const quant::FormatId id = *module.format;
    if (auto st = quant::checkShape(id, module.rows, module.cols); !st) {
        return Error(st.error()).withTensor(module.name);
    }
    quant::EncodedWeight e;
    e.format = id;
    e.rows = module.rows;
    e.cols = module.cols;
    for (const quant::StoredTensorSpec &spec :
         quant::storedTensors(id, module.rows, module.cols, DType::BF16)) {
        const std::string name = module.name + "." + spec.suffix;
        const Checkpoint::Entry *entry = m_checkpoint.find(name);
        if (entry == nullptr) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("missing: {} stores {} {}", quant::formatInfo(id).name,
                                         spec.suffix, describe({name, spec.dtype, spec.shape})))
                    .withTensor(name);
        }
        const TensorInfo &info = *entry->info;
        // Scalars may be stored as [] instead of [1] (compressed-tensors accepts both).
        const bool scalarOk = spec.shape == std::vector<std::uint64_t>{1} && info.shape.empty();
        if (info.dtype != spec.dtype || (info.shape != spec.shape && !scalarOk)) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("{} stores it as {}, found {}", quant::formatInfo(id).name,
                                         describe({name, spec.dtype, spec.shape}), describe(info)))
                    .withTensor(name);
        }
        const auto bytes = m_checkpoint.view(*entry).data;
        e.tensors.push_back({spec, std::vector<std::byte>(bytes.begin(), bytes.end())});
    }
    for (const char *extra : {".weight_zero_point", ".weight_g_idx"}) {
        if (m_checkpoint.find(module.name + extra) != nullptr) {
            return makeError(ErrorCode::Unsupported,
                             "zero points / activation ordering are not read back")
                    .withTensor(module.name + extra);
        }
    }
    PQ_TRY_STATUS(quant::checkEncoded(e));
    return e;
}

Status CompressedCheckpoint::dequantize(const QuantizedModule &module,
                                        quant::QuantBackend &backend,
                                        std::span<float> out) const
{
    if (out.size() != module.rows * module.cols) {
        return makeError(ErrorCode::InvalidArgument, "output buffer of the wrong size")
                .withTensor(module.name);
    }
    auto e = encoded(module);
    if (!e) {
        return std::move(e).error();
    }
    return backend.decode(*e, out);
}

std::optional<float> CompressedCheckpoint::inputAmax(const QuantizedModule &module) const
{
    const Checkpoint::Entry *entry = m_checkpoint.find(module.name + ".input_global_scale");
    if (entry == nullptr || entry->info->dtype != DType::F32 || entry->info->byteSize() != 4) {
        return std::nullopt;
    }
    float g = 0.0F;
    std::memcpy(&g, m_checkpoint.view(*entry).data.data(), sizeof g);
    if (!(g > 0.0F) || !std::isfinite(g)) {
        return std::nullopt;
    }
    return 448.0F * 6.0F / g;  // G = 448·6 / amax
}

namespace {

std::string describeScheme(const SchemeGroup &g)
{
    if (const auto id = formatOfScheme(g)) {
        return std::string(quant::formatInfo(*id).name);
    }
    if (!g.weights) {
        return "no weights";
    }
    const QuantArgs &w = *g.weights;
    std::string d = fmt::format("{} {}-bit {}", w.type, w.numBits, w.strategy);
    if (w.groupSize && *w.groupSize > 0) {
        d += fmt::format(" {}", *w.groupSize);
    }
    if (!w.symmetric) {
        d += " asymmetric";
    }
    return d + (g.inputs ? fmt::format(", {} {}-bit inputs", g.inputs->type, g.inputs->numBits)
                         : std::string(", weight-only"));
}

}  // namespace

CompressedSummary summarize(const CompressedCheckpoint &checkpoint)
{
    const QuantizationConfig &c = checkpoint.config();
    CompressedSummary s;
    s.format = c.format;
    s.version = c.version;
    s.ignoreEntries = c.ignore.size();
    for (const SchemeGroup &g : c.groups) {
        s.groups.push_back({g.name, g.format, describeScheme(g), 0});
    }
    for (const QuantizedModule &m : checkpoint.modules()) {
        const auto at = static_cast<std::size_t>(m.group - c.groups.data());
        ++s.groups.at(at).modules;
        ++s.modulesByScheme[s.groups[at].scheme];
    }
    return s;
}

std::string summaryToJson(const CompressedSummary &summary)
{
    nlohmann::ordered_json groups = nlohmann::ordered_json::array();
    for (const CompressedSummary::Group &g : summary.groups) {
        groups.push_back({{"name", g.name},
                          {"format", g.ctFormat},
                          {"scheme", g.scheme},
                          {"modules", g.modules}});
    }
    return nlohmann::ordered_json{{"format", summary.format},
                                  {"version", summary.version},
                                  {"groups", groups},
                                  {"modules_by_scheme", summary.modulesByScheme},
                                  {"ignore_entries", summary.ignoreEntries}}
            .dump();
}

std::string summaryToText(const CompressedSummary &summary)
{
    std::vector<std::string> mix;
    std::size_t total = 0;
    for (const auto &[scheme, n] : summary.modulesByScheme) {
        mix.push_back(fmt::format("{} {}", n, scheme));
        total += n;
    }
    std::string out = fmt::format("Quantized    compressed-tensors {} (written for {}): {} Linears "
                                  "— {}\n",
                                  summary.format, summary.version.empty() ? "?" : summary.version,
                                  total, fmt::join(mix, " · "));
    for (const CompressedSummary::Group &g : summary.groups) {
        out += fmt::format("  {:<10} {:<22} {:<28} {} modules\n", g.name, g.ctFormat, g.scheme,
                           g.modules);
    }
    return out;
}

}  // namespace pq::core::ct
