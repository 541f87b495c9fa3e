// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace pq::core::data {

/** One file that contributed text, for the run directory's record. */
struct SourceFile
{
    std::string path;    ///< as found (absolute when the source was given absolute)
    std::string sha256;  ///< of the file's bytes as stored (compressed files hashed compressed)
    std::uint64_t bytes = 0;
    std::string kind;  ///< "text", "text.gz", "jsonl", "jsonl.gz"
    std::uint64_t documents = 0;
};

/** A text and where it came from. */
struct Document
{
    std::string text;
    std::size_t source = 0;  ///< index into TextCorpus::files
};

/** Every document of a calibration source, in a deterministic order. */
struct TextCorpus
{
    std::vector<Document> documents;
    std::vector<SourceFile> files;

    std::uint64_t textBytes() const;
};

/** Largest single file read (compressed files: their decompressed size). */
inline constexpr std::uint64_t MAX_SOURCE_FILE_BYTES = 4ULL << 30U;

/**
 * Reads a calibration source: a plain text file (.txt or any other name; paragraphs separated
 * by blank lines become documents), a JSONL file (.jsonl: one JSON object per line, its "text"
 * field a document; a line without one is an error naming the line), either optionally gzipped
 * (.gz), or a directory of such files (recursively, sorted by path, hidden files skipped).
 * Errors: NotFound, InvalidFormat (with file and line), Io.
 */
Result<TextCorpus> loadTextSource(const std::string &path);

}  // namespace pq::core::data
