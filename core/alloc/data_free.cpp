// SPDX-License-Identifier: MIT
#include "core/alloc/data_free.h"

#include <fmt/format.h>

#include "core/quant/format_spec.h"

namespace pq::core::alloc {

Result<LinearCosts> dataFreeCosts(const ModelInventory &inventory,
                                  const Checkpoint &checkpoint,
                                  const std::vector<quant::FormatId> &formats,
                                  quant::QuantBackend &backend,
                                  const JobContext &ctx)
{
    LinearCosts out;
    out.dataFree = true;
    for (std::size_t i = 0; i < inventory.linears.size(); ++i) {
        if (ctx.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "cancelled while measuring weight errors");
        }
        const LinearInfo &l = inventory.linears[i];
        const ClassifiedTensor &t = inventory.tensors.at(l.source.tensor);
        const Checkpoint::Entry *e = checkpoint.find(t.info.name);
        if (e == nullptr) {
            return makeError(ErrorCode::NotFound, "weight missing from the checkpoint")
                    .withTensor(t.info.name);
        }
        if (l.source.transposed || l.source.stride != 1) {
            return makeError(ErrorCode::Unsupported,
                             "data-free costs for interleaved, transposed expert tensors are not "
                             "implemented")
                    .withTensor(t.info.name);
        }
        const TensorView v = checkpoint.view(*e);
        const std::uint64_t elem = dtypeBits(v.info->dtype) / 8;
        const std::uint64_t cols = v.info->shape.back();
        std::uint64_t offset = l.source.first * cols;
        if (l.source.expert >= 0) {
            offset += static_cast<std::uint64_t>(l.source.expert) * v.info->shape[1] * cols;
        }
        quant::WeightView w;
        w.dtype = v.info->dtype;
        w.data = v.data.data() + offset * elem;
        w.rows = l.outFeatures;
        w.cols = l.inFeatures;
        w.name = l.name;
        std::vector<quant::FormatId> usable;
        for (const quant::FormatId f : formats) {
            if (f != quant::FormatId::BF16 && quant::checkShape(f, l.outFeatures, l.inFeatures)) {
                usable.push_back(f);
            }
        }
        auto m = backend.measure(usable, w, {}, {});
        if (!m) {
            return std::move(m).error();
        }
        auto &costs = out.byLinear[l.name];
        costs[quant::FormatId::BF16] = 0.0;
        for (std::size_t k = 0; k < usable.size(); ++k) {
            costs[usable[k]] = (*m)[k].sse;
        }
        ctx.reportProgress("weight error", i + 1, inventory.linears.size());
    }
    return out;
}

}  // namespace pq::core::alloc
