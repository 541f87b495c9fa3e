// SPDX-License-Identifier: MIT
// The allocator over real inventories: fused siblings and all experts of a MoE layer always
// share a format, budgets hold to the byte (recomputed from the format layer's exact sizes),
// pins and forbids are honoured, one 4-bit family unless mixing is allowed, infeasible requests
// give the smallest feasible size, the optimum over coupled groups with pins and forbids equals
// exhaustive search, and the VRAM arithmetic matches a hand computation for two real configs.
#include <algorithm>
#include <cmath>
#include <random>
#include <regex>
#include <set>

#include <QtTest>

#include "core/alloc/allocation.h"
#include "core/alloc/data_free.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/quant/format_spec.h"
#include "tests/support/shared_data.h"

using namespace pq::core;
using alloc::Allocator;
using alloc::Constraints;
using quant::FormatId;

namespace {

const std::vector<FormatId> MENU = {FormatId::BF16,  FormatId::MXFP8,    FormatId::FP8Dynamic,
                                    FormatId::NVFP4, FormatId::NVFP4A16, FormatId::MXFP4};

/** Synthetic costs: sensitivity × params × 2^(−2·bits), one random sensitivity per Linear. */
alloc::LinearCosts syntheticCosts(const ModelInventory &inv, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> logSens(-6.0, 0.0);
    alloc::LinearCosts c;
    for (const LinearInfo &l : inv.linears) {
        const double s = std::exp(logSens(rng)) * static_cast<double>(l.params());
        for (const FormatId f : MENU) {
            const double bits = quant::formatInfo(f).nominalBits;
            c.byLinear[l.name][f] = f == FormatId::BF16 ? 0.0
                                                        : s * std::pow(2.0, -2.0 * bits) *
                                                                  (1.0 + 0.1 * (rng() % 3));
        }
    }
    return c;
}

ModelInventory inventoryOf(const std::string &dir)
{
    auto inv = inventoryModelDir(dir);
    if (!inv) {
        qFatal("%s", inv.error().message().c_str());
    }
    return std::move(*inv);
}

/** Every Linear of a group has one format; bytes recomputed from the format layer. */
void checkAllocation(const ModelInventory &inv,
                     const alloc::Allocation &a,
                     std::uint64_t budget,
                     const Allocator &allocator,
                     bool mix4bit = false)
{
    QVERIFY2(a.totalBytes <= budget,
             qPrintable(QStringLiteral("%1 > %2").arg(a.totalBytes).arg(budget)));
    std::uint64_t bytes = 0;
    for (const FusedGroup &g : inv.groups) {
        const FormatId f = a.linearFormats[g.linears.front()];
        for (const std::size_t li : g.linears) {
            QVERIFY2(a.linearFormats[li] == f, inv.linears[li].name.c_str());
            const LinearInfo &l = inv.linears[li];
            bytes += quant::formatBytes(f, l.outFeatures, l.inFeatures, l.sourceDtype);
        }
    }
    QCOMPARE(bytes, a.linearBytes);
    QCOMPARE(a.totalBytes, a.linearBytes + allocator.fixedBytes());
    QCOMPARE(allocator.fixedBytes(), inv.totals().bytes - inv.linearSourceBytes());
    std::set<std::string> families;
    for (const FormatId f : a.linearFormats) {
        if (quant::formatInfo(f).nominalBits == 4.0) {
            families.insert(std::string(quant::formatInfo(f).family));
        }
    }
    QVERIFY2(mix4bit || families.size() <= 1, "two 4-bit families in one recipe");
}

}  // namespace

class TestAllocation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void moeGroupsNeverSplitAndBudgetsHold();
    void pinsAndForbidsAreHonoured();
    void infeasibleRequestsSayTheSmallestSize();
    void optimumEqualsExhaustiveSearchOverGroups();
    void vramArithmeticMatchesHandComputation();
    void kneeAndOutputs();
    void dataFreeCostsArePlainWeightErrors();
};

