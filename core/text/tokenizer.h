// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace pq::core::text {

/**
 * A Hugging Face tokenizer loaded from `tokenizer.json` (+ `tokenizer_config.json`), tokenizing
 * exactly as the `tokenizers` library does for the supported families:
 *  - byte-level BPE with Split pre-tokenizer regexes (Qwen2/3, Llama 3, GPT-2), NFC normalizer;
 *  - SentencePiece-style BPE with "▁" replacement and byte fallback (Gemma, Llama 2, Mistral);
 *  - added and special tokens matched before the model (special / normalized / lstrip / rstrip
 *    flags honoured).
 * Unsupported components give ErrorCode::Unsupported naming the component. Invalid UTF-8 in the
 * input is handled as the reference does (as bytes), never a crash.
 * Thread-safety: a loaded Tokenizer is immutable; encode/decode may run concurrently.
 */
class Tokenizer
{
public:
    /** Loads `<modelDir>/tokenizer.json` and, when present, `<modelDir>/tokenizer_config.json`. */
    static Result<Tokenizer> load(const std::string &modelDir);

    /** From the JSON texts (configJson may be empty). */
    static Result<Tokenizer> fromJson(std::string_view tokenizerJson, std::string_view configJson);

    Tokenizer(Tokenizer &&other) noexcept;
    Tokenizer &operator=(Tokenizer &&other) noexcept;
    Tokenizer(const Tokenizer &) = delete;
    Tokenizer &operator=(const Tokenizer &) = delete;
    ~Tokenizer();

    /**
     * Token ids of `text`. With addSpecialTokens, the post-processor's template is applied
     * (e.g. BOS in front), as `tokenizers`' encode(text, add_special_tokens=True).
     */
    std::vector<std::int32_t> encode(std::string_view text, bool addSpecialTokens = false) const;

    /** Text of `ids` (as `tokenizers`' decode; special tokens kept unless skipSpecialTokens). */
    std::string decode(std::span<const std::int32_t> ids, bool skipSpecialTokens = false) const;

    /** BOS / EOS ids from tokenizer_config.json (bos_token / eos_token), when defined. */
    std::optional<std::int32_t> bosId() const;
    std::optional<std::int32_t> eosId() const;

    /** Number of ids (model vocabulary plus added tokens beyond it). */
    std::size_t vocabSize() const;

    std::optional<std::int32_t> tokenToId(std::string_view token) const;
    std::string idToToken(std::int32_t id) const;

    /** "BPE (byte-level)" / "BPE (SentencePiece, byte fallback)", for reports. */
    std::string description() const;

private:
    struct Impl;
    explicit Tokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace pq::core::text
