// SPDX-License-Identifier: MIT
// The streamed probe on the real stories260K model: its Fisher equals a plain full-model
// autograd that loops over tokens (relative error ≤ 1e-5), and its costs are sane (finer formats
// cost less, activation quantization adds output-space cost) and reach sensitivity.json.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "core/data/calibration.h"
#include "core/data/sensitivity_report.h"
#include "core/data/shard_merge.h"
#include "core/model/llama2c_import.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/probe/evaluate.h"
#include "core/probe/probe.h"
#include "core/quant/quant_backend.h"
#include "kernels/cpu/cpu_backend.h"
#include "tests/support/shared_data.h"

using namespace pq;
using core::quant::FormatId;

namespace {

/** stories260K's byte-fallback tokens: byte b is id 3 + b (<0x00> is id 3 in tok512). */
std::vector<std::int32_t> byteTokens(std::string_view text)
{
    std::vector<std::int32_t> ids;
    for (const char c : text) {
        ids.push_back(3 + static_cast<unsigned char>(c));
    }
    return ids;
}

core::data::CalibrationSet calibration(std::uint64_t samples, std::uint64_t seqLen)
{
    auto corpus =
            core::data::loadTextSource(pq::test::sharedData("text/tinyshakespeare/input.txt"));
    core::data::CalibrationSettings s;
    s.samples = samples;
    s.seqLen = seqLen;
    s.heldOutSamples = 1;
    s.bos = 1;
    auto set = core::data::buildCalibrationSet(*corpus, byteTokens, s, {});
    if (!set) {
        qFatal("%s", set.error().message().c_str());
    }
    return std::move(*set);
}

}  // namespace

class TestProbe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void streamedFisherEqualsPerTokenAutograd_data();
    void streamedFisherEqualsPerTokenAutograd();
    void costsAreSaneAndWritten();
    void unsupportedFamilyIsRefused();
    void evaluationOrdersTheFormats();
    void moeFisherEqualsPerTokenAutograd_data();
    void moeFisherEqualsPerTokenAutograd();
    void rareExpertsGetThePrior();
    void unroutedExpertsAreMeasuredOnTheirWeights();
    void interruptedProbeResumes();
    void spilledBoundariesGiveTheSameResult();
    void bf16RuntimeAgreesWithFloat32();
    void mergedShardsEqualOneRun_data();
    void mergedShardsEqualOneRun();
    void mergedMoeShardsEqualOneRun();
    void interruptedShardResumesExactly();

private:
    QTemporaryDir m_dir;
    std::string m_model;
};