void TestAllocation::moeGroupsNeverSplitAndBudgetsHold()
{
    const ModelInventory inv = inventoryOf(pq::test::sharedData("configs/qwen3.6-35b-a3b"));
    Constraints c;
    c.menu = MENU;
    auto a = Allocator::create(inv, syntheticCosts(inv, 1), c);
    QVERIFY2(a.has_value(), a ? "" : a.error().message().c_str());
    const auto hull = a->hull();
    QVERIFY(hull.size() > 10);
    const std::uint64_t lo = a->minTotalBytes();
    const std::uint64_t hi = hull.back().totalBytes;
    double previous = std::numeric_limits<double>::infinity();
    for (int t = 0; t <= 10; ++t) {
        const std::uint64_t budget = lo + (hi - lo) * static_cast<std::uint64_t>(t) / 10;
        auto r = a->allocate(budget);
        QVERIFY2(r.has_value(), r ? "" : r.error().message().c_str());
        checkAllocation(inv, *r, budget, *a);
        QVERIFY(r->cost <= previous + 1e-12);
        QVERIFY(r->lowerBound <= r->cost + 1e-12);
        previous = r->cost;
    }
}

void TestAllocation::pinsAndForbidsAreHonoured()
{
    const ModelInventory inv = inventoryOf(pq::test::sharedData("configs/qwen3.6-35b-a3b"));
    Constraints c;
    c.menu = MENU;
    // one expert pinned: the whole layer's experts follow (vLLM loads them as one module)
    c.pins = {{R"(layers\.3\.mlp\.experts\.7\.down_proj$)", FormatId::MXFP8}};
    c.forbids = {{R"(self_attn\.)", FormatId::NVFP4}, {R"(self_attn\.)", FormatId::NVFP4A16}};
    auto a = Allocator::create(inv, syntheticCosts(inv, 2), c);
    QVERIFY2(a.has_value(), a ? "" : a.error().message().c_str());
    auto r = a->allocate(a->bytesForBits(4.6));
    QVERIFY2(r.has_value(), r ? "" : r.error().message().c_str());
    checkAllocation(inv, *r, a->bytesForBits(4.6), *a);
    std::size_t pinnedExperts = 0;
    for (std::size_t i = 0; i < inv.linears.size(); ++i) {
        const std::string &n = inv.linears[i].name;
        if (n.find("layers.3.mlp.experts.") != std::string::npos) {
            QVERIFY2(r->linearFormats[i] == FormatId::MXFP8, n.c_str());
            ++pinnedExperts;
        }
        if (n.find("self_attn.") != std::string::npos) {
            QVERIFY2(r->linearFormats[i] != FormatId::NVFP4 &&
                             r->linearFormats[i] != FormatId::NVFP4A16,
                     n.c_str());
        }
    }
    QCOMPARE(pinnedExperts, std::size_t{256 * 3});
    // pins that split a fused group are refused
    c.pins = {{R"(layers\.0\.mlp\.experts\.1\.up_proj)", FormatId::MXFP8},
              {R"(layers\.0\.mlp\.experts\.2\.up_proj)", FormatId::NVFP4}};
    auto split = Allocator::create(inv, syntheticCosts(inv, 2), c);
    QVERIFY(!split.has_value());
    QVERIFY(split.error().message().find("share a format") != std::string::npos);
    // a bad regex is named
    c.pins = {{"(", FormatId::MXFP8}};
    auto bad = Allocator::create(inv, syntheticCosts(inv, 2), c);
    QVERIFY(!bad.has_value() && bad.error().message().find("'('") != std::string::npos);
    // a pin that holds nothing (lm_head is never quantized; or a typo) is refused, not ignored
    c.pins = {{R"(mlp\.experts\.7\.down_proj$)", FormatId::MXFP8}, {"lm_head", FormatId::MXFP8}};
    auto none = Allocator::create(inv, syntheticCosts(inv, 2), c);
    QVERIFY(!none.has_value());
    QVERIFY2(none.error().message().find("pin 'lm_head' matches no quantizable Linear") !=
                     std::string::npos,
             none.error().message().c_str());
}

