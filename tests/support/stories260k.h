// SPDX-License-Identifier: MIT
#pragma once

// karpathy's stories260K (../shared/data/tinyllamas-stories260K, llama2.c format) converted to a
// Hugging Face directory with its 512-token tokenizer: the real trained model the CLI and probe
// tests run on.

#include <string>

#include "core/model/llama2c_import.h"
#include "tests/support/shared_data.h"

namespace pq::test {

/** Writes config.json, model.safetensors and tokenizer.json of stories260K into `dir`. */
inline bool importStories260K(const std::string &dir)
{
    return static_cast<bool>(core::importLlama2c(
                   sharedData("tinyllamas-stories260K/stories260K.bin"), dir)) &&
           static_cast<bool>(core::importLlama2cTokenizer(
                   sharedData("tinyllamas-stories260K/tok512.bin"), dir));
}

}  // namespace pq::test
