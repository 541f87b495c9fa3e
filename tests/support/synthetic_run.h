// SPDX-License-Identifier: MIT
// A run directory without running the probe (for tests that need no libtorch): RUN_DIR/
// sensitivity.json for a real model folder, with synthetic costs in the probe's shape —
// C(f) = sensitivity × params × 2^(−2·bits(f)), the sensitivity rising with the layer and
// differing per role — and the model's real fingerprint, so core::pipeline::loadRunCosts
// accepts it. Every Linear saw 1024 tokens unless `adjust` says otherwise (e.g. the routed-token
// counts and prior flags of MoE experts).
#pragma once

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>

#include "core/data/sensitivity_report.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/quant/format_spec.h"
#include "core/util/atomic_file.h"

namespace pq::test {

/** Edits a Linear's measurement before it is written (tokens, prior, ...). */
using AdjustLinear = std::function<void(const core::LinearInfo &, core::data::LinearSensitivity &)>;

inline core::Status writeSyntheticRun(const std::string &modelDir,
                                      const std::string &runDir,
                                      const AdjustLinear &adjust = {})
{
    using core::quant::FormatId;
    auto inv = core::inventoryModelDir(modelDir);
    if (!inv) {
        return core::unexpected(std::move(inv).error());
    }
    auto cp = core::Checkpoint::open(modelDir);
    if (!cp) {
        return core::unexpected(std::move(cp).error());
    }
    auto fp = cp->fingerprint();
    if (!fp) {
        return core::unexpected(std::move(fp).error());
    }
    core::data::SensitivityReport r;
    r.modelDir = std::filesystem::absolute(modelDir).lexically_normal().string();
    r.modelFingerprint = *fp;
    r.tokens = 1000;
    r.meanLoss = 2.0;
    r.calibrationJson = R"({"samples": 4})";
    r.formats = {FormatId::NVFP4A16, FormatId::W4A16, FormatId::MXFP8, FormatId::W8A16Channel};
    r.outputTokens = 64;
    for (const core::LinearInfo &l : inv->linears) {
        core::data::LinearSensitivity s;
        s.name = l.name;
        s.tokens = 1024;
        s.inputAmax = 4.0F;
        const double sensitivity = 1e-9 * static_cast<double>(l.layer + 2) *
                                   (1.0 + static_cast<double>(static_cast<int>(l.role) % 3));
        s.fisherTrace = sensitivity * static_cast<double>(l.params());
        s.channelFisher.assign(l.outFeatures, s.fisherTrace / static_cast<double>(l.outFeatures));
        for (const FormatId f : r.formats) {
            if (core::quant::checkShape(f, l.outFeatures, l.inFeatures)) {
                s.weightCost[f] =
                        s.fisherTrace * std::exp2(-2.0 * core::quant::formatInfo(f).nominalBits);
            }
        }
        if (adjust) {
            adjust(l, s);
        }
        r.linears.push_back(std::move(s));
    }
    std::error_code ec;
    std::filesystem::create_directories(runDir, ec);
    return core::writeFileAtomically(runDir + "/sensitivity.json", r.toJson() + "\n");
}

}  // namespace pq::test
