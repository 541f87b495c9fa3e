// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/text/regex.h"

namespace pq::core::text::detail {

/**
 * A tokenizer.json decoder: rewrites the list of token strings (tokenizers' decode_chain); the
 * decoded text is their concatenation. Immutable; thread-safe.
 */
class Decoder
{
public:
    Decoder() = default;
    Decoder(const Decoder &) = delete;
    Decoder &operator=(const Decoder &) = delete;
    Decoder(Decoder &&) = delete;
    Decoder &operator=(Decoder &&) = delete;
    virtual ~Decoder() = default;
    virtual void decodeChain(std::vector<std::string> &tokens) const = 0;
};

/** ByteLevel: code points back to bytes, then one lossy UTF-8 string. */
std::unique_ptr<Decoder> makeByteLevelDecoder();

/** Replace: every occurrence of `pattern` in each token becomes `content`. */
std::unique_ptr<Decoder> makeReplaceDecoder(Pattern pattern, std::string content);

/** ByteFallback: runs of "<0xAB>" tokens become their UTF-8 text (U+FFFD per byte if invalid). */
std::unique_ptr<Decoder> makeByteFallbackDecoder();

/** Fuse: all tokens into one. */
std::unique_ptr<Decoder> makeFuseDecoder();

/** Strip: removes up to `start` leading and `stop` trailing `content` characters per token. */
std::unique_ptr<Decoder> makeStripDecoder(char32_t content, std::size_t start, std::size_t stop);

/** Metaspace: the replacement character back to a space (dropped at the very start). */
std::unique_ptr<Decoder> makeMetaspaceDecoder(char32_t replacement, bool prependNever);

std::unique_ptr<Decoder> makeSequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts);

}  // namespace pq::core::text::detail