namespace {

/** A tiny MoE model of `modelType` with seeded random weights (writeSyntheticCheckpoint). */
std::string synthMoe(const QTemporaryDir &dir,
                     const std::string &modelType,
                     const std::string &dtype = "float32")
{
    nlohmann::json c = {{"model_type", modelType},  {"hidden_size", 64},
                        {"intermediate_size", 96},  {"num_hidden_layers", 2},
                        {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                        {"head_dim", 16},           {"vocab_size", 128},
                        {"rms_norm_eps", 1e-6},     {"tie_word_embeddings", false},
                        {"torch_dtype", dtype},     {"num_experts_per_tok", 2}};
    if (modelType == "qwen3_moe") {
        c["num_experts"] = 8;
        c["moe_intermediate_size"] = 32;
        c["norm_topk_prob"] = true;
        c["mlp_only_layers"] = nlohmann::json::array({1});  // layer 1 dense
    } else {
        c["num_local_experts"] = 4;
    }
    const std::string out =
            dir.filePath(QString::fromStdString(modelType + "-" + dtype)).toStdString();
    const auto st = core::writeSyntheticCheckpoint(c.dump(), out, 7, {}, {});
    if (!st) {
        qFatal("%s", st.error().message().c_str());
    }
    return out;
}

/** Windows of seeded random ids (no text needed for a random model). */
core::data::CalibrationSet randomWindows(std::size_t n, std::size_t len, std::int32_t vocab)
{
    core::data::CalibrationSet set;
    set.settings.samples = n;
    set.settings.seqLen = len;
    std::uint64_t x = 12345;
    for (std::size_t w = 0; w < n; ++w) {
        core::data::TokenWindow win;
        for (std::size_t t = 0; t < len; ++t) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            win.ids.push_back(
                    static_cast<std::int32_t>((x >> 33U) % static_cast<std::uint64_t>(vocab)));
        }
        set.calibration.push_back(std::move(win));
    }
    return set;
}

void compareFisher(const std::map<std::string, std::vector<double>> &streamed,
                   const std::map<std::string, std::vector<double>> &reference)
{
    for (const auto &[name, ref] : reference) {
        QVERIFY2(streamed.count(name) != 0, name.c_str());
        const std::vector<double> &got = streamed.at(name);
        QCOMPARE(got.size(), ref.size());
        double maxRef = 0.0;
        double maxDiff = 0.0;
        for (std::size_t i = 0; i < ref.size(); ++i) {
            maxRef = std::max(maxRef, std::abs(ref[i]));
            maxDiff = std::max(maxDiff, std::abs(got[i] - ref[i]));
        }
        QVERIFY2(maxRef > 0.0, name.c_str());
        QVERIFY2(maxDiff <= 1e-5 * maxRef, qPrintable(QStringLiteral("%1: relative error %2")
                                                              .arg(QString::fromStdString(name))
                                                              .arg(maxDiff / maxRef)));
    }
}

void compareReports(const probe::SensitivityReport &a, const probe::SensitivityReport &b)
{
    QCOMPARE(a.linears.size(), b.linears.size());
    QVERIFY(std::abs(a.meanLoss - b.meanLoss) <= 1e-9 * a.meanLoss);
    for (std::size_t i = 0; i < a.linears.size(); ++i) {
        const auto &x = a.linears[i];
        const auto &y = b.linears[i];
        QCOMPARE(x.name, y.name);
        QCOMPARE(x.tokens, y.tokens);
        QVERIFY2(std::abs(x.fisherTrace - y.fisherTrace) <= 1e-6 * x.fisherTrace, x.name.c_str());
        for (const auto &[id, v] : x.weightCost) {
            QVERIFY2(std::abs(v - y.weightCost.at(id)) <= 1e-6 * v, x.name.c_str());
        }
    }
}

/** runProbe, cancelled once the backward walk has finished its first layer. */
core::Result<probe::SensitivityReport>
probeCancelledAfterFirstLayer(const std::string &model,
                              const core::data::CalibrationSet &set,
                              const probe::ProbeSettings &settings,
                              core::quant::QuantBackend &backend)
{
    core::JobContext *self = nullptr;
    core::JobContext cancelling([&self](std::string_view stage, std::uint64_t done, std::uint64_t) {
        if (stage == "backward" && done == 1) {
            self->requestCancel();
        }
    });
    self = &cancelling;
    return probe::runProbe(model, set, settings, backend, cancelling);
}

/** Probes `set` as `count` shards (the last first: merge takes them in any order), merged. */
core::Result<probe::SensitivityReport> probeInShards(const std::string &model,
                                                     const core::data::CalibrationSet &set,
                                                     probe::ProbeSettings settings,
                                                     std::uint64_t count)
{
    auto backend = kernels::cpu::makeCpuBackend();
    std::vector<probe::SensitivityReport> shards;
    for (std::uint64_t i = count; i >= 1; --i) {
        settings.shard = probe::ProbeSettings::Shard{i, count};
        auto r = probe::runProbe(model, set, settings, *backend, {});
        if (!r) {
            return std::move(r).error();
        }
        if (!r->shard || r->shard->index != i || r->checkWhole("x").has_value()) {
            return core::makeError(core::ErrorCode::InvalidFormat,
                                   "a shard report without its shard");
        }
        shards.push_back(std::move(*r));
    }
    return core::data::mergeShards(std::move(shards));
}

bool near(double a, double b, double tolerance)
{
    return std::abs(a - b) <= tolerance * std::max(std::abs(a), std::abs(b));
}

/**
 * A merged report against the unsplit probe's: the same Linears, token counts, input maxima and
 * subsample sizes; sums equal up to float32 rounding (the Fisher is summed in float32 in a
 * different grouping; C_y is a small difference of matmuls over a different number of rows).
 * Experts on the prior are only checked for the flag (merge estimates them differently).
 */
void compareMerged(const probe::SensitivityReport &whole, const probe::SensitivityReport &merged)
{
    QVERIFY(!merged.shard.has_value());
    QCOMPARE(merged.linears.size(), whole.linears.size());
    QCOMPARE(merged.tokens, whole.tokens);
    QVERIFY(near(merged.meanLoss, whole.meanLoss, 1e-9));
    QCOMPARE(merged.calibrationJson, whole.calibrationJson);
    for (std::size_t i = 0; i < whole.linears.size(); ++i) {
        const probe::LinearSensitivity &a = whole.linears[i];
        const probe::LinearSensitivity &b = merged.linears[i];
        const char *name = a.name.c_str();
        QCOMPARE(b.name, a.name);
        QCOMPARE(b.tokens, a.tokens);
        QCOMPARE(b.prior, a.prior);
        QVERIFY2(b.inputAmax == a.inputAmax, name);  // the shards ran the other windows forward
        QVERIFY(!b.priorEstimate.has_value());
        if (a.prior) {
            QVERIFY2(b.fisherTrace > 0.0 && std::isfinite(b.fisherTrace), name);
            QVERIFY(b.outputCost.empty());
            continue;
        }
        QCOMPARE(b.subsampleTokens, a.subsampleTokens);
        QVERIFY2(near(b.fisherTrace, a.fisherTrace, 1e-5), name);
        QCOMPARE(b.channelFisher.size(), a.channelFisher.size());
        for (std::size_t c = 0; c < a.channelFisher.size(); ++c) {
            QVERIFY2(std::abs(b.channelFisher[c] - a.channelFisher[c]) <= 1e-5 * a.fisherTrace,
                     name);
        }
        QCOMPARE(b.weightCost.size(), a.weightCost.size());
        for (const auto &[id, v] : a.weightCost) {
            QVERIFY2(near(b.weightCost.at(id), v, 1e-5), name);
        }
        QCOMPARE(b.outputCost.size(), a.outputCost.size());
        for (const auto &[id, v] : a.outputCost) {
            QVERIFY2(near(b.outputCost.at(id), v, 1e-4),
                     qPrintable(QStringLiteral("%1 %2: C_y %3 vs %4")
                                        .arg(QString::fromStdString(a.name))
                                        .arg(QString::fromUtf8(core::quant::formatInfo(id).name))
                                        .arg(b.outputCost.at(id))
                                        .arg(v)));
        }
    }
}

}  // namespace

