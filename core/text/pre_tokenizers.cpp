// SPDX-License-Identifier: MIT
#include "core/text/pre_tokenizers.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>

#include "core/text/normalizers.h"
#include "core/text/unicode.h"

namespace pq::core::text::detail {

namespace {

/** GPT-2's pre-tokenizer regex, used by ByteLevel with use_regex. */
constexpr std::string_view GPT2_PATTERN =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

/** Hands `piece.text[begin, end)` on when it is not empty; only a piece at 0 keeps atStart. */
void emitRange(const Piece &piece, std::size_t begin, std::size_t end, const PieceSink &sink)
{
    if (end > begin) {
        sink(Piece{piece.text.substr(begin, end - begin), piece.atStart && begin == 0});
    }
}

class SplitPreTokenizer final : public PreTokenizer
{
public:
    SplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert)
        : m_pattern(std::move(pattern))
        , m_behavior(behavior)
        , m_invert(invert)
    {}

    void split(Piece piece, const PieceSink &sink) const override
    {
        SplitStream stream(m_behavior, [&](std::size_t begin, std::size_t end) {
            emitRange(piece, begin, end, sink);
        });
        m_pattern.forEachSpan(piece.text, [&](const Span &span) {
            stream.push(Span{span.begin, span.end, span.isMatch != m_invert});
        });
        stream.finish();
    }

private:
    Pattern m_pattern;
    SplitBehavior m_behavior;
    bool m_invert;
};

class ByteLevelPreTokenizer final : public PreTokenizer
{
public:
    ByteLevelPreTokenizer(bool addPrefixSpace, std::optional<Pattern> regex)
        : m_addPrefixSpace(addPrefixSpace)
        , m_regex(std::move(regex))
    {}

    void split(Piece piece, const PieceSink &sink) const override
    {
        if (m_addPrefixSpace && !piece.text.starts_with(' ')) {
            piece.text.insert(piece.text.begin(), ' ');
        }
        const PieceSink mapped = [&sink](Piece &&p) {
            std::string bytes;
            appendByteLevel(bytes, p.text);
            p.text.swap(bytes);
            sink(std::move(p));
        };
        if (!m_regex) {
            if (!piece.text.empty()) {
                mapped(std::move(piece));
            }
            return;
        }
        m_regex->forEachSpan(piece.text, [&](const Span &span) {
            emitRange(piece, span.begin, span.end, mapped);
        });
    }

    bool isByteLevel() const override { return true; }

private:
    bool m_addPrefixSpace;
    std::optional<Pattern> m_regex;
};

class MetaspacePreTokenizer final : public PreTokenizer
{
public:
    MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
        : m_replacement(std::move(replacement))
        , m_scheme(scheme)
        , m_split(split)
    {}

    void split(Piece piece, const PieceSink &sink) const override
    {
        replaceAll(piece.text, " ", m_replacement);
        const bool prepend = m_scheme == PrependScheme::Always ||
                             (m_scheme == PrependScheme::First && piece.atStart);
        if (prepend && !piece.text.starts_with(m_replacement)) {
            piece.text.insert(0, m_replacement);
        }
        if (!m_split) {
            if (!piece.text.empty()) {
                sink(std::move(piece));
            }
            return;
        }
        SplitStream stream(SplitBehavior::MergedWithNext, [&](std::size_t begin, std::size_t end) {
            emitRange(piece, begin, end, sink);
        });
        m_delimiter.forEachSpan(piece.text, [&stream](const Span &span) { stream.push(span); });
        stream.finish();
    }

private:
    std::string m_replacement;
    Pattern m_delimiter = Pattern::literal(m_replacement);
    PrependScheme m_scheme;
    bool m_split;
};

class SequencePreTokenizer final : public PreTokenizer
{
public:
    explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> parts)
        : m_parts(std::move(parts))
    {}

