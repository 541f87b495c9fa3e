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
    m_oldInt = std::signal(SIGINT, onInterrupt);
    m_oldTerm = std::signal(SIGTERM, onInterrupt);
}

InterruptScope::~InterruptScope()
{
    std::signal(SIGINT, m_oldInt == SIG_ERR ? SIG_DFL : m_oldInt);
    std::signal(SIGTERM, m_oldTerm == SIG_ERR ? SIG_DFL : m_oldTerm);
    g_ctx = nullptr;
}

}  // namespace pq::cli
