// SPDX-License-Identifier: MIT
// The allocator's promise, measured (issue 6, "Quality demonstration") on the real stories260K:
// at the byte size of uniform NVFP4A16 and of uniform MXFP4, the recipe the allocator chooses
// from the probe's costs has lower held-out KL and perplexity than the uniform format; and the
// measured KL falls monotonically along five points of the predicted Pareto curve. The table is
// printed (docs/allocation-quality.md records it).
#include <cmath>

#include <QTemporaryDir>
#include <QtTest>

#include "core/alloc/allocation.h"
#include "core/data/calibration.h"
#include "core/model/inventory.h"
#include "core/model/llama2c_import.h"
#include "core/probe/evaluate.h"
#include "core/probe/probe.h"
#include "core/quant/format_spec.h"
#include "core/text/tokenizer.h"
#include "kernels/cpu/cpu_backend.h"
#include "tests/support/shared_data.h"

using namespace pq;
using core::quant::FormatId;

class TestAllocationQuality : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void recipeBeatsUniformAtTheSameSize_data();
    void recipeBeatsUniformAtTheSameSize();
    void measuredKlFallsAlongTheCurve();

private:
    probe::EvalVariant variantOf(const core::alloc::Allocation &a, const std::string &label) const;
    probe::EvalResult measure(const probe::EvalVariant &v);

    QTemporaryDir m_dir;
    std::string m_model;
    core::data::CalibrationSet m_set;
    std::optional<core::ModelInventory> m_inv;
    std::optional<probe::SensitivityReport> m_report;
    std::unique_ptr<core::quant::QuantBackend> m_backend;
};

void TestAllocationQuality::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("stories260K")).toStdString();
    QVERIFY(core::importLlama2c(pq::test::sharedData("tinyllamas-stories260K/stories260K.bin"),
                                m_model));
    QVERIFY(core::importLlama2cTokenizer(pq::test::sharedData("tinyllamas-stories260K/tok512.bin"),
                                         m_model));
    auto tok = core::text::Tokenizer::load(m_model);
    QVERIFY(tok.has_value());
    auto corpus =
            core::data::loadTextSource(pq::test::sharedData("text/tinyshakespeare/input.txt"));
    QVERIFY(corpus.has_value());
    core::data::CalibrationSettings s;
    s.samples = 16;
    s.seqLen = 128;
    s.heldOutSamples = 8;
    s.bos = tok->bosId();
    const core::text::Tokenizer &t = *tok;
    auto set = core::data::buildCalibrationSet(
            *corpus, [&t](std::string_view x) { return t.encode(x, false); }, s, {});
    QVERIFY(set.has_value());
    m_set = std::move(*set);
    auto inv = core::inventoryModelDir(m_model);
    QVERIFY(inv.has_value());
    m_inv = std::move(*inv);
    m_backend = kernels::cpu::makeCpuBackend();
    probe::ProbeSettings ps;
    ps.formats = {FormatId::NVFP4A16, FormatId::MXFP4, FormatId::MXFP8, FormatId::FP8Dynamic,
                  FormatId::W8A16Channel};
    ps.outputTokens = 256;
    auto report = probe::runProbe(m_model, m_set, ps, *m_backend, {});
    QVERIFY2(report.has_value(), report ? "" : report.error().message().c_str());
    m_report = std::move(*report);
}

probe::EvalVariant TestAllocationQuality::variantOf(const core::alloc::Allocation &a,
                                                    const std::string &label) const
{
    probe::EvalVariant v;
    v.label = label;
    for (std::size_t i = 0; i < m_inv->linears.size(); ++i) {
        v.formats[m_inv->linears[i].name] = a.linearFormats[i];
    }
    return v;
}

probe::EvalResult TestAllocationQuality::measure(const probe::EvalVariant &v)
{
    auto r = probe::evaluate(m_model, m_set, {v}, *m_backend, {});
    if (!r) {
        qFatal("%s", r.error().message().c_str());
    }
    return r->front();
}