    void split(Piece piece, const PieceSink &sink) const override
    {
        if (m_parts.empty()) {
            sink(std::move(piece));
            return;
        }
        // One sink per stage, each feeding the next part; built once per input piece.
        std::vector<PieceSink> stages(m_parts.size());
        for (std::size_t i = m_parts.size(); i-- > 0;) {
            const PieceSink &next = i + 1 < m_parts.size() ? stages[i + 1] : sink;
            stages[i] = [part = m_parts[i].get(), &next](Piece &&p) {
                part->split(std::move(p), next);
            };
        }
        stages[0](std::move(piece));
    }

    bool isByteLevel() const override
    {
        return std::any_of(m_parts.begin(), m_parts.end(),
                           [](const auto &p) { return p->isByteLevel(); });
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_parts;
};

}  // namespace

SplitStream::SplitStream(SplitBehavior behavior, RangeSink emit)
    : m_behavior(behavior)
    , m_emit(std::move(emit))
{}

void SplitStream::flush()
{
    if (m_pending) {
        m_emit(m_pending->begin, m_pending->end);
        m_pending.reset();
    }
}

void SplitStream::push(const Span &span)
{
    switch (m_behavior) {
    case SplitBehavior::Isolated:
        m_emit(span.begin, span.end);
        return;
    case SplitBehavior::Removed:
        if (!span.isMatch) {
            m_emit(span.begin, span.end);
        }
        return;
    case SplitBehavior::MergedWithPrevious:
    case SplitBehavior::Contiguous: {
        // A match joins the range before it (after a gap); Contiguous joins equal neighbours.
        const bool join = m_behavior == SplitBehavior::MergedWithPrevious
                                  ? span.isMatch && !m_previousMatch
                                  : span.isMatch == m_previousMatch;
        if (join && m_pending) {
            m_pending->end = span.end;
        } else {
            flush();
            m_pending = span;
        }
        m_previousMatch = span.isMatch;
        return;
    }
    case SplitBehavior::MergedWithNext:
        // A match joins the gap after it: hold matches until the next span shows up.
        if (m_pending && !span.isMatch) {
            m_emit(m_pending->begin, span.end);
            m_pending.reset();
            return;
        }
        flush();
        if (span.isMatch) {
            m_pending = span;
        } else {
            m_emit(span.begin, span.end);
        }
        return;
    }
}

void SplitStream::finish()
{
    flush();
}

void appendByteLevel(std::string &out, std::string_view bytes)
{
    // The UTF-8 form of each byte's code point (all below U+0800: one or two bytes).
    static const std::array<std::array<char, 2>, 256> utf8 = [] {
        std::array<std::array<char, 2>, 256> t{};
        std::string s;
        for (unsigned b = 0; b < 256; ++b) {
            s.clear();
            appendUtf8(s, byteToCodePoint()[b]);
            t[b] = {s[0], s.size() > 1 ? s[1] : '\0'};
        }
        return t;
    }();
    out.reserve(out.size() + bytes.size() * 2);
    for (const char c : bytes) {
        const auto &u = utf8[static_cast<unsigned char>(c)];
        out += u[0];
        if (u[1] != '\0') {
            out += u[1];
        }
    }
}

std::unique_ptr<PreTokenizer>
makeSplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert)
{
    return std::make_unique<SplitPreTokenizer>(std::move(pattern), behavior, invert);
}

Result<std::unique_ptr<PreTokenizer>> makeByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex)
{
    std::optional<Pattern> regex;
    if (useRegex) {
        auto compiled = Pattern::regex(GPT2_PATTERN);
        if (!compiled) {
            return std::move(compiled).error();
        }
        regex = std::move(compiled).value();
    }
    return std::unique_ptr<PreTokenizer>(
            std::make_unique<ByteLevelPreTokenizer>(addPrefixSpace, std::move(regex)));
}

std::unique_ptr<PreTokenizer>
makeMetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
{
    return std::make_unique<MetaspacePreTokenizer>(std::move(replacement), scheme, split);
}

std::unique_ptr<PreTokenizer>
makeSequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> parts)
{
    return std::make_unique<SequencePreTokenizer>(std::move(parts));
}

}  // namespace pq::core::text::detail
