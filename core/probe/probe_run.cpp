// SPDX-License-Identifier: MIT
#include "core/probe/probe_run.h"

#include <filesystem>

#include "core/model/inventory.h"
#include "core/pipeline/evaluations.h"
#include "core/text/tokenizer.h"
#include "core/util/atomic_file.h"

namespace pq::probe {
namespace {

namespace fs = std::filesystem;

core::Result<core::data::CalibrationSet> calibrate(const ProbeRunRequest &r,
                                                   const core::JobContext &ctx)
{
    auto tok = core::text::Tokenizer::load(r.modelDir);
    if (!tok) {
        return std::move(tok).error();
    }
    auto corpus = core::data::loadTextSource(r.calib);
    if (!corpus) {
        return std::move(corpus).error();
    }
    core::data::CalibrationSettings s = r.calibration;
    s.bos = tok->bosId();
    const core::text::Tokenizer &t = *tok;
    return core::data::buildCalibrationSet(
            *corpus, [&t](std::string_view text) { return t.encode(text, false); }, s, ctx);
}

}  // namespace

core::Result<ProbeRunResult> probeIntoRunDirectory(ProbeRunRequest request,
                                                   core::quant::QuantBackend &backend,
                                                   const core::JobContext &ctx)
{
    // absolute: the report names its model for allocate, export and the Studio, from anywhere
    request.modelDir = fs::absolute(request.modelDir).lexically_normal().string();
    PQ_TRY_STATUS(checkRuntimeOptions(request.settings.runtime));  // before minutes of work
    auto inv = core::inventoryModelDir(request.modelDir);
    if (!inv) {
        return std::move(inv).error();
    }
    PQ_TRY_STATUS(inv->checkQuantizable());
    auto set = calibrate(request, ctx);
    if (!set) {
        return std::move(set).error();
    }
    ctx.log("calibration: " + set->summary());
    ProbeSettings &settings = request.settings;
    if (settings.stateDir.empty()) {
        settings.stateDir = (fs::path(request.outDir) / "probe-state").string();
    }
    if (request.restart) {
        std::error_code ec;
        fs::remove_all(settings.stateDir, ec);
    }
    auto report = runProbe(request.modelDir, *set, settings, backend, ctx);
    if (!report) {
        return std::move(report).error();
    }
    std::error_code ec;
    fs::create_directories(request.outDir, ec);
    const fs::path dir(request.outDir);
    PQ_TRY_STATUS(
            core::writeFileAtomically((dir / "calibration.json").string(), set->toJson() + "\n"));
    PQ_TRY_STATUS(core::writeFileAtomically((dir / "sensitivity.json").string(),
                                            report->toJson() + "\n"));
    auto retired = core::pipeline::retireEvaluations(request.outDir);
    if (!retired) {
        return std::move(retired).error();
    }
    if (*retired) {
        ctx.log("the measured points of the previous probe were moved to "
                "evaluations.previous.json: they belong to its predictions");
    }
    fs::remove_all(settings.stateDir, ec);  // the run is complete
    return ProbeRunResult{std::move(*report), set->summary()};
}

}  // namespace pq::probe
