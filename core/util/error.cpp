// SPDX-License-Identifier: MIT
#include "core/util/error.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pq::core {

std::string_view errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Io:
        return "io";
    case ErrorCode::NotFound:
        return "not-found";
    case ErrorCode::InvalidFormat:
        return "invalid-format";
    case ErrorCode::InvalidArgument:
        return "invalid-argument";
    case ErrorCode::Unsupported:
        return "unsupported";
    case ErrorCode::AlreadyQuantized:
        return "already-quantized";
    case ErrorCode::UnsafePath:
        return "unsafe-path";
    case ErrorCode::Cancelled:
        return "cancelled";
    case ErrorCode::NoSpace:
        return "no-space";
    }
    return "unknown";
}

std::string Error::message() const
{
    std::string out;
    if (!path.empty()) {
        out += path;
        out += ": ";
    }
    if (!tensor.empty()) {
        out += fmt::format("tensor '{}': ", tensor);
    }
    out += detail;
    if (byteOffset) {
        out += fmt::format(" (at byte {})", *byteOffset);
    }
    return out;
}

Error &Error::withPath(std::string p) &
{
    path = std::move(p);
    return *this;
}

Error &&Error::withPath(std::string p) &&
{
    path = std::move(p);
    return std::move(*this);
}

Error &&Error::withTensor(std::string t) &&
{
    tensor = std::move(t);
    return std::move(*this);
}

Error makeError(ErrorCode code, std::string detail)
{
    Error e;
    e.code = code;
    e.detail = std::move(detail);
    return e;
}

Error makeIoError(std::string what, const std::string &path, int errnoValue)
{
    Error e;
    e.code = errnoValue == ENOSPC ? ErrorCode::NoSpace : ErrorCode::Io;
    e.detail = fmt::format("{}: {}", what, std::strerror(errnoValue));
    e.path = path;
    return e;
}

}  // namespace pq::core
