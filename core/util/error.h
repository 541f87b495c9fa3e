// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pq::core {

/**
 * What went wrong, as a stable code the front ends map to their own (translated) text. The CLI
 * maps InvalidArgument to "usage" (exit 1), Io/NoSpace to 4, Cancelled to 3 and every other code
 * to "input error" (exit 2; docs/errors.md). So a problem with a file or directory the user
 * pointed at is never InvalidArgument: use NotFound, InvalidFormat, Unsupported or
 * AlreadyQuantized for those.
 */
enum class ErrorCode
{
    Io,                ///< open/read/write/rename/mmap failed (errno in detail)
    NotFound,          ///< a file, directory or tensor that must exist does not (or is no file)
    InvalidFormat,     ///< bytes do not follow the file format (bad JSON, bad header, ...)
    InvalidArgument,   ///< a caller-supplied value (an option, a target) is out of range or
                       ///< inconsistent; never a property of an input file
    Unsupported,       ///< well-formed input that this version cannot handle
    AlreadyQuantized,  ///< the checkpoint already holds quantized tensors
    UnsafePath,        ///< a path from a file leads outside its directory
    Cancelled,         ///< the job was cancelled through its JobContext
    NoSpace,           ///< the disk is full
};

/** Stable lower-case name of a code ("invalid-format"), used in JSON output and logs. */
std::string_view errorCodeName(ErrorCode code);

/**
 * A structured error. `detail` is English text for logs and the CLI; the GUI maps `code`
 * to its own words and shows `path`/`tensor` beside them.
 */
struct Error
{
    ErrorCode code = ErrorCode::InvalidArgument;
    std::string detail;  ///< what happened, in English, without the context below
    std::string path;    ///< file the error is about, if any
    std::string tensor;  ///< tensor name the error is about, if any
    std::optional<std::uint64_t> byteOffset;  ///< position in the file, if meaningful

    /** One line: "path: tensor 'x': detail (at byte N)". */
    std::string message() const;

    Error &withPath(std::string p) &;
    Error &&withPath(std::string p) &&;
    Error &&withTensor(std::string t) &&;
};

/** Builds an Error; `detail` is formatted by the caller (fmt::format). */
Error makeError(ErrorCode code, std::string detail);

/** An Io error that carries strerror(errnoValue) and maps ENOSPC to NoSpace. */
Error makeIoError(std::string what, const std::string &path, int errnoValue);

}  // namespace pq::core