void TestAllocation::infeasibleRequestsSayTheSmallestSize()
{
    const ModelInventory inv = inventoryOf(PQ_SOURCE_DIR "/examples/tiny-random-llama");
    Constraints c;
    c.menu = MENU;
    auto a = Allocator::create(inv, syntheticCosts(inv, 3), c);
    QVERIFY(a.has_value());
    const std::uint64_t least = a->minTotalBytes();
    auto below = a->allocate(least - 1);
    QVERIFY(!below.has_value());
    QVERIFY(below.error().message().find(std::to_string(least) + " bytes") != std::string::npos);
    QVERIFY(a->allocate(least).has_value());
    // a pin to BF16 raises the smallest size; a budget between the two is refused with it
    c.pins = {{R"(mlp\.)", FormatId::BF16}};
    auto pinned = Allocator::create(inv, syntheticCosts(inv, 3), c);
    QVERIFY(pinned.has_value());
    QVERIFY(pinned->minTotalBytes() > least);
    auto broken = pinned->allocate(least);
    QVERIFY(!broken.has_value());
    QVERIFY(broken.error().message().find(std::to_string(pinned->minTotalBytes()) + " bytes") !=
            std::string::npos);
    // an unservable format needs consent
    c.pins.clear();
    c.menu = {FormatId::BF16, FormatId::MXFP6E2M3};
    const bool servable = quant::formatInfo(FormatId::MXFP6E2M3).servable;
    QCOMPARE(Allocator::create(inv, syntheticCosts(inv, 3), c).has_value(), servable);
}

void TestAllocation::optimumEqualsExhaustiveSearchOverGroups()
{
    // 2 layers × (qkv, o, gate_up, down) = 8 coupled groups; random costs, a pin and a forbid.
    const ModelInventory inv = inventoryOf(PQ_SOURCE_DIR "/examples/tiny-random-llama");
    QCOMPARE(inv.groups.size(), std::size_t{8});
    const std::vector<FormatId> menu = {FormatId::BF16, FormatId::MXFP8, FormatId::W8A16Channel,
                                        FormatId::NVFP4A16, FormatId::MXFP4};
    for (std::uint64_t seed = 10; seed < 16; ++seed) {
        alloc::LinearCosts costs;
        std::mt19937_64 rng(seed);
        for (const LinearInfo &l : inv.linears) {
            for (const FormatId f : menu) {
                costs.byLinear[l.name][f] =
                        f == FormatId::BF16 ? 0.0 : static_cast<double>(rng() % 1000) / 7.0;
            }
        }
        Constraints c;
        c.menu = menu;
        c.pins = {{R"(layers\.1\.self_attn\.o_proj)", FormatId::MXFP8}};
        c.forbids = {{R"(down_proj)", FormatId::MXFP4}};
        c.mix4bitFamilies = seed % 2 == 0;
        auto a = Allocator::create(inv, costs, c);
        QVERIFY2(a.has_value(), a ? "" : a.error().message().c_str());
        // exhaustive: every format per group, respecting shape rules, pin, forbid, families
        const std::regex pin(c.pins[0].first);
        const std::regex forbid(c.forbids[0].first);
        std::vector<std::vector<std::tuple<FormatId, std::uint64_t, double>>> options;
        for (const FusedGroup &g : inv.groups) {
            std::vector<std::tuple<FormatId, std::uint64_t, double>> opts;
            for (const FormatId f : menu) {
                bool ok = true;
                std::uint64_t bytes = 0;
                double cost = 0.0;
                bool pinned = false;
                for (const std::size_t li : g.linears) {
                    const LinearInfo &l = inv.linears[li];
                    ok = ok && quant::checkShape(f, l.outFeatures, l.inFeatures).has_value() &&
                         !(f == FormatId::MXFP4 && std::regex_search(l.name, forbid));
                    pinned = pinned || std::regex_search(l.name, pin);
                    if (ok) {
                        bytes += quant::formatBytes(f, l.outFeatures, l.inFeatures, l.sourceDtype);
                        cost += costs.byLinear[l.name][f];
                    }
                }
                if (ok && (!pinned || f == FormatId::MXFP8)) {
                    opts.emplace_back(f, bytes, cost);
                }
            }
            options.push_back(opts);
        }
        std::vector<std::pair<std::uint64_t, double>> all;
        std::vector<std::size_t> pick(options.size(), 0);
        while (true) {
            std::uint64_t bytes = 0;
            double cost = 0.0;
            std::set<std::string> fam;
            for (std::size_t g = 0; g < options.size(); ++g) {
                const auto &[f, b, k] = options[g][pick[g]];
                bytes += b;
                cost += k;
                if (quant::formatInfo(f).nominalBits == 4.0) {
                    fam.insert(std::string(quant::formatInfo(f).family));
                }
            }
            if (c.mix4bitFamilies || fam.size() <= 1) {
                all.emplace_back(bytes + a->fixedBytes(), cost);
            }
            std::size_t g = 0;
            while (g < options.size() && ++pick[g] == options[g].size()) {
                pick[g++] = 0;
            }
            if (g == options.size()) {
                break;
            }
        }
        std::sort(all.begin(), all.end());
        for (std::size_t i = 1; i < all.size(); ++i) {
            all[i].second = std::min(all[i].second, all[i - 1].second);
        }
        QCOMPARE(a->minTotalBytes(), all.front().first);
        for (std::size_t i = 0; i < all.size(); i += 97) {
            for (const std::uint64_t budget : {all[i].first, all[i].first + 1}) {
                auto r = a->allocate(budget);
                QVERIFY2(r.has_value(), r ? "" : r.error().message().c_str());
                checkAllocation(inv, *r, budget, *a, c.mix4bitFamilies);
                const auto it = std::upper_bound(
                        all.begin(), all.end(),
                        std::pair{budget, std::numeric_limits<double>::infinity()});
                const double want = (it - 1)->second;
                QVERIFY2(std::abs(r->cost - want) <= 1e-9 * std::max(1.0, want),
                         qPrintable(QStringLiteral("seed %1 budget %2: %3 vs %4")
                                            .arg(seed)
                                            .arg(budget)
                                            .arg(r->cost)
                                            .arg(want)));
            }
        }
    }
}

