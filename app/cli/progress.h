// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/util/job_context.h"

namespace pq::cli {

/**
 * Prints job progress on stderr: one live line (rewritten in place, with rate and ETA) on a
 * terminal, plain lines at most every few seconds otherwise (logs, pipes, CI).
 * Single-threaded: call the callback from the job's thread only.
 */
class ProgressPrinter
{
public:
    ProgressPrinter();

    core::JobContext::ProgressFn callback();

    /** Prints a job's message on its own line (ending a live progress line first). */
    core::JobContext::LogFn logger();

    /** Ends the live line. */
    void finish();

    /**
     * Also writes every printer's messages and progress (plain lines, at most every 5 s per
     * stage, and each stage's last) to `log`, process-wide; nullptr stops. `prismaquant run` points
     * it at RUN_DIR/run.log. The caller owns the file and keeps it open while printers run.
     */
    static void setLogFile(std::FILE *log);

private:
    void update(std::string_view stage, std::uint64_t done, std::uint64_t total);

    bool m_tty = false;
    bool m_open = false;
    std::string m_stage;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last;
    std::chrono::steady_clock::time_point m_lastLogged;
};

/** "2026-11-27T15:04:05Z  " — the prefix of run.log lines. */
std::string logTimestamp();

}  // namespace pq::cli
