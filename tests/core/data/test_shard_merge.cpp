// SPDX-License-Identifier: MIT
// core/data/shard_merge.h on hand-made shard reports: how windows are split, the arithmetic of
// the merge (token-weighted Fisher and C_w, C_y rebuilt from raw subsample sums, maxima, the
// prior rule) and each way a set of shards can fail to be one split probe. That real shards
// merge to the unsplit probe is test_probe's mergedShardsEqualOneRun.
#include <QtTest>

#include "core/data/shard_merge.h"

using namespace pq::core;
using namespace pq::core::data;
using pq::core::quant::FormatId;

namespace {

/** Shard `index` of `count` over 4 windows of 10 tokens, with two Linears. */
SensitivityReport shard(std::uint64_t index, std::uint64_t count)
{
    SensitivityReport r;
    r.modelDir = "/m";
    r.modelFingerprint = "f";
    r.calibrationJson = R"({"samples":4})";
    r.formats = {FormatId::MXFP8};
    r.outputTokens = 8;
    r.minExpertTokens = 16;
    r.runtime = "libtorch 2.9, cpu, float32";
    r.shard = *planShard(index, count, 4, 10);
    r.tokens = r.shard->windows * 9;
    r.meanLoss = 2.0 + static_cast<double>(index);
    LinearSensitivity dense;
    dense.name = "model.layers.0.mlp.down_proj";
    dense.tokens = r.shard->calibrationTokens;
    dense.fisherTrace = static_cast<double>(index);
    dense.channelFisher = {static_cast<double>(index), 0.0};
    dense.inputAmax = static_cast<float>(index);
    dense.weightCost[FormatId::MXFP8] = 10.0 * static_cast<double>(index);
    dense.outputCost[FormatId::MXFP8] = 1.0 * static_cast<double>(index);
    dense.subsampleTokens = 4;
    LinearSensitivity expert;
    expert.name = "model.layers.0.mlp.experts.0.up_proj";
    expert.tokens = 10;  // rare in each shard (< 16), not in two shards together
    expert.fisherTrace = 1.0;
    expert.channelFisher = {1.0, 0.0};
    expert.weightCost[FormatId::MXFP8] = 2.0;
    expert.outputCost[FormatId::MXFP8] = 0.5;
    expert.subsampleTokens = 2;
    expert.priorEstimate = PriorEstimate{100.0, {100.0, 0.0}, {{FormatId::MXFP8, 7.0}}};
    r.linears = {dense, expert};
    return r;
}

}  // namespace

class TestShardMerge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void windowsAreSplitContiguously();
    void impossibleSplitsAreRefused();
    void sumsAreWeighedByTokens();
    void rareInTheWholeTakesThePrior();
    void shardReportsRoundTripThroughJson();
    void shardReportIsRefusedWhereAWholeOneIsNeeded();
    void mismatchedShardsAreRefused_data();
    void mismatchedShardsAreRefused();
};

void TestShardMerge::windowsAreSplitContiguously()
{
    std::uint64_t next = 0;
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t i = 1; i <= 3; ++i) {
        const auto s = planShard(i, 3, 10, 64);
        QVERIFY(s.has_value());
        QCOMPARE(s->firstWindow, next);
        QCOMPARE(s->calibrationTokens, s->windows * 64);
        next += s->windows;
        sizes.push_back(s->windows);
    }
    QCOMPARE(next, std::uint64_t{10});
    QCOMPARE(sizes, (std::vector<std::uint64_t>{3, 3, 4}));
}