void TestAllocation::vramArithmeticMatchesHandComputation()
{
    // Llama 3.1 70B: 80 layers × 8 KV heads × head dim 128 × 2 × 2 B (bf16) × 8192 tokens
    const ModelInventory llama =
            inventoryOf(pq::test::sharedData("configs/reflection-llama-3.1-70b"));
    alloc::VramTarget t;
    t.vramBytes = 24ULL << 30U;
    t.context = 8192;
    auto b = alloc::vramBudget(llama.config, t);
    QVERIFY2(b.has_value(), b ? "" : b.error().message().c_str());
    QCOMPARE(b->kvBytes, std::uint64_t{80ULL * 8 * 128 * 2 * 2 * 8192});
    QCOMPARE(b->kvBytes, std::uint64_t{2684354560});
    QCOMPARE(b->budgetBytes, std::uint64_t{20ULL << 30U});  // 24 GiB − 2.5 GiB − 1.5 GiB
    QVERIFY(b->arithmetic.find("80 full-attention layers") != std::string::npos);
    // Qwen3.6-35B-A3B: 10 of its 40 layers are full attention (2 KV heads × 256), fp8 cache
    const ModelInventory qwen = inventoryOf(pq::test::sharedData("configs/qwen3.6-35b-a3b"));
    t.kvBytesPerElement = 1;
    auto q = alloc::vramBudget(qwen.config, t);
    QVERIFY(q.has_value());
    QCOMPARE(q->kvBytes, std::uint64_t{10ULL * 2 * 256 * 2 * 1 * 8192});
    QCOMPARE(q->budgetBytes, std::uint64_t{(24ULL << 30U) - 83886080 - 1610612736});
    QVERIFY(q->arithmetic.find("30 linear-attention") != std::string::npos);
    // nothing left: a clear error
    t.vramBytes = 1ULL << 30U;
    QVERIFY(!alloc::vramBudget(qwen.config, t).has_value());
}