void TestProbe::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("stories260K")).toStdString();
    QVERIFY(core::importLlama2c(pq::test::sharedData("tinyllamas-stories260K/stories260K.bin"),
                                m_model));
}

void TestProbe::streamedFisherEqualsPerTokenAutograd_data()
{
    QTest::addColumn<qint64>("headChunkRows");
    QTest::newRow("head in one chunk") << qint64{0};
    // 512 tokens in chunks of 100: six chunks, the last one partial (the running log-sum-exp)
    QTest::newRow("head in 6 chunks") << qint64{100};
}

void TestProbe::streamedFisherEqualsPerTokenAutograd()
{
    QFETCH(qint64, headChunkRows);
    const auto set = calibration(3, 20);
    const auto streamed = probe::streamedFisher(m_model, set, headChunkRows);
    const auto reference = probe::referenceFisher(m_model, set);
    QVERIFY2(streamed.has_value(), streamed ? "" : streamed.error().message().c_str());
    QVERIFY2(reference.has_value(), reference ? "" : reference.error().message().c_str());
    QCOMPARE(streamed->size(), std::size_t{35});
    QCOMPARE(reference->size(), std::size_t{35});
    for (const auto &[name, ref] : *reference) {
        const std::vector<double> &got = streamed->at(name);
        QCOMPARE(got.size(), ref.size());
        double maxRef = 0.0;
        double maxDiff = 0.0;
        for (std::size_t i = 0; i < ref.size(); ++i) {
            maxRef = std::max(maxRef, std::abs(ref[i]));
            maxDiff = std::max(maxDiff, std::abs(got[i] - ref[i]));
        }
        QVERIFY2(maxRef > 0.0, name.c_str());
        QVERIFY2(maxDiff <= 1e-5 * maxRef, qPrintable(QStringLiteral("%1: relative error %2")
                                                              .arg(QString::fromStdString(name))
                                                              .arg(maxDiff / maxRef)));
    }
}

