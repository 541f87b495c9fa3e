// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/job_context.h"
#include "core/util/result.h"

namespace pq::core::text {

/** What a byte-level BPE vocabulary is trained to. */
struct BpeTrainerOptions
{
    /** Total ids: the 256 byte symbols, the merged tokens and the special tokens. */
    std::size_t vocabSize = 2048;
    /** Training stops early when the most frequent pair occurs fewer times than this. */
    std::uint64_t minPairCount = 2;
    /** Added tokens, given the ids after the model vocabulary in this order. The first is the
     *  BOS token (tokenizer_config.json, and the post-processor puts it in front of a sequence
     *  with add_special_tokens), the second the EOS token. */
    std::vector<std::string> specialTokens = {"<|bos|>", "<|eos|>"};
};

/**
 * A trained byte-level BPE vocabulary: GPT-2's scheme (the ByteLevel pre-tokenizer with its
 * regex, every byte a base symbol, so any input encodes and decodes losslessly).
 *
 * Ids: 0..255 are the bytes (id = byte value), then the merged tokens in the order they were
 * learned, then the special tokens. Several merges may produce the same byte string; they then
 * share its id (as in `tokenizers`' BpeTrainer), so `merges.size()` can exceed the number of
 * merged tokens.
 */
struct TrainedBpe
{
    std::vector<std::string> tokens;  ///< id → the token's raw bytes (model vocabulary)
    std::vector<std::pair<std::int32_t, std::int32_t>> merges;  ///< (left, right), by rank
    std::vector<std::uint64_t> mergeCounts;  ///< how often each merge's pair occurred
    std::vector<std::string> specialTokens;  ///< ids tokens.size() + i
    std::uint64_t words = 0;                 ///< pre-tokenized words counted
    std::uint64_t uniqueWords = 0;

    /** Ids in all: model vocabulary plus special tokens. */
    std::size_t vocabSize() const { return tokens.size() + specialTokens.size(); }

    /** Id of special token `i` (0 = BOS, 1 = EOS). */
    std::int32_t specialId(std::size_t i) const
    {
        return static_cast<std::int32_t>(tokens.size() + i);
    }

    /**
     * The Hugging Face `tokenizer.json`: BPE model with byte-level vocabulary and merges,
     * ByteLevel pre-tokenizer (GPT-2 regex, no prefix space) and decoder, the special tokens as
     * added tokens, and a TemplateProcessing post-processor that puts BOS in front.
     */
    std::string tokenizerJson() const;

    /** `tokenizer_config.json` naming the BOS/EOS tokens and the model's maximum length. */
    std::string tokenizerConfigJson(std::int64_t modelMaxLength) const;
};

/**
 * Trains a byte-level BPE vocabulary on `texts` (each text pre-tokenized on its own, exactly
 * as the resulting tokenizer.json pre-tokenizes). Standard BPE: count the words, then
 * repeatedly merge the most frequent adjacent pair, counting overlapping occurrences; ties go
 * to the pair with the smaller (left id, right id). Pair counts are updated incrementally,
 * touching only the words that contain the merged pair.
 * Reports progress ("bpe", merges done, merges wanted) and honours cancellation.
 * Errors: InvalidArgument when vocabSize cannot hold the 256 bytes and the special tokens.
 */
Result<TrainedBpe> trainByteLevelBpe(std::span<const std::string_view> texts,
                                     const BpeTrainerOptions &options,
                                     const JobContext &ctx);

}  // namespace pq::core::text
