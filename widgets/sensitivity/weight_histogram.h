// SPDX-License-Identifier: MIT
#pragma once

// The histogram of a Linear's weights that the Sensitivity tab's detail shows (UI.md "Details
// dock"): why a layer is sensitive — outlier channels, heavy tails — read against the values
// the chosen format can store. Plain C++ over core (no Qt), so it runs on a worker and in tests.
//
// A block-scaled format stores each weight w as (element value) × (its group's effective
// scale eff), where eff comes from the group's max |w| by the format's rule. So the honest axis
// is x = w / eff, in units of the element grid: the representable x are exactly the element
// type's values (E2M1: 0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6; INT4: −8 … 7), whatever the group.
// The scale rules are the engine's own (core/quant/row_quant.h: rowFormat, scaleCode,
// effectiveScale, nvfp4GlobalScale), so the histogram is of the very x the quantizer rounds.
// NVFP4's global scale is taken from this Linear's own max |w|, as the probe measured it (the
// exporter uses the fused group's, which moves the block scales by at most one E4M3 step).
// BF16 stores weights unchanged: its histogram is of w itself, with no grid.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/quant/formats.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"
#include "core/util/result.h"

namespace pq::widgets {

/** Counts of a Linear's weights in equal bins, with the format's representable values. */
struct WeightHistogram
{
    core::quant::FormatId format = core::quant::FormatId::BF16;
    /** True: the values are w / eff (element-grid units); false: raw weights (BF16). */
    bool scaled = false;
    std::uint32_t groupSize = 0;  ///< weights per scale along a row; 0 = one scale per row
    double lo = 0.0;              ///< the bins cover [lo, hi]
    double hi = 0.0;
    /** Per bin; a value outside [lo, hi] is counted in the nearer end bin. */
    std::vector<std::uint64_t> counts;
    std::vector<double> grid;  ///< representable values, ascending; empty for BF16
    std::uint64_t total = 0;   ///< weights counted (out × in)
    /** Values below grid.front() or above grid.back(): the format stores them as that end. */
    std::uint64_t beyondGrid = 0;
    double maxAbs = 0.0;  ///< the largest |value|

    double binWidth() const;

    /** The bin `value` falls in (clamped to the end bins). Precondition: counts not empty. */
    std::size_t binOf(double value) const;

    /** The centre of bin `i`. */
    double binCentre(std::size_t i) const;
};

/**
 * The values `format` can store in element-grid units, ascending, each once (±0 is one 0):
 * the minifloat element's finite values, or the INT range −2^(b−1) … 2^(b−1) − 1. Empty for
 * BF16.
 */
std::vector<double> representableValues(core::quant::FormatId format);

/**
 * Counts `w` in `bins` equal bins (at least 1). For a quantized format the values are
 * w / eff per group (see the file comment) over [−1.25·m, 1.25·m], m = the grid's largest
 * magnitude, so values the format saturates show beside the grid's ends; for BF16 the raw
 * weights over [−max|w|, max|w|]. Errors: a shape the format cannot take or a non-finite weight
 * (the engine's messages), Cancelled when `ctx` is (checked once per row).
 */
core::Result<WeightHistogram> weightHistogram(const core::quant::WeightView &w,
                                              core::quant::FormatId format,
                                              int bins,
                                              const core::JobContext *ctx = nullptr);

/**
 * Reads Linear `linear` of `inventory` from `checkpoint` (core::ct::linearWeightView: a 2-D weight,
 * a slice of a fused 3-D expert tensor, or a transposed one) and returns weightHistogram() of
 * it. The mapped pages are released afterwards, so browsing Linears does not keep the model
 * resident. Thread-safe for distinct calls (the checkpoint's const methods are).
 */
core::Result<WeightHistogram> readWeightHistogram(const core::Checkpoint &checkpoint,
                                                  const core::ModelInventory &inventory,
                                                  std::size_t linear,
                                                  core::quant::FormatId format,
                                                  int bins,
                                                  const core::JobContext *ctx = nullptr);

}  // namespace pq::widgets
