// SPDX-License-Identifier: MIT
#pragma once

// UTF-8 and Unicode helpers for the tokenizer. Text is handled as bytes that are *usually* UTF-8:
// an ill-formed sequence never stops processing, it is handled one byte at a time (the way the
// reference `tokenizers` would see those bytes, see tokenizer.h).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pq::core::text::detail {

/** One decoded step through a byte string: a code point, or one ill-formed byte. */
struct Utf8Step
{
    char32_t cp = 0;        ///< the code point (for an ill-formed byte: the byte value)
    std::uint32_t len = 1;  ///< bytes consumed, 1..4
    bool valid = false;     ///< false: `len` is 1 and the byte is not part of well-formed UTF-8
};

/** Decodes the sequence at `s[pos]` (pos < s.size()). */
Utf8Step decodeUtf8(std::string_view s, std::size_t pos);

/** Appends the UTF-8 form of `cp` (must be a scalar value). */
void appendUtf8(std::string &out, char32_t cp);

/** True when every byte of `s` belongs to well-formed UTF-8. */
bool isValidUtf8(std::string_view s);

/**
 * `bytes` as a valid UTF-8 string: each maximal ill-formed subpart becomes U+FFFD, exactly as
 * Rust's String::from_utf8_lossy (the ByteLevel decoder's final step).
 */
std::string utf8Lossy(std::string_view bytes);

/** Rust's char::is_whitespace (the Unicode White_Space property). */
bool isWhiteSpace(char32_t cp);

/** The Rust `regex` crate's Unicode \w: Alphabetic, M, Nd, Pc, Join_Control. */
bool isWordChar(char32_t cp);

/**
 * GPT-2's byte-to-character table: every byte value has a printable code point (the 188
 * printable Latin-1 bytes map to themselves, the rest to U+0100 + n).
 */
const std::array<char32_t, 256> &byteToCodePoint();

/** The byte a ByteLevel code point stands for, or -1 if `cp` is not in the table. */
int codePointToByte(char32_t cp);

}  // namespace pq::core::text::detail
