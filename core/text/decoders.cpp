// SPDX-License-Identifier: MIT
#include "core/text/decoders.h"

#include <optional>

#include "core/text/unicode.h"

namespace pq::core::text::detail {
namespace {

std::vector<char32_t> codePoints(std::string_view s)
{
    std::vector<char32_t> out;
    for (std::size_t pos = 0; pos < s.size();) {
        const Utf8Step step = decodeUtf8(s, pos);
        out.push_back(step.valid ? step.cp : 0xFFFD);
        pos += step.len;
    }
    return out;
}

class ByteLevelDecoder final : public Decoder
{
public:
    void decodeChain(std::vector<std::string> &tokens) const override
    {
        std::string bytes;
        std::string tokenBytes;
        for (const std::string &token : tokens) {
            tokenBytes.clear();
            bool allMapped = true;
            for (std::size_t pos = 0; pos < token.size() && allMapped;) {
                const Utf8Step step = decodeUtf8(token, pos);
                const int b = step.valid ? codePointToByte(step.cp) : -1;
                allMapped = b >= 0;
                tokenBytes += static_cast<char>(b);
                pos += step.len;
            }
            bytes += allMapped ? tokenBytes : token;
        }
        tokens.assign(1, utf8Lossy(bytes));
    }
};

class ReplaceDecoder final : public Decoder
{
public:
    ReplaceDecoder(Pattern pattern, std::string content)
        : m_pattern(std::move(pattern))
        , m_content(std::move(content))
    {}

    void decodeChain(std::vector<std::string> &tokens) const override
    {
        for (std::string &token : tokens) {
            std::string out;
            m_pattern.forEachSpan(token, [&](const Span &s) {
                if (s.isMatch) {
                    out += m_content;
                } else {
                    out.append(token, s.begin, s.end - s.begin);
                }
            });
            token = std::move(out);
        }
    }

private:
    Pattern m_pattern;
    std::string m_content;
};

int hexDigit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/** The byte of a "<0xAB>" token (Rust's u8::from_str_radix, which also takes "+A"). */
std::optional<unsigned char> byteToken(std::string_view token)
{
    if (token.size() != 6 || !token.starts_with("<0x") || token.back() != '>') {
        return std::nullopt;
    }
    const int hi = token[3] == '+' ? 0 : hexDigit(token[3]);
    const int lo = hexDigit(token[4]);
    if (hi < 0 || lo < 0) {
        return std::nullopt;
    }
    return static_cast<unsigned char>(hi * 16 + lo);
}

class ByteFallbackDecoder final : public Decoder
{
public:
    void decodeChain(std::vector<std::string> &tokens) const override
    {
        std::vector<std::string> out;
        std::string pending;
        const auto flush = [&out, &pending] {
            if (pending.empty()) {
                return;
            }
            if (isValidUtf8(pending)) {
                out.push_back(pending);
            } else {
                out.insert(out.end(), pending.size(), "\xEF\xBF\xBD");  // U+FFFD per byte
            }
            pending.clear();
        };
        for (std::string &token : tokens) {
            if (const auto byte = byteToken(token)) {
                pending += static_cast<char>(*byte);
                continue;
            }
            flush();
            out.push_back(std::move(token));
        }
        flush();
        tokens = std::move(out);
    }
};

class FuseDecoder final : public Decoder
{
public:
    void decodeChain(std::vector<std::string> &tokens) const override
    {
        std::string all;
        for (const std::string &token : tokens) {
            all += token;
        }
        tokens.clear();
        tokens.push_back(std::move(all));
    }
};

class StripDecoder final : public Decoder
{
public:
    StripDecoder(char32_t content, std::size_t start, std::size_t stop)
        : m_content(content)
        , m_start(start)
        , m_stop(stop)
    {}

    void decodeChain(std::vector<std::string> &tokens) const override
    {
        for (std::string &token : tokens) {
            const std::vector<char32_t> chars = codePoints(token);
            std::size_t startCut = 0;
            for (std::size_t i = 0; i < m_start && i < chars.size() && chars[i] == m_content; ++i) {
                startCut = i + 1;
            }
            std::size_t stopCut = chars.size();
            for (std::size_t i = 0; i < m_stop && i < chars.size(); ++i) {
                const std::size_t index = chars.size() - i - 1;
                if (chars[index] != m_content) {
                    break;
                }
                stopCut = index;
            }
            std::string out;
            for (std::size_t i = startCut; i < stopCut; ++i) {
                appendUtf8(out, chars[i]);
            }
            token = std::move(out);
        }
    }

private:
    char32_t m_content;
    std::size_t m_start;
    std::size_t m_stop;
};

class MetaspaceDecoder final : public Decoder
{
public:
    MetaspaceDecoder(char32_t replacement, bool prependNever)
        : m_replacement(replacement)
        , m_prependNever(prependNever)
    {}

    void decodeChain(std::vector<std::string> &tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            std::string out;
            for (const char32_t c : codePoints(tokens[i])) {
                if (c != m_replacement) {
                    appendUtf8(out, c);
                } else if (i != 0 || m_prependNever) {
                    out += ' ';
                }
            }
            tokens[i] = std::move(out);
        }
    }

private:
    char32_t m_replacement;
    bool m_prependNever;
};

class SequenceDecoder final : public Decoder
{
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts)
        : m_parts(std::move(parts))
    {}

    void decodeChain(std::vector<std::string> &tokens) const override
    {
        for (const auto &part : m_parts) {
            part->decodeChain(tokens);
        }
    }

private:
    std::vector<std::unique_ptr<Decoder>> m_parts;
};

}  // namespace

std::unique_ptr<Decoder> makeByteLevelDecoder()
{
    return std::make_unique<ByteLevelDecoder>();
}

std::unique_ptr<Decoder> makeReplaceDecoder(Pattern pattern, std::string content)
{
    return std::make_unique<ReplaceDecoder>(std::move(pattern), std::move(content));
}

std::unique_ptr<Decoder> makeByteFallbackDecoder()
{
    return std::make_unique<ByteFallbackDecoder>();
}

std::unique_ptr<Decoder> makeFuseDecoder()
{
    return std::make_unique<FuseDecoder>();
}

std::unique_ptr<Decoder> makeStripDecoder(char32_t content, std::size_t start, std::size_t stop)
{
    return std::make_unique<StripDecoder>(content, start, stop);
}

std::unique_ptr<Decoder> makeMetaspaceDecoder(char32_t replacement, bool prependNever)
{
    return std::make_unique<MetaspaceDecoder>(replacement, prependNever);
}

std::unique_ptr<Decoder> makeSequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts)
{
    return std::make_unique<SequenceDecoder>(std::move(parts));
}

}  // namespace pq::core::text::detail
