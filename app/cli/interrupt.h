// SPDX-License-Identifier: MIT
#pragma once

#include <csignal>

#include "core/util/job_context.h"

namespace pq::cli {

/**
 * While alive, SIGINT (Ctrl-C) and SIGTERM request cancellation of `ctx` instead of killing the
 * process, so a job stops at its next safe point and cleans up (the exporter removes its
 * temporary directory, the probe keeps its resume state); a second signal ends the process at once.
 * Scopes nest: an inner scope (a stage of `run`) takes the signals, and its end gives them back
 * to the outer one (`run` itself, between stages), with the handlers and context it had; a
 * cancellation the inner job received is passed on to the outer one.
 */
class InterruptScope
{
public:
    explicit InterruptScope(core::JobContext &ctx);
    ~InterruptScope();
    InterruptScope(const InterruptScope &) = delete;
    InterruptScope &operator=(const InterruptScope &) = delete;

private:
    core::JobContext *m_outerCtx = nullptr;

    struct sigaction m_oldInt
    {};

    struct sigaction m_oldTerm
    {};
};

}  // namespace pq::cli
