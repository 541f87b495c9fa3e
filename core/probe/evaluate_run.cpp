// SPDX-License-Identifier: MIT
#include "core/probe/evaluate_run.h"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/export/export_plan.h"
#include "core/io/checkpoint.h"
#include "core/text/tokenizer.h"

namespace pq::probe {
namespace {

/** A point before its evaluation: what it is and what it weighs. */
core::pipeline::MeasuredPoint
pointOf(std::string variant, core::pipeline::VariantKind kind, std::uint64_t bytes)
{
    core::pipeline::MeasuredPoint p;
    p.variant = std::move(variant);
    p.kind = kind;
    p.bytes = bytes;
    return p;
}

}  // namespace

core::Result<std::pair<core::data::TextCorpus, core::data::CalibrationSettings>>
probeCalibration(const core::data::SensitivityReport &report,
                 const std::string &runDir,
                 const std::string &calibOverride)
{
    const auto j = nlohmann::json::parse(report.calibrationJson, nullptr, false);
    if (j.is_discarded() || !j.contains("files") || !j["files"].is_array()) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               "sensitivity.json has no calibration record")
                .withPath(runDir + "/sensitivity.json");
    }
    core::data::CalibrationSettings s;
    s.samples = j.value("samples", std::uint64_t{0});
    s.seqLen = j.value("seq_len", std::uint64_t{0});
    s.heldOutSamples = j.value("held_out_samples", std::uint64_t{0});
    s.seed = j.value("seed", std::uint64_t{0});
    std::vector<std::string> hashes;
    for (const auto &f : j["files"]) {
        hashes.push_back(f.is_object() ? f.value("sha256", std::string()) : std::string());
    }
    std::string path = calibOverride;
    if (path.empty()) {
        if (j["files"].size() != 1 || !j["files"][0].is_object()) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   "the probe read its calibration text from several files: give "
                                   "the same source again (--calib on the command line, Text… "
                                   "beside Evaluate in the Studio)");
        }
        path = j["files"][0].value("path", std::string());
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            return core::makeError(core::ErrorCode::NotFound,
                                   "the probe's calibration text is not where it recorded it (a "
                                   "run made on another machine?): give the same text again "
                                   "(--calib on the command line, Text… beside Evaluate in the "
                                   "Studio)")
                    .withPath(path);
        }
    }
    auto corpus = core::data::loadTextSource(path);
    if (!corpus) {
        return std::move(corpus).error();
    }
    std::vector<std::string> now;
    for (const core::data::SourceFile &f : corpus->files) {
        now.push_back(f.sha256);
    }
    if (now != hashes) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               "this is not the text the probe calibrated on (its SHA-256 "
                               "differs), so the held-out windows would not be the ones it kept "
                               "apart: give the probe's text (--calib on the command line, Text… "
                               "beside Evaluate in the Studio)")
                .withPath(path);
    }
    return std::pair{std::move(*corpus), s};
}

core::Result<EvalVariant> exportedVariant(const core::ModelInventory &inventory,
                                          const core::Checkpoint &source,
                                          std::string label,
                                          core::ct::FormatMap formats,
                                          const std::map<std::string, float> &amax)
{
    if (auto st = core::ct::checkFormats(inventory, formats, amax); !st) {
        return std::move(st).error();
    }
    auto scales = core::ct::sharedScales(inventory, source, formats, amax);
    if (!scales) {
        return std::move(scales).error();
    }
    EvalVariant v;
    v.label = std::move(label);
    v.formats = std::move(formats);
    v.globalAmax = std::move(scales->weightAmax);
    v.inputAmax = std::move(scales->inputAmax);
    return v;
}

core::Result<Measurement> measureRun(const core::pipeline::RunCosts &run,
                                     const std::string &runDir,
                                     const MeasureRequest &request,
                                     core::quant::QuantBackend &backend,
                                     const core::JobContext &ctx)
{
    using core::pipeline::MeasuredPoint;
    using core::pipeline::VariantKind;
    const core::ModelInventory &inv = run.inventory;
    auto tok = core::text::Tokenizer::load(run.modelDir);
    if (!tok) {
        return std::move(tok).error();
    }
    auto source = core::Checkpoint::open(run.modelDir);
    if (!source) {
        return std::move(source).error();
    }
    auto calibration = probeCalibration(run.report, runDir, request.calibOverride);
    if (!calibration) {
        return std::move(calibration).error();
    }
    const std::map<std::string, float> amax = run.report.inputMaxima();
    const std::uint64_t fixed = inv.totals().bytes - inv.linearSourceBytes();

    Measurement out;
    std::vector<EvalVariant> variants = {sourceVariant()};
    out.points.push_back(
            pointOf("source", VariantKind::Source, core::pipeline::artifactBytes(inv, fixed, {})));
    for (const core::quant::FormatId f : request.uniform) {
        const std::string name(core::quant::formatInfo(f).name);
        core::ct::FormatMap formats = core::ct::uniformFormats(inv, f);
        const bool none = std::none_of(formats.begin(), formats.end(),
                                       [f](const auto &e) { return e.second == f; });
        if (none) {
            out.notes.push_back(fmt::format("no Linear of this model can take {}: left out", name));
            continue;
        }
        const auto predicted = core::pipeline::predictedDeltaLoss(inv, run.costs, formats);
        MeasuredPoint p = pointOf(name, VariantKind::Uniform,
                                  core::pipeline::artifactBytes(inv, fixed, formats));
        p.predicted = predicted ? std::optional(*predicted) : std::nullopt;
        auto v = exportedVariant(inv, *source, name, std::move(formats), amax);
        if (!v) {
            return std::move(v).error();
        }
        variants.push_back(std::move(*v));
        out.points.push_back(std::move(p));
    }
    if (request.recipe) {
        MeasuredPoint p = pointOf(request.recipeLabel, VariantKind::Recipe,
                                  core::pipeline::artifactBytes(inv, fixed, *request.recipe));
        p.predicted = request.recipePredicted;
        auto v = exportedVariant(inv, *source, request.recipeLabel, *request.recipe, amax);
        if (!v) {
            return std::move(v).error();
        }
        variants.push_back(std::move(*v));
        out.points.push_back(std::move(p));
    }

    core::data::CalibrationSettings settings = calibration->second;
    settings.bos = tok->bosId();
    auto set = core::data::buildCalibrationSet(
            calibration->first, [&tok](std::string_view x) { return tok->encode(x, false); },
            settings, ctx);
    if (!set) {
        return std::move(set).error();
    }
    auto results = evaluate(run.modelDir, *set, variants, backend, ctx);
    if (!results) {
        return std::move(results).error();
    }
    for (std::size_t i = 0; i < results->size(); ++i) {
        MeasuredPoint &p = out.points[i];
        const EvalResult &r = (*results)[i];
        p.bitsPerLinearParam = core::pipeline::bitsPerLinearParam(inv, fixed, p.bytes);
        p.perplexity = r.perplexity;
        p.meanLoss = r.meanLoss;
        p.meanKl = r.meanKl;
        p.tokens = r.tokens;
    }
    out.heldOut = std::move(*set);
    return out;
}

}  // namespace pq::probe