void TestAllocationQuality::recipeBeatsUniformAtTheSameSize_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("NVFP4A16") << static_cast<int>(FormatId::NVFP4A16);
    QTest::newRow("MXFP4") << static_cast<int>(FormatId::MXFP4);
}

void TestAllocationQuality::recipeBeatsUniformAtTheSameSize()
{
    QFETCH(int, format);
    const auto f = static_cast<FormatId>(format);
    // uniform: every Linear that can take f takes it; the rest (down_proj, 172 inputs, fits no
    // group) keeps its source dtype. That is the smallest artifact of the menu {BF16, f}.
    const auto costs = core::alloc::costsFromReport(*m_report);
    core::alloc::Constraints onlyF;
    onlyF.menu = {FormatId::BF16, f};
    auto u = core::alloc::Allocator::create(*m_inv, costs, onlyF);
    QVERIFY(u.has_value());
    auto smallest = u->allocate(u->minTotalBytes());  // every Linear that can take f does
    QVERIFY(smallest.has_value());
    const std::uint64_t size = smallest->totalBytes;
    core::alloc::Constraints menu;
    menu.menu = {FormatId::BF16, FormatId::MXFP8, FormatId::FP8Dynamic, FormatId::W8A16Channel, f};
    auto a = core::alloc::Allocator::create(*m_inv, costs, menu);
    QVERIFY(a.has_value());
    auto recipe = a->allocate(size);
    QVERIFY2(recipe.has_value(), recipe ? "" : recipe.error().message().c_str());
    QVERIFY(recipe->totalBytes <= size);
    const auto src = measure({"source", {}, {}});
    const auto uni = measure(variantOf(*smallest, "uniform"));
    const auto ours = measure(variantOf(*recipe, "recipe"));
    qInfo("| %s size | %llu B | uniform: ppl %.4f KL %.5f (%s) | ours: ppl %.4f KL %.5f (%s) | "
          "source ppl %.4f |",
          qPrintable(QString::fromLatin1(core::quant::formatInfo(f).name.data(),
                                         static_cast<int>(core::quant::formatInfo(f).name.size()))),
          static_cast<unsigned long long>(size), uni.perplexity, uni.meanKl,
          smallest->summary().c_str(), ours.perplexity, ours.meanKl, recipe->summary().c_str(),
          src.perplexity);
    QVERIFY2(ours.meanKl < uni.meanKl, "the recipe is not better than uniform at the same size");
    QVERIFY(ours.perplexity < uni.perplexity);
}

void TestAllocationQuality::measuredKlFallsAlongTheCurve()
{
    core::alloc::Constraints menu;
    menu.menu = {FormatId::BF16,     FormatId::MXFP8, FormatId::FP8Dynamic,
                 FormatId::NVFP4A16, FormatId::MXFP4, FormatId::W8A16Channel};
    auto a = core::alloc::Allocator::create(*m_inv, core::alloc::costsFromReport(*m_report), menu);
    QVERIFY(a.has_value());
    const auto hull = a->hull();
    QVERIFY(hull.size() >= 5);
    double previous = std::numeric_limits<double>::infinity();
    for (int k = 0; k < 5; ++k) {
        const std::size_t i = (hull.size() - 1) * static_cast<std::size_t>(k) / 4;
        auto r = a->allocate(hull[i].totalBytes);
        QVERIFY(r.has_value());
        const auto m = measure(variantOf(*r, "point"));
        qInfo("| %.3f bpp | %llu B | predicted %.5f | measured KL %.5f | ppl %.4f | %s |",
              r->bitsPerLinearParam(), static_cast<unsigned long long>(r->totalBytes), r->cost,
              m.meanKl, m.perplexity, r->summary().c_str());
        QVERIFY2(m.meanKl <= previous, "measured KL does not fall as the budget grows");
        previous = m.meanKl;
    }
}

QTEST_APPLESS_MAIN(TestAllocationQuality)
#include "test_allocation_quality.moc"
