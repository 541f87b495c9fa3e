// SPDX-License-Identifier: MIT
#include "core/data/text_source.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "core/util/atomic_file.h"
#include "core/util/file_hash.h"

namespace pq::core::data {
namespace fs = std::filesystem;

namespace {

bool endsWith(const std::string &s, std::string_view suffix)
{
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/** Whole file contents, gunzipped when the name ends in .gz. */
Result<std::string> readMaybeGzip(const std::string &path)
{
    if (!endsWith(path, ".gz")) {
        return readSmallFile(path, MAX_SOURCE_FILE_BYTES);
    }
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) {
        return makeIoError("cannot open", path, errno);
    }
    std::string out;
    std::vector<char> buf(1U << 20U);
    int n = 0;
    while ((n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
        out.append(buf.data(), static_cast<std::size_t>(n));
        if (out.size() > MAX_SOURCE_FILE_BYTES) {
            gzclose(f);
            return makeError(ErrorCode::InvalidFormat, "decompressed text exceeds 4 GiB")
                    .withPath(path);
        }
    }
    int err = Z_OK;
    const char *msg = gzerror(f, &err);
    gzclose(f);
    if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) {
        return makeError(ErrorCode::InvalidFormat, fmt::format("corrupt gzip data: {}", msg))
                .withPath(path);
    }
    return out;
}

/** Paragraphs separated by one or more blank lines. */
void splitParagraphs(const std::string &text, std::size_t source, std::vector<Document> &out)
{
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find("\n\n", start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string para = text.substr(start, end - start);
        if (para.find_first_not_of(" \t\r\n") != std::string::npos) {
            out.push_back({std::move(para), source});
        }
        start = text.find_first_not_of('\n', end);
        if (start == std::string::npos) {
            break;
        }
    }
}

Status splitJsonl(const std::string &text,
                  const std::string &path,
                  std::size_t source,
                  std::vector<Document> &out)
{
    std::size_t start = 0;
    std::uint64_t line = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        ++line;
        const std::string_view row(text.data() + start, end - start);
        start = end + 1;
        if (row.find_first_not_of(" \t\r") == std::string_view::npos) {
            continue;
        }
        const nlohmann::json j = nlohmann::json::parse(row, nullptr, false);
        const auto it = j.is_object() ? j.find("text") : j.end();
        if (it == j.end() || !it->is_string()) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("line {} is not a JSON object with a \"text\" string "
                                         "(the JSONL layout of Hugging Face dataset exports)",
                                         line))
                    .withPath(path);
        }
        if (!it->get_ref<const std::string &>().empty()) {
            out.push_back({it->get<std::string>(), source});
        }
    }
    return {};
}

/** What to give instead, appended to calibration-source errors. */
constexpr const char *CALIB_HINT =
        "give a .txt or .jsonl file (optionally .gz) or a directory of them, e.g. --calib "
        "examples/calibration/kjv.txt.gz";

/** A read error of a calibration file, saying what to do about it. */
Error unreadable(Error e)
{
    if (e.code == ErrorCode::Io || e.code == ErrorCode::NotFound) {
        e.detail = fmt::format("cannot read the calibration text ({}); check that the file is "
                               "readable by you, or {}",
                               e.detail, CALIB_HINT);
    }
    return e;
}

Status addFile(const std::string &path, TextCorpus &corpus)
{
    auto text = readMaybeGzip(path);
    if (!text) {
        return unreadable(std::move(text).error());
    }
    auto hash = sha256File(path);
    if (!hash) {
        return unreadable(std::move(hash).error());
    }
    const std::string base = endsWith(path, ".gz") ? path.substr(0, path.size() - 3) : path;
    const bool jsonl = endsWith(base, ".jsonl");
    SourceFile f;
    f.path = path;
    f.sha256 = *hash;
    f.bytes = fs::file_size(path);
    f.kind = std::string(jsonl ? "jsonl" : "text") + (endsWith(path, ".gz") ? ".gz" : "");
    const std::size_t before = corpus.documents.size();
    const std::size_t index = corpus.files.size();
    if (jsonl) {
        PQ_TRY_STATUS(splitJsonl(*text, path, index, corpus.documents));
    } else {
        splitParagraphs(*text, index, corpus.documents);
    }
    f.documents = corpus.documents.size() - before;
    corpus.files.push_back(std::move(f));
    return {};
}

}  // namespace

std::uint64_t TextCorpus::textBytes() const
{
    std::uint64_t n = 0;
    for (const Document &d : documents) {
        n += d.text.size();
    }
    return n;
}

Result<TextCorpus> loadTextSource(const std::string &path)
{
    std::error_code ec;
    TextCorpus corpus;
    if (fs::is_regular_file(path, ec)) {
        PQ_TRY_STATUS(addFile(path, corpus));
        return corpus;
    }
    if (!fs::is_directory(path, ec)) {
        return makeError(ErrorCode::NotFound,
                         fmt::format("calibration source not found: no such file or directory. "
                                     "The probe measures every Linear on this text, so it must "
                                     "exist; {}",
                                     CALIB_HINT))
                .withPath(path);
    }
    std::vector<std::string> files;
    auto it = fs::recursive_directory_iterator(path, ec);
    if (ec) {
        return unreadable(makeIoError("cannot list the directory", path, ec.value()));
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.empty() && name.front() == '.') {
            if (it->is_directory(ec)) {
                it.disable_recursion_pending();
            }
            continue;
        }
        if (it->is_regular_file(ec)) {
            files.push_back(it->path().string());
        }
    }
    std::sort(files.begin(), files.end());
    for (const std::string &f : files) {
        PQ_TRY_STATUS(addFile(f, corpus));
    }
    if (corpus.documents.empty()) {
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format("the directory holds no text ({} file{}, none with a "
                                     "paragraph or a JSONL \"text\" in it), so there is nothing "
                                     "to calibrate on; {}",
                                     files.size(), files.size() == 1 ? "" : "s", CALIB_HINT))
                .withPath(path);
    }
    return corpus;
}

}  // namespace pq::core::data
