// SPDX-License-Identifier: MIT
#pragma once

// Writing a trained model as a Hugging Face directory (private to core/probe's trainer). No
// torch here: the trainer hands over float32 values, which are rounded to BF16 on the way out.

#include <cstdint>
#include <string>
#include <vector>

#include "core/probe/train.h"

namespace pq::probe {

/** One tensor as float32 values in row-major order. */
struct NamedTensor
{
    std::string name;
    std::vector<std::uint64_t> shape;
    std::vector<float> values;
};

/** transformers' config.json for a LlamaForCausalLM of `shape` (bfloat16). */
std::string llamaConfigJson(const LlamaShape &shape, std::int32_t bos, std::int32_t eos);

/**
 * Writes config.json, model.safetensors (BF16), the tokenizer files, generation_config.json and
 * training.json into a temporary directory beside `outDir`, then renames it to `outDir`
 * (replacing an existing one only when settings.overwrite). On any failure or cancellation the
 * temporary directory is removed and `outDir` is left as it was.
 */
core::Status writeTrainedModel(const std::string &outDir,
                               const TrainData &data,
                               const TrainSettings &settings,
                               const TrainReport &report,
                               const std::vector<NamedTensor> &tensors,
                               const core::JobContext &ctx);

}  // namespace pq::probe
