// SPDX-License-Identifier: MIT
#pragma once

#include "core/util/job_context.h"

namespace pq::cli {

/**
 * While alive, SIGINT (Ctrl-C) and SIGTERM request cancellation of `ctx` instead of killing the
 * process, so a job stops at its next safe point and cleans up (the exporter removes its
 * temporary directory, the probe keeps its resume state); a second signal ends the process at once.
 * The previous handlers come back on destruction. One scope at a time.
 */
class InterruptScope
{
public:
    explicit InterruptScope(core::JobContext &ctx);
    ~InterruptScope();
    InterruptScope(const InterruptScope &) = delete;
    InterruptScope &operator=(const InterruptScope &) = delete;

private:
    void (*m_oldInt)(int) = nullptr;
    void (*m_oldTerm)(int) = nullptr;
};

}  // namespace pq::cli
