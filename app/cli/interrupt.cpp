// SPDX-License-Identifier: MIT
#include "app/cli/interrupt.h"

#include <atomic>
#include <csignal>

namespace pq::cli {
namespace {

/** The innermost scope's context (the handler may run on any thread: atomic, lock-free). */
std::atomic<core::JobContext *> g_ctx{nullptr};

extern "C" void onInterrupt(int /*signal*/)
{
    if (core::JobContext *ctx = g_ctx.load(); ctx != nullptr) {
        ctx->requestCancel();  // a lock-free atomic store: safe in a signal handler
    }
}

}  // namespace

InterruptScope::InterruptScope(core::JobContext &ctx)
    : m_outerCtx(g_ctx.load())
{
    g_ctx.store(&ctx);

    // SA_RESETHAND: the first signal asks for a clean stop, a second one ends the process at
    // once (what a user pressing Ctrl-C twice means); the next run cleans up after it.
    struct sigaction action
    {};

    action.sa_handler = onInterrupt;
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &m_oldInt);
    ::sigaction(SIGTERM, &action, &m_oldTerm);
}

InterruptScope::~InterruptScope()
{
    // the context first, so that a signal arriving meanwhile reaches the outer job; a Ctrl-C the
    // inner job heard but finished anyway (it came after its last check) is passed outwards
    core::JobContext *inner = g_ctx.exchange(m_outerCtx);
    if (inner != nullptr && inner->isCancelled() && m_outerCtx != nullptr) {
        m_outerCtx->requestCancel();
    }
    ::sigaction(SIGINT, &m_oldInt, nullptr);
    ::sigaction(SIGTERM, &m_oldTerm, nullptr);
}

}  // namespace pq::cli
