// SPDX-License-Identifier: MIT
// The validation checklist as text (what `prismaquant validate` prints) and as the documented
// JSON (docs/validate.md); the checks themselves are in validate.cpp and validate_groups.cpp.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/model/validate.h"

namespace pq::core {

std::string validationToJson(const ModelInventory &inv,
                             const std::vector<ValidationCheck> &checks,
                             const std::string &modelDir)
{
    nlohmann::ordered_json items = nlohmann::ordered_json::array();
    std::size_t failed = 0;
    for (const ValidationCheck &c : checks) {
        failed += c.ok ? 0 : 1;
        items.push_back({{"id", c.id},
                         {"title", c.title},
                         {"ok", c.ok},
                         {"reason", c.reason},
                         {"details", c.details}});
    }
    const nlohmann::ordered_json j = {{"schema", VALIDATE_SCHEMA},
                                      {"model_dir", modelDir},
                                      {"model_type", inv.config.modelType},
                                      {"profile", std::string(inv.profile->name)},
                                      {"generic_fallback", inv.genericFallback},
                                      {"tensor_source", std::string(tensorSourceName(inv.source))},
                                      {"ok", failed == 0},
                                      {"passed", checks.size() - failed},
                                      {"failed", failed},
                                      {"checks", items},
                                      {"warnings", inv.warnings}};
    return j.dump(2);
}

std::string validationToText(const ModelInventory &inv,
                             const std::vector<ValidationCheck> &checks,
                             const std::string &modelDir)
{
    std::string out =
            fmt::format("Validating {} (model_type {}, profile {}, tensors from {})\n", modelDir,
                        inv.config.modelType, inv.profile->name, tensorSourceName(inv.source));
    std::size_t width = 0;
    for (const ValidationCheck &c : checks) {
        width = std::max(width, c.id.size());
    }
    std::size_t failed = 0;
    for (const ValidationCheck &c : checks) {
        failed += c.ok ? 0 : 1;
        out += fmt::format("  {} {:<{}}  {}\n", c.ok ? "✓" : "✗", c.id, width, c.reason);
    }
    out += failed == 0 ? fmt::format("All {} checks passed.\n", checks.size())
                       : fmt::format("{} of {} checks failed.\n", failed, checks.size());
    // Not checks (they do not fail validation) but worth knowing before a run: e.g. a missing
    // tokenizer.json, which only the probe and eval need.
    for (const std::string &w : inv.warnings) {
        out += fmt::format("Warning: {}\n", w);
    }
    return out;
}

}  // namespace pq::core
