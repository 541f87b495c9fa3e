// SPDX-License-Identifier: MIT
#pragma once

#include "core/util/error.h"

namespace pq::cli {

/** Process exit codes (documented in docs/cli.md; every error case in docs/errors.md). */
inline constexpr int EXIT_OK = 0;
inline constexpr int EXIT_USAGE = 1;      ///< bad command line
inline constexpr int EXIT_INPUT = 2;      ///< bad or unsupported input (file, model, config)
inline constexpr int EXIT_CANCELLED = 3;  ///< interrupted by the user (Ctrl-C)
inline constexpr int EXIT_IO = 4;         ///< reading or writing failed (disk full, permissions)

/**
 * The exit code for an engine error: Cancelled → 3, Io and NoSpace → 4, InvalidArgument (a
 * command-line value out of range or inconsistent) → 1, everything about the input files and
 * directories (NotFound, InvalidFormat, Unsupported, AlreadyQuantized, UnsafePath) → 2.
 */
int exitCodeFor(const core::Error &error);

}  // namespace pq::cli
