// SPDX-License-Identifier: MIT
#include "core/util/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pq::core {

Result<AtomicFile> AtomicFile::create(const std::string &finalPath)
{
    AtomicFile f;
    f.m_finalPath = finalPath;
    // The pid keeps two processes writing the same target from sharing one temp file.
    f.m_tempPath = fmt::format("{}.partial-{}", finalPath, ::getpid());
    f.m_fd = ::open(f.m_tempPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f.m_fd < 0) {
        return makeIoError("cannot create", f.m_tempPath, errno);
    }
    return f;
}

AtomicFile::AtomicFile(AtomicFile &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_written(std::exchange(other.m_written, 0))
    , m_finalPath(std::move(other.m_finalPath))
    , m_tempPath(std::move(other.m_tempPath))
{}

AtomicFile &AtomicFile::operator=(AtomicFile &&other) noexcept
{
    if (this != &other) {
        discard();
        m_fd = std::exchange(other.m_fd, -1);
        m_written = std::exchange(other.m_written, 0);
        m_finalPath = std::move(other.m_finalPath);
        m_tempPath = std::move(other.m_tempPath);
    }
    return *this;
}

AtomicFile::~AtomicFile()
{
    discard();
}

void AtomicFile::discard() noexcept
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
        ::unlink(m_tempPath.c_str());
    }
}

Status AtomicFile::write(std::span<const std::byte> data)
{
    if (m_fd < 0) {
        return makeError(ErrorCode::InvalidArgument, "write to a closed file")
                .withPath(m_finalPath);
    }
    const std::byte *p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return makeIoError("cannot write", m_tempPath, errno);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
        m_written += static_cast<std::uint64_t>(n);
    }
    return {};
}

Status AtomicFile::write(std::string_view text)
{
    return write(std::as_bytes(std::span(text.data(), text.size())));
}

Status AtomicFile::writeAt(std::uint64_t offset, std::span<const std::byte> data)
{
    if (m_fd < 0) {
        return makeError(ErrorCode::InvalidArgument, "write to a closed file")
                .withPath(m_finalPath);
    }
    const std::byte *p = data.data();
    std::size_t left = data.size();
    auto at = static_cast<off_t>(offset);
    while (left > 0) {
        const ssize_t n = ::pwrite(m_fd, p, left, at);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return makeIoError("cannot write", m_tempPath, errno);
        }
        p += n;
        at += n;
        left -= static_cast<std::size_t>(n);
        m_written += static_cast<std::uint64_t>(n);
    }
    return {};
}

Status AtomicFile::reserve(std::uint64_t bytes)
{
    if (m_fd < 0) {
        return makeError(ErrorCode::InvalidArgument, "reserve on a closed file")
                .withPath(m_finalPath);
    }
    if (bytes == 0) {
        return {};
    }
    const int err = ::posix_fallocate(m_fd, 0, static_cast<off_t>(bytes));
    if (err != 0 && err != EOPNOTSUPP && err != EINVAL) {
        return makeIoError(fmt::format("cannot reserve {} bytes for", bytes), m_tempPath, err);
    }
    return {};
}

Status AtomicFile::commit()
{
    if (m_fd < 0) {
        return makeError(ErrorCode::InvalidArgument, "commit of a closed file")
                .withPath(m_finalPath);
    }
    if (::fsync(m_fd) != 0) {
        return makeIoError("cannot fsync", m_tempPath, errno);
    }
    const int fd = std::exchange(m_fd, -1);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(m_tempPath.c_str());
        return makeIoError("cannot close", m_tempPath, err);
    }
    if (::rename(m_tempPath.c_str(), m_finalPath.c_str()) != 0) {
        const int err = errno;
        ::unlink(m_tempPath.c_str());
        return makeIoError("cannot rename into place", m_finalPath, err);
    }
    return {};
}

Status writeFileAtomically(const std::string &path, std::string_view content)
{
    auto file = AtomicFile::create(path);
    if (!file) {
        return std::move(file).error();
    }
    PQ_TRY_STATUS(file->write(content));
    return file->commit();
}

Result<std::string> readSmallFile(const std::string &path, std::uint64_t maxBytes)
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

    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(ErrorCode::NotFound,
                         "not a readable regular file (a directory or a device?)")
                .withPath(path);
    }
    if (static_cast<std::uint64_t>(st.st_size) > maxBytes) {
        ::close(fd);
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format(
                                 "file is {} bytes, more than the {} allowed for this kind of file",
                                 st.st_size, maxBytes))
                .withPath(path);
    }
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            return makeIoError("cannot read", path, err);
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return out;
}

}  // namespace pq::core
