// SPDX-License-Identifier: MIT
#include "app/cli/progress.h"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

#include "core/util/human.h"

namespace pq::cli {
namespace {

std::FILE *g_log = nullptr;

void toLog(std::string_view line)
{
    if (g_log != nullptr) {
        fmt::print(g_log, "{}{}\n", logTimestamp(), line);
        std::fflush(g_log);
    }
}

}  // namespace

std::string logTimestamp()
{
    return core::utcTimestamp() + "  ";
}

void ProgressPrinter::setLogFile(std::FILE *log)
{
    g_log = log;
}

ProgressPrinter::ProgressPrinter()
    : m_tty(::isatty(STDERR_FILENO) == 1)
    , m_start(std::chrono::steady_clock::now())
{}

core::JobContext::ProgressFn ProgressPrinter::callback()
{
    return [this](std::string_view stage, std::uint64_t done, std::uint64_t total) {
        update(stage, done, total);
    };
}

core::JobContext::LogFn ProgressPrinter::logger()
{
    return [this](std::string_view message) {
        finish();
        fmt::print(stderr, "{}\n", message);
        toLog(message);
    };
}

void ProgressPrinter::update(std::string_view stage, std::uint64_t done, std::uint64_t total)
{
    using namespace std::chrono;
    const auto now = steady_clock::now();
    if (stage != m_stage) {
        finish();
        m_stage = std::string(stage);
        m_start = now;
        m_last = now - seconds(60);
        m_lastLogged = m_last;
    }
    const bool last = done >= total;
    const auto minGap = m_tty ? milliseconds(100) : milliseconds(5000);
    const bool logIt = g_log != nullptr && (last || now - m_lastLogged >= milliseconds(5000));
    if (!last && now - m_last < minGap && !logIt) {
        return;
    }
    m_last = now;
    const double secs = duration<double>(now - m_start).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    const std::string line = fmt::format(
            "{}: {}/{} ({:.0f}%)  {:.1f}/s  ETA {:.0f}s", m_stage, done, total,
            total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0,
            rate, eta);
    if (logIt) {
        m_lastLogged = now;
        toLog(line);
    }
    if (m_tty) {
        fmt::print(stderr, "\r\033[K{}", line);
        m_open = true;
    } else {
        fmt::print(stderr, "{}\n", line);
    }
    std::fflush(stderr);
}

void ProgressPrinter::finish()
{
    if (m_open) {
        fmt::print(stderr, "\n");
        m_open = false;
    }
}

}  // namespace pq::cli
