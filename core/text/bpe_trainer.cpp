// SPDX-License-Identifier: MIT
// Byte-level BPE training (Sennrich et al. 2016 on GPT-2's byte alphabet).
//
// Words are the pieces of the ByteLevel pre-tokenizer, counted once per distinct piece. A merge
// of the pair (a, b) into n visits only the words that held (a, b) when it was recorded: each
// such word's pair counts are taken out, the word is rewritten left to right (non-overlapping,
// as the BPE model applies it), and its counts put back. Pairs that do not involve n can only
// lose occurrences, so the max-heap keeps upper bounds for them and is corrected lazily when an
// entry surfaces; pairs involving n are pushed with their final counts after each merge.
#include "core/text/bpe_trainer.h"

#include <optional>
#include <queue>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text/pre_tokenizers.h"
#include "core/text/unicode.h"

namespace pq::core::text {
namespace {

using PairKey = std::uint64_t;  ///< left id in the high half, right id in the low half

constexpr std::size_t BYTE_SYMBOLS = 256;
constexpr std::uint64_t PROGRESS_EVERY = 32;

PairKey pairKey(std::int32_t left, std::int32_t right)
{
    return (std::uint64_t{static_cast<std::uint32_t>(left)} << 32U) |
           static_cast<std::uint32_t>(right);
}

std::int32_t leftOf(PairKey p)
{
    return static_cast<std::int32_t>(p >> 32U);
}

std::int32_t rightOf(PairKey p)
{
    return static_cast<std::int32_t>(p & 0xFFFFFFFFU);
}

struct Word
{
    std::vector<std::int32_t> symbols;
    std::uint64_t count = 0;
};

/** Heap order: more occurrences first, then the smaller (left, right). */
struct Candidate
{
    std::uint64_t count = 0;
    PairKey pair = 0;

    bool operator<(const Candidate &o) const
    {
        return count != o.count ? count < o.count : pair > o.pair;
    }
};

/** The words of `texts` (byte-level pieces) with their counts. */
Result<std::vector<Word>> countWords(std::span<const std::string_view> texts,
                                     std::uint64_t &totalWords)
{
    auto pre = detail::makeByteLevelPreTokenizer(false, true);
    if (!pre) {
        return std::move(pre).error();
    }
    std::unordered_map<std::string, std::uint64_t> counts;
    for (const std::string_view text : texts) {
        (*pre)->split(detail::Piece{std::string(text), true}, [&](detail::Piece &&p) {
            ++counts[std::move(p.text)];
            ++totalWords;
        });
    }
    std::vector<Word> words;
    words.reserve(counts.size());
    for (const auto &[mapped, count] : counts) {
        Word w;
        w.count = count;
        for (std::size_t pos = 0; pos < mapped.size();) {
            const detail::Utf8Step step = detail::decodeUtf8(mapped, pos);
            w.symbols.push_back(detail::codePointToByte(step.cp));
            pos += step.len;
        }
        words.push_back(std::move(w));
    }
    return words;
}

class PairCounter
{
public:
    explicit PairCounter(std::vector<Word> words);

    /** The most frequent pair, or nullopt when none is left. */
    std::optional<Candidate> best();

    /** Replaces every (left, right) by `merged` and updates the counts. */
    void merge(PairKey pair, std::int32_t merged);

private:
    void addPairs(std::uint32_t w, std::int32_t merged, std::vector<PairKey> &touched);
    void removePairs(std::uint32_t w);

    std::vector<Word> m_words;
    std::unordered_map<PairKey, std::uint64_t> m_counts;
    std::unordered_map<PairKey, std::vector<std::uint32_t>> m_where;  ///< may hold stale words
    std::priority_queue<Candidate> m_heap;
    std::vector<std::uint64_t> m_visited;  ///< per word: the merge that last rewrote it
    std::uint64_t m_merge = 0;
};

PairCounter::PairCounter(std::vector<Word> words)
    : m_words(std::move(words))
    , m_visited(m_words.size(), 0)
{
    for (std::uint32_t w = 0; w < m_words.size(); ++w) {
        const Word &word = m_words[w];
        for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i) {
            const PairKey p = pairKey(word.symbols[i], word.symbols[i + 1]);
            m_counts[p] += word.count;
            m_where[p].push_back(w);
        }
    }
    for (const auto &[p, count] : m_counts) {
        m_heap.push(Candidate{count, p});
    }
}

std::optional<Candidate> PairCounter::best()
{
    while (!m_heap.empty()) {
        const Candidate top = m_heap.top();
        m_heap.pop();
        const auto it = m_counts.find(top.pair);
        const std::uint64_t now = it == m_counts.end() ? 0 : it->second;
        if (now == top.count) {
            return top;
        }
        if (now > 0) {  // stale upper bound: put it back with its true count
            m_heap.push(Candidate{now, top.pair});
        }
    }
    return std::nullopt;
}

void PairCounter::removePairs(std::uint32_t w)
{
    const Word &word = m_words[w];
    for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i) {
        const auto it = m_counts.find(pairKey(word.symbols[i], word.symbols[i + 1]));
        it->second -= word.count;
        if (it->second == 0) {
            m_counts.erase(it);
        }
    }
}

