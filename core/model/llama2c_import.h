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

}  // namespace pq::core
