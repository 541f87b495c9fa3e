// SPDX-License-Identifier: MIT
#include "core/util/mapped_file.h"

#include <algorithm>
#include <cerrno>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pq::core {

Result<MappedFile> MappedFile::open(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        Error e = makeIoError("cannot open", path, err);
        if (err == ENOENT) {
            e.code = ErrorCode::NotFound;
        }
        return e;
    }

    struct stat st
    {};

    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return makeIoError("cannot stat", path, err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(ErrorCode::NotFound, "not a regular file (a directory or a device?)")
                .withPath(path);
    }
    MappedFile f;
    f.m_path = path;
    f.m_size = static_cast<std::size_t>(st.st_size);
    if (f.m_size > 0) {
        void *p = ::mmap(nullptr, f.m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            return makeIoError("cannot mmap", path, err);
        }
        f.m_data = static_cast<const std::byte *>(p);
    }
    ::close(fd);  // the mapping keeps the file referenced
    return f;
}

MappedFile::MappedFile(MappedFile &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
    , m_path(std::move(other.m_path))
{}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept
{
    if (this != &other) {
        reset();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_path = std::move(other.m_path);
    }
    return *this;
}

MappedFile::~MappedFile()
{
    reset();
}

void MappedFile::reset() noexcept
{
    if (m_data != nullptr) {
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): munmap takes void*
        ::munmap(const_cast<std::byte *>(m_data), m_size);
        m_data = nullptr;
        m_size = 0;
    }
}

void MappedFile::adviseSequential(std::uint64_t offset, std::uint64_t len) const
{
    if (m_data == nullptr || offset >= m_size) {
        return;
    }
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t start = offset / page * page;
    const std::uint64_t end = std::min<std::uint64_t>(offset + len, m_size);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): madvise takes void*
    auto *p = const_cast<std::byte *>(m_data) + start;
    ::madvise(p, end - start, MADV_SEQUENTIAL);
    ::madvise(p, end - start, MADV_WILLNEED);
}

void MappedFile::releasePages(std::uint64_t offset, std::uint64_t len) const
{
    if (m_data == nullptr || offset >= m_size || len == 0) {
        return;
    }
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t start = offset / page * page;
    const std::uint64_t end =
            std::min<std::uint64_t>(offset + std::min(len, m_size - offset), m_size);
    // PROT_READ + MAP_PRIVATE, never written: no private copy exists, so DONTNEED only unmaps the
    // file's pages and the next access reads them again (it would discard writes, were there any).
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): madvise takes void*
    ::madvise(const_cast<std::byte *>(m_data) + start, end - start, MADV_DONTNEED);
}

}  // namespace pq::core
