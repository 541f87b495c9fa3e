// SPDX-License-Identifier: MIT
#include "core/text/bpe_model.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "core/text/unicode.h"

namespace pq::core::text::detail {

void MergeList::add(std::string_view left, std::string_view right)
{
    const auto leftOffset = static_cast<std::uint32_t>(arena.size());
    arena.append(left);
    const auto rightOffset = static_cast<std::uint32_t>(arena.size());
    arena.append(right);
    items.push_back(Item{leftOffset, static_cast<std::uint32_t>(left.size()), rightOffset,
                         static_cast<std::uint32_t>(right.size())});
}

/**
 * Word -> ids of words shorter than MAX_CACHED_WORD bytes, split into shards with their own
 * reader/writer lock. Like tokenizers' cache it stops growing when full (no eviction).
 */
class BpeCache
{
public:
    static constexpr std::size_t MAX_CACHED_WORD = 256;  // tokenizers' MAX_LENGTH

    bool lookup(std::string_view word, std::vector<std::int32_t> &out) const
    {
        const std::size_t h = std::hash<std::string_view>{}(word);
        const Shard &shard = m_shards[h % SHARDS];
        const std::shared_lock lock(shard.mutex);
        const auto it = shard.map.find(word);
        if (it == shard.map.end()) {
            return false;
        }
        out.insert(out.end(), it->second.begin(), it->second.end());
        return true;
    }

    void insert(std::string_view word, const std::int32_t *ids, std::size_t count)
    {
        const std::size_t h = std::hash<std::string_view>{}(word);
        Shard &shard = m_shards[h % SHARDS];
        const std::unique_lock lock(shard.mutex);
        if (shard.map.size() < CAPACITY_PER_SHARD) {
            shard.map.emplace(std::string(word), std::vector<std::int32_t>(ids, ids + count));
        }
    }

private:
    static constexpr std::size_t SHARDS = 16;
    static constexpr std::size_t CAPACITY_PER_SHARD = 8192;

    struct Hash
    {
        using is_transparent = void;

        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };

    struct Shard
    {
        mutable std::shared_mutex mutex;
        std::unordered_map<std::string, std::vector<std::int32_t>, Hash, std::equal_to<>> map;
    };

    std::array<Shard, SHARDS> m_shards;
};

struct BpeModel::Symbol
{
    std::int32_t c;     ///< token id
    std::int32_t prev;  ///< index of the previous live symbol, -1 none
    std::int32_t next;  ///< index of the next live symbol, -1 none
    std::uint32_t len;  ///< bytes of the word it covers; 0 once merged into its left neighbour
};

BpeModel::BpeModel() = default;
BpeModel::BpeModel(BpeModel &&) noexcept = default;
BpeModel &BpeModel::operator=(BpeModel &&) noexcept = default;
BpeModel::~BpeModel() = default;

namespace {

/** How far ids may run past twice the token count (vocabularies can have holes). */
constexpr std::size_t MAX_ID_SLACK = 1024;

Error missingMergeToken(std::size_t rank, std::string_view token)
{
    return makeError(ErrorCode::InvalidFormat,
                     fmt::format("tokenizer.json: merge #{} uses '{}', which is not in the "
                                 "vocabulary",
                                 rank, token));
}

}  // namespace

Result<BpeModel> BpeModel::build(Vocab vocab, const MergeList &merges, BpeOptions options)
{
    // Ids index tables: refuse ids far beyond the number of tokens before allocating them.
    if (vocab.maxId() >= 0 &&
        static_cast<std::size_t>(vocab.maxId()) >= 2 * vocab.entryCount() + MAX_ID_SLACK) {
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format("tokenizer.json: model.vocab has id {} for {} tokens",
                                     vocab.maxId(), vocab.entryCount()));
    }
    BpeModel model;
    model.m_vocab = std::move(vocab);
    model.m_vocab.build();
    model.m_options = std::move(options);
    PQ_TRY_STATUS(model.resolveMerges(merges));
    model.buildLookupTables();
    model.m_cache = std::make_unique<BpeCache>();
    return model;
}

