// SPDX-License-Identifier: MIT
// RUN_DIR/pins.json: formats the user fixed for some Linears (the Studio's "Pin to…"), which
// every allocation of the run honours — the Studio's and `prismaquant allocate`'s alike. Schema
// "prismaquant.pins/1": {"schema", "pins": [{"pattern": REGEX, "format": NAME}, …]}; a pattern
// is an ECMAScript regex searched in Linear names, as `allocate --pin` takes it.
#pragma once

#include <string>
#include <vector>

#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::core::pipeline {

struct Pin
{
    std::string pattern;
    quant::FormatId format = quant::FormatId::BF16;

    friend bool operator==(const Pin &, const Pin &) = default;
};

/** The pattern that matches exactly the Linear named `name` ("^model\.layers\.0\.…$"). */
std::string exactPattern(const std::string &name);

/** Whether the pin `pattern` holds the Linear `name`, as the allocator reads pins (an invalid
 *  regex holds none). */
bool pinMatches(const std::string &pattern, const std::string &name);

/** RUN_DIR/pins.json; a missing file means no pins. InvalidFormat naming the file otherwise. */
Result<std::vector<Pin>> readPins(const std::string &runDir);

/** Writes RUN_DIR/pins.json atomically (no pins: the file is removed). */
Status writePins(const std::string &runDir, const std::vector<Pin> &pins);

}  // namespace pq::core::pipeline
