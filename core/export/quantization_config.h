// SPDX-License-Identifier: MIT
#pragma once

// config.json's `quantization_config` for compressed-tensors checkpoints
// (reference/compressed-tensors.md §3–4): built for an export, and parsed, with vLLM's rule for
// which group a module belongs to, for read-back.

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/inventory.h"
#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::core::ct {

/** The compressed-tensors version whose config schema we write (`version`), and test against. */
inline constexpr std::string_view CT_VERSION = "0.20.0";

/** The QuantizationArgs fields a reader needs (others are accepted and ignored). */
struct QuantArgs
{
    int numBits = 8;
    std::string type = "int";  ///< "int" or "float"
    bool symmetric = true;
    std::string strategy;  ///< tensor, channel, group, block, token, tensor_group, attn_head
    std::optional<std::int64_t> groupSize;
    std::optional<std::pair<std::int64_t, std::int64_t>> block;  ///< block_structure
    std::string dynamic = "false";                               ///< "false", "true" or "local"
    std::string scaleDtype;                                      ///< "torch.uint8", or ""
    bool actorder = false;                                       ///< weight_g_idx present
};

/**
 * A module-name target as vLLM applies it: "re:<pattern>" is a Python regex matched at the start
 * of the name (re.match; patterns anchor the end with `$` themselves); a name with a dot matches
 * that module exactly; "Linear" is a class target and matches every Linear. Other class names
 * are refused when parsing (read-back sees only checkpoint names, not vLLM's classes).
 */
class NameMatcher
{
public:
    static Result<NameMatcher> create(const std::string &target);

    /** Whether the target selects the Linear module `module` (checkpoint name, no suffix). */
    bool matchesLinear(const std::string &module) const;

    /** A class target ("Linear"): vLLM tries these only after every name and regex target. */
    bool isClassTarget() const { return m_anyLinear; }

    const std::string &text() const { return m_text; }

private:
    std::string m_text;
    std::shared_ptr<const std::regex> m_regex;  ///< shared: std::regex copies are expensive
    bool m_anyLinear = false;
};

/** One config group (QuantizationScheme). */
struct SchemeGroup
{
    std::string name;  ///< key in config_groups
    std::vector<NameMatcher> targets;
    std::optional<QuantArgs> weights;
    std::optional<QuantArgs> inputs;
    std::string format;  ///< the group's format, else the top-level one (never mixed-precision)
};

/** A parsed `quantization_config` of quant_method compressed-tensors. */
struct QuantizationConfig
{
    std::string format;  ///< top-level format ("mixed-precision", "nvfp4-pack-quantized", ...)
    std::string version;
    std::vector<SchemeGroup> groups;  ///< in config order (vLLM's first-hit order)
    std::vector<NameMatcher> ignore;

    /**
     * The group vLLM gives a Linear module (checkpoint name without the parameter suffix), by
     * vLLM's find_matched_target: `ignore` first; then name and regex targets of all groups,
     * where a target listed in several groups belongs to the last (vLLM keys them in one map);
     * then class targets. nullptr = unquantized (also for a group without weights).
     */
    const SchemeGroup *schemeFor(const std::string &module) const;
};

/**
 * Parses config.json text. Errors: no quantization_config (NotFound), another quant_method
 * (Unsupported, naming it), malformed groups or a regex std::regex cannot compile
 * (InvalidFormat, naming the group and target).
 */
Result<QuantizationConfig> parseQuantizationConfig(std::string_view configJson);

/** Which of our formats a group is; nullopt for schemes outside our menu (still readable). */
std::optional<quant::FormatId> formatOfScheme(const SchemeGroup &g);

/**
 * The `quantization_config` object (JSON text) for `formats` (every Linear of `inventory` →
 * its format; BF16 = not quantized). One group per format in use, named after it, with full
 * QuantizationArgs and its own `format`; targets are anchored `re:` patterns, one per decoder
 * layer and format, that match the checkpoint names and vLLM's (profile renames); `ignore`
 * lists lm_head, the routers and every BF16 Linear. Precondition: every fused group has one
 * format, and no format is MXFP6 (checked by the exporter).
 */
std::string buildQuantizationConfig(const ModelInventory &inventory,
                                    const std::map<std::string, quant::FormatId> &formats);

}  // namespace pq::core::ct