Status BpeModel::resolveMerges(const MergeList &merges)
{
    const std::size_t prefixLength = m_options.continuingSubwordPrefix.size();
    m_merges.reserve(merges.items.size());
    std::string merged;
    for (std::size_t rank = 0; rank < merges.items.size(); ++rank) {
        const MergeList::Item &item = merges.items[rank];
        const std::string_view left(merges.arena.data() + item.leftOffset, item.leftLength);
        const std::string_view right(merges.arena.data() + item.rightOffset, item.rightLength);
        const auto leftId = m_vocab.find(left);
        const auto rightId = m_vocab.find(right);
        if (!leftId || !rightId) {
            return missingMergeToken(rank, leftId ? right : left);
        }
        if (right.size() < prefixLength) {
            return missingMergeToken(rank, right);
        }
        // The merged token drops the right side's continuing_subword_prefix.
        merged.assign(left);
        merged.append(right.substr(prefixLength));
        const auto newId = m_vocab.find(merged);
        if (!newId) {
            return missingMergeToken(rank, merged);
        }
        m_merges.insert(*leftId, *rightId, MergeRule{static_cast<std::int32_t>(rank), *newId});
    }
    return {};
}

void BpeModel::buildLookupTables()
{
    m_unkId = m_options.unkToken ? m_vocab.find(*m_options.unkToken) : std::nullopt;
    for (unsigned b = 0; b < 256; ++b) {
        m_byteIds[b] = m_vocab.find(fmt::format("<0x{:02X}>", b)).value_or(-1);
    }
    if (!m_options.continuingSubwordPrefix.empty() || !m_options.endOfWordSuffix.empty()) {
        return;  // characters are looked up with their prefix / suffix: no shortcut
    }
    m_smallCharIds.assign(0x800, -1);
    std::string ch;
    for (char32_t cp = 0; cp < 0x800; ++cp) {
        ch.clear();
        appendUtf8(ch, cp);
        m_smallCharIds[cp] = m_vocab.find(ch).value_or(-1);
    }
}

std::optional<std::int32_t> BpeModel::charId(std::string_view ch, bool first, bool last) const
{
    if (!first && !m_options.continuingSubwordPrefix.empty()) {
        std::string s = m_options.continuingSubwordPrefix;
        s.append(ch);
        if (last) {
            s += m_options.endOfWordSuffix;
        }
        return m_vocab.find(s);
    }
    if (last && !m_options.endOfWordSuffix.empty()) {
        return m_vocab.find(std::string(ch) + m_options.endOfWordSuffix);
    }
    return m_vocab.find(ch);
}

void BpeModel::pushSymbol(std::vector<Symbol> &symbols, std::int32_t id, std::uint32_t len)
{
    const auto index = static_cast<std::int32_t>(symbols.size());
    if (!symbols.empty()) {
        symbols.back().next = index;
    }
    symbols.push_back(Symbol{id, index - 1, -1, len});
}

bool BpeModel::pushByteFallback(std::string_view ch,
                                bool first,
                                bool last,
                                std::vector<Symbol> &symbols) const
{
    std::string decorated(ch);
    if (!first) {
        decorated.insert(0, m_options.continuingSubwordPrefix);
    }
    if (last) {
        decorated += m_options.endOfWordSuffix;
    }
    const bool allBytes = std::all_of(decorated.begin(), decorated.end(), [this](char b) {
        return m_byteIds[static_cast<unsigned char>(b)] >= 0;
    });
    if (allBytes) {
        for (const char b : decorated) {
            pushSymbol(symbols, m_byteIds[static_cast<unsigned char>(b)], 1);
        }
    }
    return allBytes;
}

