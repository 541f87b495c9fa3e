// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace pq::core {

/**
 * A file written under a temporary name beside its final path and renamed into place by
 * commit() after fsync. If the object is destroyed without commit() (error, cancel, exception)
 * the temporary file is removed, so a reader never sees half a file under the final name.
 * Not thread-safe; one writer per object.
 */
class AtomicFile
{
public:
    static Result<AtomicFile> create(const std::string &finalPath);

    AtomicFile() = default;
    AtomicFile(AtomicFile &&other) noexcept;
    AtomicFile &operator=(AtomicFile &&other) noexcept;
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;
    ~AtomicFile();

    /** Appends bytes; reports ENOSPC as ErrorCode::NoSpace. */
    Status write(std::span<const std::byte> data);
    Status write(std::string_view text);

    /**
     * Writes bytes at `offset` (pwrite), for writers that know the layout up front and fill it
     * in any order. Does not move the append position of write(); do not mix the two on a
     * region.
     */
    Status writeAt(std::uint64_t offset, std::span<const std::byte> data);

    /**
     * Allocates `bytes` of disk for the file now (posix_fallocate), so that a full disk is
     * reported before any data is written rather than part-way through (ErrorCode::NoSpace).
     * File systems without fallocate support are not an error: the space is then claimed as
     * the data arrives.
     */
    Status reserve(std::uint64_t bytes);

    /** Flushes, fsyncs, closes and renames to the final path. */
    Status commit();

    std::uint64_t bytesWritten() const { return m_written; }

    const std::string &finalPath() const { return m_finalPath; }

    const std::string &tempPath() const { return m_tempPath; }

private:
    void discard() noexcept;

    int m_fd = -1;
    std::uint64_t m_written = 0;
    std::string m_finalPath;
    std::string m_tempPath;
};

/** Writes `content` to `path` atomically (temp file + fsync + rename). */
Status writeFileAtomically(const std::string &path, std::string_view content);

/** Reads a whole file of at most `maxBytes` bytes; larger files are an InvalidFormat error. */
Result<std::string> readSmallFile(const std::string &path, std::uint64_t maxBytes);

}  // namespace pq::core
