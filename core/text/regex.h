// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace pq::core::text::detail {

/** A match or a gap between matches, as byte offsets [begin, end). */
struct Span
{
    std::size_t begin = 0;
    std::size_t end = 0;
    bool isMatch = false;
};

using SpanSink = std::function<void(const Span &)>;

/**
 * A regular expression from a tokenizer.json (`{"Regex": ...}`), matched the way `tokenizers`
 * matches it with Oniguruma: compiled by PCRE2 (UTF + UCP, JIT when available) after a small
 * translation that makes PCRE2's classes equal Oniguruma's:
 *  - \p{L}, \p{N}: PCRE2's class plus the code points assigned since PCRE2's Unicode version
 *    (unicode_delta_gen.h);
 *  - \s, \S: the White_Space property (PCRE2 also counts U+180E);
 *  - ^ and $ match at line breaks (Oniguruma's Ruby syntax).
 * Ill-formed UTF-8 in the subject never matches anything and is never an error.
 * Immutable after construction; matching is thread-safe.
 */
class Regex
{
public:
    static Result<Regex> compile(std::string_view pattern);

    Regex(Regex &&other) noexcept;
    Regex &operator=(Regex &&other) noexcept;
    Regex(const Regex &) = delete;
    Regex &operator=(const Regex &) = delete;
    ~Regex();

    /** Calls `onMatch` for each non-overlapping match, leftmost first (Oniguruma's find_iter). */
    void forEachMatch(std::string_view subject, const SpanSink &onMatch) const;

private:
    struct Code;
    explicit Regex(std::unique_ptr<Code> code);
    std::unique_ptr<Code> m_code;
};

/** The pattern PCRE2 compiles for an Oniguruma `pattern` (exposed for tests). */
std::string translateOnigPattern(std::string_view pattern);

/**
 * A Split/Replace pattern: a literal string or a Regex. Its spans cover the whole subject with
 * gaps and matches in order (tokenizers' Pattern::find_matches); an empty subject gives one
 * empty gap.
 */
class Pattern
{
public:
    static Pattern literal(std::string text);
    static Result<Pattern> regex(std::string_view pattern);

    void forEachSpan(std::string_view subject, const SpanSink &sink) const;

private:
    std::string m_literal;
    std::shared_ptr<const Regex> m_regex;
};

}  // namespace pq::core::text::detail
