// SPDX-License-Identifier: MIT
#pragma once

// What an export writes, decided before any byte is written: each Linear's format (from a
// recipe.json or a uniform format), the checks vLLM's loader implies, the values fused siblings
// must share, and the exact list of output tensors.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"
#include "core/util/result.h"

namespace pq::core::ct {

/** Every Linear of a model → its format. */
using FormatMap = std::map<std::string, quant::FormatId>;

/**
 * The formats of a recipe.json (schema prismaquant.recipe/1) for `inventory`. Errors
 * (InvalidFormat, naming the file): not a recipe, a Linear the recipe does not list (made for
 * another model), a format name we do not know or that does not fit the Linear's shape.
 */
Result<FormatMap> formatsFromRecipe(const ModelInventory &inventory,
                                    const std::string &recipePath,
                                    std::string *summary = nullptr);

/**
 * Every Linear in `id`, except the fused groups where some member cannot take it (shape rules),
 * which stay BF16 as a whole (vLLM loads a fused module in one scheme); their names go to
 * `keptBf16` when given.
 */
FormatMap uniformFormats(const ModelInventory &inventory,
                         quant::FormatId id,
                         std::vector<std::string> *keptBf16 = nullptr);

/**
 * Checks `formats` against what an export and vLLM need: every Linear has a format that fits its
 * shape; the members of a fused group agree; MXFP6 is refused (no compressed-tensors loader in
 * vLLM reads it); NVFP4 (W4A4) Linears have a calibrated, finite, positive input maximum; at
 * least one Linear is quantized.
 * Errors are InvalidArgument/Unsupported naming the Linear and saying what to do instead.
 */
Status checkFormats(const ModelInventory &inventory,
                    const FormatMap &formats,
                    const std::map<std::string, float> &inputAmax);

/**
 * The values fused siblings share, per Linear (only for formats that use them):
 * - `weightAmax`: NVFP4's global scale comes from the max |w| over the Linears vLLM reduces to one
 *   value: q/k/v, gate/up; for experts, one expert's gate and up (its `w13` column); a down or
 *   o projection alone.
 * - `inputAmax`: NVFP4 W4A4's input_global_scale from the max calibrated |x| over the Linears
 *   that share an input scale in vLLM: the fused group; for experts, the layer's gate/up of every
 *   expert, and the layer's downs.
 * The exporter and the evaluation of a recipe both use these, so an evaluated recipe is the
 * checkpoint that ships, bit for bit.
 */
struct SharedScales
{
    std::map<std::string, float> weightAmax;
    std::map<std::string, float> inputAmax;
};

/** Reads every NVFP4 Linear once; progress "scales" per Linear, cancellable through `ctx`. */
Result<SharedScales> sharedScales(const ModelInventory &inventory,
                                  const Checkpoint &checkpoint,
                                  const FormatMap &formats,
                                  const std::map<std::string, float> &inputAmax,
                                  const JobContext *ctx = nullptr);

/** A read-only view of a Linear's source weight inside the checkpoint's mapping; `scratch`
 *  holds a transposed copy for experts stored [in, out] (gpt-oss). */
Result<quant::WeightView> linearWeightView(const ModelInventory &inventory,
                                           const Checkpoint &checkpoint,
                                           const LinearInfo &linear,
                                           std::vector<std::byte> &scratch);

/** One tensor the export writes and where its bytes come from. */
struct OutputTensor
{
    TensorInfo info;
    std::size_t sourceTensor = 0;       ///< index into inventory.tensors
    std::optional<std::size_t> linear;  ///< index into inventory.linears when encoded/sliced
    std::string suffix;                 ///< stored tensor suffix ("weight_packed", ...)
};

/**
 * The tensors of the export, in the order they are produced: source tensor by source tensor; a
 * Linear in a quantized format becomes the tensors its format writes (quant::storedTensors)
 * under `<module>.<suffix>`; a fused 3-D expert tensor becomes per-expert tensors with vLLM's
 * names; everything else keeps its name, dtype and bytes.
 */
std::vector<OutputTensor> planOutputTensors(const ModelInventory &inventory,
                                            const FormatMap &formats);

}  // namespace pq::core::ct
