// SPDX-License-Identifier: MIT
#pragma once

// Tokenizer's pimpl, shared by tokenizer.cpp (encode/decode) and tokenizer_load.cpp.

#include <memory>
#include <optional>
#include <string>

#include "core/text/added_vocabulary.h"
#include "core/text/bpe_model.h"
#include "core/text/decoders.h"
#include "core/text/normalizers.h"
#include "core/text/post_processors.h"
#include "core/text/pre_tokenizers.h"
#include "core/text/tokenizer.h"

namespace pq::core::text {
namespace detail {

/**
 * The pipeline of tokenizers' TokenizerImpl for one sequence: added tokens -> normalizer ->
 * normalized added tokens -> pre-tokenizer -> BPE -> post-processor. Absent components are
 * nullptr (the identity). Immutable once built.
 */
struct Pipeline
{
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<PreTokenizer> preTokenizer;
    std::unique_ptr<BpeModel> model;
    std::unique_ptr<Decoder> decoder;
    std::unique_ptr<PostProcessor> postProcessor;
    AddedVocabulary added;
    std::optional<std::int32_t> bos;
    std::optional<std::int32_t> eos;
    std::string description;

    /** Added tokens first, then the model (tokenizers' token_to_id). */
    std::optional<std::int32_t> tokenToId(std::string_view token) const;

    /** Encodes a piece of the input that holds no raw added token; appends to `ids`. */
    void
    encodeNormalizable(std::string_view piece, bool atStart, std::vector<std::int32_t> &ids) const;
};

}  // namespace detail

struct Tokenizer::Impl : detail::Pipeline
{};

}  // namespace pq::core::text
