// SPDX-License-Identifier: MIT
#include "core/text/tokenizer.h"

#include "core/text/tokenizer_impl.h"

namespace pq::core::text {

std::optional<std::int32_t> detail::Pipeline::tokenToId(std::string_view token) const
{
    if (const auto id = added.find(token)) {
        return id;
    }
    return model->vocab().find(token);
}

void detail::Pipeline::encodeNormalizable(std::string_view piece,
                                          bool atStart,
                                          std::vector<std::int32_t> &ids) const
{
    std::string normalized(piece);
    if (normalizer) {
        normalizer->normalize(normalized);
    }
    const detail::PieceSink toModel = [&ids, this](detail::Piece &&p) {
        model->tokenize(p.text, ids);
    };
    for (const detail::Segment &segment : added.splitNormalized(normalized)) {
        if (segment.id >= 0) {
            ids.push_back(segment.id);
            continue;
        }
        if (segment.end == segment.begin) {
            continue;  // empty pieces are dropped (PreTokenizedString::split)
        }
        detail::Piece piece{normalized.substr(segment.begin, segment.end - segment.begin),
                            atStart && segment.begin == 0};
        if (preTokenizer) {
            preTokenizer->split(std::move(piece), toModel);
        } else {
            model->tokenize(piece.text, ids);
        }
    }
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{}

Tokenizer::Tokenizer(Tokenizer &&) noexcept = default;
Tokenizer &Tokenizer::operator=(Tokenizer &&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<std::int32_t> Tokenizer::encode(std::string_view text, bool addSpecialTokens) const
{
    std::vector<std::int32_t> ids;
    ids.reserve(text.size() / 3);
    for (const detail::Segment &segment : m_impl->added.splitRaw(text)) {
        if (segment.id >= 0) {
            ids.push_back(segment.id);
        } else if (segment.end > segment.begin) {
            m_impl->encodeNormalizable(text.substr(segment.begin, segment.end - segment.begin),
                                       segment.begin == 0, ids);
        }
    }
    if (m_impl->postProcessor) {
        m_impl->postProcessor->process(ids, addSpecialTokens);
    }
    return ids;
}

std::string Tokenizer::decode(std::span<const std::int32_t> ids, bool skipSpecialTokens) const
{
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const std::int32_t id : ids) {
        std::optional<std::string_view> token = m_impl->added.decodeText(id);
        if (!token) {
            token = m_impl->model->vocab().token(id);
        }
        if (!token || (skipSpecialTokens && m_impl->added.isSpecial(*token))) {
            continue;  // unknown ids are skipped, as tokenizers does
        }
        tokens.emplace_back(*token);
    }
    std::string text;
    if (!m_impl->decoder) {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            text += i == 0 ? tokens[i] : " " + tokens[i];
        }
        return text;
    }
    m_impl->decoder->decodeChain(tokens);
    for (const std::string &t : tokens) {
        text += t;
    }
    return text;
}

std::optional<std::int32_t> Tokenizer::bosId() const
{
    return m_impl->bos;
}

std::optional<std::int32_t> Tokenizer::eosId() const
{
    return m_impl->eos;
}

std::size_t Tokenizer::vocabSize() const
{
    return std::max(m_impl->model->vocab().idLimit(), m_impl->added.idLimit());
}

std::optional<std::int32_t> Tokenizer::tokenToId(std::string_view token) const
{
    return m_impl->tokenToId(token);
}

std::string Tokenizer::idToToken(std::int32_t id) const
{
    std::optional<std::string_view> token = m_impl->added.decodeText(id);
    if (!token) {
        token = m_impl->model->vocab().token(id);
    }
    return token ? std::string(*token) : std::string();
}

std::string Tokenizer::description() const
{
    return m_impl->description;
}

}  // namespace pq::core::text
