// SPDX-License-Identifier: MIT
#include "app/cli/commands.h"

#include <cstdio>

#include <fmt/format.h>

#include "app/cli/exit_codes.h"

namespace pq::cli {

int CommandRegistry::run() const
{
    for (const Entry &e : m_commands) {
        if (e.sub->parsed()) {
            return e.action();
        }
    }
    return EXIT_USAGE;
}

int fail(const core::Error &error)
{
    fmt::print(stderr, "error: {}\n", error.message());
    return exitCodeFor(error);
}

core::Result<core::quant::FormatId> parseFormatArg(const std::string &name)
{
    const auto id = core::quant::parseFormatName(name);
    if (!id) {
        return core::makeError(
                core::ErrorCode::InvalidArgument,
                fmt::format("unknown format '{}' (see `prismaquant formats`)", name));
    }
    return *id;
}

int exitCodeFor(const core::Error &error)
{
    switch (error.code) {
    case core::ErrorCode::Cancelled:
        return EXIT_CANCELLED;
    case core::ErrorCode::Io:
    case core::ErrorCode::NoSpace:
        return EXIT_IO;
    case core::ErrorCode::InvalidArgument:
        return EXIT_USAGE;  // core keeps this code for values that come from the command line
    case core::ErrorCode::NotFound:
    case core::ErrorCode::InvalidFormat:
    case core::ErrorCode::Unsupported:
    case core::ErrorCode::AlreadyQuantized:
    case core::ErrorCode::UnsafePath:
        return EXIT_INPUT;
    }
    return EXIT_INPUT;
}

}  // namespace pq::cli
