// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/text/regex.h"

namespace pq::core::text::detail {

/** A piece of normalized text on its way to the model. */
struct Piece
{
    std::string text;
    bool atStart = false;  ///< begins at offset 0 of the original input (Metaspace "first")
};

/** How a Split keeps the matched delimiters (tokenizers' SplitDelimiterBehavior). */
enum class SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
};

/** Metaspace's prepend_scheme. */
enum class PrependScheme
{
    Always,
    First,
    Never,
};

using PieceSink = std::function<void(Piece &&)>;

/**
 * A tokenizer.json pre_tokenizer. Like every pre-tokenizer of `tokenizers` it treats each piece
 * on its own, so pieces stream through it: split() hands the non-empty pieces that `piece`
 * becomes to `sink`, in order (PreTokenizedString::split drops empty ones). A long text thus
 * never materialises as a vector of pieces. Immutable; thread-safe.
 */
class PreTokenizer
{
public:
    PreTokenizer() = default;
    PreTokenizer(const PreTokenizer &) = delete;
    PreTokenizer &operator=(const PreTokenizer &) = delete;
    PreTokenizer(PreTokenizer &&) = delete;
    PreTokenizer &operator=(PreTokenizer &&) = delete;
    virtual ~PreTokenizer() = default;
    virtual void split(Piece piece, const PieceSink &sink) const = 0;

    /** True for ByteLevel (the vocabulary is then byte-level). */
    virtual bool isByteLevel() const { return false; }
};

std::unique_ptr<PreTokenizer>
makeSplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert);

/** ByteLevel: optional prefix space, optional GPT-2 regex split, then bytes to code points. */
Result<std::unique_ptr<PreTokenizer>> makeByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex);

std::unique_ptr<PreTokenizer>
makeMetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split);

std::unique_ptr<PreTokenizer>
makeSequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> parts);

/** Appends the ByteLevel form of `bytes` (each byte as its GPT-2 code point) to `out`. */
void appendByteLevel(std::string &out, std::string_view bytes);

/**
 * NormalizedString::split's handling of delimiters, one span at a time: push() the gaps and
 * matches in order, then finish(); the resulting byte ranges (possibly empty) go to `emit`.
 */
class SplitStream
{
public:
    using RangeSink = std::function<void(std::size_t begin, std::size_t end)>;

    SplitStream(SplitBehavior behavior, RangeSink emit);
    void push(const Span &span);
    void finish();

private:
    void flush();

    SplitBehavior m_behavior;
    RangeSink m_emit;
    std::optional<Span> m_pending;
    bool m_previousMatch = false;
};

}  // namespace pq::core::text::detail
