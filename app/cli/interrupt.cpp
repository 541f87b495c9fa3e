// SPDX-License-Identifier: MIT
#include "app/cli/interrupt.h"

#include <csignal>

namespace pq::cli {
namespace {

core::JobContext *g_ctx = nullptr;

extern "C" void onInterrupt(int /*signal*/)
{
    if (g_ctx != nullptr) {
        g_ctx->requestCancel();  // a lock-free atomic store: safe in a signal handler
    }
}

}  // namespace

InterruptScope::InterruptScope(core::JobContext &ctx)
{
    g_ctx = &ctx;

    // SA_RESETHAND: the first signal asks for a clean stop, a second one ends the process at
    // once (what a user pressing Ctrl-C twice means); the next run cleans up after it.
    struct sigaction action
    {};

    action.sa_handler = onInterrupt;
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    sigemptyset(&action.sa_mask);

    struct sigaction oldInt
    {};

    struct sigaction oldTerm
    {};

    ::sigaction(SIGINT, &action, &oldInt);
    ::sigaction(SIGTERM, &action, &oldTerm);
    m_oldInt = oldInt.sa_handler;
    m_oldTerm = oldTerm.sa_handler;
}

InterruptScope::~InterruptScope()
{
    std::signal(SIGINT, m_oldInt == SIG_ERR ? SIG_DFL : m_oldInt);
    std::signal(SIGTERM, m_oldTerm == SIG_ERR ? SIG_DFL : m_oldTerm);
    g_ctx = nullptr;
}

}  // namespace pq::cli