void BpeModel::addChars(std::string_view word, std::vector<Symbol> &symbols) const
{
    std::optional<Symbol> unk;  // a pending run of unknown characters
    for (std::size_t pos = 0; pos < word.size();) {
        const Utf8Step step = decodeUtf8(word, pos);
        const std::string_view ch = word.substr(pos, step.len);
        const bool first = pos == 0;
        pos += step.len;
        const bool last = pos == word.size();
        const bool small = step.valid && step.cp < 0x800 && !m_smallCharIds.empty();
        const auto id = small ? (m_smallCharIds[step.cp] >= 0
                                         ? std::optional<std::int32_t>(m_smallCharIds[step.cp])
                                         : std::nullopt)
                              : charId(ch, first, last);
        if (id) {
            if (unk) {
                pushSymbol(symbols, unk->c, unk->len);
                unk.reset();
            }
            pushSymbol(symbols, *id, step.len);
        } else if ((m_options.byteFallback && pushByteFallback(ch, first, last, symbols)) ||
                   !m_unkId) {
            // Byte tokens were pushed (as in tokenizers, without flushing a pending unknown
            // run first), or there is no unk token and tokenizers drops the character.
        } else if (unk && m_options.fuseUnk) {
            unk->len += step.len;
        } else {
            if (unk) {
                pushSymbol(symbols, unk->c, unk->len);
            }
            unk = Symbol{*m_unkId, -1, -1, step.len};
        }
    }
    if (unk) {
        pushSymbol(symbols, unk->c, unk->len);
    }
}

namespace {

struct QueuedMerge
{
    std::int32_t rank;
    std::int32_t pos;
    std::int32_t newId;
};

/** Heap order: lowest rank first, then leftmost position (tokenizers' Merge ordering). */
bool later(const QueuedMerge &a, const QueuedMerge &b)
{
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
}

}  // namespace

void BpeModel::mergeAll(std::vector<Symbol> &symbols) const
{
    thread_local std::vector<QueuedMerge> queue;
    queue.clear();
    const auto enqueue = [this](std::int32_t pos, std::int32_t left, std::int32_t right) {
        if (const MergeRule *rule = m_merges.find(left, right)) {
            queue.push_back(QueuedMerge{rule->rank, pos, rule->newId});
            std::push_heap(queue.begin(), queue.end(), later);
        }
    };
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
        enqueue(static_cast<std::int32_t>(i), symbols[i].c, symbols[i + 1].c);
    }
    while (!queue.empty()) {
        std::pop_heap(queue.begin(), queue.end(), later);
        const QueuedMerge top = queue.back();
        queue.pop_back();
        Symbol &cur = symbols[static_cast<std::size_t>(top.pos)];
        if (cur.len == 0 || cur.next < 0) {
            continue;
        }
        Symbol &right = symbols[static_cast<std::size_t>(cur.next)];
        const MergeRule *rule = m_merges.find(cur.c, right.c);
        if (rule == nullptr || rule->newId != top.newId) {
            continue;  // an expired entry
        }
        cur.c = top.newId;
        cur.len += right.len;
        cur.next = right.next;
        right.len = 0;
        if (cur.next >= 0) {
            symbols[static_cast<std::size_t>(cur.next)].prev = top.pos;
        }
        if (cur.prev >= 0) {
            enqueue(cur.prev, symbols[static_cast<std::size_t>(cur.prev)].c, cur.c);
        }
        if (cur.next >= 0) {
            enqueue(top.pos, cur.c, symbols[static_cast<std::size_t>(cur.next)].c);
        }
    }
}

void BpeModel::mergeWord(std::string_view word, std::vector<std::int32_t> &out) const
{
    thread_local std::vector<Symbol> symbols;
    symbols.clear();
    addChars(word, symbols);
    mergeAll(symbols);
    for (const Symbol &s : symbols) {
        if (s.len != 0) {
            out.push_back(s.c);
        }
    }
}

void BpeModel::tokenize(std::string_view word, std::vector<std::int32_t> &out) const
{
    if (word.empty()) {
        return;
    }
    if (m_options.ignoreMerges) {
        if (const auto id = m_vocab.find(word)) {
            out.push_back(*id);
            return;
        }
    }
    const bool cacheable = word.size() < BpeCache::MAX_CACHED_WORD;
    if (cacheable && m_cache->lookup(word, out)) {
        return;
    }
    const std::size_t before = out.size();
    mergeWord(word, out);
    if (cacheable) {
        m_cache->insert(word, out.data() + before, out.size() - before);
    }
}

}  // namespace pq::core::text::detail
