// SPDX-License-Identifier: MIT
#include "core/text/post_processors.h"

namespace pq::core::text::detail {
namespace {

class TemplateProcessor final : public PostProcessor
{
public:
    explicit TemplateProcessor(std::vector<TemplatePiece> pieces)
        : m_pieces(std::move(pieces))
    {}

    void process(std::vector<std::int32_t> &ids, bool addSpecialTokens) const override
    {
        std::vector<std::int32_t> out;
        out.reserve(ids.size() + 4);
        for (const TemplatePiece &piece : m_pieces) {
            if (piece.isSequence) {
                out.insert(out.end(), ids.begin(), ids.end());
            } else if (addSpecialTokens) {
                out.insert(out.end(), piece.ids.begin(), piece.ids.end());
            }
        }
        ids = std::move(out);
    }

private:
    std::vector<TemplatePiece> m_pieces;
};

class IdentityProcessor final : public PostProcessor
{
public:
    void process(std::vector<std::int32_t> & /*ids*/, bool /*addSpecialTokens*/) const override {}
};

class SequenceProcessor final : public PostProcessor
{
public:
    explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> parts)
        : m_parts(std::move(parts))
    {}

    void process(std::vector<std::int32_t> &ids, bool addSpecialTokens) const override
    {
        for (const auto &part : m_parts) {
            part->process(ids, addSpecialTokens);
        }
    }

private:
    std::vector<std::unique_ptr<PostProcessor>> m_parts;
};

}  // namespace

std::unique_ptr<PostProcessor> makeTemplateProcessor(std::vector<TemplatePiece> pieces)
{
    return std::make_unique<TemplateProcessor>(std::move(pieces));
}

std::unique_ptr<PostProcessor> makeIdentityProcessor()
{
    return std::make_unique<IdentityProcessor>();
}

std::unique_ptr<PostProcessor>
makeSequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> parts)
{
    return std::make_unique<SequenceProcessor>(std::move(parts));
}

}  // namespace pq::core::text::detail
