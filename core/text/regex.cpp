// SPDX-License-Identifier: MIT
#include "core/text/regex.h"

#include <array>
#include <optional>

#include <fmt/format.h>

// pcre2.h declares the 8-bit API only when told the code unit width first.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/text/unicode.h"
#include "core/text/unicode_delta_gen.h"

namespace pq::core::text::detail {
namespace {

// White_Space, and its complement as ranges (for \S inside a bracket class).
constexpr std::string_view WHITE_SPACE = R"(\t-\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A})"
                                         R"(\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";
constexpr std::string_view NOT_WHITE_SPACE =
        R"(\x{0}-\x{8}\x{E}-\x{1F}\x{21}-\x{84}\x{86}-\x{9F}\x{A1}-\x{167F}\x{1681}-\x{1FFF})"
        R"(\x{200B}-\x{2027}\x{202A}-\x{202E}\x{2030}-\x{205E}\x{2060}-\x{2FFF})"
        R"(\x{3001}-\x{10FFFF})";

constexpr std::size_t JIT_STACK_MAX = std::size_t{64} << 20U;

template <std::size_t N>
std::string rangesText(const CodePointRange (&ranges)[N])
{
    std::string out;
    for (const CodePointRange &r : ranges) {
        out += r.lo == r.hi
                       ? fmt::format("\\x{{{:X}}}", static_cast<std::uint32_t>(r.lo))
                       : fmt::format("\\x{{{:X}}}-\\x{{{:X}}}", static_cast<std::uint32_t>(r.lo),
                                     static_cast<std::uint32_t>(r.hi));
    }
    return out;
}

/** Class body for a translated escape (`\p{L}`, `\s`, ...); empty when not translated. */
std::string classBody(std::string_view escape, bool &negated)
{
    static const std::string letters = "\\p{L}" + rangesText(LETTER_DELTA);
    static const std::string numbers = "\\p{N}" + rangesText(NUMBER_DELTA);
    negated = escape == "\\S" || escape.starts_with("\\P");
    if (escape == "\\s" || escape == "\\S") {
        return std::string(WHITE_SPACE);
    }
    if (escape == "\\p{L}" || escape == "\\pL" || escape == "\\P{L}" || escape == "\\PL") {
        return letters;
    }
    if (escape == "\\p{N}" || escape == "\\pN" || escape == "\\P{N}" || escape == "\\PN") {
        return numbers;
    }
    return {};
}

/** Length of the escape sequence starting at p[i] == '\\'. */
std::size_t escapeLength(std::string_view p, std::size_t i)
{
    if (i + 1 >= p.size()) {
        return 1;
    }
    const char c = p[i + 1];
    if ((c == 'p' || c == 'P') && i + 2 < p.size()) {
        if (p[i + 2] != '{') {
            return 3;
        }
        const std::size_t close = p.find('}', i + 2);
        return close == std::string_view::npos ? p.size() - i : close - i + 1;
    }
    return 2;
}

/** The replacement of one escape, inside or outside a bracket class. */
std::string translateEscape(std::string_view escape, bool inClass)
{
    bool negated = false;
    std::string body = classBody(escape, negated);
    if (body.empty()) {
        return std::string(escape);
    }
    if (!inClass) {
        return (negated ? "[^" : "[") + body + "]";
    }
    if (!negated) {
        return body;
    }
    // A negated class cannot be spliced into a bracket: \S has a range form; \P{L} stays
    // PCRE2's (it differs only on letters newer than PCRE2's Unicode tables).
    return escape == "\\S" ? std::string(NOT_WHITE_SPACE) : std::string(escape);
}

}  // namespace

std::string translateOnigPattern(std::string_view p)
{
    std::string out;
    out.reserve(p.size() * 2);
    bool inClass = false;
    for (std::size_t i = 0; i < p.size();) {
        const char c = p[i];
        if (c == '\\') {
            const std::size_t len = escapeLength(p, i);
            out += translateEscape(p.substr(i, len), inClass);
            i += len;
            continue;
        }
        if (c == '[' && !inClass) {
            inClass = true;
            out += c;
            if (i + 1 < p.size() && p[i + 1] == '^') {
                out += '^';
                ++i;
            }
        } else if (c == '[' && p.substr(i, 2) == "[:") {
            const std::size_t close = p.find(":]", i + 2);
            const std::size_t end = close == std::string_view::npos ? p.size() : close + 2;
            out.append(p.substr(i, end - i));
            i = end;
            continue;
        } else {
            if (c == ']' && inClass) {
                inClass = false;
            }
            out += c;
        }
        ++i;
    }
    return out;
}

struct Regex::Code
{
    pcre2_code *code = nullptr;

    Code() = default;
    Code(const Code &) = delete;
    Code &operator=(const Code &) = delete;
    Code(Code &&) = delete;
    Code &operator=(Code &&) = delete;

