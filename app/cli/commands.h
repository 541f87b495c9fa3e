// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/quant/format_spec.h"
#include "core/util/error.h"
#include "core/util/result.h"

namespace pq::cli {

/** Holds the action of the subcommand that was selected on the command line. */
class CommandRegistry
{
public:
    using Action = std::function<int()>;

    /** Registers `action` to run when `sub` was given. */
    void add(CLI::App *sub, Action action) { m_commands.push_back({sub, std::move(action)}); }

    /** Runs the parsed subcommand; returns its exit code. */
    int run() const;

private:
    struct Entry
    {
        CLI::App *sub;
        Action action;
    };

    std::vector<Entry> m_commands;
};

/** Prints `error: MESSAGE` on stderr and returns the error's exit code (exit_codes.h). */
int fail(const core::Error &error);

/** A format name from the command line; InvalidArgument naming `prismaquant formats` if unknown. */
core::Result<core::quant::FormatId> parseFormatArg(const std::string &name);

void registerInspect(CLI::App &app, CommandRegistry &registry);
void registerSynth(CLI::App &app, CommandRegistry &registry);
void registerFormats(CLI::App &app, CommandRegistry &registry);
void registerTokenize(CLI::App &app, CommandRegistry &registry);
void registerAllocate(CLI::App &app, CommandRegistry &registry);
void registerExport(CLI::App &app, CommandRegistry &registry);
void registerValidate(CLI::App &app, CommandRegistry &registry);
void registerRun(CLI::App &app, CommandRegistry &registry);
void registerMerge(CLI::App &app, CommandRegistry &registry);
#ifdef PQ_HAVE_TORCH
void registerProbe(CLI::App &app, CommandRegistry &registry);
void registerEval(CLI::App &app, CommandRegistry &registry);
#endif

}  // namespace pq::cli
