// SPDX-License-Identifier: MIT
#include "core/text/vocab.h"

#include <algorithm>
#include <bit>
#include <functional>

#include "core/util/assert.h"

namespace pq::core::text::detail {
namespace {

std::size_t tableSizeFor(std::size_t n)
{
    std::size_t size = 16;
    while (size < n * 2) {
        size *= 2;
    }
    return size;
}

std::size_t hashOf(std::string_view s)
{
    return std::hash<std::string_view>{}(s);
}

}  // namespace

void Vocab::reserve(std::size_t entries, std::size_t bytes)
{
    m_entries.reserve(entries);
    m_arena.reserve(bytes);
}

void Vocab::add(std::string_view token, std::int32_t id)
{
    m_entries.push_back(Entry{static_cast<std::uint32_t>(m_arena.size()),
                              static_cast<std::uint32_t>(token.size()), id});
    m_arena.append(token);
    m_maxId = std::max(m_maxId, id);
}

void Vocab::build()
{
    const std::size_t size = tableSizeFor(m_entries.size());
    m_slots.assign(size, -1);
    m_mask = size - 1;
    m_distinct = 0;
    std::int32_t maxId = -1;
    for (std::size_t e = 0; e < m_entries.size(); ++e) {
        const Entry &entry = m_entries[e];
        PQ_ASSERT(entry.id >= 0 && entry.id <= MAX_TOKEN_ID);
        maxId = std::max(maxId, entry.id);
        const std::string_view key = text(entry);
        for (std::size_t i = hashOf(key) & m_mask;; i = (i + 1) & m_mask) {
            if (m_slots[i] < 0) {
                m_slots[i] = static_cast<std::int32_t>(e);
                ++m_distinct;
                break;
            }
            if (text(m_entries[static_cast<std::size_t>(m_slots[i])]) == key) {
                m_slots[i] = static_cast<std::int32_t>(e);  // a repeated token: last one wins
                break;
            }
        }
    }
    m_byId.assign(static_cast<std::size_t>(maxId) + 1, -1);
    for (const std::int32_t slot : m_slots) {
        if (slot >= 0) {
            m_byId[static_cast<std::size_t>(m_entries[static_cast<std::size_t>(slot)].id)] = slot;
        }
    }
}

std::optional<std::int32_t> Vocab::find(std::string_view token) const
{
    if (m_slots.empty()) {
        return std::nullopt;
    }
    for (std::size_t i = hashOf(token) & m_mask;; i = (i + 1) & m_mask) {
        const std::int32_t slot = m_slots[i];
        if (slot < 0) {
            return std::nullopt;
        }
        const Entry &e = m_entries[static_cast<std::size_t>(slot)];
        if (e.length == token.size() && text(e) == token) {
            return e.id;
        }
    }
}

std::optional<std::string_view> Vocab::token(std::int32_t id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_byId.size() ||
        m_byId[static_cast<std::size_t>(id)] < 0) {
        return std::nullopt;
    }
    return text(m_entries[static_cast<std::size_t>(m_byId[static_cast<std::size_t>(id)])]);
}

void MergeMap::reserve(std::size_t pairs)
{
    const std::size_t size = tableSizeFor(pairs);
    if (size <= m_keys.size()) {
        return;
    }
    std::vector<std::uint64_t> keys = std::move(m_keys);
    std::vector<MergeRule> rules = std::move(m_rules);
    m_keys.assign(size, EMPTY);
    m_rules.assign(size, MergeRule{0, 0});
    m_mask = size - 1;
    m_shift = 64U - static_cast<unsigned>(std::countr_zero(size));
    m_size = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] != EMPTY) {
            insert(static_cast<std::int32_t>(keys[i] >> 32U),
                   static_cast<std::int32_t>(keys[i] & 0xFFFFFFFFU), rules[i]);
        }
    }
}

void MergeMap::grow()
{
    reserve(std::max<std::size_t>(16, m_size * 2));
}

void MergeMap::insert(std::int32_t left, std::int32_t right, MergeRule rule)
{
    if ((m_size + 1) * 2 > m_keys.size()) {
        grow();
    }
    const std::uint64_t key = packPair(left, right);
    for (std::size_t i = slotOf(key);; i = (i + 1) & m_mask) {
        if (m_keys[i] == EMPTY) {
            m_keys[i] = key;
            m_rules[i] = rule;
            ++m_size;
            return;
        }
        if (m_keys[i] == key) {
            m_rules[i] = rule;  // a repeated pair: the later rule wins (a HashMap collect)
            return;
        }
    }
}

}  // namespace pq::core::text::detail