void TestProbe::costsAreSaneAndWritten()
{
    const auto set = calibration(4, 48);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4, FormatId::NVFP4A16,   FormatId::MXFP4,
                        FormatId::MXFP8, FormatId::FP8Dynamic, FormatId::W8A16Channel};
    settings.outputTokens = 64;
    auto backend = kernels::cpu::makeCpuBackend();
    core::JobContext ctx;
    const auto report = probe::runProbe(m_model, set, settings, *backend, ctx);
    QVERIFY2(report.has_value(), report ? "" : report.error().message().c_str());
    QCOMPARE(report->linears.size(), std::size_t{35});
    QCOMPARE(report->tokens, std::uint64_t{4 * 47});
    // The probe's loss equals the cross-entropy computed from CausalLm's logits.
    auto lm = probe::CausalLm::open(m_model);
    QVERIFY(lm.has_value());
    double ce = 0.0;
    for (const core::data::TokenWindow &w : set.calibration) {
        const auto logits = (*lm)->logits(w.ids);
        QVERIFY(logits.has_value());
        for (std::size_t t = 0; t + 1 < w.ids.size(); ++t) {
            const float *row = logits->data() + t * 512;
            const double mx = *std::max_element(row, row + 512);
            double z = 0.0;
            for (int v = 0; v < 512; ++v) {
                z += std::exp(static_cast<double>(row[v]) - mx);
            }
            ce += mx + std::log(z) - row[w.ids[t + 1]];
        }
    }
    ce /= static_cast<double>(report->tokens);
    QVERIFY2(std::abs(report->meanLoss - ce) <= 1e-4 * ce,
             qPrintable(QStringLiteral("%1 vs %2").arg(report->meanLoss).arg(ce)));
    double nvfp4Y = 0.0;
    double nvfp4A16Y = 0.0;
    for (const probe::LinearSensitivity &l : report->linears) {
        QVERIFY(l.fisherTrace > 0.0);
        QVERIFY(l.inputAmax > 0.0F);
        QCOMPARE(l.tokens, std::uint64_t{4 * 48});
        QVERIFY(l.weightCost.at(FormatId::W8A16Channel) > 0.0);  // per-row formats fit every shape
        QVERIFY(l.weightCost.at(FormatId::FP8Dynamic) > 0.0);
        if (l.weightCost.count(FormatId::NVFP4) != 0) {  // down_proj (in = 172) cannot take groups
            QVERIFY2(l.weightCost.at(FormatId::MXFP8) < l.weightCost.at(FormatId::NVFP4),
                     l.name.c_str());
            QCOMPARE(l.weightCost.at(FormatId::NVFP4), l.weightCost.at(FormatId::NVFP4A16));
            nvfp4Y += l.outputCost.at(FormatId::NVFP4);
            nvfp4A16Y += l.outputCost.at(FormatId::NVFP4A16);
        } else {
            QVERIFY(l.name.ends_with("down_proj"));
            QCOMPARE(l.weightCost.count(FormatId::MXFP8), std::size_t{0});
        }
    }
    QVERIFY2(nvfp4Y > nvfp4A16Y, "W4A4 must cost more than W4A16 in output space");
    const auto j = nlohmann::json::parse(report->toJson());
    QCOMPARE(j.at("schema").get<std::string>(), std::string("prismaquant.sensitivity/1"));
    QCOMPARE(j.at("linears").size(), std::size_t{35});
    QCOMPARE(j.at("linears").at(0).at("name").get<std::string>(),
             std::string("model.layers.0.self_attn.q_proj"));  // layer order, then module order
    const auto &first = j.at("linears").at(6);
    QCOMPARE(first.at("name").get<std::string>(), std::string("model.layers.0.mlp.down_proj"));
    QVERIFY(first.at("weight_cost").contains("FP8_DYNAMIC"));
    QVERIFY(!first.at("weight_cost").contains("NVFP4"));  // 172 inputs: no group of 16 fits
    QCOMPARE(first.at("channel_fisher").size(), std::size_t{64});
    QCOMPARE(j.at("calibration").at("samples").get<int>(), 4);
    QCOMPARE(j.at("model_fingerprint").get<std::string>().size(), std::size_t{64});
    // The JSON reads back into the same report (what the allocator and the Studio load).
    const auto back = core::data::SensitivityReport::fromJson(report->toJson());
    QVERIFY2(back.has_value(), back ? "" : back.error().message().c_str());
    QCOMPARE(back->linears.size(), report->linears.size());
    QCOMPARE(back->linears[6].weightCost, report->linears[6].weightCost);
    QCOMPARE(back->linears[6].channelFisher, report->linears[6].channelFisher);
    QCOMPARE(back->formats, settings.formats);
    QVERIFY(!core::data::SensitivityReport::fromJson(R"({"schema":"other"})").has_value());
}

void TestProbe::unsupportedFamilyIsRefused()
{
    const auto set = calibration(1, 8);
    const auto r = probe::streamedFisher(pq::test::sharedData("configs/qwen3.6-35b-a3b"), set);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, core::ErrorCode::Unsupported);
    QVERIFY(r.error().message().find("qwen3_5_moe") != std::string::npos);
}

