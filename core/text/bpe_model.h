// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/vocab.h"
#include "core/util/result.h"

namespace pq::core::text::detail {

/** The `merges` of a tokenizer.json before resolution: pairs of byte ranges in one arena. */
struct MergeList
{
    struct Item
    {
        std::uint32_t leftOffset;
        std::uint32_t leftLength;
        std::uint32_t rightOffset;
        std::uint32_t rightLength;
    };

    std::string arena;
    std::vector<Item> items;

    void add(std::string_view left, std::string_view right);
};

/** The BPE model's options (tokenizer.json `model`). */
struct BpeOptions
{
    std::optional<std::string> unkToken;
    std::string continuingSubwordPrefix;
    std::string endOfWordSuffix;
    bool fuseUnk = false;
    bool byteFallback = false;
    bool ignoreMerges = false;
};

class BpeCache;

/**
 * tokenizers' BPE model: each pre-token is split into characters (with byte fallback / unk),
 * then merged by rank with a priority queue (Word::merge_all, including its tie-breaking by
 * position). Results of words shorter than 256 bytes are cached in a sharded map under
 * reader/writer locks (BpeCache), shared by all threads. Immutable after build() apart from
 * that cache: tokenize() is thread-safe.
 */
class BpeModel
{
public:
    /** Resolves the merges against the vocabulary (InvalidFormat names a token that is missing). */
    static Result<BpeModel> build(Vocab vocab, const MergeList &merges, BpeOptions options);

    BpeModel(BpeModel &&other) noexcept;
    BpeModel &operator=(BpeModel &&other) noexcept;
    BpeModel(const BpeModel &) = delete;
    BpeModel &operator=(const BpeModel &) = delete;
    ~BpeModel();

    /** Appends the ids of one pre-token. */
    void tokenize(std::string_view word, std::vector<std::int32_t> &out) const;

    const Vocab &vocab() const { return m_vocab; }

    const BpeOptions &options() const { return m_options; }

    std::size_t mergeCount() const { return m_merges.size(); }

private:
    struct Symbol;
    BpeModel();
    Status resolveMerges(const MergeList &merges);
    void buildLookupTables();
    static void pushSymbol(std::vector<Symbol> &symbols, std::int32_t id, std::uint32_t len);
    bool pushByteFallback(std::string_view ch,
                          bool first,
                          bool last,
                          std::vector<Symbol> &symbols) const;
    void addChars(std::string_view word, std::vector<Symbol> &symbols) const;
    std::optional<std::int32_t> charId(std::string_view ch, bool first, bool last) const;
    void mergeAll(std::vector<Symbol> &symbols) const;
    void mergeWord(std::string_view word, std::vector<std::int32_t> &out) const;

    Vocab m_vocab;
    MergeMap m_merges;
    BpeOptions m_options;
    std::optional<std::int32_t> m_unkId;
    std::array<std::int32_t, 256> m_byteIds{};  ///< "<0xAB>" ids, -1 where missing
    std::vector<std::int32_t> m_smallCharIds;   ///< ids of code points < 0x800, -1 none
    std::unique_ptr<BpeCache> m_cache;
};

}  // namespace pq::core::text::detail
