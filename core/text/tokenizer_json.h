// SPDX-License-Identifier: MIT
#pragma once

// Reading tokenizer.json: a SAX pass that stores model.vocab and model.merges straight into the
// BPE tables (the bulk of a 33 MB file) and keeps the rest as a small DOM, and the factories
// that turn the DOM's components into our objects. Internal to core/text.

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/text/bpe_model.h"
#include "core/text/decoders.h"
#include "core/text/normalizers.h"
#include "core/text/post_processors.h"
#include "core/text/pre_tokenizers.h"
#include "core/util/result.h"

namespace pq::core::text::detail {

// NOLINTNEXTLINE(bugprone-exception-escape): its implicit moves only move nlohmann::json + vectors
struct TokenizerJson
{
    nlohmann::json root;  ///< everything except model.vocab / model.merges
    Vocab vocab;
    MergeList merges;
    bool hasVocab = false;
    bool hasMerges = false;
};

/** Parses the text; malformed JSON or a malformed vocab/merges is InvalidFormat. */
Result<TokenizerJson> parseTokenizerJson(std::string_view text);

/** Token text -> id (added tokens first, then the model), for post-processors and configs. */
using TokenLookup = std::function<std::optional<std::int32_t>(std::string_view)>;

// Each factory takes the component's JSON (null gives nullptr) and reports an unknown `type` as
// Unsupported, naming it.
Result<std::unique_ptr<Normalizer>> makeNormalizer(const nlohmann::json &j);
Result<std::unique_ptr<PreTokenizer>> makePreTokenizer(const nlohmann::json &j);
Result<std::unique_ptr<Decoder>> makeDecoder(const nlohmann::json &j);
Result<std::unique_ptr<PostProcessor>> makePostProcessor(const nlohmann::json &j);

/** `{"String": s}` or `{"Regex": r}`. */
Result<Pattern> makePattern(const nlohmann::json &j, std::string_view where);

/** Error for an unknown component type. */
Error unsupportedComponent(std::string_view component, std::string_view type);

}  // namespace pq::core::text::detail
