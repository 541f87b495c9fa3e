// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/util/result.h"

namespace pq::core {

/**
 * A read-only memory map of a whole file. Move-only; unmaps on destruction. Views handed out by
 * bytes() stay valid as long as this object lives. An empty file maps to an empty span.
 * Thread-safety: const access from several threads is safe.
 */
class MappedFile
{
public:
    static Result<MappedFile> open(const std::string &path);

    MappedFile() = default;
    MappedFile(MappedFile &&other) noexcept;
    MappedFile &operator=(MappedFile &&other) noexcept;
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;
    ~MappedFile();

    std::span<const std::byte> bytes() const { return {m_data, m_size}; }

    std::uint64_t size() const { return m_size; }

    const std::string &path() const { return m_path; }

    /** Tells the kernel we will read [offset, offset+len) sequentially soon (madvise). */
    void adviseSequential(std::uint64_t offset, std::uint64_t len) const;

    /**
     * Drops this process's pages of [offset, offset+len) (madvise MADV_DONTNEED), widened to
     * whole pages and clipped to the file. The mapping is read-only and never written, so nothing
     * is lost: a later read faults the bytes back in from the file (the page cache). Use it after
     * copying a range out, so a streaming reader's RSS does not grow with the file. Views stay
     * valid. Thread-safety: safe beside concurrent readers of any range.
     */
    void releasePages(std::uint64_t offset, std::uint64_t len) const;

private:
    void reset() noexcept;

    const std::byte *m_data = nullptr;
    std::size_t m_size = 0;
    std::string m_path;
};

}  // namespace pq::core
