// SPDX-License-Identifier: MIT
// prismaquant: the headless command-line front end. Each subcommand lives in its own file and
// registers itself here; this file only wires CLI11 and maps errors to exit codes.
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"

#ifdef PQ_HAVE_TORCH
namespace {

/**
 * libtorch's OpenMP runtime (libgomp) spins while waiting for work unless OMP_WAIT_POLICY says
 * otherwise, and reads the variable when it is loaded, before main(). On a machine that is busy
 * with anything else, spinning threads steal the cores the work needs: the probe benchmark took
 * 334.7 s spinning against 60.7 s passive under a load of 4 on 2 cores (docs/benchmarks.md). So
 * unless the user chose a policy, restart once with PASSIVE set; if that fails, carry on.
 */
void restartWithPassiveOpenMp(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr) {
        return;
    }
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv);
}

}  // namespace
#endif

int main(int argc, char **argv)
{
#ifdef PQ_HAVE_TORCH
    restartWithPassiveOpenMp(argv);
#endif
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
    pq::cli::registerValidate(app, registry);
    pq::cli::registerRun(app, registry);
    pq::cli::registerMerge(app, registry);
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