void TestAllocation::kneeAndOutputs()
{
    const ModelInventory inv = inventoryOf(PQ_SOURCE_DIR "/examples/tiny-random-llama");
    Constraints c;
    c.menu = MENU;
    auto a = Allocator::create(inv, syntheticCosts(inv, 5), c);
    QVERIFY(a.has_value());
    const auto curve = a->hull();
    const alloc::Knee knee = alloc::findKnee(curve);
    QVERIFY(knee.index > 0 && knee.index + 1 < curve.size());
    for (std::size_t i = 1; i < curve.size(); ++i) {
        QVERIFY(curve[i].totalBytes > curve[i - 1].totalBytes);
        QVERIFY(curve[i].cost < curve[i - 1].cost);
    }
    const std::string csv = alloc::paretoCsv(curve, knee);
    QCOMPARE(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), curve.size() + 1);
    QVERIFY(csv.rfind("label,total_bytes,bits_per_linear_param,predicted_dloss,knee", 0) == 0);
    auto r = a->allocate(curve[knee.index].totalBytes);
    QVERIFY(r.has_value());
    QCOMPARE(r->totalBytes, curve[knee.index].totalBytes);
    const std::string summary = r->summary();
    QVERIFY2(std::regex_search(summary,
                               std::regex(R"(^\d+ [A-Z0-9_]+( · \d+ [A-Z0-9_]+)* — .* bpp$)")),
             summary.c_str());
    const std::string json = alloc::recipeJson(*a, *r, "test");
    QVERIFY(json.find("\"schema\": \"prismaquant.recipe/1\"") != std::string::npos);
}

void TestAllocation::dataFreeCostsArePlainWeightErrors()
{
    // Without a probe: Σ (W − Q(W))² per Linear and format, read from the real checkpoint with
    // the production quantizers; coarser formats err more; the allocator runs on them.
    const std::string dir = PQ_SOURCE_DIR "/examples/demo-llama";
    const ModelInventory inv = inventoryOf(dir);
    auto cp = Checkpoint::open(dir);
    QVERIFY(cp.has_value());
    auto backend = quant::makeReferenceBackend();
    const std::vector<FormatId> menu = {FormatId::BF16, FormatId::MXFP8, FormatId::NVFP4A16,
                                        FormatId::MXFP4};
    std::uint64_t reports = 0;
    const JobContext ctx([&](std::string_view, std::uint64_t, std::uint64_t) { ++reports; });
    auto costs = alloc::dataFreeCosts(inv, *cp, menu, *backend, ctx);
    QVERIFY2(costs.has_value(), costs ? "" : costs.error().message().c_str());
    QVERIFY(costs->dataFree);
    QCOMPARE(costs->byLinear.size(), inv.linears.size());
    QCOMPARE(reports, std::uint64_t{inv.linears.size()});
    for (const auto &[name, c] : costs->byLinear) {
        QCOMPARE(c.at(FormatId::BF16), 0.0);
        QVERIFY2(c.at(FormatId::MXFP8) > 0.0, name.c_str());
        QVERIFY2(c.at(FormatId::MXFP8) < c.at(FormatId::NVFP4A16), name.c_str());
        QVERIFY2(c.at(FormatId::NVFP4A16) < c.at(FormatId::MXFP4), name.c_str());
    }
    Constraints con;
    con.menu = menu;
    auto a = Allocator::create(inv, *costs, con);
    QVERIFY(a.has_value());
    QVERIFY(a->dataFree());
    auto r = a->allocate(a->bytesForBits(6.0));
    QVERIFY(r.has_value());
    QVERIFY(alloc::recipeJson(*a, *r, "6 bits").find("data-free") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestAllocation)
#include "test_allocation.moc"