void TestProbe::evaluationOrdersTheFormats()
{
    // Held-out perplexity and KL(source ‖ variant) for uniform formats, with the input maxima
    // the probe measured: the source has KL 0; MXFP8 hurts less than 4-bit weights; quantizing
    // activations too (W4A4) hurts more than weights alone (W4A16).
    const auto set = calibration(4, 48);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::MXFP8};
    settings.outputTokens = 16;
    auto backend = kernels::cpu::makeCpuBackend();
    const auto report = probe::runProbe(m_model, set, settings, *backend, {});
    QVERIFY(report.has_value());
    const auto uniform = [&](const char *label, FormatId id) {
        probe::EvalVariant v;
        v.label = label;
        for (const probe::LinearSensitivity &l : report->linears) {
            if (core::quant::checkShape(id, 64, l.name.ends_with("down_proj") ? 172 : 64)) {
                v.formats[l.name] = id;
            }
            v.inputAmax[l.name] = l.inputAmax;
        }
        return v;
    };
    const std::vector<probe::EvalVariant> variants = {
            probe::sourceVariant(), uniform("MXFP8", FormatId::MXFP8),
            uniform("NVFP4A16", FormatId::NVFP4A16), uniform("NVFP4", FormatId::NVFP4)};
    const auto results = probe::evaluate(m_model, set, variants, *backend, {});
    QVERIFY2(results.has_value(), results ? "" : results.error().message().c_str());
    QCOMPARE(results->size(), std::size_t{4});
    const auto &r = *results;
    QCOMPARE(r[0].meanKl, 0.0);
    QCOMPARE(r[0].tokens, std::uint64_t{1 * 47});
    QVERIFY(std::abs(r[0].perplexity - std::exp(r[0].meanLoss)) < 1e-9 * r[0].perplexity);
    QVERIFY2(r[1].meanKl > 0.0 && r[1].meanKl < r[2].meanKl,
             qPrintable(QStringLiteral("MXFP8 %1, NVFP4A16 %2").arg(r[1].meanKl).arg(r[2].meanKl)));
    QVERIFY2(r[2].meanKl < r[3].meanKl,
             qPrintable(QStringLiteral("NVFP4A16 %1, NVFP4 %2").arg(r[2].meanKl).arg(r[3].meanKl)));
    qInfo("held-out KL: MXFP8 %.5f, NVFP4A16 %.5f, NVFP4 %.5f (source ppl %.2f)", r[1].meanKl,
          r[2].meanKl, r[3].meanKl, r[0].perplexity);
}

void TestProbe::moeFisherEqualsPerTokenAutograd_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<qint64>("headChunkRows");
    QTest::newRow("qwen3_moe") << QStringLiteral("qwen3_moe") << QStringLiteral("float32")
                               << qint64{0};
    QTest::newRow("mixtral") << QStringLiteral("mixtral") << QStringLiteral("float32") << qint64{0};
    // BF16 weights are converted to float32 and their mapped pages dropped after each read (the
    // backward reads every layer again); the untied head in three chunks of 50 rows
    QTest::newRow("mixtral bf16") << QStringLiteral("mixtral") << QStringLiteral("bfloat16")
                                  << qint64{50};
}

void TestProbe::moeFisherEqualsPerTokenAutograd()
{
    // Each expert's Fisher comes from the tokens routed to it: the streamed walk (experts on
    // their routed rows) equals the plain per-token loop over a full-model autograd.
    QFETCH(QString, family);
    QFETCH(QString, dtype);
    QFETCH(qint64, headChunkRows);
    const std::string model = synthMoe(m_dir, family.toStdString(), dtype.toStdString());
    const auto set = randomWindows(3, 24, 128);
    const auto streamed = probe::streamedFisher(model, set, headChunkRows);
    const auto reference = probe::referenceFisher(model, set);
    QVERIFY2(streamed.has_value(), streamed ? "" : streamed.error().message().c_str());
    QVERIFY2(reference.has_value(), reference ? "" : reference.error().message().c_str());
    // qwen3_moe: layer 0 has 8 experts × 3 + 4 attention, layer 1 is dense (7);
    // mixtral: 2 × (4 experts × 3 + 4); experts never routed a token have no entry.
    const std::size_t most = family == QStringLiteral("qwen3_moe") ? 35 : 32;
    QVERIFY(reference->size() >= most - 6 && reference->size() <= most);
    QCOMPARE(streamed->size(), reference->size());
    compareFisher(*streamed, *reference);
}

