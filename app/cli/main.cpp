// SPDX-License-Identifier: MIT
// prismaquant: the headless command-line front end. Each subcommand lives in its own file and
// registers itself here; this file only wires CLI11 and maps errors to exit codes.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"

int main(int argc, char **argv)
{
    CLI::App app{"PrismaQuant: per-Linear mixed-precision quantization of LLMs, chosen by "
                 "measurement.\n\nExamples:\n"
                 "  prismaquant inspect ~/models/Qwen3-8B\n"
                 "  prismaquant inspect ~/models/Qwen3-8B --json > inventory.json\n"
                 "  prismaquant formats --shape 4096,11008\n",
                 "prismaquant"};
    app.set_version_flag("--version", std::string("prismaquant ") + PQ_VERSION);
    app.require_subcommand(1);
    pq::cli::CommandRegistry registry;
    pq::cli::registerInspect(app, registry);
    pq::cli::registerSynth(app, registry);
    pq::cli::registerFormats(app, registry);
    pq::cli::registerTokenize(app, registry);
    pq::cli::registerAllocate(app, registry);
    pq::cli::registerExport(app, registry);
#ifdef PQ_HAVE_TORCH
    pq::cli::registerProbe(app, registry);
    pq::cli::registerEval(app, registry);
#endif
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        const int rc = app.exit(e);
        return rc == 0 ? pq::cli::EXIT_OK : pq::cli::EXIT_USAGE;
    }
    return registry.run();
}
