// SPDX-License-Identifier: MIT
#pragma once

// Weights of a Llama-family checkpoint as torch tensors, read from the memory map on demand
// (float32 tensors on a float32 CPU runtime are zero-copy views; everything else is converted
// to the compute device and dtype). Private to core/probe.

#include <map>
#include <string>

#include <torch/torch.h>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/probe/causal_lm.h"
#include "core/probe/llama_math_torch.h"

namespace pq::probe {

/** Where and in which dtype the runtime computes (from RuntimeOptions). */
struct Compute
{
    torch::Device device{torch::kCPU};
    torch::ScalarType dtype = torch::kFloat32;

    static Compute of(const RuntimeOptions &options);

    /** `t` on the compute device in the compute dtype (integer tensors keep their dtype). */
    torch::Tensor to(const torch::Tensor &t) const;

    /** `t` as a contiguous float32 CPU tensor (for the quantizers and files). */
    static torch::Tensor host(const torch::Tensor &t);
};

class ModelWeights
{
public:
    ModelWeights(core::ModelInventory inventory, core::Checkpoint checkpoint, Compute compute);

    /** Opens the inventory and checkpoint of `modelDir`; refuses families without a forward. */
    static core::Result<ModelWeights> open(const std::string &modelDir,
                                           const RuntimeOptions &options = {});

    const Compute &compute() const { return m_compute; }

    /** RoPE tables for `positions` tokens on the compute device and dtype. */
    std::pair<torch::Tensor, torch::Tensor> ropeTables(std::int64_t positions) const;

    const core::ModelConfig &config() const { return m_inv.config; }

    const core::ModelInventory &inventory() const { return m_inv; }

    /** The tensor `name` on the compute device and dtype, or an error naming it. */
    core::Result<torch::Tensor> tensor(const std::string &name) const;

    /**
     * When on, every conversion out of the memory map drops the source's mapped pages afterwards
     * (Checkpoint::releasePages), so a streaming reader's RSS does not grow with the checkpoint.
     * Zero-copy views (float32 weights on a float32 CPU runtime) keep their pages. Off by default:
     * callers that convert the same tensors repeatedly would fault them back in each time.
     */
    void setReleaseMappedPages(bool on) { m_releasePages = on; }

    /** Decoder layer `l` (with its MoE block when the layer has one). */
    core::Result<math::LayerWeights> layer(std::int64_t l) const;
    core::Result<torch::Tensor> embedding() const;
    core::Result<torch::Tensor> finalNorm() const;
    core::Result<torch::Tensor> head() const;

    /** Rows `ids` (int64, any device) of the embedding, converted; the rest stays unconverted. */
    core::Result<torch::Tensor> embeddingRows(const torch::Tensor &ids) const;

    /** Rows of the lm_head ([vocab, hidden]; the embedding when tied). */
    core::Result<std::int64_t> headRows() const;

    /** Rows [first, first + count) of the lm_head, converted. */
    core::Result<torch::Tensor> headSlice(std::int64_t first, std::int64_t count) const;

    /** Rows `ids` (int64, any device) of the lm_head, converted. */
    core::Result<torch::Tensor> headGather(const torch::Tensor &ids) const;

    /** "model.layers.3." (the checkpoint's naming). */
    std::string layerPrefix(std::int64_t l) const;

private:
    using TensorCache = std::map<std::string, torch::Tensor>;

    /** A tensor of the map in its stored dtype (zero-copy, CPU) and its checkpoint entry. */
    struct Mapped
    {
        torch::Tensor tensor;
        const core::Checkpoint::Entry *entry = nullptr;
    };

    core::Result<Mapped> mapped(const std::string &name) const;
    /** Rows `ids` of the mapped 2-D tensor `name`, on the compute device in its dtype. */
    core::Result<torch::Tensor> gatheredRows(const std::string &name,
                                             const torch::Tensor &ids) const;

    /** `m` on the compute device and dtype; drops its mapped pages when it copied them. */
    torch::Tensor convert(const Mapped &m) const;
    std::string embeddingName() const;
    std::string headName() const;

    /** A Linear's [out, in] float32 weight, sliced out of a fused tensor where needed. */
    core::Result<torch::Tensor> linearWeight(const core::LinearInfo &linear,
                                             TensorCache &cache) const;
    core::Result<math::MoeWeights> moeBlock(std::int64_t l) const;

    core::ModelInventory m_inv;
    core::Checkpoint m_cp;
    Compute m_compute;
    bool m_releasePages = false;
};

/** Converts an exception at the libtorch boundary into a core::Error. */
core::Error torchError(const std::exception &e);

}  // namespace pq::probe
