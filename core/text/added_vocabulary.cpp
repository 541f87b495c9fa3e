// SPDX-License-Identifier: MIT
#include "core/text/added_vocabulary.h"

#include <algorithm>
#include <map>

#include "core/text/unicode.h"

namespace pq::core::text::detail {
namespace {

bool sameToken(const AddedToken &a, const AddedToken &b)
{
    return a.content == b.content && a.singleWord == b.singleWord && a.lstrip == b.lstrip &&
           a.rstrip == b.rstrip && a.normalized == b.normalized && a.special == b.special;
}

/** The code point that ends at `pos` (a well-formed one), if any. */
std::optional<char32_t> codePointBefore(std::string_view text, std::size_t pos)
{
    for (std::size_t len = 1; len <= 4 && len <= pos; ++len) {
        const Utf8Step step = decodeUtf8(text, pos - len);
        if (step.valid && step.len == len) {
            return step.cp;
        }
    }
    return std::nullopt;
}

/** Start of the White_Space run that ends at `pos` (Rust regex `\s*$` on text[..pos]). */
std::size_t spaceRunStartBefore(std::string_view text, std::size_t pos)
{
    while (pos > 0) {
        const auto cp = codePointBefore(text, pos);
        if (!cp || !isWhiteSpace(*cp)) {
            break;
        }
        std::string encoded;
        appendUtf8(encoded, *cp);
        pos -= encoded.size();
    }
    return pos;
}

/** End of the White_Space run that starts at `pos` (Rust regex `^\s*` on text[pos..]). */
std::size_t spaceRunEndAfter(std::string_view text, std::size_t pos)
{
    while (pos < text.size()) {
        const Utf8Step step = decodeUtf8(text, pos);
        if (!step.valid || !isWhiteSpace(step.cp)) {
            break;
        }
        pos += step.len;
    }
    return pos;
}

/** single_word: no word character right before or right after the match. */
bool acceptSingleWord(std::string_view text, std::size_t start, std::size_t stop)
{
    const auto before = codePointBefore(text, start);
    const bool startSpace = start == 0 || !before || !isWordChar(*before);
    bool stopSpace = stop == text.size();
    if (!stopSpace) {
        const Utf8Step after = decodeUtf8(text, stop);
        stopSpace = !after.valid || !isWordChar(after.cp);
    }
    return startSpace && stopSpace;
}

}  // namespace

void AddedVocabulary::Trie::insert(std::string_view pattern, std::int32_t id)
{
    std::size_t node = 0;
    for (const char ch : pattern) {
        const auto b = static_cast<unsigned char>(ch);
        auto &edges = nodes[node].edges;
        const auto it = std::lower_bound(edges.begin(), edges.end(), b,
                                         [](const auto &e, auto v) { return e.first < v; });
        if (it != edges.end() && it->first == b) {
            node = static_cast<std::size_t>(it->second);
            continue;
        }
        const auto child = static_cast<std::int32_t>(nodes.size());
        edges.insert(it, {b, child});
        nodes.emplace_back();  // may move the nodes; `edges` is not used after this
        node = static_cast<std::size_t>(child);
    }
    if (nodes[node].id < 0) {
        nodes[node].id = id;  // duplicate patterns keep the first token
    }
    if (!pattern.empty()) {
        firstByte[static_cast<unsigned char>(pattern[0])] = true;
    }
}

std::pair<std::size_t, std::int32_t> AddedVocabulary::Trie::longestAt(std::string_view text,
                                                                      std::size_t pos) const
{
    std::pair<std::size_t, std::int32_t> best{0, -1};
    std::size_t node = 0;
    for (std::size_t i = pos; i < text.size(); ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        const auto &edges = nodes[node].edges;
        const auto it =
                std::lower_bound(edges.begin(), edges.end(), b,
                                 [](const auto &e, unsigned char v) { return e.first < v; });
        if (it == edges.end() || it->first != b) {
            break;
        }
        node = static_cast<std::size_t>(it->second);
        if (nodes[node].id >= 0) {
            best = {i + 1 - pos, nodes[node].id};
        }
    }
    return best;
}

void AddedVocabulary::add(const std::vector<AddedToken> &tokens,
                          const Vocab &model,
                          const Normalizer *normalizer)
{
    auto nextId = static_cast<std::int32_t>(model.size());
    if (!m_byId.empty()) {
        const auto maxId = std::max_element(m_byId.begin(), m_byId.end(), [](auto &a, auto &b) {
                               return a.first < b.first;
                           })->first;
        nextId = maxId >= nextId || model.size() == 0 ? maxId + 1 : nextId;
    }
    for (const AddedToken &token : tokens) {
        if (token.content.empty()) {
            continue;
        }
        const auto known = m_contentToId.find(token.content);
        if (known != m_contentToId.end() && m_byId.contains(known->second) &&
            sameToken(m_byId.at(known->second), token)) {
            continue;
        }
        std::int32_t id = known != m_contentToId.end() ? known->second
                                                       : model.find(token.content).value_or(-1);
        if (id < 0) {
            id = nextId++;
        }
        if (token.normalized && normalizer != nullptr) {
            std::string normed = token.content;
            normalizer->normalize(normed);
            if (normed != token.content) {
                m_normalizedText[id] = std::move(normed);
            }
        }
        m_contentToId[token.content] = id;
        if (token.special) {
            m_special.insert(token.content);
        }
        m_byId[id] = token;
        m_idLimit = std::max(m_idLimit, static_cast<std::size_t>(id) + 1);
    }
    rebuildTries();
}

void AddedVocabulary::rebuildTries()
{
    m_rawTrie = Trie{};
    m_normalizedTrie = Trie{};
    const std::map<std::int32_t, const AddedToken *> ordered = [this] {
        std::map<std::int32_t, const AddedToken *> m;
        for (const auto &[id, token] : m_byId) {
            m.emplace(id, &token);
        }
        return m;
    }();
    for (const auto &[id, token] : ordered) {
        if (!token->normalized) {
            m_rawTrie.insert(token->content, id);
            continue;
        }
        const auto normed = m_normalizedText.find(id);
        m_normalizedTrie.insert(normed != m_normalizedText.end() ? normed->second : token->content,
                                id);
    }
}

std::vector<Segment> AddedVocabulary::split(std::string_view text, const Trie &trie) const
{
    std::vector<Segment> out;
    std::size_t startOffset = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        if (!trie.firstByte[static_cast<unsigned char>(text[pos])]) {
            ++pos;
            continue;
        }
        const auto [length, id] = trie.longestAt(text, pos);
        if (length == 0) {
            ++pos;
            continue;
        }
        std::size_t start = pos;
        std::size_t stop = pos + length;
        pos = stop;  // the scan resumes after the match, whatever happens to it below
        const AddedToken &token = m_byId.at(id);
        if (token.singleWord && !acceptSingleWord(text, start, stop)) {
            continue;
        }
        if (token.lstrip) {
            start = std::max(spaceRunStartBefore(text, start), startOffset);
        }
        if (token.rstrip) {
            stop = spaceRunEndAfter(text, stop);
        }
        if (startOffset < start) {
            out.push_back(Segment{startOffset, start, -1});
        }
        out.push_back(Segment{start, stop, id});
        startOffset = stop;
    }
    if (startOffset != text.size() || text.empty()) {
        out.push_back(Segment{startOffset, text.size(), -1});
    }
    return out;
}

std::vector<Segment> AddedVocabulary::splitRaw(std::string_view text) const
{
    return split(text, m_rawTrie);
}

std::vector<Segment> AddedVocabulary::splitNormalized(std::string_view text) const
{
    return split(text, m_normalizedTrie);
}

std::optional<std::int32_t> AddedVocabulary::find(std::string_view content) const
{
    const auto it = m_contentToId.find(std::string(content));
    return it == m_contentToId.end() ? std::nullopt : std::optional<std::int32_t>(it->second);
}

std::optional<std::string_view> AddedVocabulary::decodeText(std::int32_t id) const
{
    const auto it = m_byId.find(id);
    if (it == m_byId.end()) {
        return std::nullopt;
    }
    const auto normed = m_normalizedText.find(id);
    return normed != m_normalizedText.end() ? std::string_view(normed->second)
                                            : std::string_view(it->second.content);
}

bool AddedVocabulary::isSpecial(std::string_view content) const
{
    return m_special.contains(std::string(content));
}

}  // namespace pq::core::text::detail
