// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace pq::core::text::detail {

/**
 * A tokenizer.json post_processor for a single sequence: with addSpecialTokens it wraps the ids
 * (e.g. BOS in front); without, it leaves them alone. Immutable; thread-safe.
 */
class PostProcessor
{
public:
    PostProcessor() = default;
    PostProcessor(const PostProcessor &) = delete;
    PostProcessor &operator=(const PostProcessor &) = delete;
    PostProcessor(PostProcessor &&) = delete;
    PostProcessor &operator=(PostProcessor &&) = delete;
    virtual ~PostProcessor() = default;
    virtual void process(std::vector<std::int32_t> &ids, bool addSpecialTokens) const = 0;
};

/** One element of a template: the input sequence, or the ids of a special token. */
struct TemplatePiece
{
    bool isSequence = false;
    std::vector<std::int32_t> ids;
};

/** TemplateProcessing with its `single` template (Roberta/Bert processing map onto it too). */
std::unique_ptr<PostProcessor> makeTemplateProcessor(std::vector<TemplatePiece> pieces);

/** ByteLevel only trims offsets; ids are unchanged. */
std::unique_ptr<PostProcessor> makeIdentityProcessor();

std::unique_ptr<PostProcessor>
makeSequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> parts);

}  // namespace pq::core::text::detail
