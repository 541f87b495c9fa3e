// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/io/safetensors_header.h"
#include "core/util/mapped_file.h"

namespace pq::core {

/** A tensor's description and a zero-copy view of its bytes inside a memory map. */
struct TensorView
{
    const TensorInfo *info = nullptr;
    std::span<const std::byte> data;  ///< little-endian, row-major; valid while the file is open
};

/**
 * One memory-mapped safetensors file with a validated header. Views are zero-copy and stay
 * valid while this object lives. Move-only. Thread-safety: const methods may run concurrently.
 */
class SafetensorsFile
{
public:
    /** Maps and validates `path`; errors name the file and, where relevant, the tensor. */
    static Result<SafetensorsFile> open(const std::string &path);

    const std::string &path() const { return m_file.path(); }

    const std::vector<SafetensorsEntry> &entries() const { return m_header.entries; }

    const std::map<std::string, std::string> &metadata() const { return m_header.metadata; }

    /** Index into entries() of the tensor called `name`, if present. */
    std::optional<std::size_t> find(std::string_view name) const;

    /** View of entries()[index]. */
    TensorView view(std::size_t index) const;

    /** Hints the kernel to read the tensor's pages ahead (for streaming consumers). */
    void prefetch(std::size_t index) const;

    /**
     * Drops the process's mapped pages of bytes [offset, offset+len) of entries()[index] (clipped
     * to the tensor; whole pages, so a neighbour's edge page may go too). Views stay valid: a later
     * read faults the bytes back in from the file. See MappedFile::releasePages.
     */
    void releasePages(std::size_t index, std::uint64_t offset = 0, std::uint64_t len = ~0ULL) const;

private:
    MappedFile m_file;
    SafetensorsHeader m_header;
    std::unordered_map<std::string_view, std::size_t> m_byName;
};

}  // namespace pq::core
