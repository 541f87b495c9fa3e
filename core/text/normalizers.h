// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/text/regex.h"

namespace pq::core::text::detail {

/**
 * A tokenizer.json normalizer: rewrites one piece of text in place (tokenizers' Normalizer on a
 * NormalizedString, without the offset bookkeeping we do not need). Immutable; thread-safe.
 */
class Normalizer
{
public:
    Normalizer() = default;
    Normalizer(const Normalizer &) = delete;
    Normalizer &operator=(const Normalizer &) = delete;
    Normalizer(Normalizer &&) = delete;
    Normalizer &operator=(Normalizer &&) = delete;
    virtual ~Normalizer() = default;
    virtual void normalize(std::string &text) const = 0;
};

enum class UnicodeForm
{
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
};

/** NFC / NFD / NFKC / NFKD through ICU; ill-formed bytes are kept and split the text. */
std::unique_ptr<Normalizer> makeUnicodeNormalizer(UnicodeForm form);

/** Replaces every (non-overlapping) occurrence of `pattern` with `content`. */
std::unique_ptr<Normalizer> makeReplaceNormalizer(Pattern pattern, std::string content);

/** Puts `prefix` in front of a non-empty text. */
std::unique_ptr<Normalizer> makePrependNormalizer(std::string prefix);

/** Removes leading / trailing White_Space characters. */
std::unique_ptr<Normalizer> makeStripNormalizer(bool left, bool right);

/** Applies `parts` in order. */
std::unique_ptr<Normalizer> makeSequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts);

/** Replaces every `from` byte string with `to` (a literal, non-overlapping, left to right). */
void replaceAll(std::string &text, std::string_view from, std::string_view to);

}  // namespace pq::core::text::detail