void TestProbe::rareExpertsGetThePrior()
{
    const std::string model = synthMoe(m_dir, "qwen3_moe");
    const auto set = randomWindows(2, 32, 128);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4A16, FormatId::MXFP8};
    settings.outputTokens = 32;
    settings.minExpertTokens = 1;
    auto backend = kernels::cpu::makeCpuBackend();
    // a threshold between the fewest and the most routed tokens: some experts fall below it
    const auto counts = probe::runProbe(model, set, settings, *backend, {});
    QVERIFY(counts.has_value());
    std::vector<std::uint64_t> routed;
    for (const probe::LinearSensitivity &l : counts->linears) {
        if (l.name.find(".experts.") != std::string::npos) {
            routed.push_back(l.tokens);
        }
    }
    std::sort(routed.begin(), routed.end());
    QVERIFY2(routed.front() < routed.back(), "routing is perfectly uniform");
    settings.minExpertTokens = routed.back();
    const auto report = probe::runProbe(model, set, settings, *backend, {});
    QVERIFY2(report.has_value(), report ? "" : report.error().message().c_str());
    QCOMPARE(report->linears.size(), std::size_t{4 + 8 * 3 + 7});  // every expert is listed
    std::map<std::string, std::uint64_t> routedByRole;
    int rare = 0;
    int measured = 0;
    for (const probe::LinearSensitivity &l : report->linears) {
        if (l.name.find(".experts.") == std::string::npos) {
            QCOMPARE(l.tokens, std::uint64_t{64});
            QVERIFY(!l.prior);
            continue;
        }
        routedByRole[l.name.substr(l.name.rfind('.') + 1)] += l.tokens;
        QVERIFY2(l.weightCost.at(FormatId::NVFP4A16) > 0.0, l.name.c_str());
        QVERIFY2(l.fisherTrace > 0.0, l.name.c_str());
        if (l.tokens < settings.minExpertTokens) {
            QVERIFY2(l.prior, l.name.c_str());
            QVERIFY(l.outputCost.empty());  // no tokens of its own: the allocator uses C_w
            ++rare;
        } else {
            QVERIFY2(!l.prior, l.name.c_str());
            QVERIFY(l.outputCost.at(FormatId::NVFP4A16) > 0.0);
            ++measured;
        }
    }
    // every token is routed to exactly top-k = 2 experts
    for (const auto &[role, routed] : routedByRole) {
        QCOMPARE(routed, std::uint64_t{2 * 64});
    }
    QVERIFY2(rare > 0 && measured > 0,
             qPrintable(QStringLiteral("%1 rare, %2 measured").arg(rare).arg(measured)));
    const auto j = nlohmann::json::parse(report->toJson());
    int flagged = 0;
    for (const auto &l : j.at("linears")) {
        flagged += l.value("prior", false) ? 1 : 0;
    }
    QCOMPARE(flagged, rare);
}

void TestProbe::unroutedExpertsAreMeasuredOnTheirWeights()
{
    // 4 tokens × top-2 over 8 experts: some experts see no token at all (no input maximum); the
    // probe used to stop there ("calibrated input maximum 0"), W4A4 NVFP4 on the menu or not
    const std::string model = synthMoe(m_dir, "qwen3_moe");
    const auto set = randomWindows(1, 4, 128);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4, FormatId::MXFP8};
    settings.outputTokens = 4;
    auto backend = kernels::cpu::makeCpuBackend();
    const auto report = probe::runProbe(model, set, settings, *backend, {});
    QVERIFY2(report.has_value(), report ? "" : report.error().message().c_str());
    int unrouted = 0;
    for (const probe::LinearSensitivity &l : report->linears) {
        if (l.name.find(".experts.") == std::string::npos || l.tokens > 0) {
            continue;
        }
        ++unrouted;
        QVERIFY2(l.prior, l.name.c_str());
        QCOMPARE(l.inputAmax, 0.0F);
        QVERIFY(l.outputCost.empty());
        QVERIFY2(l.weightCost.at(FormatId::NVFP4) > 0.0 && l.weightCost.at(FormatId::MXFP8) > 0.0,
                 l.name.c_str());
    }
    QVERIFY2(unrouted > 0, "every expert was reached: the case is not exercised");
}

void TestProbe::interruptedProbeResumes()
{
    // Cancel after the first finished layer of the backward walk; the rerun picks up the state
    // in the state folder, walks only the remaining layer and gives the uninterrupted result.
    const std::string model = synthMoe(m_dir, "qwen3_moe");
    const auto set = randomWindows(2, 24, 128);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4, FormatId::MXFP8};
    settings.outputTokens = 16;
    settings.minExpertTokens = 4;
    auto backend = kernels::cpu::makeCpuBackend();
    const auto whole = probe::runProbe(model, set, settings, *backend, {});
    QVERIFY2(whole.has_value(), whole ? "" : whole.error().message().c_str());

    settings.stateDir = m_dir.filePath(QStringLiteral("resume-state")).toStdString();
    const auto cut = probeCancelledAfterFirstLayer(model, set, settings, *backend);
    QVERIFY(!cut.has_value());
    QCOMPARE(cut.error().code, core::ErrorCode::Cancelled);
    QVERIFY(QFile::exists(QString::fromStdString(settings.stateDir + "/state.json")));
    QVERIFY(QFile::exists(QString::fromStdString(settings.stateDir + "/layer-0001.json")));
    QVERIFY(QFile::exists(QString::fromStdString(settings.stateDir + "/grad-0000.f32")));

    std::vector<std::string> stages;
    const core::JobContext watching(
            [&stages](std::string_view stage, std::uint64_t done, std::uint64_t total) {
                stages.push_back(fmt::format("{} {}/{}", stage, done, total));
            });
    const auto resumed = probe::runProbe(model, set, settings, *backend, watching);
    QVERIFY2(resumed.has_value(), resumed ? "" : resumed.error().message().c_str());
    // layer 0 is next: the forward needs only the embeddings, the backward walks layer 0 alone
    QCOMPARE(stages, (std::vector<std::string>{"backward 2/2"}));
    compareReports(*whole, *resumed);

    // Different settings must not resume from that state.
    settings.outputTokens = 8;
    std::vector<std::string> fresh;
    const core::JobContext again(
            [&fresh](std::string_view stage, std::uint64_t done, std::uint64_t total) {
                fresh.push_back(fmt::format("{} {}/{}", stage, done, total));
            });
    QVERIFY(probe::runProbe(model, set, settings, *backend, again).has_value());
    QCOMPARE(fresh.front(), std::string("forward 1/2"));
}