void TestShardMerge::impossibleSplitsAreRefused()
{
    QCOMPARE(planShard(0, 2, 10, 64).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(planShard(3, 2, 10, 64).error().code, ErrorCode::InvalidArgument);
    const auto few = planShard(1, 5, 4, 64);
    QVERIFY(!few.has_value());
    QVERIFY2(few.error().message().find("at most 4 shards") != std::string::npos,
             few.error().message().c_str());
}

void TestShardMerge::sumsAreWeighedByTokens()
{
    // shards of 2 + 2 windows (20 tokens each): equal weights ½
    const auto m = mergeShards({shard(2, 2), shard(1, 2)});
    QVERIFY2(m.has_value(), m ? "" : m.error().message().c_str());
    QVERIFY(!m->shard.has_value());
    QCOMPARE(m->tokens, std::uint64_t{36});
    QCOMPARE(m->meanLoss, 3.5);  // (3 · 18 + 4 · 18) / 36
    const LinearSensitivity &d = m->linears[0];
    QCOMPARE(d.tokens, std::uint64_t{40});
    QCOMPARE(d.fisherTrace, 1.5);
    QCOMPARE(d.channelFisher, (std::vector<double>{1.5, 0.0}));
    QCOMPARE(d.weightCost.at(FormatId::MXFP8), 15.0);
    QCOMPARE(d.inputAmax, 2.0F);
    QCOMPARE(d.subsampleTokens, std::uint64_t{8});
    // dense: share 1; raw sums 1·4 and 2·4 over 8 subsample tokens
    QCOMPARE(d.outputCost.at(FormatId::MXFP8), 1.5);
    // the expert: 10 + 10 tokens ≥ 16, so its own values; C_y raw sums 0.5 · 2 / (10/20) = 2
    // per shard, 4 over 4 subsample tokens, times the share 20/40
    const LinearSensitivity &e = m->linears[1];
    QVERIFY(!e.prior);
    QVERIFY(!e.priorEstimate.has_value());
    QCOMPARE(e.tokens, std::uint64_t{20});
    QCOMPARE(e.fisherTrace, 1.0);
    QCOMPARE(e.weightCost.at(FormatId::MXFP8), 2.0);
    QCOMPARE(e.subsampleTokens, std::uint64_t{4});
    QCOMPARE(e.outputCost.at(FormatId::MXFP8), 0.5);
}

void TestShardMerge::rareInTheWholeTakesThePrior()
{
    auto a = shard(1, 2);
    auto b = shard(2, 2);
    a.linears[1].tokens = 3;
    b.linears[1].tokens = 4;
    b.linears[1].priorEstimate->fisherTrace = 300.0;
    const auto m = mergeShards({a, b});
    QVERIFY2(m.has_value(), m ? "" : m.error().message().c_str());
    const LinearSensitivity &e = m->linears[1];
    QVERIFY(e.prior);
    QCOMPARE(e.tokens, std::uint64_t{7});
    QCOMPARE(e.fisherTrace, 200.0);  // the shards' priors, weighed by their tokens
    QCOMPARE(e.weightCost.at(FormatId::MXFP8), 7.0);
    QVERIFY(e.outputCost.empty());
    QCOMPARE(e.subsampleTokens, std::uint64_t{0});
    // rare in the whole, yet a shard lacks the prior: not one version's shards
    b.linears[1].priorEstimate.reset();
    const auto bad = mergeShards({a, b});
    QVERIFY(!bad.has_value());
    QVERIFY2(bad.error().message().find("only 1 of 2 shards") != std::string::npos,
             bad.error().message().c_str());
}

void TestShardMerge::shardReportsRoundTripThroughJson()
{
    const SensitivityReport r = shard(2, 2);
    const auto back = SensitivityReport::fromJson(r.toJson());
    QVERIFY2(back.has_value(), back ? "" : back.error().message().c_str());
    QVERIFY(back->shard.has_value());
    QCOMPARE(back->shard->index, std::uint64_t{2});
    QCOMPARE(back->shard->firstWindow, std::uint64_t{2});
    QCOMPARE(back->shard->calibrationTokens, std::uint64_t{20});
    QCOMPARE(back->linears[0].subsampleTokens, std::uint64_t{4});
    QVERIFY(back->linears[1].priorEstimate.has_value());
    QCOMPARE(back->linears[1].priorEstimate->weightCost.at(FormatId::MXFP8), 7.0);
    QCOMPARE(back->linears[1].priorEstimate->channelFisher, (std::vector<double>{100.0, 0.0}));
    // a shard that is not one: index beyond the count
    std::string text = r.toJson();
    text.replace(text.find("\"index\": 2"), 10, "\"index\": 7");
    QVERIFY(!SensitivityReport::fromJson(text).has_value());
    // negative counts are not counts
    std::string negative = r.toJson();
    negative.replace(negative.find("\"windows\": 2"), 12, "\"windows\": -2");
    QVERIFY(!SensitivityReport::fromJson(negative).has_value());
}

void TestShardMerge::shardReportIsRefusedWhereAWholeOneIsNeeded()
{
    const auto st = shard(1, 2).checkWhole("/runs/s1/sensitivity.json");
    QVERIFY(!st.has_value());
    QCOMPARE(st.error().code, ErrorCode::InvalidFormat);
    QVERIFY2(st.error().message().find("shard 1 of 2") != std::string::npos &&
                     st.error().message().find("prismaquant merge") != std::string::npos,
             st.error().message().c_str());
    auto whole = mergeShards({shard(1, 2), shard(2, 2)});
    QVERIFY(whole.has_value());
    QVERIFY(whole->checkWhole("x").has_value());
}

void TestShardMerge::mismatchedShardsAreRefused_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("expect");
    QTest::newRow("missing") << 0 << QStringLiteral("shard 2 of 2 is missing");
    QTest::newRow("twice") << 1 << QStringLiteral("given twice");
    QTest::newRow("other model") << 2 << QStringLiteral("another model");
    QTest::newRow("other calibration") << 3 << QStringLiteral("other calibration windows");
    QTest::newRow("other settings") << 4 << QStringLiteral("other settings");
    QTest::newRow("other compute") << 5 << QStringLiteral("computed on");
    QTest::newRow("other split") << 6 << QStringLiteral("to one into 3");
    QTest::newRow("whole report") << 7 << QStringLiteral("whole probe");
    QTest::newRow("other Linears") << 8 << QStringLiteral("lists");
    QTest::newRow("gap in windows") << 9 << QStringLiteral("starts at window");
    QTest::newRow("tokens not the windows'") << 10 << QStringLiteral("calibration tokens for");
    QTest::newRow("experts in another order") << 11 << QString();
}

