// SPDX-License-Identifier: MIT
// RUN_DIR/evaluations.json and the uniform baselines: points round-trip and accumulate (a point
// of the same variant and size replaces the older one), damaged files are refused naming the
// file, and each baseline's size and predicted Δloss equal a hand computation over the real
// example model's Linears.
#include <filesystem>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include "core/pipeline/evaluations.h"
#include "core/pipeline/run_costs.h"
#include "core/quant/format_spec.h"
#include "tests/support/synthetic_run.h"

using namespace pq::core;
using pipeline::MeasuredPoint;
using pipeline::VariantKind;
using quant::FormatId;

namespace {

const std::string EXAMPLE = PQ_SOURCE_DIR "/examples/tiny-random-llama";

MeasuredPoint point(std::string variant, VariantKind kind, std::uint64_t bytes, double kl)
{
    MeasuredPoint p;
    p.variant = std::move(variant);
    p.kind = kind;
    p.bytes = bytes;
    p.bitsPerLinearParam = 4.5;
    if (kind != VariantKind::Source) {
        p.predicted = kl * 0.8;
    }
    p.perplexity = 30.0 + kl;
    p.meanLoss = 3.4 + kl;
    p.meanKl = kl;
    p.tokens = 1016;
    return p;
}

void writeFile(const std::string &path, const std::string &text)
{
    std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

class TestEvaluations : public QObject
{
    Q_OBJECT

private Q_SLOTS:

    void missingFileMeansNoPoints()
    {
        QTemporaryDir dir;
        const auto points = pipeline::readEvaluations(dir.path().toStdString());
        QVERIFY(points);
        QVERIFY(points->empty());
    }

    void pointsAccumulateAndReplaceTheirOwn()
    {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        const MeasuredPoint source = point("source", VariantKind::Source, 8000, 0.0);
        const MeasuredPoint nvfp4 = point("NVFP4", VariantKind::Uniform, 3000, 0.02);
        const MeasuredPoint recipeA = point("recipe: 28 NVFP4A16", VariantKind::Recipe, 3000, 0.01);
        QVERIFY(pipeline::recordEvaluations(run, {source, nvfp4, recipeA}));

        // again at the same size (replaced), and a recipe at another size (added)
        MeasuredPoint again = recipeA;
        again.meanKl = 0.012;
        const MeasuredPoint recipeB = point("recipe: 28 MXFP8", VariantKind::Recipe, 5000, 0.002);
        QVERIFY(pipeline::recordEvaluations(run, {source, again, recipeB}));

        const auto points = pipeline::readEvaluations(run);
        QVERIFY(points);
        QCOMPARE(points->size(), std::size_t{4});
        QCOMPARE((*points)[0], nvfp4);
        QCOMPARE((*points)[1], source);
        QCOMPARE((*points)[2], again);
        QCOMPARE((*points)[3], recipeB);
        QVERIFY(!(*points)[1].predicted);  // the source has no prediction, and none is invented
        QCOMPARE(*(*points)[3].predicted, 0.002 * 0.8);
    }

    void aNewProbeRetiresThePoints()
    {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        auto none = pipeline::retireEvaluations(run);
        QVERIFY(none && !*none);  // nothing to retire
        const MeasuredPoint p = point("NVFP4", VariantKind::Uniform, 3000, 0.02);
        QVERIFY(pipeline::recordEvaluations(run, {p}));
        auto retired = pipeline::retireEvaluations(run);
        QVERIFY(retired && *retired);
        QVERIFY(pipeline::readEvaluations(run)->empty());  // not drawn any more…
        QVERIFY(std::filesystem::exists(run + "/evaluations.previous.json"));  // …but kept
        // the next points start a new file
        QVERIFY(pipeline::recordEvaluations(run, {p}));
        QCOMPARE(pipeline::readEvaluations(run)->size(), std::size_t{1});
    }

    void damagedFilesAreRefusedNamingTheFile_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("not json") << "{"
                                  << "prismaquant.evaluations/1";
        QTest::newRow("other schema") << R"({"schema": "prismaquant.pins/1", "points": []})"
                                      << "prismaquant.evaluations/1";
        QTest::newRow("no tokens")
                << R"({"schema": "prismaquant.evaluations/1", "points": [{"variant": "x",
                      "kind": "recipe", "bytes": 10}]})"
                << "'tokens'";
        QTest::newRow("unknown kind")
                << R"({"schema": "prismaquant.evaluations/1", "points": [{"variant": "x",
                      "kind": "guess", "bytes": 10, "tokens": 5, "bits_per_linear_param": 4,
                      "perplexity": 3, "mean_loss": 1, "mean_kl": 0.1}]})"
                << "unknown kind 'guess'";
        QTest::newRow("negative kl")
                << R"({"schema": "prismaquant.evaluations/1", "points": [{"variant": "x",
                      "kind": "recipe", "bytes": 10, "tokens": 5, "bits_per_linear_param": 4,
                      "perplexity": 3, "mean_loss": 1, "mean_kl": -0.1}]})"
                << "finite, non-negative";
        QTest::newRow("prediction a string")
                << R"({"schema": "prismaquant.evaluations/1", "points": [{"variant": "x",
                      "kind": "recipe", "bytes": 10, "tokens": 5, "bits_per_linear_param": 4,
                      "perplexity": 3, "mean_loss": 1, "mean_kl": 0.1,
                      "predicted_delta_loss": "low"}]})"
                << "predicted_delta_loss";
    }

    void damagedFilesAreRefusedNamingTheFile()
    {
        QFETCH(QString, text);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        writeFile(run + "/evaluations.json", text.toStdString());
        const auto points = pipeline::readEvaluations(run);
        QVERIFY(!points);
        QCOMPARE(points.error().code, ErrorCode::InvalidFormat);
        QVERIFY2(points.error().message().find(says.toStdString()) != std::string::npos,
                 points.error().message().c_str());
        QCOMPARE(points.error().path, run + "/evaluations.json");
        // and a damaged file is not overwritten by the next record: nothing is lost
        QVERIFY(!pipeline::recordEvaluations(run, {point("source", VariantKind::Source, 1, 0)}));
        std::ifstream in(run + "/evaluations.json");
        QCOMPARE(std::string(std::istreambuf_iterator<char>(in), {}), text.toStdString());
    }

    void baselinesEqualAHandComputation()
    {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, run));
        auto costs = pipeline::loadRunCosts(run);
        QVERIFY2(costs, costs ? "" : costs.error().message().c_str());
        const ModelInventory &inv = costs->inventory;
        const std::uint64_t fixed = inv.totals().bytes - inv.linearSourceBytes();
        const auto baselines = pipeline::uniformBaselines(*costs, fixed);

        // BF16 and each measured format some Linear can take (a W4A16 group of 128 fits none of
        // this tiny model's Linears), by size
        std::size_t expected = 1;
        for (const FormatId f : costs->report.formats) {
            const bool someFit =
                    std::any_of(inv.linears.begin(), inv.linears.end(), [f](const LinearInfo &l) {
                        return static_cast<bool>(quant::checkShape(f, l.outFeatures, l.inFeatures));
                    });
            const bool listed = std::any_of(baselines.begin(), baselines.end(),
                                            [f](const auto &b) { return b.format == f; });
            QCOMPARE(listed, someFit);
            expected += someFit ? 1 : 0;
        }
        QCOMPARE(baselines.size(), expected);
        QVERIFY(expected >= 3);
        for (std::size_t i = 1; i < baselines.size(); ++i) {
            QVERIFY(baselines[i - 1].bytes <= baselines[i].bytes);
        }
        std::uint64_t params = 0;
        for (const LinearInfo &l : inv.linears) {
            params += l.params();
        }
        for (const pipeline::UniformBaseline &b : baselines) {
            std::uint64_t bytes = fixed;
            double predicted = 0.0;
            for (const LinearInfo &l : inv.linears) {
                const bool fits =
                        static_cast<bool>(quant::checkShape(b.format, l.outFeatures, l.inFeatures));
                const FormatId f = fits ? b.format : FormatId::BF16;
                bytes += quant::formatBytes(f, l.outFeatures, l.inFeatures, l.sourceDtype);
                predicted += costs->costs.byLinear.at(l.name).at(f);
            }
            QCOMPARE(b.bytes, bytes);
            QCOMPARE(b.predicted, predicted);
            QCOMPARE(b.bitsPerLinearParam,
                     8.0 * static_cast<double>(bytes - fixed) / static_cast<double>(params));
        }
        const auto bf16 = std::find_if(baselines.begin(), baselines.end(),
                                       [](const auto &b) { return b.format == FormatId::BF16; });
        QVERIFY(bf16 != baselines.end());
        QCOMPARE(bf16->bytes, inv.totals().bytes);  // keeping every Linear is the source model
        QCOMPARE(bf16->predicted, 0.0);
    }

    void predictionRefusesAFormatTheProbeDidNotMeasure()
    {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, run));
        auto costs = pipeline::loadRunCosts(run);
        QVERIFY(costs);
        ct::FormatMap formats = ct::uniformFormats(costs->inventory, FormatId::MXFP4);
        const auto predicted =
                pipeline::predictedDeltaLoss(costs->inventory, costs->costs, formats);
        QVERIFY(!predicted);
        QCOMPARE(predicted.error().code, ErrorCode::NotFound);
        QVERIFY(predicted.error().message().find("MXFP4") != std::string::npos);
        QVERIFY(!predicted.error().tensor.empty());
    }

    void recipeFormatsAndName()
    {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, run));
        auto costs = pipeline::loadRunCosts(run);
        QVERIFY(costs);
        auto allocator = alloc::Allocator::create(costs->inventory, costs->costs, {});
        QVERIFY(allocator);
        const auto hull = allocator->hull();
        const auto allocation = allocator->allocate(hull[hull.size() / 2].totalBytes);
        QVERIFY(allocation);
        const ct::FormatMap formats = pipeline::formatsOf(costs->inventory, *allocation);
        QCOMPARE(formats.size(), costs->inventory.linears.size());
        for (std::size_t i = 0; i < costs->inventory.linears.size(); ++i) {
            QCOMPARE(formats.at(costs->inventory.linears[i].name), allocation->linearFormats[i]);
        }
        // the recipe's size and prediction computed from its formats are the allocator's own
        QCOMPARE(pipeline::artifactBytes(costs->inventory, allocator->fixedBytes(), formats),
                 allocation->totalBytes);
        const auto predicted =
                pipeline::predictedDeltaLoss(costs->inventory, costs->costs, formats);
        QVERIFY(predicted);
        QVERIFY(std::abs(*predicted - allocation->cost) <= 1e-12 * (1.0 + allocation->cost));
        const std::string name = pipeline::recipeVariantName(*allocation);
        QVERIFY2(name.starts_with("recipe: "), name.c_str());
        for (const auto &[f, n] : allocation->counts()) {
            const std::string part =
                    std::to_string(n) + " " + std::string(quant::formatInfo(f).name);
            QVERIFY2(name.find(part) != std::string::npos, name.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestEvaluations)
#include "test_evaluations.moc"
