// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "core/model/inventory.h"

namespace pq::core {

/** Version tag of the inspect JSON schema (docs/inspect-json.md). Bump on incompatible change. */
inline constexpr const char *INSPECT_SCHEMA = "prismaquant.inspect/1";

struct InspectOptions
{
    bool includeLinears = false;  ///< add the per-Linear table ("linears.items")
    std::string modelDir;         ///< echoed in the report
};

/** The inventory as the documented, stable JSON object (pretty-printed, 2-space indent). */
std::string inventoryToJson(const ModelInventory &inv, const InspectOptions &options);

/** The inventory as aligned, human-readable text for a terminal. */
std::string inventoryToText(const ModelInventory &inv, const InspectOptions &options);

}  // namespace pq::core
