// SPDX-License-Identifier: MIT
#pragma once

// Shared helpers of the tokenizer tests: the real tokenizer.json files of ../shared/data
// (Gemma 3's is gzipped and decompressed here with zlib) and llama.cpp's test vectors.

#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <zlib.h>

#include <QtTest>

#include "core/text/tokenizer.h"
#include "tests/support/shared_data.h"

namespace pq::test {

inline std::string readAll(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        qFatal("cannot read %s", path.c_str());
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string gunzipFile(const std::string &path)
{
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) {
        qFatal("cannot open %s", path.c_str());
    }
    std::string out;
    std::array<char, 1 << 16> buf{};
    int n = 0;
    while ((n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    const bool ok = n == 0;
    gzclose(f);
    if (!ok) {
        qFatal("corrupt gzip file %s", path.c_str());
    }
    return out;
}

/** Path of the tokenizer.json (or tokenizer.json.gz) of `name` under shared/data/tokenizers. */
inline std::string tokenizerJsonPath(const std::string &name)
{
    const std::string dir = sharedData("tokenizers/" + name);
    return name == "gemma3" ? dir + "/tokenizer.json.gz" : dir + "/tokenizer.json";
}

/** The text of tokenizer.json of `name`, decompressed when stored gzipped. */
inline std::string tokenizerJsonText(const std::string &name)
{
    const std::string path = tokenizerJsonPath(name);
    return path.ends_with(".gz") ? gunzipFile(path) : readAll(path);
}

/** Loads one of the real tokenizers (qwen3, llama3_1, gemma3) with its tokenizer_config.json. */
inline core::text::Tokenizer loadRealTokenizer(const std::string &name)
{
    const std::string config = readAll(sharedData("tokenizers/" + name + "/tokenizer_config.json"));
    auto tok = core::text::Tokenizer::fromJson(tokenizerJsonText(name), config);
    if (!tok) {
        qFatal("loading %s: %s", name.c_str(), tok.error().message().c_str());
    }
    return std::move(tok).value();
}

struct VocabCase
{
    std::string text;
    std::vector<std::int32_t> ids;
};

/**
 * The cases of llama.cpp's `ggml-vocab-<vocab>.gguf.inp/.out`, split exactly as its
 * test-tokenizer-0 read_tests() does: texts end at "\n__ggml_vocab_test__\n" (the last one may
 * lack it, and a separator at the very end opens no further case); one .out line per text.
 */
inline std::vector<VocabCase> loadVocabCases(const std::string &vocab)
{
    const std::string base = sharedData("tokenizer-test-vectors/llama.cpp/ggml-vocab-" + vocab);
    const std::string raw = readAll(base + ".gguf.inp");
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<VocabCase> cases;
    for (std::size_t pos = 0; pos < raw.size();) {
        const std::size_t next = raw.find(sep, pos);
        cases.push_back(VocabCase{
                raw.substr(pos, next == std::string::npos ? std::string::npos : next - pos), {}});
        if (next == std::string::npos) {
            break;
        }
        pos = next + sep.size();
    }
    std::istringstream out(readAll(base + ".gguf.out"));
    std::size_t i = 0;
    for (std::string line; std::getline(out, line); ++i) {
        if (i >= cases.size()) {
            qFatal("%s: more expected lines than texts", base.c_str());
        }
        std::istringstream ids(line);
        for (std::int32_t id = 0; ids >> id;) {
            cases[i].ids.push_back(id);
        }
    }
    if (i != cases.size()) {
        qFatal("%s: %zu texts but %zu expected lines", base.c_str(), cases.size(), i);
    }
    return cases;
}

/** `s` with control characters escaped, for failure messages. */
inline std::string escaped(const std::string &s)
{
    std::string out;
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (b < 0x20 || b == 0x7F) {
            constexpr std::string_view HEX = "0123456789ABCDEF";
            out += std::string("\\x") + HEX[b >> 4U] + HEX[b & 0xFU];
        } else {
            out += c;
        }
    }
    return out;
}

inline std::string idsText(const std::vector<std::int32_t> &ids)
{
    std::string s;
    for (const std::int32_t id : ids) {
        s += (s.empty() ? "" : " ") + std::to_string(id);
    }
    return s;
}

}  // namespace pq::test
