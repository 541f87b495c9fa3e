// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pq::core::text::detail {

/** Largest token id we accept from a file (bounds the id-indexed tables before allocation). */
inline constexpr std::int32_t MAX_TOKEN_ID = (1 << 24) - 1;

/**
 * token string <-> id for a large vocabulary: the strings live in one arena and an
 * open-addressing table indexes them, so 262k tokens load without 262k allocations.
 * Fill with add(), then call build() once; read-only (and thread-safe) afterwards.
 */
class Vocab
{
public:
    void reserve(std::size_t entries, std::size_t bytes);

    /** Adds a token; a token given twice keeps its last id (as a JSON object read by serde). */
    void add(std::string_view token, std::int32_t id);

    /** Builds the hash index and the id table; ids must be in [0, MAX_TOKEN_ID]. */
    void build();

    std::optional<std::int32_t> find(std::string_view token) const;

    /** The token of `id`, or nullopt when no token has that id. */
    std::optional<std::string_view> token(std::int32_t id) const;

    /** Entries added so far (before build(): repeated tokens count twice). */
    std::size_t entryCount() const { return m_entries.size(); }

    /** Largest id added so far, -1 when none. */
    std::int32_t maxId() const { return m_maxId; }

    /** Distinct tokens (tokenizers' BPE::get_vocab_size). */
    std::size_t size() const { return m_distinct; }

    /** Largest id plus one (0 when empty). */
    std::size_t idLimit() const { return m_byId.size(); }

private:
    struct Entry
    {
        std::uint32_t offset;
        std::uint32_t length;
        std::int32_t id;
    };

    std::string_view text(const Entry &e) const { return {m_arena.data() + e.offset, e.length}; }

    std::string m_arena;
    std::vector<Entry> m_entries;
    std::vector<std::int32_t> m_slots;  ///< entry index per slot, -1 empty
    std::vector<std::int32_t> m_byId;   ///< entry index per id, -1 none
    std::size_t m_mask = 0;
    std::size_t m_distinct = 0;
    std::int32_t m_maxId = -1;
};

/** A merge rule's rank (its line in `merges`) and the id of the merged token. */
struct MergeRule
{
    std::int32_t rank;
    std::int32_t newId;
};

/** (left id, right id) -> MergeRule, open addressing; a pair given twice keeps the last rule. */
class MergeMap
{
public:
    void reserve(std::size_t pairs);
    void insert(std::int32_t left, std::int32_t right, MergeRule rule);

    const MergeRule *find(std::int32_t left, std::int32_t right) const
    {
        if (m_keys.empty()) {
            return nullptr;
        }
        const std::uint64_t key = packPair(left, right);
        for (std::size_t i = slotOf(key);; i = (i + 1) & m_mask) {
            if (m_keys[i] == key) {
                return &m_rules[i];
            }
            if (m_keys[i] == EMPTY) {
                return nullptr;
            }
        }
    }

    std::size_t size() const { return m_size; }

private:
    static constexpr std::uint64_t EMPTY = ~std::uint64_t{0};

    static std::uint64_t packPair(std::int32_t left, std::int32_t right)
    {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32U) |
               static_cast<std::uint32_t>(right);
    }

    std::size_t slotOf(std::uint64_t key) const
    {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> m_shift);
    }

    void grow();

    std::vector<std::uint64_t> m_keys;
    std::vector<MergeRule> m_rules;
    std::size_t m_mask = 0;
    unsigned m_shift = 63;  ///< 64 - log2(table size): the hash's top bits pick the slot
    std::size_t m_size = 0;
};

}  // namespace pq::core::text::detail
