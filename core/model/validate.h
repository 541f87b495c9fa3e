// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "core/model/inventory.h"

namespace pq::core {

/** Version tag of the validate JSON (docs/validate.md). Bump on incompatible change. */
inline constexpr const char *VALIDATE_SCHEMA = "prismaquant.validate/1";

/** The outcome of one structural check of a model (docs/validate.md lists them). */
struct ValidationCheck
{
    std::string id;      ///< stable identifier, e.g. "fused_groups"
    std::string title;   ///< what is checked, one line
    bool ok = false;     ///< passed (checks that do not apply pass: "not applicable: ...")
    std::string reason;  ///< one line: why it passed or the first thing that failed
    std::vector<std::string> details;  ///< on failure: every offender (capped), first = reason's
};

/**
 * Runs every structural check on `inv`: profile, classification, source precision, fused
 * groups, expert layout, vLLM names, passthrough prefixes, MTP, menu formats and the probe's
 * forward pass. Pure; derives everything from the inventory and its tensors.
 */
std::vector<ValidationCheck> validateModel(const ModelInventory &inv);

/** True when every check passed. */
bool allPassed(const std::vector<ValidationCheck> &checks);

/** The checks as the documented JSON object (pretty-printed, 2-space indent). */
std::string validationToJson(const ModelInventory &inv,
                             const std::vector<ValidationCheck> &checks,
                             const std::string &modelDir);

/** The checks as ✓/✗ lines for a terminal, with a summary line. */
std::string validationToText(const ModelInventory &inv,
                             const std::vector<ValidationCheck> &checks,
                             const std::string &modelDir);

}  // namespace pq::core
