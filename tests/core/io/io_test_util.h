// SPDX-License-Identifier: MIT
#pragma once

/**
 * Helpers shared by the core/io tests: deterministic tensor bytes, raw safetensors files built
 * byte by byte (for malformed fixtures), checkpoints written with CheckpointWriter (for valid
 * ones), and an error matcher. Everything is header-only and inline; each test executable
 * includes it once.
 */

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <QString>
#include <QtTest>

#include "core/io/checkpoint_writer.h"
#include "core/io/safetensors_header.h"
#include "core/util/error.h"

namespace pq::testutil {

namespace fs = std::filesystem;
using core::DType;
using core::TensorInfo;

using Bytes = std::vector<std::byte>;

inline QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

/** `n` pseudo-random bytes (xorshift32), different for each seed, identical on every run. */
inline Bytes patternBytes(std::size_t n, std::uint32_t seed)
{
    Bytes out(n);
    std::uint32_t x = seed * 2654435761U + 1U;
    for (std::byte &b : out) {
        x ^= x << 13U;
        x ^= x >> 17U;
        x ^= x << 5U;
        b = static_cast<std::byte>(x >> 24U);
    }
    return out;
}

/** The 8-byte little-endian length prefix of a safetensors file. */
inline std::string le64(std::uint64_t v)
{
    std::string out(8, '\0');
    for (char &c : out) {
        c = static_cast<char>(v & 0xFFU);
        v >>= 8U;
    }
    return out;
}

/** A raw file: length prefix, `json` exactly as given (no padding), then `dataBytes` bytes. */
inline std::string rawSafetensors(std::string_view json, std::size_t dataBytes)
{
    std::string out = le64(json.size());
    out.append(json);
    out.append(dataBytes, '\x5A');
    return out;
}

inline std::span<const std::byte> asBytes(std::string_view s)
{
    return std::as_bytes(std::span(s.data(), s.size()));
}

inline bool writeFile(const fs::path &path, std::string_view bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

inline std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/** Sorted file names in `dir` (not recursive). */
inline std::vector<std::string> listDir(const fs::path &dir)
{
    std::vector<std::string> names;
    for (const auto &e : fs::directory_iterator(dir)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

inline TensorInfo tensor(std::string name, DType dtype, std::vector<std::uint64_t> shape)
{
    return TensorInfo{std::move(name), dtype, std::move(shape)};
}

/** The bytes the helpers below write for tensor `t`: pattern seeded by the name. */
inline Bytes bytesFor(const TensorInfo &t)
{
    std::uint32_t seed = 17;
    for (const char c : t.name) {
        seed = seed * 31U + static_cast<unsigned char>(c);
    }
    return patternBytes(t.byteSize().value_or(0), seed);
}

/** Writes a checkpoint with CheckpointWriter, each tensor filled with bytesFor(). */
inline core::Status writeCheckpoint(const fs::path &dir,
                                    const std::vector<TensorInfo> &tensors,
                                    core::CheckpointWriterOptions options = {})
{
    auto writer = core::CheckpointWriter::create(dir.string(), tensors, std::move(options));
    if (!writer) {
        return std::move(writer).error();
    }
    std::map<std::string, const TensorInfo *> byName;
    for (const TensorInfo &t : tensors) {
        byName[t.name] = &t;
    }
    for (const std::string &name : writer->writeOrder()) {
        PQ_TRY_STATUS(writer->writeTensor(name, bytesFor(*byName.at(name))));
    }
    return writer->finish();
}

/** One safetensors file with `tensors` back to back in the given order (no writer involved). */
inline bool writeSafetensorsFile(const fs::path &path, const std::vector<TensorInfo> &tensors)
{
    std::string out = core::buildSafetensorsHeader(tensors, {{"format", "pt"}});
    for (const TensorInfo &t : tensors) {
        const Bytes b = bytesFor(t);
        out.append(reinterpret_cast<const char *>(b.data()), b.size());
    }
    return writeFile(path, out);
}

/**
 * Empty when `e` has `code` and every needle occurs in e.message() (which carries the path, the
 * tensor name and the detail); otherwise a description of the mismatch for QVERIFY2.
 */
inline QString errorMismatch(const core::Error &e,
                             core::ErrorCode code,
                             std::initializer_list<std::string_view> needles)
{
    const std::string msg = e.message();
    QString why;
    if (e.code != code) {
        why += QStringLiteral("code %1, expected %2; ")
                       .arg(qs(core::errorCodeName(e.code)), qs(core::errorCodeName(code)));
    }
    for (const std::string_view needle : needles) {
        if (msg.find(needle) == std::string::npos) {
            why += QStringLiteral("message lacks '%1'; ").arg(qs(needle));
        }
    }
    return why.isEmpty() ? why : why + QStringLiteral("message: ") + qs(msg);
}

}  // namespace pq::testutil

/** Asserts that a Result/Status failed with `code` and a message containing every needle. */
#define PQ_VERIFY_ERROR(result, code, ...)                                                         \
    do {                                                                                           \
        QVERIFY2(!(result), "expected an error, got success");                                     \
        const QString pqWhy_ =                                                                     \
                ::pq::testutil::errorMismatch((result).error(), (code), {__VA_ARGS__});            \
        QVERIFY2(pqWhy_.isEmpty(), qPrintable(pqWhy_));                                            \
    } while (false)

/** Asserts success, printing the error message otherwise. */
#define PQ_VERIFY_OK(result)                                                                       \
    do {                                                                                           \
        const auto &pqRes_ = (result);                                                             \
        QVERIFY2(static_cast<bool>(pqRes_),                                                        \
                 pqRes_ ? "" : qPrintable(::pq::testutil::qs(pqRes_.error().message())));          \
    } while (false)
