// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "core/util/result.h"

namespace pq::core {

/**
 * Converts a llama2.c checkpoint (karpathy's legacy format: 7 int32 header fields, then float32
 * arrays) to a Hugging Face Llama directory: config.json and model.safetensors (F32, tied
 * embeddings when the header's vocab size is positive). llama2.c rotates interleaved pairs, HF
 * rotates halves, so the rows of q_proj and k_proj are permuted per head exactly as transformers'
 * convert_llama_weights_to_hf.py does. The file is validated (header ranges, exact size) before
 * anything is allocated. Used as a test fixture for the real stories260K model.
 */
Status importLlama2c(const std::string &binPath, const std::string &outDir);

/**
 * Converts llama2.c's tokenizer.bin (max token length, then per token: float score, int32 length,
 * bytes; SentencePiece pieces with "▁" written as a space) into `tokenizer.json` and
 * `tokenizer_config.json` for a SentencePiece-style BPE with byte fallback — the layout Hugging
 * Face uses for Llama 2. Merges are derived from the scores the way transformers'
 * SentencePieceExtractor does: every split of a piece into two vocabulary pieces, ordered by
 * the merged piece's score (then by the parts' ids).
 */
Status importLlama2cTokenizer(const std::string &tokenizerBinPath, const std::string &outDir);

}  // namespace pq::core
