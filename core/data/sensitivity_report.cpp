// SPDX-License-Identifier: MIT
#include "core/data/sensitivity_report.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/quant/format_spec.h"
#include "core/util/atomic_file.h"

namespace pq::core::data {
namespace {

using ojson = nlohmann::ordered_json;
constexpr std::string_view SCHEMA = "prismaquant.sensitivity/1";

Error bad(std::string what)
{
    return makeError(ErrorCode::InvalidFormat, fmt::format("sensitivity.json: {}", what));
}

ojson costsJson(const std::map<quant::FormatId, double> &costs)
{
    ojson j = ojson::object();
    for (const auto &[id, v] : costs) {
        j[std::string(quant::formatInfo(id).name)] = v;
    }
    return j;
}

ojson linearJson(const LinearSensitivity &l)
{
    ojson j = {{"name", l.name},
               {"tokens", l.tokens},
               {"fisher_trace", l.fisherTrace},
               {"input_amax", l.inputAmax}};
    if (l.prior) {
        j["prior"] = true;
    }
    j["weight_cost"] = costsJson(l.weightCost);
    j["output_cost"] = costsJson(l.outputCost);
    j["subsample_tokens"] = l.subsampleTokens;
    j["channel_fisher"] = l.channelFisher;
    if (l.priorEstimate) {
        j["prior_estimate"] = {{"fisher_trace", l.priorEstimate->fisherTrace},
                               {"weight_cost", costsJson(l.priorEstimate->weightCost)},
                               {"channel_fisher", l.priorEstimate->channelFisher}};
    }
    return j;
}

Result<double> finiteNumber(const ojson &j, const char *key, const std::string &where)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
        return bad(fmt::format("{}: '{}' missing or not a number", where, key));
    }
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < 0.0) {
        return bad(fmt::format("{}: '{}' must be a finite number ≥ 0", where, key));
    }
    return v;
}

Result<std::map<quant::FormatId, double>>
costsFrom(const ojson &j, const char *key, const std::string &where)
{
    std::map<quant::FormatId, double> out;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_object()) {
        return bad(fmt::format("{}: '{}' missing or not an object", where, key));
    }
    for (const auto &[name, v] : it->items()) {
        const auto id = quant::parseFormatName(name);
        if (!id) {
            return bad(fmt::format("{}: unknown format '{}'", where, name));
        }
        auto x = finiteNumber(*it, name.c_str(), where);
        if (!x) {
            return std::move(x).error();
        }
        out[*id] = *x;
    }
    return out;
}

Result<std::vector<double>> numbersFrom(const ojson &j, const char *key, const std::string &where)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array()) {
        return bad(fmt::format("{}: '{}' missing or not an array", where, key));
    }
    std::vector<double> out;
    out.reserve(it->size());
    for (const ojson &v : *it) {
        if (!v.is_number() || !std::isfinite(v.get<double>())) {
            return bad(fmt::format("{}: '{}' holds a non-number", where, key));
        }
        out.push_back(v.get<double>());
    }
    return out;
}

Result<PriorEstimate> priorEstimateFrom(const ojson &j, const std::string &where)
{
    if (!j.is_object()) {
        return bad(fmt::format("{}: 'prior_estimate' is not an object", where));
    }
    PriorEstimate p;
    auto trace = finiteNumber(j, "fisher_trace", where);
    auto wc = costsFrom(j, "weight_cost", where);
    auto ch = numbersFrom(j, "channel_fisher", where);
    if (!trace || !wc || !ch) {
        return !trace ? std::move(trace).error()
                      : (!wc ? std::move(wc).error() : std::move(ch).error());
    }
    p.fisherTrace = *trace;
    p.weightCost = std::move(*wc);
    p.channelFisher = std::move(*ch);
    return p;
}

Result<LinearSensitivity> linearFrom(const ojson &j)
{
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) {
        return bad("a Linear without a name");
    }
    LinearSensitivity l;
    l.name = j["name"].get<std::string>();
    const std::string &w = l.name;
    if (!j.contains("tokens") || !j["tokens"].is_number_unsigned()) {
        return bad(fmt::format("{}: 'tokens' missing or not a count", w));
    }
    l.tokens = j["tokens"].get<std::uint64_t>();
    auto trace = finiteNumber(j, "fisher_trace", w);
    auto amax = finiteNumber(j, "input_amax", w);
    if (!trace || !amax) {
        return !trace ? std::move(trace).error() : std::move(amax).error();
    }
    l.fisherTrace = *trace;
    l.inputAmax = static_cast<float>(*amax);
    l.prior = j.value("prior", false);
    auto wc = costsFrom(j, "weight_cost", w);
    auto oc = costsFrom(j, "output_cost", w);
    if (!wc || !oc) {
        return !wc ? std::move(wc).error() : std::move(oc).error();
    }
    l.weightCost = std::move(*wc);
    l.outputCost = std::move(*oc);
    if (const auto n = j.find("subsample_tokens"); n != j.end()) {
        if (!n->is_number_unsigned()) {
            return bad(fmt::format("{}: 'subsample_tokens' is not a count", w));
        }
        l.subsampleTokens = n->get<std::uint64_t>();
    }
    auto ch = numbersFrom(j, "channel_fisher", w);
    if (!ch) {
        return std::move(ch).error();
    }
    l.channelFisher = std::move(*ch);
    if (const auto p = j.find("prior_estimate"); p != j.end()) {
        auto prior = priorEstimateFrom(*p, w);
        if (!prior) {
            return std::move(prior).error();
        }
        l.priorEstimate = std::move(*prior);
    }
    return l;
}