void TestProbe::spilledBoundariesGiveTheSameResult()
{
    const auto set = calibration(3, 32);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4A16};
    settings.outputTokens = 16;
    auto backend = kernels::cpu::makeCpuBackend();
    const auto inRam = probe::runProbe(m_model, set, settings, *backend, {});
    QVERIFY(inRam.has_value());
    settings.memoryLimitBytes = 1;  // nothing fits: every boundary goes to a file
    settings.stateDir = m_dir.filePath(QStringLiteral("spill-state")).toStdString();
    std::vector<std::string> messages;
    const core::JobContext ctx({}, [&](std::string_view m) { messages.emplace_back(m); });
    const auto spilled = probe::runProbe(m_model, set, settings, *backend, ctx);
    QVERIFY2(spilled.has_value(), spilled ? "" : spilled.error().message().c_str());
    QVERIFY(!messages.empty() && messages.front().find("boundaries") != std::string::npos);
    compareReports(*inRam, *spilled);
    // the boundary files are gone once used; only the resume state remains
    for (const auto &e : std::filesystem::directory_iterator(settings.stateDir)) {
        QVERIFY2(e.path().filename().string().rfind("boundary-", 0) != 0,
                 e.path().string().c_str());
    }
}

void TestProbe::bf16RuntimeAgreesWithFloat32()
{
    // The dtype path CUDA takes (bf16 weights and activations; RMSNorm, softmax, loss, Fisher
    // and costs in float32), exercised on the CPU: close to the float32 run, not equal.
    const auto set = calibration(3, 32);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4A16, FormatId::MXFP8};
    settings.outputTokens = 32;
    auto backend = kernels::cpu::makeCpuBackend();
    const auto f32 = probe::runProbe(m_model, set, settings, *backend, {});
    settings.runtime.dtype = probe::ComputeDtype::BFloat16;
    const auto bf16 = probe::runProbe(m_model, set, settings, *backend, {});
    QVERIFY(f32.has_value());
    QVERIFY2(bf16.has_value(), bf16 ? "" : bf16.error().message().c_str());
    QVERIFY(bf16->runtime.find("BFloat16") != std::string::npos);
    QVERIFY(std::abs(bf16->meanLoss - f32->meanLoss) < 0.02 * f32->meanLoss);
    QCOMPARE(bf16->linears.size(), f32->linears.size());
    bool anyDifferent = false;
    for (std::size_t i = 0; i < f32->linears.size(); ++i) {
        const auto &a = f32->linears[i];
        const auto &b = bf16->linears[i];
        QVERIFY2(std::abs(a.fisherTrace - b.fisherTrace) < 0.1 * a.fisherTrace,
                 qPrintable(QStringLiteral("%1: %2 vs %3")
                                    .arg(QString::fromStdString(a.name))
                                    .arg(a.fisherTrace)
                                    .arg(b.fisherTrace)));
        anyDifferent = anyDifferent || a.fisherTrace != b.fisherTrace;
    }
    QVERIFY2(anyDifferent, "the bf16 run computed in float32");
    probe::RuntimeOptions rt;
    rt.dtype = probe::ComputeDtype::BFloat16;
    auto lm16 = probe::CausalLm::open(m_model, rt);
    auto lm32 = probe::CausalLm::open(m_model);
    QVERIFY(lm16.has_value() && lm32.has_value());
    const auto a = (*lm32)->logits(set.calibration[0].ids);
    const auto b = (*lm16)->logits(set.calibration[0].ids);
    QVERIFY(a.has_value() && b.has_value());
    double maxDiff = 0.0;
    for (std::size_t i = 0; i < a->size(); ++i) {
        maxDiff = std::max(maxDiff, static_cast<double>(std::abs((*a)[i] - (*b)[i])));
    }
    QVERIFY2(maxDiff > 0.0 && maxDiff < 0.5, qPrintable(QString::number(maxDiff)));
}

