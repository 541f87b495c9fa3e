// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "core/alloc/allocation.h"
#include "core/io/checkpoint.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"

namespace pq::core::alloc {

/**
 * Costs without a probe (`--data-free`): each Linear's plain squared weight error
 * Σ (W − Q_f(W))² for every format on `formats`, with the production quantizers. Blind to how
 * much each weight matters to the loss, so the recipe is a weaker guess; the result is marked
 * dataFree and the CLI says so. Reads one Linear at a time from the memory-mapped checkpoint;
 * progress per Linear, cancellable.
 */
Result<LinearCosts> dataFreeCosts(const ModelInventory &inventory,
                                  const Checkpoint &checkpoint,
                                  const std::vector<quant::FormatId> &formats,
                                  quant::QuantBackend &backend,
                                  const JobContext &ctx);

}  // namespace pq::core::alloc