Result<std::vector<LinearSensitivity>> linearsFrom(const ojson &arr)
{
    if (!arr.is_array()) {
        return bad("'linears' is not an array");
    }
    std::vector<LinearSensitivity> out;
    for (const ojson &j : arr) {
        auto l = linearFrom(j);
        if (!l) {
            return std::move(l).error();
        }
        out.push_back(std::move(*l));
    }
    return out;
}

}  // namespace

std::string linearsToJson(const std::vector<LinearSensitivity> &linears)
{
    ojson arr = ojson::array();
    for (const LinearSensitivity &l : linears) {
        arr.push_back(linearJson(l));
    }
    return arr.dump(1);
}

Result<std::vector<LinearSensitivity>> linearsFromJson(std::string_view json)
{
    const ojson j = ojson::parse(json, nullptr, false);
    if (j.is_discarded()) {
        return bad("not valid JSON");
    }
    return linearsFrom(j);
}

std::string SensitivityReport::toJson() const
{
    ojson fmts = ojson::array();
    for (const quant::FormatId id : formats) {
        fmts.push_back(quant::formatInfo(id).name);
    }
    ojson linearsJson = ojson::array();
    for (const LinearSensitivity &l : linears) {
        linearsJson.push_back(linearJson(l));
    }
    const ojson calib = ojson::parse(calibrationJson, nullptr, false);
    ojson j = {{"schema", SCHEMA},
               {"model_dir", modelDir},
               {"model_fingerprint", modelFingerprint},
               {"tokens", tokens},
               {"mean_loss", meanLoss},
               {"cost_units", "predicted increase of the mean token cross-entropy (nats), "
                              "second-order estimate"},
               {"calibration", calib.is_discarded() ? ojson::object() : calib},
               {"settings",
                {{"formats", fmts},
                 {"output_tokens", outputTokens},
                 {"min_expert_tokens", minExpertTokens},
                 {"runtime", runtime}}},
               {"linears", linearsJson}};
    if (shard) {
        j["shard"] = {{"index", shard->index},
                      {"count", shard->count},
                      {"first_window", shard->firstWindow},
                      {"windows", shard->windows},
                      {"calibration_tokens", shard->calibrationTokens}};
    }
    return j.dump(1);
}

Result<SensitivityReport> SensitivityReport::fromJson(std::string_view json)
{
    const ojson j = ojson::parse(json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return bad("not a JSON object");
    }
    if (j.value("schema", std::string()) != SCHEMA) {
        return bad(fmt::format("schema is not '{}' (made by another version of PrismaQuant?)",
                               SCHEMA));
    }
    SensitivityReport r;
    try {
        r.modelDir = j.at("model_dir").get<std::string>();
        r.modelFingerprint = j.value("model_fingerprint", std::string());
        r.tokens = j.at("tokens").get<std::uint64_t>();
        r.meanLoss = j.at("mean_loss").get<double>();
        r.calibrationJson = j.at("calibration").dump();
        const ojson &s = j.at("settings");
        for (const ojson &f : s.at("formats")) {
            const auto id = quant::parseFormatName(f.get<std::string>());
            if (!id) {
                return bad(fmt::format("unknown format '{}' in settings", f.get<std::string>()));
            }
            r.formats.push_back(*id);
        }
        r.outputTokens = s.at("output_tokens").get<std::uint64_t>();
        r.minExpertTokens = s.value("min_expert_tokens", std::uint64_t{0});
        r.runtime = s.value("runtime", std::string());
        if (const auto sh = j.find("shard"); sh != j.end()) {
            ShardInfo info;
            const auto count = [&sh](const char *key) {
                const ojson &v = sh->at(key);
                if (!v.is_number_unsigned()) {
                    throw std::invalid_argument(fmt::format("shard.{} is not a count", key));
                }
                return v.get<std::uint64_t>();
            };
            info.index = count("index");
            info.count = count("count");
            info.firstWindow = count("first_window");
            info.windows = count("windows");
            info.calibrationTokens = count("calibration_tokens");
            if (info.count == 0 || info.index == 0 || info.index > info.count ||
                info.windows == 0 || info.calibrationTokens == 0) {
                return bad(fmt::format("'shard' says shard {} of {} with {} windows", info.index,
                                       info.count, info.windows));
            }
            r.shard = info;
        }
    } catch (const nlohmann::json::exception &e) {
        return bad(e.what());
    } catch (const std::invalid_argument &e) {
        return bad(e.what());
    }
    auto linears = linearsFrom(j.contains("linears") ? j["linears"] : ojson());
    if (!linears) {
        return std::move(linears).error();
    }
    r.linears = std::move(*linears);
    return r;
}

Status SensitivityReport::checkWhole(const std::string &path) const
{
    if (!shard) {
        return {};
    }
    return makeError(ErrorCode::InvalidFormat,
                     fmt::format("this is shard {} of {} of a split probe (calibration windows {} "
                                 "to {}), not a whole one: combine all {} shards with "
                                 "`prismaquant merge SHARD_DIR... --out RUN_DIR` and use RUN_DIR",
                                 shard->index, shard->count, shard->firstWindow + 1,
                                 shard->firstWindow + shard->windows, shard->count))
            .withPath(path);
}

std::map<std::string, float> SensitivityReport::inputMaxima() const
{
    std::map<std::string, float> out;
    for (const LinearSensitivity &l : linears) {
        out[l.name] = l.inputAmax;
    }
    return out;
}

Result<std::map<std::string, float>> readInputMaxima(const std::string &runDir)
{
    const std::string path = runDir + "/sensitivity.json";
    auto text = readSmallFile(path, 1ULL << 32U);
    if (!text) {
        return std::move(text).error();
    }
    auto report = SensitivityReport::fromJson(*text);
    if (!report) {
        return std::move(report).error().withPath(path);
    }
    PQ_TRY_STATUS(report->checkWhole(path));
    return report->inputMaxima();
}

}  // namespace pq::core::data