void PairCounter::addPairs(std::uint32_t w, std::int32_t merged, std::vector<PairKey> &touched)
{
    const Word &word = m_words[w];
    for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i) {
        const PairKey p = pairKey(word.symbols[i], word.symbols[i + 1]);
        m_counts[p] += word.count;
        if (word.symbols[i] == merged || word.symbols[i + 1] == merged) {
            m_where[p].push_back(w);
            touched.push_back(p);
        }
    }
}

void PairCounter::merge(PairKey pair, std::int32_t merged)
{
    ++m_merge;
    const std::int32_t left = leftOf(pair);
    const std::int32_t right = rightOf(pair);
    const auto where = m_where.find(pair);
    const std::vector<std::uint32_t> words = std::move(where->second);
    m_where.erase(where);
    std::vector<PairKey> touched;
    for (const std::uint32_t w : words) {
        if (m_visited[w] == m_merge) {
            continue;
        }
        m_visited[w] = m_merge;
        std::vector<std::int32_t> &s = m_words[w].symbols;
        std::size_t out = 0;
        bool found = false;
        for (std::size_t i = 0; i + 1 < s.size(); ++i) {
            found = found || (s[i] == left && s[i + 1] == right);
        }
        if (!found) {
            continue;  // an earlier merge already rewrote this occurrence
        }
        removePairs(w);
        for (std::size_t i = 0; i < s.size(); ++out) {
            if (i + 1 < s.size() && s[i] == left && s[i + 1] == right) {
                s[out] = merged;
                i += 2;
            } else {
                s[out] = s[i++];
            }
        }
        s.resize(out);
        addPairs(w, merged, touched);
    }
    for (const PairKey p : touched) {
        const auto it = m_counts.find(p);
        if (it != m_counts.end()) {
            m_heap.push(Candidate{it->second, p});  // duplicates are dropped as stale later
        }
    }
}

std::string byteLevel(std::string_view bytes)
{
    std::string out;
    detail::appendByteLevel(out, bytes);
    return out;
}

nlohmann::ordered_json addedToken(std::int32_t id, const std::string &content)
{
    return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
            {"rstrip", false}, {"normalized", false}, {"special", true}};
}

nlohmann::ordered_json byteLevelComponent(bool addPrefixSpace)
{
    return {{"type", "ByteLevel"},
            {"add_prefix_space", addPrefixSpace},
            {"trim_offsets", true},
            {"use_regex", true}};
}

/** TemplateProcessing: BOS, then the sequence (pairs: BOS A BOS B). */
nlohmann::ordered_json bosTemplate(const std::string &bos, std::int32_t bosId)
{
    using oj = nlohmann::ordered_json;
    const oj special = {{"SpecialToken", {{"id", bos}, {"type_id", 0}}}};
    const auto seq = [](const char *id, int type) {
        return oj{{"Sequence", {{"id", id}, {"type_id", type}}}};
    };
    return {{"type", "TemplateProcessing"},
            {"single", oj::array({special, seq("A", 0)})},
            {"pair", oj::array({special, seq("A", 0), special, seq("B", 1)})},
            {"special_tokens",
             {{bos, {{"id", bos}, {"ids", oj::array({bosId})}, {"tokens", oj::array({bos})}}}}}};
}

}  // namespace

