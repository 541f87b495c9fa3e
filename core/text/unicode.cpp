// SPDX-License-Identifier: MIT
#include "core/text/unicode.h"

#include <algorithm>
#include <iterator>

#include <unicode/uchar.h>

#include "core/text/unicode_delta_gen.h"

namespace pq::core::text::detail {
namespace {

constexpr char32_t REPLACEMENT_CHAR = 0xFFFD;

bool isContinuation(unsigned char b)
{
    return (b & 0xC0U) == 0x80U;
}

/** Valid range of the second byte after lead `b0` (Unicode table 3-7); lo > hi: bad lead. */
void secondByteRange(unsigned char b0, unsigned char &lo, unsigned char &hi)
{
    lo = 0x80;
    hi = 0xBF;
    if (b0 == 0xE0) {
        lo = 0xA0;
    } else if (b0 == 0xED) {
        hi = 0x9F;
    } else if (b0 == 0xF0) {
        lo = 0x90;
    } else if (b0 == 0xF4) {
        hi = 0x8F;
    }
}

/** Sequence length announced by a lead byte; 0 for bytes that cannot start a sequence. */
std::uint32_t sequenceLength(unsigned char b0)
{
    if (b0 < 0x80) {
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return 2;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        return 4;
    }
    return 0;
}

/**
 * Length of the maximal prefix of a well-formed sequence at `pos` (0 if the lead is invalid);
 * `complete` tells whether it is a whole sequence.
 */
std::uint32_t validPrefix(std::string_view s, std::size_t pos, bool &complete)
{
    const auto b0 = static_cast<unsigned char>(s[pos]);
    const std::uint32_t need = sequenceLength(b0);
    complete = need == 1;
    if (need <= 1) {
        return need;
    }
    unsigned char lo = 0;
    unsigned char hi = 0;
    secondByteRange(b0, lo, hi);
    std::uint32_t got = 1;
    while (got < need && pos + got < s.size()) {
        const auto b = static_cast<unsigned char>(s[pos + got]);
        const bool ok = got == 1 ? (b >= lo && b <= hi) : isContinuation(b);
        if (!ok) {
            break;
        }
        ++got;
    }
    complete = got == need;
    return got;
}

}  // namespace

Utf8Step decodeUtf8(std::string_view s, std::size_t pos)
{
    bool complete = false;
    const std::uint32_t len = validPrefix(s, pos, complete);
    const auto b0 = static_cast<unsigned char>(s[pos]);
    if (!complete) {
        return Utf8Step{b0, 1, false};
    }
    if (len == 1) {
        return Utf8Step{b0, 1, true};
    }
    char32_t cp = b0 & (0xFFU >> (len + 1));
    for (std::uint32_t i = 1; i < len; ++i) {
        cp = (cp << 6U) | (static_cast<unsigned char>(s[pos + i]) & 0x3FU);
    }
    return Utf8Step{cp, len, true};
}

void appendUtf8(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0U | (cp >> 6U));
        out += static_cast<char>(0x80U | (cp & 0x3FU));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0U | (cp >> 12U));
        out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (cp & 0x3FU));
    } else {
        out += static_cast<char>(0xF0U | (cp >> 18U));
        out += static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU));
        out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (cp & 0x3FU));
    }
}

bool isValidUtf8(std::string_view s)
{
    std::size_t pos = 0;
    while (pos < s.size()) {
        if (static_cast<unsigned char>(s[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const Utf8Step step = decodeUtf8(s, pos);
        if (!step.valid) {
            return false;
        }
        pos += step.len;
    }
    return true;
}

std::string utf8Lossy(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        bool complete = false;
        const std::uint32_t len = validPrefix(bytes, pos, complete);
        if (complete) {
            out.append(bytes.substr(pos, len));
            pos += len;
        } else {
            appendUtf8(out, REPLACEMENT_CHAR);  // one U+FFFD per maximal ill-formed subpart
            pos += len == 0 ? 1 : len;
        }
    }
    return out;
}

bool isWhiteSpace(char32_t cp)
{
    // White_Space (PropList.txt), unchanged since Unicode 6.3 removed U+180E.
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

namespace {

bool inDelta(char32_t cp)
{
    const auto contains = [cp](const auto &ranges) {
        return std::any_of(std::begin(ranges), std::end(ranges),
                           [cp](const CodePointRange &r) { return cp >= r.lo && cp <= r.hi; });
    };
    return contains(LETTER_DELTA) || contains(NUMBER_DELTA);
}

}  // namespace

bool isWordChar(char32_t cp)
{
    const auto c = static_cast<UChar32>(cp);
    if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL)) {
        return true;
    }
    const std::int8_t type = u_charType(c);
    if (type == U_UNASSIGNED) {
        // Newer than ICU's tables: the letters and digits the reference's Unicode 16 knows.
        return inDelta(cp);
    }
    switch (type) {
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_CONNECTOR_PUNCTUATION:
        return true;
    default:
        return false;
    }
}

namespace {

std::array<char32_t, 256> makeByteTable()
{
    std::array<char32_t, 256> table{};
    char32_t next = 256;
    for (unsigned b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        table[b] = printable ? b : next++;
    }
    return table;
}

}  // namespace

const std::array<char32_t, 256> &byteToCodePoint()
{
    static const std::array<char32_t, 256> table = makeByteTable();
    return table;
}

int codePointToByte(char32_t cp)
{
    if (cp < 256) {
        const bool printable = (cp >= '!' && cp <= '~') || (cp >= 0xA1 && cp <= 0xAC) || cp >= 0xAE;
        return printable ? static_cast<int>(cp) : -1;
    }
    if (cp >= 256 && cp < 256 + 68) {  // 68 = 256 - 188 printable bytes
        static const std::array<int, 68> reverse = [] {
            std::array<int, 68> r{};
            const auto &t = byteToCodePoint();
            for (int b = 0; b < 256; ++b) {
                if (t[b] >= 256) {
                    r[t[b] - 256] = b;
                }
            }
            return r;
        }();
        return reverse[cp - 256];
    }
    return -1;
}

}  // namespace pq::core::text::detail
