// SPDX-License-Identifier: MIT
#include "core/pipeline/run_costs.h"

#include "core/io/checkpoint.h"
#include "core/util/atomic_file.h"

namespace pq::core::pipeline {

Result<RunCosts> loadRunCosts(const std::string &runDir, const std::string &modelDir)
{
    const std::string path = runDir + "/sensitivity.json";
    auto text = readSmallFile(path, 1ULL << 32U);
    if (!text) {
        return makeError(ErrorCode::NotFound,
                         "no probe results here: make them with `prismaquant run MODEL_DIR --calib "
                         "TEXT --out RUN_DIR` or `prismaquant probe`, or allocate without them "
                         "using --data-free --model MODEL_DIR")
                .withPath(path);
    }
    auto report = data::SensitivityReport::fromJson(*text);
    if (!report) {
        return std::move(report).error().withPath(path);
    }
    PQ_TRY_STATUS(report->checkWhole(path));
    RunCosts out;
    out.modelDir = modelDir.empty() ? report->modelDir : modelDir;
    auto inv = inventoryModelDir(out.modelDir);
    if (!inv) {
        return std::move(inv).error();
    }
    PQ_TRY_STATUS(inv->checkQuantizable());
    auto cp = Checkpoint::open(out.modelDir);
    if (!cp) {
        return std::move(cp).error();
    }
    auto fp = cp->fingerprint();
    if (!fp) {
        return std::move(fp).error();
    }
    if (!report->modelFingerprint.empty() && *fp != report->modelFingerprint) {
        return makeError(ErrorCode::InvalidFormat,
                         "these are not the model files the probe measured (the fingerprint "
                         "differs: the model changed since, or it is another one): give that "
                         "model with --model, or probe this one")
                .withPath(out.modelDir);
    }
    out.inventory = std::move(*inv);
    out.costs = alloc::costsFromReport(*report);
    out.report = std::move(*report);
    return out;
}

}  // namespace pq::core::pipeline
