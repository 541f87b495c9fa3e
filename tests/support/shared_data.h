// SPDX-License-Identifier: MIT
#pragma once

// Locates ../shared/data (the real third-party test files). A missing directory is a hard test
// failure, never a skip: CI always has it, and a silently skipped golden test proves nothing.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <QtTest>

namespace pq::test {

inline std::string sharedDataDir()
{
    if (const char *env = std::getenv("PQ_SHARED_DATA_DIR")) {
        return env;
    }
    return PQ_SHARED_DATA_DIR;
}

/** The path of `rel` under shared/data; fails the calling test when the directory is missing. */
inline std::string sharedData(const std::string &rel)
{
    const std::string dir = sharedDataDir();
    if (!std::filesystem::is_directory(dir)) {
        qFatal("shared test data not found at %s (expected ../shared/data beside the checkout; "
               "set PQ_SHARED_DATA_DIR to override)",
               dir.c_str());
    }
    return (std::filesystem::path(dir) / rel).string();
}

}  // namespace pq::test