std::string TrainedBpe::tokenizerJson() const
{
    using oj = nlohmann::ordered_json;
    oj vocab = oj::object();
    for (std::size_t id = 0; id < tokens.size(); ++id) {
        vocab[byteLevel(tokens[id])] = id;
    }
    oj mergeList = oj::array();
    for (const auto &[left, right] : merges) {
        mergeList.push_back(oj::array({byteLevel(tokens[static_cast<std::size_t>(left)]),
                                       byteLevel(tokens[static_cast<std::size_t>(right)])}));
    }
    oj added = oj::array();
    for (std::size_t i = 0; i < specialTokens.size(); ++i) {
        added.push_back(addedToken(specialId(i), specialTokens[i]));
    }
    const oj model = {{"type", "BPE"},
                      {"dropout", nullptr},
                      {"unk_token", nullptr},
                      {"continuing_subword_prefix", nullptr},
                      {"end_of_word_suffix", nullptr},
                      {"fuse_unk", false},
                      {"byte_fallback", false},
                      {"ignore_merges", false},
                      {"vocab", std::move(vocab)},
                      {"merges", std::move(mergeList)}};
    const oj post =
            specialTokens.empty() ? oj(nullptr) : bosTemplate(specialTokens[0], specialId(0));
    const oj doc = {{"version", "1.0"},       {"truncation", nullptr},
                    {"padding", nullptr},     {"added_tokens", std::move(added)},
                    {"normalizer", nullptr},  {"pre_tokenizer", byteLevelComponent(false)},
                    {"post_processor", post}, {"decoder", byteLevelComponent(true)},
                    {"model", model}};
    return doc.dump(2) + "\n";
}

std::string TrainedBpe::tokenizerConfigJson(std::int64_t modelMaxLength) const
{
    nlohmann::ordered_json j = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                                {"model_max_length", modelMaxLength},
                                {"clean_up_tokenization_spaces", false}};
    if (!specialTokens.empty()) {
        j["bos_token"] = specialTokens[0];
    }
    if (specialTokens.size() > 1) {
        j["eos_token"] = specialTokens[1];
    }
    return j.dump(2) + "\n";
}

Result<TrainedBpe> trainByteLevelBpe(std::span<const std::string_view> texts,
                                     const BpeTrainerOptions &options,
                                     const JobContext &ctx)
{
    if (options.vocabSize < BYTE_SYMBOLS + options.specialTokens.size() ||
        options.vocabSize > (std::size_t{1} << 24U)) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("vocabulary size {} must lie between {} (the bytes and the "
                                     "special tokens) and 2^24",
                                     options.vocabSize,
                                     BYTE_SYMBOLS + options.specialTokens.size()));
    }
    TrainedBpe out;
    out.specialTokens = options.specialTokens;
    auto words = countWords(texts, out.words);
    if (!words) {
        return std::move(words).error();
    }
    out.uniqueWords = words->size();
    std::unordered_map<std::string, std::int32_t> ids;
    for (std::size_t b = 0; b < BYTE_SYMBOLS; ++b) {
        out.tokens.emplace_back(1, static_cast<char>(b));
        ids.emplace(out.tokens.back(), static_cast<std::int32_t>(b));
    }
    const std::size_t modelVocab = options.vocabSize - options.specialTokens.size();
    const std::size_t wanted = modelVocab - BYTE_SYMBOLS;
    PairCounter counter(std::move(words).value());
    while (out.tokens.size() < modelVocab) {
        if (ctx.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "cancelled while training the tokenizer");
        }
        const std::optional<Candidate> best = counter.best();
        if (!best || best->count < options.minPairCount) {
            break;
        }
        const std::int32_t left = leftOf(best->pair);
        const std::int32_t right = rightOf(best->pair);
        std::string merged = out.tokens[static_cast<std::size_t>(left)] +
                             out.tokens[static_cast<std::size_t>(right)];
        const auto [it, isNew] = ids.emplace(merged, static_cast<std::int32_t>(out.tokens.size()));
        if (isNew) {
            out.tokens.push_back(std::move(merged));
        }
        out.merges.emplace_back(left, right);
        out.mergeCounts.push_back(best->count);
        counter.merge(best->pair, it->second);
        if (out.merges.size() % PROGRESS_EVERY == 0) {
            ctx.reportProgress("bpe", out.tokens.size() - BYTE_SYMBOLS, wanted);
        }
    }
    ctx.reportProgress("bpe", out.tokens.size() - BYTE_SYMBOLS, wanted);
    return out;
}

}  // namespace pq::core::text
