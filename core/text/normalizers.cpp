// SPDX-License-Identifier: MIT
#include "core/text/normalizers.h"

#include <algorithm>
#include <array>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>

#include "core/text/unicode.h"

namespace pq::core::text::detail {

void replaceAll(std::string &text, std::string_view from, std::string_view to)
{
    if (from.empty() || text.find(from) == std::string::npos) {
        return;
    }
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    std::size_t prev = 0;
    for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, prev)) {
        out.append(text, prev, pos - prev);
        out.append(to);
        prev = pos + from.size();
    }
    out.append(std::string_view(text).substr(prev));
    text = std::move(out);
}

namespace {

/**
 * `tokenizers` normalizes with unicode-normalization-alignments, whose tables are Unicode 9.0:
 * characters assigned later have no decomposition and combining class 0 there. Normalization
 * is stable for assigned characters, so ICU gives the same result for everything up to 9.0.
 */
bool knownToReference(char32_t cp)
{
    if (cp < 0x80) {
        return true;
    }
    std::array<std::uint8_t, U_MAX_VERSION_LENGTH> age{};
    u_charAge(static_cast<UChar32>(cp), age.data());
    return age[0] != 0 && (age[0] < 9 || (age[0] == 9 && age[1] == 0));
}

bool isAscii(std::string_view s)
{
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

class UnicodeNormalizer final : public Normalizer
{
public:
    explicit UnicodeNormalizer(UnicodeForm form)
        : m_form(form)
    {}

    void normalize(std::string &text) const override
    {
        if (isAscii(text)) {
            return;  // ASCII is invariant under all four forms
        }
        const icu::Normalizer2 *icu = instance();
        if (icu == nullptr) {
            return;
        }
        // Runs of characters the reference's Unicode 9.0 tables know are normalized by ICU;
        // newer characters and ill-formed bytes are kept as they are and end a run.
        std::string out;
        out.reserve(text.size());
        std::size_t runStart = 0;
        const auto flushRun = [&](std::size_t end) {
            std::string run = text.substr(runStart, end - runStart);
            normalizeValid(*icu, run);
            out += run;
        };
        for (std::size_t pos = 0; pos < text.size();) {
            if (static_cast<unsigned char>(text[pos]) < 0x80) {
                ++pos;
                continue;
            }
            const Utf8Step step = decodeUtf8(text, pos);
            if (step.valid && knownToReference(step.cp)) {
                pos += step.len;
                continue;
            }
            flushRun(pos);
            out.append(text, pos, step.len);
            pos += step.len;
            runStart = pos;
        }
        flushRun(text.size());
        text = std::move(out);
    }

private:
    const icu::Normalizer2 *instance() const
    {
        UErrorCode status = U_ZERO_ERROR;
        const icu::Normalizer2 *n = nullptr;
        switch (m_form) {
        case UnicodeForm::Nfc:
            n = icu::Normalizer2::getNFCInstance(status);
            break;
        case UnicodeForm::Nfd:
            n = icu::Normalizer2::getNFDInstance(status);
            break;
        case UnicodeForm::Nfkc:
            n = icu::Normalizer2::getNFKCInstance(status);
            break;
        case UnicodeForm::Nfkd:
            n = icu::Normalizer2::getNFKDInstance(status);
            break;
        }
        return U_SUCCESS(status) ? n : nullptr;
    }

    static void normalizeValid(const icu::Normalizer2 &icu, std::string &text)
    {
        UErrorCode status = U_ZERO_ERROR;
        const icu::StringPiece piece(text.data(), static_cast<std::int32_t>(text.size()));
        if (icu.isNormalizedUTF8(piece, status) && U_SUCCESS(status)) {
            return;
        }
        status = U_ZERO_ERROR;
        std::string out;
        icu::StringByteSink<std::string> sink(&out, static_cast<std::int32_t>(text.size()));
        icu.normalizeUTF8(0, piece, sink, nullptr, status);
        if (U_SUCCESS(status)) {
            text = std::move(out);
        }
    }

    UnicodeForm m_form;
};

class ReplaceNormalizer final : public Normalizer
{
public:
    ReplaceNormalizer(Pattern pattern, std::string content)
        : m_pattern(std::move(pattern))
        , m_content(std::move(content))
    {}

    void normalize(std::string &text) const override
    {
        std::string out;
        out.reserve(text.size());
        m_pattern.forEachSpan(text, [&](const Span &s) {
            if (s.isMatch) {
                out += m_content;
            } else {
                out.append(text, s.begin, s.end - s.begin);
            }
        });
        text = std::move(out);
    }

private:
    Pattern m_pattern;
    std::string m_content;
};

class PrependNormalizer final : public Normalizer
{
public:
    explicit PrependNormalizer(std::string prefix)
        : m_prefix(std::move(prefix))
    {}

    void normalize(std::string &text) const override
    {
        if (!text.empty()) {
            text.insert(0, m_prefix);
        }
    }

private:
    std::string m_prefix;
};

class StripNormalizer final : public Normalizer
{
public:
    StripNormalizer(bool left, bool right)
        : m_left(left)
        , m_right(right)
    {}

    void normalize(std::string &text) const override
    {
        std::size_t begin = 0;
        std::size_t end = text.size();
        if (m_left) {
            while (begin < end) {
                const Utf8Step step = decodeUtf8(text, begin);
                if (!step.valid || !isWhiteSpace(step.cp)) {
                    break;
                }
                begin += step.len;
            }
        }
        if (m_right) {
            end = trailingWhiteSpaceStart(text, begin);
        }
        text = text.substr(begin, end - begin);
    }

private:
    static std::size_t trailingWhiteSpaceStart(std::string_view text, std::size_t from)
    {
        std::size_t start = text.size();
        for (std::size_t pos = from; pos < text.size();) {
            const Utf8Step step = decodeUtf8(text, pos);
            const bool space = step.valid && isWhiteSpace(step.cp);
            if (!space) {
                start = text.size();
            } else if (start == text.size()) {
                start = pos;
            }
            pos += step.len;
        }
        return start;
    }

    bool m_left;
    bool m_right;
};

class SequenceNormalizer final : public Normalizer
{
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts)
        : m_parts(std::move(parts))
    {}

    void normalize(std::string &text) const override
    {
        for (const auto &part : m_parts) {
            part->normalize(text);
        }
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_parts;
};

}  // namespace

std::unique_ptr<Normalizer> makeUnicodeNormalizer(UnicodeForm form)
{
    return std::make_unique<UnicodeNormalizer>(form);
}

std::unique_ptr<Normalizer> makeReplaceNormalizer(Pattern pattern, std::string content)
{
    return std::make_unique<ReplaceNormalizer>(std::move(pattern), std::move(content));
}

std::unique_ptr<Normalizer> makePrependNormalizer(std::string prefix)
{
    return std::make_unique<PrependNormalizer>(std::move(prefix));
}

std::unique_ptr<Normalizer> makeStripNormalizer(bool left, bool right)
{
    return std::make_unique<StripNormalizer>(left, right);
}

std::unique_ptr<Normalizer> makeSequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts)
{
    return std::make_unique<SequenceNormalizer>(std::move(parts));
}

}  // namespace pq::core::text::detail
