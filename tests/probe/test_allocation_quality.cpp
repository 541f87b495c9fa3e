// SPDX-License-Identifier: MIT
// The allocator's promise, measured (issue 6, "Quality demonstration") on the real stories260K
// (held-out TinyShakespeare) and on the bundled demo model (held-out KJV):
// at the byte size of uniform NVFP4A16 and of uniform MXFP4, the recipe the allocator chooses
// from the probe's costs has lower held-out KL and perplexity than the uniform format; and the
// measured KL falls monotonically along five points of the predicted Pareto curve. The table is
// printed (docs/allocation-quality.md records it).
#include <algorithm>
#include <cmath>
#include <map>

#include <QTemporaryDir>
#include <QtTest>

#include "core/alloc/allocation.h"
#include "core/data/calibration.h"
#include "core/model/inventory.h"
#include "core/probe/evaluate.h"
#include "core/probe/probe.h"
#include "core/quant/format_spec.h"
#include "core/text/tokenizer.h"
#include "kernels/cpu/cpu_backend.h"
#include "tests/support/shared_data.h"
#include "tests/support/stories260k.h"

using namespace pq;
using core::quant::FormatId;

namespace {

/** A model with its calibration windows, inventory and probe report. */
struct Case
{
    std::string model;
    core::data::CalibrationSet set;
    std::optional<core::ModelInventory> inv;
    std::optional<probe::SensitivityReport> report;
};

}  // namespace

class TestAllocationQuality : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void recipeBeatsUniformAtTheSameSize_data();
    void recipeBeatsUniformAtTheSameSize();
    void measuredKlFallsAlongTheCurve_data();
    void measuredKlFallsAlongTheCurve();

private:
    void prepare(Case &c, const std::string &text);
    probe::EvalResult measure(const Case &c, const core::alloc::Allocation &a);

    QTemporaryDir m_dir;
    std::map<QString, Case> m_cases;
    std::unique_ptr<core::quant::QuantBackend> m_backend;
};

void TestAllocationQuality::prepare(Case &c, const std::string &text)
{
    auto tok = core::text::Tokenizer::load(c.model);
    QVERIFY(tok.has_value());
    auto corpus = core::data::loadTextSource(text);
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
    c.set = std::move(*set);
    auto inv = core::inventoryModelDir(c.model);
    QVERIFY(inv.has_value());
    c.inv = std::move(*inv);
    probe::ProbeSettings ps;
    ps.formats = {FormatId::NVFP4A16, FormatId::MXFP4,      FormatId::W4A16,
                  FormatId::MXFP8,    FormatId::FP8Dynamic, FormatId::W8A16Channel};
    ps.outputTokens = 256;
    auto report = probe::runProbe(c.model, c.set, ps, *m_backend, {});
    QVERIFY2(report.has_value(), report ? "" : report.error().message().c_str());
    c.report = std::move(*report);
}

void TestAllocationQuality::initTestCase()
{
    m_backend = kernels::cpu::makeCpuBackend();
    Case &stories = m_cases[QStringLiteral("stories260K")];
    stories.model = m_dir.filePath(QStringLiteral("stories260K")).toStdString();
    QVERIFY(pq::test::importStories260K(stories.model));
    prepare(stories, pq::test::sharedData("text/tinyshakespeare/input.txt"));
    Case &demo = m_cases[QStringLiteral("demo-llama")];
    demo.model = PQ_SOURCE_DIR "/examples/demo-llama";
    prepare(demo, PQ_SOURCE_DIR "/examples/calibration/kjv.txt.gz");
}

probe::EvalResult TestAllocationQuality::measure(const Case &c, const core::alloc::Allocation &a)
{
    probe::EvalVariant v;
    v.label = a.summary();
    for (std::size_t i = 0; i < c.inv->linears.size(); ++i) {
        v.formats[c.inv->linears[i].name] = a.linearFormats[i];
    }
    auto r = probe::evaluate(c.model, c.set, {v}, *m_backend, {});
    if (!r) {
        qFatal("%s", r.error().message().c_str());
    }
    return r->front();
}

void TestAllocationQuality::recipeBeatsUniformAtTheSameSize_data()
{
    // At uniform NVFP4A16's size on the demo model, one 4-bit family per recipe leaves the
    // allocator no cheaper option than NVFP4A16 itself (it returns the uniform recipe: a tie);
    // mixing NVFP4A16 with W4A16 for the least sensitive Linears is what beats it there.
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("mix");
    for (const char *m : {"stories260K", "demo-llama"}) {
        for (const FormatId f : {FormatId::NVFP4A16, FormatId::MXFP4}) {
            for (const bool mix : {false, true}) {
                const std::string row = std::string(m) + " " +
                                        std::string(core::quant::formatInfo(f).name) +
                                        (mix ? ", mixed 4-bit families" : ", one 4-bit family");
                QTest::newRow(row.c_str()) << QString::fromLatin1(m) << static_cast<int>(f) << mix;
            }
        }
    }
}