void TestShardMerge::mismatchedShardsAreRefused()
{
    QFETCH(int, which);
    QFETCH(QString, expect);
    std::vector<SensitivityReport> shards = {shard(1, 2), shard(2, 2)};
    SensitivityReport &b = shards[1];
    switch (which) {
    case 0:
        shards.pop_back();
        break;
    case 1:
        shards[1] = shard(1, 2);
        break;
    case 2:
        b.modelFingerprint = "g";
        break;
    case 3:
        b.calibrationJson = R"({"samples":4,"seed":1})";
        break;
    case 4:
        b.outputTokens = 16;
        break;
    case 5:
        b.runtime = "libtorch 2.9, cuda, bfloat16";
        break;
    case 6:
        b.shard->count = 3;
        break;
    case 7:
        b.shard.reset();
        break;
    case 8:
        b.linears[1].name = "model.layers.0.mlp.experts.1.up_proj";
        break;
    case 9:
        b.shard->firstWindow = 3;
        break;
    case 10:
        for (SensitivityReport &r : shards) {
            r.calibrationJson = R"({"samples":4,"seq_len":10})";
        }
        b.shard->calibrationTokens = 21;
        break;
    case 11:  // matched by name: merges
        std::swap(b.linears[0], b.linears[1]);
        break;
    default:
        QFAIL("no such case");
    }
    const auto m = mergeShards(shards);
    if (expect.isEmpty()) {
        QVERIFY2(m.has_value(), m ? "" : m.error().message().c_str());
        QCOMPARE(m->linears[0].name, shards[0].linears[0].name);  // the first shard's order
        QCOMPARE(m->linears[0].fisherTrace, 1.5);
        return;
    }
    QVERIFY(!m.has_value());
    QCOMPARE(m.error().code, ErrorCode::InvalidFormat);
    QVERIFY2(m.error().message().find(expect.toStdString()) != std::string::npos,
             m.error().message().c_str());
}

QTEST_APPLESS_MAIN(TestShardMerge)
#include "test_shard_merge.moc"
