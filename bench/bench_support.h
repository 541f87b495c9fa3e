// SPDX-License-Identifier: MIT
#pragma once

// What the benchmarks that run a whole pipeline share: process time and memory readings, a
// thread that samples memory peaks, and the synthetic checkpoint they write once and reuse.
// Header-only (everything inline): a benchmark may include it from several files.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <sys/resource.h>

#include "core/io/checkpoint.h"
#include "core/model/synthetic_checkpoint.h"

namespace pq::bench {

using Clock = std::chrono::steady_clock;

/** A checksum that touches every byte: the sum of the uint64 words (plus the tail bytes). */
inline std::uint64_t sumWords(std::span<const std::byte> bytes)
{
    const std::size_t words = bytes.size() / 8;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < words; ++i) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes.data() + i * 8, 8);
        sum += w;
    }
    for (std::size_t i = words * 8; i < bytes.size(); ++i) {
        sum += std::to_integer<std::uint64_t>(bytes[i]);
    }
    return sum;
}

[[noreturn]] inline void die(const std::string &tool, const std::string &message)
{
    fmt::print(stderr, "{}: {}\n", tool, message);
    std::exit(1);
}

inline double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/** User + system CPU seconds of the whole process (all threads). */
inline double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const auto sec = [](const timeval &t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    return sec(u.ru_utime) + sec(u.ru_stime);
}

/** getrusage's ru_maxrss, in bytes. */
inline double maxRssBytes()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const long kib = u.ru_maxrss;  // NOLINT(cppcoreguidelines-pro-type-union-access)
    return static_cast<double>(kib) * 1024.0;
}

/** The 1-minute load average: every figure is reported with it (the machine is shared). */
inline double loadAverage()
{
    double one = 0;
    std::ifstream("/proc/loadavg") >> one;
    return one;
}

inline std::string readText(const std::filesystem::path &p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/** Resident memory lines of /proc/self/status, in bytes. */
struct MemorySample
{
    double vmRss = 0, rssAnon = 0, rssFile = 0;
};

inline MemorySample readMemory()
{
    MemorySample s;
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) {
        const auto kb = [&](const char *key, double &out) {
            if (line.rfind(key, 0) == 0) {
                out = std::stod(line.substr(std::char_traits<char>::length(key))) * 1024.0;
            }
        };
        kb("VmRSS:", s.vmRss);
        kb("RssAnon:", s.rssAnon);
        kb("RssFile:", s.rssFile);
    }
    return s;
}

/**
 * Peaks of readMemory(), sampled every 10 ms on a thread between start() and stop(). `onTick`
 * (optional) runs on the sampling thread at every sample, for a benchmark's own readings.
 */
class PeakSampler
{
public:
    struct Peak
    {
        MemorySample memory;
        double vmRssAt = 0;  ///< seconds after start() when VmRSS peaked
    };

    explicit PeakSampler(std::function<void(std::uint64_t tick)> onTick = {})
        : m_onTick(std::move(onTick))
    {}

    void start()
    {
        m_peak = {readMemory(), 0.0};
        m_run = true;
        const Clock::time_point t0 = Clock::now();
        m_thread = std::thread([this, t0] {
            for (std::uint64_t tick = 0; m_run; ++tick) {
                const MemorySample s = readMemory();
                if (s.vmRss > m_peak.memory.vmRss) {
                    m_peak.memory.vmRss = s.vmRss;
                    m_peak.vmRssAt = secondsSince(t0);
                }
                m_peak.memory.rssAnon = std::max(m_peak.memory.rssAnon, s.rssAnon);
                m_peak.memory.rssFile = std::max(m_peak.memory.rssFile, s.rssFile);
                if (m_onTick) {
                    m_onTick(tick);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
    }

    Peak stop()
    {
        m_run = false;
        m_thread.join();
        return m_peak;
    }

private:
    std::function<void(std::uint64_t)> m_onTick;
    std::atomic<bool> m_run{false};
    std::thread m_thread;
    Peak m_peak;
};

/**
 * Writes the synthetic checkpoint of `configJson` into `dir` once (writeSyntheticCheckpoint,
 * seed 0) and reuses it while its config.json is unchanged. A folder without this benchmark's
 * `marker` file is never deleted (it could be a real model).
 */
inline void ensureSyntheticModel(const std::string &tool,
                                 const std::string &dir,
                                 const std::string &configJson,
                                 const char *marker,
                                 std::uint64_t maxShardBytes)
{
    namespace fs = std::filesystem;
    const fs::path root(dir);
    if (readText(root / "config.json") == configJson && fs::exists(root / marker) &&
        core::Checkpoint::open(dir)) {
        return;
    }
    if (fs::exists(root)) {
        if (!fs::exists(root / marker)) {
            die(tool,
                dir + " exists and was not written by " + tool + "; choose another --model-dir");
        }
        fs::remove_all(root);
    }
    fmt::print(stderr, "writing the synthetic checkpoint to {} (once) ...\n", dir);
    const Clock::time_point t0 = Clock::now();
    core::CheckpointWriterOptions options;
    options.maxShardBytes = maxShardBytes;
    const core::JobContext ctx;
    const core::Status st = core::writeSyntheticCheckpoint(configJson, dir, 0, options, ctx);
    if (!st) {
        die(tool, st.error().message());
    }
    std::ofstream(root / marker) << "written by " << tool << "; deleted when its config changes\n";
    fmt::print(stderr, "  written in {:.1f} s\n", secondsSince(t0));
}

}  // namespace pq::bench