void TestAllocationQuality::recipeBeatsUniformAtTheSameSize()
{
    QFETCH(QString, model);
    QFETCH(int, format);
    QFETCH(bool, mix);
    const Case &c = m_cases.at(model);
    const auto f = static_cast<FormatId>(format);
    // uniform: every Linear that can take f takes it; the rest keeps its source dtype. That is
    // the smallest artifact of the menu {BF16, f}.
    const auto costs = core::alloc::costsFromReport(*c.report);
    core::alloc::Constraints onlyF;
    onlyF.menu = {FormatId::BF16, f};
    auto u = core::alloc::Allocator::create(*c.inv, costs, onlyF);
    QVERIFY(u.has_value());
    auto uniform = u->allocate(u->minTotalBytes());
    QVERIFY(uniform.has_value());
    const std::uint64_t size = uniform->totalBytes;
    // the whole menu (one 4-bit family per recipe): at f's size the allocator may use a smaller
    // 4-bit format for insensitive Linears and spend the bytes saved on 8 bits for sensitive ones
    core::alloc::Constraints menu;
    menu.menu = {FormatId::BF16,     FormatId::MXFP8, FormatId::FP8Dynamic, FormatId::W8A16Channel,
                 FormatId::NVFP4A16, FormatId::MXFP4, FormatId::W4A16};
    menu.mix4bitFamilies = mix;
    auto a = core::alloc::Allocator::create(*c.inv, costs, menu);
    QVERIFY(a.has_value());
    auto recipe = a->allocate(size);
    QVERIFY2(recipe.has_value(), recipe ? "" : recipe.error().message().c_str());
    QVERIFY(recipe->totalBytes <= size);
    const auto uni = measure(c, *uniform);
    const auto ours = measure(c, *recipe);
    core::alloc::Allocation source = *uniform;
    std::fill(source.linearFormats.begin(), source.linearFormats.end(), FormatId::BF16);
    const auto src = measure(c, source);
    qInfo("| %s | %s%s | %llu B | source ppl %.4f | uniform ppl %.4f, KL %.5f (%s) | ours ppl "
          "%.4f, KL %.5f (%s) |",
          qPrintable(model), core::quant::formatInfo(f).name.data(), mix ? " (mixed)" : "",
          static_cast<unsigned long long>(size), src.perplexity, uni.perplexity, uni.meanKl,
          uniform->summary().c_str(), ours.perplexity, ours.meanKl, recipe->summary().c_str());
    const bool tieExpected =
            !mix && model == QStringLiteral("demo-llama") && f == FormatId::NVFP4A16;
    if (tieExpected) {
        QCOMPARE(recipe->linearFormats, uniform->linearFormats);
        return;
    }
    QVERIFY2(ours.meanKl < uni.meanKl, "the recipe is not better than uniform at the same size");
    QVERIFY(ours.perplexity < uni.perplexity);
}

void TestAllocationQuality::measuredKlFallsAlongTheCurve_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("stories260K") << QStringLiteral("stories260K");
    QTest::newRow("demo-llama") << QStringLiteral("demo-llama");
}

void TestAllocationQuality::measuredKlFallsAlongTheCurve()
{
    QFETCH(QString, model);
    const Case &c = m_cases.at(model);
    core::alloc::Constraints menu;
    menu.menu = {FormatId::BF16,     FormatId::MXFP8, FormatId::FP8Dynamic, FormatId::W8A16Channel,
                 FormatId::NVFP4A16, FormatId::MXFP4, FormatId::W4A16};
    auto a = core::alloc::Allocator::create(*c.inv, core::alloc::costsFromReport(*c.report), menu);
    QVERIFY(a.has_value());
    const auto hull = a->hull();
    QVERIFY(hull.size() >= 5);
    double previous = std::numeric_limits<double>::infinity();
    for (int k = 0; k < 5; ++k) {
        const std::size_t i = (hull.size() - 1) * static_cast<std::size_t>(k) / 4;
        auto r = a->allocate(hull[i].totalBytes);
        QVERIFY(r.has_value());
        const auto m = measure(c, *r);
        qInfo("| %s | %.3f bpp | %llu B | predicted %.5f | measured KL %.5f | ppl %.4f | %s |",
              qPrintable(model), r->bitsPerLinearParam(),
              static_cast<unsigned long long>(r->totalBytes), r->cost, m.meanKl, m.perplexity,
              r->summary().c_str());
        QVERIFY2(m.meanKl <= previous, "measured KL does not fall as the budget grows");
        previous = m.meanKl;
    }
}

QTEST_APPLESS_MAIN(TestAllocationQuality)
#include "test_allocation_quality.moc"
