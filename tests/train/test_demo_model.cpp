// SPDX-License-Identifier: MIT
// The committed demo model (examples/demo-llama): a Llama with its own tokenizer, at most 10 MB
// of weights, Linear dimensions that quantization groups of 32 divide, and the held-out
// perplexity its model card states (card.json, the numbers `prismaquant eval` printed) when
// measured again with pq::probe::evaluate on the same windows.
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include <QtTest>

#include "core/data/calibration.h"
#include "core/model/inventory.h"
#include "core/probe/causal_lm.h"
#include "core/probe/evaluate.h"
#include "core/quant/backend_registry.h"
#include "core/text/tokenizer.h"
#include "core/util/atomic_file.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string MODEL = PQ_SOURCE_DIR "/examples/demo-llama";
constexpr std::uint64_t MAX_WEIGHT_BYTES = 10'000'000;
/** Relative difference allowed between the card's perplexity and a new measurement (float
 *  summation order differs between machines and libtorch builds; the weights do not). */
constexpr double PPL_REL_TOLERANCE = 0.005;

json card()
{
    auto text = pq::core::readSmallFile(MODEL + "/card.json", 1U << 20U);
    if (!text) {
        qFatal("%s", text.error().message().c_str());
    }
    return json::parse(*text);
}

/** The CPU runtime with two threads (the CI machines' size). */
pq::probe::RuntimeOptions twoThreads()
{
    pq::probe::RuntimeOptions o;
    o.threads = 2;
    return o;
}

}  // namespace

class TestDemoModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isASmallLlama();
    void heldOutPerplexityMatchesTheCard();
};

void TestDemoModel::isASmallLlama()
{
    QVERIFY(fs::file_size(MODEL + "/model.safetensors") <= MAX_WEIGHT_BYTES);
    auto inv = pq::core::inventoryModelDir(MODEL);
    QVERIFY2(inv, inv ? "" : inv.error().message().c_str());
    QCOMPARE(inv->config.modelType, std::string("llama"));
    QCOMPARE(inv->sourceDtypeName(), std::string("BF16"));
    QVERIFY(inv->warnings.empty());
    QVERIFY(inv->unclassified().empty());
    for (const pq::core::LinearInfo &l : inv->linears) {
        QVERIFY2(l.inFeatures % 32 == 0 && l.outFeatures % 32 == 0, l.name.c_str());
    }
    QCOMPARE(inv->countKind(pq::core::TensorKind::LmHead), std::size_t{1});  // untied

    auto tok = pq::core::text::Tokenizer::load(MODEL);
    QVERIFY2(tok, tok ? "" : tok.error().message().c_str());
    QCOMPARE(static_cast<std::int64_t>(tok->vocabSize()), inv->config.vocabSize);
    QVERIFY(tok->bosId().has_value() && tok->eosId().has_value());
    const std::string verse = "And God said, Let there be light: and there was light.";
    QCOMPARE(tok->decode(tok->encode(verse)), verse);

    auto lm = pq::probe::CausalLm::open(MODEL, twoThreads());
    QVERIFY2(lm, lm ? "" : lm.error().message().c_str());
    const auto logits = (*lm)->logits(tok->encode(verse, true));
    QVERIFY(logits);
    QVERIFY(std::all_of(logits->begin(), logits->end(), [](float v) { return std::isfinite(v); }));
}

void TestDemoModel::heldOutPerplexityMatchesTheCard()
{
    const json eval = card().at("eval");
    auto tok = pq::core::text::Tokenizer::load(MODEL);
    auto corpus =
            pq::core::data::loadTextSource(PQ_SOURCE_DIR "/" + eval.at("calib").get<std::string>());
    QVERIFY(tok && corpus);
    const pq::core::data::CalibrationSettings settings{
            eval.at("samples").get<std::uint64_t>(), eval.at("seq_len").get<std::uint64_t>(),
            eval.at("held_out").get<std::uint64_t>(), eval.at("seed").get<std::uint64_t>(),
            tok->bosId()};
    const pq::core::JobContext ctx;
    const auto &t = *tok;
    auto set = pq::core::data::buildCalibrationSet(
            *corpus, [&t](std::string_view x) { return t.encode(x, false); }, settings, ctx);
    QVERIFY2(set, set ? "" : set.error().message().c_str());
    const pq::core::quant::BackendRegistry backends;
    auto results = pq::probe::evaluate(MODEL, *set, {pq::probe::sourceVariant()},
                                       backends.preferred(), ctx);
    QVERIFY2(results, results ? "" : results.error().message().c_str());
    const double expected = eval.at("perplexity").get<double>();
    const double got = results->front().perplexity;
    qInfo("held-out perplexity %.4f (card: %.4f) over %llu tokens", got, expected,
          static_cast<unsigned long long>(results->front().tokens));
    QCOMPARE(results->front().tokens, eval.at("tokens").get<std::uint64_t>());
    QVERIFY2(std::abs(got - expected) <= PPL_REL_TOLERANCE * expected,
             qPrintable(QStringLiteral("perplexity %1, card says %2").arg(got).arg(expected)));
}

QTEST_APPLESS_MAIN(TestDemoModel)
#include "test_demo_model.moc"
