// SPDX-License-Identifier: MIT
#include "core/export/quantization_config.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/quant/format_spec.h"
#include "core/util/assert.h"

namespace pq::core::ct {
namespace {

using json = nlohmann::ordered_json;
using quant::FormatId;

// ---- writing ---------------------------------------------------------------------------------

/** QuantizationArgs with every field, as llm-compressor serialises them (keys sorted). */
json args(int bits,
          const char *type,
          const char *strategy,
          std::optional<int> groupSize,
          const json &dynamic,
          const char *scaleDtype,
          const char *observer)
{
    return json{{"actorder", nullptr},
                {"block_structure", nullptr},
                {"dynamic", dynamic},
                {"group_size", groupSize ? json(*groupSize) : json(nullptr)},
                {"num_bits", bits},
                {"observer", observer != nullptr ? json(observer) : json(nullptr)},
                {"observer_kwargs", json::object()},
                {"scale_dtype", scaleDtype != nullptr ? json(scaleDtype) : json(nullptr)},
                {"strategy", strategy},
                {"symmetric", true},
                {"type", type},
                {"zp_dtype", nullptr}};
}

constexpr const char *WEIGHT_OBSERVER = "memoryless_minmax";
constexpr const char *FP8_SCALE = "torch.float8_e4m3fn";
constexpr const char *E8M0_SCALE = "torch.uint8";

/** {weights, input_activations} of a format (reference/compressed-tensors.md §3.5–3.6). */
std::pair<json, json> schemeArgs(FormatId id)
{
    switch (id) {
    case FormatId::FP8Dynamic:
        return {args(8, "float", "channel", {}, false, nullptr, WEIGHT_OBSERVER),
                args(8, "float", "token", {}, true, nullptr, nullptr)};
    case FormatId::MXFP8:
        return {args(8, "float", "group", 32, false, E8M0_SCALE, WEIGHT_OBSERVER),
                args(8, "float", "group", 32, true, E8M0_SCALE, nullptr)};
    case FormatId::NVFP4:
        return {args(4, "float", "tensor_group", 16, false, FP8_SCALE, WEIGHT_OBSERVER),
                args(4, "float", "tensor_group", 16, "local", FP8_SCALE, "static_minmax")};
    case FormatId::NVFP4A16:
        return {args(4, "float", "tensor_group", 16, false, FP8_SCALE, WEIGHT_OBSERVER), nullptr};
    case FormatId::MXFP4:
        return {args(4, "float", "group", 32, false, E8M0_SCALE, WEIGHT_OBSERVER),
                args(4, "float", "group", 32, true, E8M0_SCALE, nullptr)};
    case FormatId::W4A16:
        return {args(4, "int", "group", 128, false, nullptr, WEIGHT_OBSERVER), nullptr};
    case FormatId::W8A16:
        return {args(8, "int", "group", 128, false, nullptr, WEIGHT_OBSERVER), nullptr};
    case FormatId::W8A16Channel:
        return {args(8, "int", "channel", {}, false, nullptr, WEIGHT_OBSERVER), nullptr};
    case FormatId::BF16:
    case FormatId::MXFP6E2M3:
    case FormatId::MXFP6E3M2:
        break;
    }
    PQ_ASSERT(!"format has no compressed-tensors scheme");
    return {};
}

std::string escapeRegex(std::string_view s)
{
    std::string out;
    for (const char c : s) {
        if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

/** "model.layers.3." of a name inside a decoder (or MTP) layer; "" for other modules. */
std::string layerPrefix(const std::string &name)
{
    static const std::regex LAYER(R"(^(.*?\blayers\.\d+\.))");
    std::smatch m;
    return std::regex_search(name, m, LAYER) ? m[1].str() : std::string();
}

/**
 * Anchored `re:` patterns that select exactly `linears` (indices into inventory.linears) by
 * their checkpoint names and by vLLM's: one pattern per layer, the experts of a layer as one
 * alternative with `\d+` for the expert index.
 */
std::vector<std::string> patternsFor(const ModelInventory &inv,
                                     const std::vector<std::size_t> &linears)
{
    constexpr char EXPERT_INDEX = '\x01';  // stands for the expert index until escaped
    std::map<std::string, std::set<std::string>> byPrefix;  // layer prefix → rests of the names
    for (const std::size_t i : linears) {
        const LinearInfo &l = inv.linears[i];
        const std::string prefix = layerPrefix(l.name);
        std::string rest = l.name.substr(prefix.size());
        if (l.expert >= 0) {
            const std::string index = fmt::format(".{}.", l.expert);
            const auto at = rest.find(index);
            PQ_ASSERT(at != std::string::npos);  // the expert index is part of its name
            rest.replace(at + 1, index.size() - 2, 1, EXPERT_INDEX);
        }
        byPrefix[prefix].insert(rest);
    }
    const auto escaped = [&](const std::string &name) {
        std::string out = escapeRegex(name);
        for (auto at = out.find(EXPERT_INDEX); at != std::string::npos;
             at = out.find(EXPERT_INDEX, at)) {
            out.replace(at, 1, "\\d+");
        }
        return out;
    };
    const auto withVllm = [&](const std::string &name) {  // checkpoint and vLLM spellings
        const std::string vllm = inv.profile ? toVllmName(*inv.profile, name) : name;
        return vllm == name ? escaped(name)
                            : fmt::format("(?:{}|{})", escaped(name), escaped(vllm));
    };
    std::vector<std::string> out;
    for (const auto &[prefix, rests] : byPrefix) {
        if (prefix.empty()) {  // modules outside decoder layers (e.g. mtp.fc): one pattern each
            for (const std::string &r : rests) {
                out.push_back(fmt::format("re:^{}$", withVllm(r)));
            }
            continue;
        }
        std::vector<std::string> alts;
        for (const std::string &r : rests) {
            alts.push_back(escaped(r));
        }
        out.push_back(fmt::format("re:^{}{}$", withVllm(prefix),
                                  alts.size() == 1 ? alts.front()
                                                   : fmt::format("(?:{})", fmt::join(alts, "|"))));
    }
    return out;
}

// ---- reading ---------------------------------------------------------------------------------

Error badConfig(const std::string &what)
{
    return makeError(ErrorCode::InvalidFormat, "quantization_config: " + what);
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

Result<QuantArgs> parseArgs(const json &j, const std::string &where)
{
    if (!j.is_object()) {
        return badConfig(where + " is not an object");
    }
    QuantArgs a;
    try {
        a.numBits = j.value("num_bits", 8);
        a.type = lower(j.value("type", std::string("int")));
        a.symmetric = j.value("symmetric", true);
        if (j.contains("group_size") && !j["group_size"].is_null()) {
            a.groupSize = j["group_size"].get<std::int64_t>();
        }
        if (j.contains("strategy") && !j["strategy"].is_null()) {
            a.strategy = lower(j["strategy"].get<std::string>());
        } else {  // compressed-tensors infers it from group_size
            a.strategy = !a.groupSize ? "tensor" : *a.groupSize < 0 ? "channel" : "group";
        }
        if (j.contains("block_structure") && !j["block_structure"].is_null()) {
            const auto &b = j["block_structure"];
            if (b.is_string()) {  // "128x128", the only form up to 0.10
                const auto s = b.get<std::string>();
                const auto x = s.find('x');
                a.block = {std::stoll(s.substr(0, x)), std::stoll(s.substr(x + 1))};
            } else {
                a.block = {b.at(0).get<std::int64_t>(), b.at(1).get<std::int64_t>()};
            }
        }
        if (j.contains("dynamic")) {
            const auto &d = j["dynamic"];
            a.dynamic = d.is_string()   ? lower(d.get<std::string>())
                        : d.get<bool>() ? "true"
                                        : "false";
        }
        if (j.contains("scale_dtype") && !j["scale_dtype"].is_null()) {
            a.scaleDtype = j["scale_dtype"].get<std::string>();
        }
        if (j.contains("actorder") && !j["actorder"].is_null()) {
            const auto &o = j["actorder"];
            a.actorder = o.is_boolean() ? o.get<bool>() : lower(o.get<std::string>()) == "group";
        }
    } catch (const nlohmann::json::exception &e) {
        return badConfig(fmt::format("{}: {}", where, e.what()));
    } catch (const std::exception &) {  // std::stoll on a malformed block_structure
        return badConfig(where + ": malformed block_structure");
    }
    if (a.numBits < 1 || a.numBits > 16) {
        return badConfig(fmt::format("{}: num_bits {} out of range", where, a.numBits));
    }
    return a;
}

}  // namespace

// ---- NameMatcher -----------------------------------------------------------------------------

Result<NameMatcher> NameMatcher::create(const std::string &target)
{
    NameMatcher m;
    m.m_text = target;
    if (target.starts_with("re:")) {
        // libstdc++ compiles and matches regexes recursively: an adversarial pattern in an
        // untrusted config.json could exhaust the stack. Real targets are short and shallow.
        constexpr std::size_t MAX_TARGET = 4096;
        constexpr int MAX_DEPTH = 32;
        int depth = 0;
        int deepest = 0;
        for (const char c : target) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            deepest = std::max(deepest, depth);
        }
        if (target.size() > MAX_TARGET || deepest > MAX_DEPTH) {
            return badConfig(fmt::format("a target of {} characters nested {} deep is more than "
                                         "this reader accepts ({} characters, {} levels)",
                                         target.size(), deepest, MAX_TARGET, MAX_DEPTH));
        }
        try {
            m.m_regex =
                    std::make_shared<const std::regex>(target.substr(3), std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
            return badConfig(fmt::format("target '{}' is not a regex this reader understands ({})",
                                         target, e.what()));
        }
    } else if (target.find('.') == std::string::npos && target != "lm_head") {
        if (lower(target) != "linear") {
            return makeError(ErrorCode::Unsupported,
                             fmt::format("quantization_config: class target '{}' (only 'Linear' "
                                         "is understood without the model's classes)",
                                         target));
        }
        m.m_anyLinear = true;
    }
    return m;
}

bool NameMatcher::matchesLinear(const std::string &module) const
{
    if (m_anyLinear) {
        return true;
    }
    if (m_regex) {  // Python's re.match: anchored at the start only
        return std::regex_search(module, *m_regex, std::regex_constants::match_continuous);
    }
    return module == m_text;
}

// ---- QuantizationConfig ----------------------------------------------------------------------

const SchemeGroup *QuantizationConfig::schemeFor(const std::string &module) const
{
    for (const NameMatcher &m : ignore) {
        if (m.matchesLinear(module)) {
            return nullptr;
        }
    }
    // vLLM's target map: one entry per target text, the last group listing it wins.
    const auto owner = [&](const NameMatcher &target) {
        const SchemeGroup *last = nullptr;
        for (const SchemeGroup &g : groups) {
            for (const NameMatcher &t : g.targets) {
                if (t.text() == target.text()) {
                    last = &g;
                }
            }
        }
        return last;
    };
    for (const bool classPass : {false, true}) {
        for (const SchemeGroup &g : groups) {
            for (const NameMatcher &m : g.targets) {
                if (m.isClassTarget() == classPass && m.matchesLinear(module)) {
                    const SchemeGroup *o = owner(m);
                    return o->weights ? o : nullptr;
                }
            }
        }
    }
    return nullptr;
}

Result<QuantizationConfig> parseQuantizationConfig(std::string_view configJson)
{
    // ordered_json: config_groups keep the file's order, which decides first hits
    const auto root = json::parse(configJson, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        return makeError(ErrorCode::InvalidFormat, "config.json is not a JSON object");
    }
    if (!root.contains("quantization_config")) {
        return makeError(ErrorCode::NotFound, "config.json has no quantization_config");
    }
    const auto &q = root["quantization_config"];
    if (!q.is_object()) {
        return badConfig("not an object");
    }
    const std::string method = q.value("quant_method", std::string());
    if (method != "compressed-tensors") {
        return makeError(ErrorCode::Unsupported,
                         fmt::format("quant_method '{}' is not compressed-tensors", method));
    }
    QuantizationConfig c;
    try {
        c.format = q.value("format", std::string("dense"));
        c.version = q.contains("version") && q["version"].is_string()
                            ? q["version"].get<std::string>()
                            : std::string();
        if (!q.contains("config_groups") || !q["config_groups"].is_object()) {
            return badConfig("config_groups missing or not an object");
        }
        for (const auto &[name, g] : q["config_groups"].items()) {
            if (!g.is_object()) {
                return makeError(ErrorCode::Unsupported,
                                 fmt::format("quantization_config: group '{}' uses the preset "
                                             "shorthand (a list), which vLLM refuses",
                                             name));
            }
            SchemeGroup group;
            group.name = name;
            const auto &targets = g.at("targets");
            for (const auto &t : targets) {
                auto m = NameMatcher::create(t.get<std::string>());
                if (!m) {
                    return std::move(m).error();
                }
                group.targets.push_back(std::move(*m));
            }
            for (const auto &[key, field] :
                 {std::pair{"weights", &group.weights}, {"input_activations", &group.inputs}}) {
                if (g.contains(key) && !g[key].is_null()) {
                    auto a = parseArgs(g[key], fmt::format("group '{}' {}", name, key));
                    if (!a) {
                        return std::move(a).error();
                    }
                    *field = std::move(*a);
                }
            }
            group.format = g.contains("format") && g["format"].is_string()
                                   ? g["format"].get<std::string>()
                                   : c.format;
            c.groups.push_back(std::move(group));
        }
        if (q.contains("ignore") && q["ignore"].is_array()) {
            for (const auto &t : q["ignore"]) {
                auto m = NameMatcher::create(t.get<std::string>());
                if (!m) {
                    return std::move(m).error();
                }
                c.ignore.push_back(std::move(*m));
            }
        }
    } catch (const nlohmann::json::exception &e) {
        return badConfig(e.what());
    }
    return c;
}

std::optional<quant::FormatId> formatOfScheme(const SchemeGroup &g)
{
    if (!g.weights || !g.weights->symmetric || g.weights->actorder) {
        return std::nullopt;
    }
    const QuantArgs &w = *g.weights;
    const auto gs = w.groupSize.value_or(0);
    const QuantArgs *in = g.inputs ? &*g.inputs : nullptr;
    // Our formats fix the activation quantizer too: a scheme only maps to one of them when its
    // input_activations are that quantizer (or absent for a weight-only format), so that an
    // evaluation of a foreign checkpoint never applies a quantizer vLLM would not.
    const auto inputIs = [&](const char *type, int bits, const char *strategy, const char *dyn) {
        return in != nullptr && in->type == type && in->numBits == bits &&
               in->strategy == strategy && in->dynamic == dyn;
    };
    if (w.type == "float" && w.numBits == 4 && w.strategy == "tensor_group" && gs == 16) {
        if (in == nullptr) {
            return FormatId::NVFP4A16;
        }
        return inputIs("float", 4, "tensor_group", "local") ? std::optional(FormatId::NVFP4)
                                                            : std::nullopt;
    }
    if (w.type == "float" && w.numBits == 4 && w.strategy == "group" && gs == 32) {
        return inputIs("float", 4, "group", "true") ? std::optional(FormatId::MXFP4)
                                                    : std::nullopt;  // MXFP4A16: not ours
    }
    if (w.type == "float" && w.numBits == 8 && w.strategy == "group" && gs == 32) {
        return inputIs("float", 8, "group", "true") ? std::optional(FormatId::MXFP8)
                                                    : std::nullopt;  // MXFP8A16: not ours
    }
    if (w.type == "float" && w.numBits == 8 && w.strategy == "channel") {
        return inputIs("float", 8, "token", "true") ? std::optional(FormatId::FP8Dynamic)
                                                    : std::nullopt;  // weight-only or static
    }
    if (in != nullptr || w.type != "int" || g.format != "pack-quantized") {
        return std::nullopt;
    }
    if (w.strategy == "group" && gs == 128 && (w.numBits == 4 || w.numBits == 8)) {
        return w.numBits == 4 ? FormatId::W4A16 : FormatId::W8A16;
    }
    if (w.strategy == "channel" && w.numBits == 8) {
        return FormatId::W8A16Channel;
    }
    return std::nullopt;
}

// ---- building --------------------------------------------------------------------------------

std::string buildQuantizationConfig(const ModelInventory &inventory,
                                    const std::map<std::string, quant::FormatId> &formats)
{
    std::map<FormatId, std::vector<std::size_t>> byFormat;
    for (std::size_t i = 0; i < inventory.linears.size(); ++i) {
        const auto it = formats.find(inventory.linears[i].name);
        byFormat[it == formats.end() ? FormatId::BF16 : it->second].push_back(i);
    }
    json groups = json::object();
    std::set<std::string> ctFormats;
    for (const auto &[id, linears] : byFormat) {
        if (id == FormatId::BF16) {
            continue;
        }
        const auto [weights, inputs] = schemeArgs(id);
        const std::string_view format = quant::formatInfo(id).ctFormat;
        ctFormats.insert(std::string(format));
        groups[fmt::format("group_{}", groups.size())] = json{
                {"format", format},
                {"input_activations", inputs},
                {"output_activations", nullptr},
                {"targets", patternsFor(inventory, linears)},
                {"weights", weights},
        };
    }
    json ignore = json::array({"lm_head"});
    std::set<std::string> routers;
    for (const ClassifiedTensor &t : inventory.tensors) {
        if (t.kind == TensorKind::Router) {
            const auto dot = t.info.name.rfind('.');
            routers.insert(t.info.name.substr(0, dot));
        }
    }
    for (const std::string &r : routers) {
        ignore.push_back(r);
    }
    if (const auto bf16 = byFormat.find(FormatId::BF16); bf16 != byFormat.end()) {
        for (std::string &p : patternsFor(inventory, bf16->second)) {
            ignore.push_back(std::move(p));
        }
    }
    const json config{
            {"config_groups", groups},
            {"format", ctFormats.size() == 1 ? *ctFormats.begin() : std::string("mixed-precision")},
            {"global_compression_ratio", nullptr},
            {"ignore", ignore},
            {"kv_cache_scheme", nullptr},
            {"quant_method", "compressed-tensors"},
            {"quantization_status", "compressed"},
            {"sparsity_config", json::object()},
            {"transform_config", json::object()},
            {"version", CT_VERSION},
    };
    return config.dump();
}

}  // namespace pq::core::ct