void TestProbe::mergedShardsEqualOneRun_data()
{
    QTest::addColumn<qint64>("shards");
    QTest::newRow("2 shards (2 + 3 windows)") << qint64{2};
    QTest::newRow("3 shards (1 + 2 + 2 windows)") << qint64{3};
    QTest::newRow("5 shards (a window each)") << qint64{5};
}

void TestProbe::mergedShardsEqualOneRun()
{
    QFETCH(qint64, shards);
    const auto set = calibration(5, 48);
    probe::ProbeSettings settings;
    // NVFP4's C_y quantizes activations with the input maximum: equal only if every shard
    // knows the whole set's maximum
    settings.formats = {FormatId::NVFP4, FormatId::MXFP8, FormatId::FP8Dynamic,
                        FormatId::W8A16Channel};
    settings.outputTokens = 64;
    auto backend = kernels::cpu::makeCpuBackend();
    const auto whole = probe::runProbe(m_model, set, settings, *backend, {});
    QVERIFY2(whole.has_value(), whole ? "" : whole.error().message().c_str());
    const auto merged = probeInShards(m_model, set, settings, static_cast<std::uint64_t>(shards));
    QVERIFY2(merged.has_value(), merged ? "" : merged.error().message().c_str());
    compareMerged(*whole, *merged);
    QCOMPARE(whole->linears.front().subsampleTokens, std::uint64_t{5 * 16});  // stride 240 / 64
}

void TestProbe::mergedMoeShardsEqualOneRun()
{
    const std::string model = synthMoe(m_dir, "qwen3_moe");
    const auto set = randomWindows(4, 32, 128);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4, FormatId::MXFP8};
    settings.outputTokens = 32;
    settings.minExpertTokens = 1;
    auto backend = kernels::cpu::makeCpuBackend();
    const auto counts = probe::runProbe(model, set, settings, *backend, {});
    QVERIFY(counts.has_value());
    std::vector<std::uint64_t> routed;
    for (const probe::LinearSensitivity &l : counts->linears) {
        if (l.name.find(".experts.") != std::string::npos) {
            routed.push_back(l.tokens);
        }
    }
    std::sort(routed.begin(), routed.end());
    // some experts rare in the whole; others rare in a shard but not in the whole
    settings.minExpertTokens = routed[routed.size() / 4] + 1;
    const auto whole = probe::runProbe(model, set, settings, *backend, {});
    QVERIFY2(whole.has_value(), whole ? "" : whole.error().message().c_str());
    const auto merged = probeInShards(model, set, settings, 2);
    QVERIFY2(merged.has_value(), merged ? "" : merged.error().message().c_str());
    compareMerged(*whole, *merged);
    int priors = 0;
    int measured = 0;
    for (const probe::LinearSensitivity &l : whole->linears) {
        if (l.name.find(".experts.") != std::string::npos) {
            (l.prior ? priors : measured) += 1;
        }
    }
    QVERIFY2(priors > 0 && measured > 0,
             qPrintable(QStringLiteral("%1 on the prior, %2 measured").arg(priors).arg(measured)));
}

void TestProbe::interruptedShardResumesExactly()
{
    // a shard cancelled after its first layer and resumed gives the uninterrupted shard's report:
    // the resumed forward must still bring the other windows' input maxima for its first layer
    const auto set = calibration(4, 32);
    probe::ProbeSettings settings;
    settings.formats = {FormatId::NVFP4, FormatId::MXFP8};
    settings.outputTokens = 32;
    settings.shard = probe::ProbeSettings::Shard{1, 2};
    auto backend = kernels::cpu::makeCpuBackend();
    const auto whole = probe::runProbe(m_model, set, settings, *backend, {});
    QVERIFY2(whole.has_value(), whole ? "" : whole.error().message().c_str());

    settings.stateDir = m_dir.filePath(QStringLiteral("shard-state")).toStdString();
    const auto cut = probeCancelledAfterFirstLayer(m_model, set, settings, *backend);
    QVERIFY(!cut.has_value());
    QCOMPARE(cut.error().code, core::ErrorCode::Cancelled);
    const auto resumed = probe::runProbe(m_model, set, settings, *backend, {});
    QVERIFY2(resumed.has_value(), resumed ? "" : resumed.error().message().c_str());
    QCOMPARE(resumed->linears.size(), whole->linears.size());
    for (std::size_t i = 0; i < whole->linears.size(); ++i) {
        const auto &a = whole->linears[i];
        const auto &b = resumed->linears[i];
        QCOMPARE(b.name, a.name);
        QVERIFY2(b.inputAmax == a.inputAmax, a.name.c_str());
        for (const auto &[id, v] : a.outputCost) {
            QVERIFY2(near(b.outputCost.at(id), v, 1e-6), a.name.c_str());
        }
    }
}

QTEST_APPLESS_MAIN(TestProbe)
#include "test_probe.moc"