    ~Code() { pcre2_code_free(code); }
};

Regex::Regex(std::unique_ptr<Code> code)
    : m_code(std::move(code))
{}

Regex::Regex(Regex &&) noexcept = default;
Regex &Regex::operator=(Regex &&) noexcept = default;
Regex::~Regex() = default;

Result<Regex> Regex::compile(std::string_view pattern)
{
    const std::string translated = translateOnigPattern(pattern);
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    const std::uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE;
    pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()),
                                     translated.size(), options, &errorCode, &errorOffset, nullptr);
    if (code == nullptr) {
        std::array<PCRE2_UCHAR, 256> message{};
        pcre2_get_error_message(errorCode, message.data(), message.size());
        return makeError(ErrorCode::Unsupported,
                         fmt::format("regex /{}/ is not supported: {} (at offset {})", pattern,
                                     reinterpret_cast<const char *>(message.data()), errorOffset));
    }
    auto holder = std::make_unique<Code>();
    holder->code = code;
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // on failure pcre2_match interprets
    return Regex(std::move(holder));
}

namespace {

/** RAII owners of the per-call PCRE2 match state (match data must not be shared by threads). */
struct MatchState
{
    pcre2_match_data *data = nullptr;
    pcre2_match_context *context = nullptr;
    pcre2_jit_stack *jitStack = nullptr;

    explicit MatchState(const pcre2_code *code)
        : data(pcre2_match_data_create_from_pattern(code, nullptr))
    {}

    MatchState(const MatchState &) = delete;
    MatchState &operator=(const MatchState &) = delete;
    MatchState(MatchState &&) = delete;
    MatchState &operator=(MatchState &&) = delete;

    ~MatchState()
    {
        pcre2_jit_stack_free(jitStack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(data);
    }

    /** Gives the JIT a large stack after it ran out of its default 32 KiB one. */
    bool growJitStack()
    {
        if (jitStack != nullptr) {
            return false;
        }
        context = pcre2_match_context_create(nullptr);
        jitStack = pcre2_jit_stack_create(32U << 10U, JIT_STACK_MAX, nullptr);
        if (context == nullptr || jitStack == nullptr) {
            return false;
        }
        pcre2_jit_stack_assign(context, nullptr, jitStack);
        return true;
    }
};

}  // namespace

void Regex::forEachMatch(std::string_view subject, const SpanSink &onMatch) const
{
    MatchState state(m_code->code);
    if (state.data == nullptr) {
        return;
    }
    const auto *bytes = reinterpret_cast<PCRE2_SPTR>(subject.data());
    std::size_t start = 0;
    std::optional<std::size_t> lastEnd;
    while (start <= subject.size()) {
        const int rc = pcre2_match(m_code->code, bytes, subject.size(), start, 0, state.data,
                                   state.context);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && state.growJitStack()) {
            continue;
        }
        if (rc < 0) {
            break;  // no (further) match; resource limits end the scan the same way
        }
        const PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(state.data);
        const Span match{ovector[0], ovector[1], true};
        if (match.begin != match.end) {
            onMatch(match);
            lastEnd = match.end;
            start = match.end;
            continue;
        }
        // An empty match: kept unless it directly follows the previous match; then step one
        // character on (Oniguruma's find_iter).
        if (lastEnd != match.end) {
            onMatch(match);
            lastEnd = match.end;
        }
        if (match.end >= subject.size()) {
            break;
        }
        start = match.end + decodeUtf8(subject, match.end).len;
    }
}

Pattern Pattern::literal(std::string text)
{
    Pattern p;
    p.m_literal = std::move(text);
    return p;
}

Result<Pattern> Pattern::regex(std::string_view pattern)
{
    auto compiled = Regex::compile(pattern);
    if (!compiled) {
        return std::move(compiled).error();
    }
    Pattern p;
    p.m_regex = std::make_shared<const Regex>(std::move(compiled).value());
    return p;
}

void Pattern::forEachSpan(std::string_view subject, const SpanSink &sink) const
{
    if (subject.empty()) {
        sink(Span{0, 0, false});
        return;
    }
    std::size_t prev = 0;
    const auto onMatch = [&](const Span &m) {
        if (prev != m.begin) {
            sink(Span{prev, m.begin, false});
        }
        sink(m);
        prev = m.end;
    };
    if (m_regex) {
        m_regex->forEachMatch(subject, onMatch);
    } else if (!m_literal.empty()) {
        for (std::size_t pos = subject.find(m_literal); pos != std::string_view::npos;
             pos = subject.find(m_literal, pos + m_literal.size())) {
            onMatch(Span{pos, pos + m_literal.size(), true});
        }
    }
    if (prev != subject.size()) {
        sink(Span{prev, subject.size(), false});
    }
}

}  // namespace pq::core::text::detail
