// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/text/normalizers.h"
#include "core/text/vocab.h"

namespace pq::core::text::detail {

/** An entry of tokenizer.json's `added_tokens` (the id there is advisory, see add()). */
struct AddedToken
{
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

/** A piece of the input: plain text, or an added token (`id` >= 0) covering `text`. */
struct Segment
{
    std::size_t begin = 0;  ///< byte offset in the string that was split
    std::size_t end = 0;
    std::int32_t id = -1;
};

/**
 * tokenizers' AddedVocabulary: added tokens are found in the text before the model sees it,
 * leftmost-longest (its Aho-Corasick MatchKind::LeftmostLongest), honouring single_word, lstrip
 * and rstrip. Tokens with normalized=false are matched in the raw text, the others in each
 * normalized piece. Immutable after add(); thread-safe.
 */
class AddedVocabulary
{
public:
    /**
     * Adds `tokens` in order as AddedVocabulary::add_tokens does: a token keeps the id it has in
     * the model vocabulary (or an earlier added token), otherwise it gets the next free id.
     */
    void
    add(const std::vector<AddedToken> &tokens, const Vocab &model, const Normalizer *normalizer);

    /** Splits `text` at the tokens matched in raw (non-normalized) text. */
    std::vector<Segment> splitRaw(std::string_view text) const;

    /** Splits a normalized piece at the tokens with normalized=true. */
    std::vector<Segment> splitNormalized(std::string_view text) const;

    std::optional<std::int32_t> find(std::string_view content) const;

    /** Text `decode` shows for an added id (its normalized form when it has one). */
    std::optional<std::string_view> decodeText(std::int32_t id) const;

    bool isSpecial(std::string_view content) const;

    /** Largest added id plus one (0 when none). */
    std::size_t idLimit() const { return m_idLimit; }

    bool empty() const { return m_byId.empty(); }

private:
    /** Byte trie over the patterns; node 0 is the root. */
    struct Trie
    {
        struct Node
        {
            std::vector<std::pair<unsigned char, std::int32_t>> edges;  ///< sorted by byte
            std::int32_t id = -1;                                       ///< token id ending here
        };

        std::vector<Node> nodes{1};
        std::array<bool, 256> firstByte{};

        void insert(std::string_view pattern, std::int32_t id);
        /** Longest pattern starting at `pos`: its length and id (length 0: none). */
        std::pair<std::size_t, std::int32_t> longestAt(std::string_view text,
                                                       std::size_t pos) const;
    };

    void rebuildTries();
    std::vector<Segment> split(std::string_view text, const Trie &trie) const;

    std::unordered_map<std::string, std::int32_t> m_contentToId;
    std::unordered_map<std::int32_t, AddedToken> m_byId;
    std::unordered_map<std::int32_t, std::string> m_normalizedText;
    std::unordered_set<std::string> m_special;
    Trie m_rawTrie;
    Trie m_normalizedTrie;
    std::size_t m_idLimit = 0;
};

}  // namespace pq::core::text::detail
