// SPDX-License-Identifier: MIT
// The streamed probe on the real stories260K model: its Fisher equals a plain full-model
// autograd that loops over tokens (relative error ≤ 1e-5), and its costs are sane (finer formats
// cost less, activation quantization adds output-space cost) and reach sensitivity.json.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "core/data/calibration.h"
#include "core/model/llama2c_import.h"
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
    void streamedFisherEqualsPerTokenAutograd();
    void costsAreSaneAndWritten();
    void unsupportedFamilyIsRefused();
    void evaluationOrdersTheFormats();

private:
    QTemporaryDir m_dir;
    std::string m_model;
};

void TestProbe::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("stories260K")).toStdString();
    QVERIFY(core::importLlama2c(pq::test::sharedData("tinyllamas-stories260K/stories260K.bin"),
                                m_model));
}

void TestProbe::streamedFisherEqualsPerTokenAutograd()
{
    const auto set = calibration(3, 20);
    const auto streamed = probe::streamedFisher(m_model, set);
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
    const auto &first = j.at("linears").at(0);  // sorted by name: layer 0's down_proj
    QCOMPARE(first.at("name").get<std::string>(), std::string("model.layers.0.mlp.down_proj"));
    QVERIFY(first.at("weight_cost").contains("FP8_DYNAMIC"));
    QVERIFY(!first.at("weight_cost").contains("NVFP4"));  // 172 inputs: no group of 16 fits
    QCOMPARE(first.at("channel_fisher").size(), std::size_t{64});
    QCOMPARE(j.at("calibration").at("samples").get<int>(), 4);
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
    const std::vector<probe::EvalVariant> variants = {{"source", {}, {}},
                                                      uniform("MXFP8", FormatId::MXFP8),
                                                      uniform("NVFP4A16", FormatId::NVFP4A16),
                                                      uniform("NVFP4", FormatId::NVFP4)};
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

QTEST_APPLESS_MAIN(TestProbe)
#include "test_probe.moc"
