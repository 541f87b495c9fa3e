// SPDX-License-Identifier: MIT
// The allocator's exact multiple-choice knapsack against exhaustive search on random small
// instances (≤ 12 items × 4 options, with ties, zero costs and dominated options): at every
// budget the solver's optimum equals the best of all selections, its bytes never exceed the
// budget, its lower bound is below it, the cost falls monotonically as the budget grows, and
// every hull vertex is itself optimal at its size.
#include <algorithm>
#include <cmath>
#include <random>

#include <QtTest>

#include "core/alloc/knapsack.h"

using pq::core::alloc::Item;
using pq::core::alloc::Knapsack;
using pq::core::alloc::Option;

namespace {

struct Point
{
    std::uint64_t bytes;
    double cost;
};

/** Every selection's (bytes, cost), then the best cost at or below each size. */
std::vector<Point> exhaustiveFrontier(const std::vector<Item> &items)
{
    std::vector<Point> all;
    std::vector<std::size_t> pick(items.size(), 0);
    while (true) {
        Point p{0, 0.0};
        for (std::size_t i = 0; i < items.size(); ++i) {
            p.bytes += items[i].options[pick[i]].bytes;
            p.cost += items[i].options[pick[i]].cost;
        }
        all.push_back(p);
        std::size_t i = 0;
        while (i < items.size() && ++pick[i] == items[i].options.size()) {
            pick[i++] = 0;
        }
        if (i == items.size()) {
            break;
        }
    }
    std::sort(all.begin(), all.end(), [](const Point &a, const Point &b) {
        return a.bytes != b.bytes ? a.bytes < b.bytes : a.cost < b.cost;
    });
    for (std::size_t i = 1; i < all.size(); ++i) {
        all[i].cost = std::min(all[i].cost, all[i - 1].cost);
    }
    return all;
}

/** The exhaustive optimum at `budget`; +∞ when nothing fits. */
double bestAt(const std::vector<Point> &frontier, std::uint64_t budget)
{
    const auto it = std::upper_bound(frontier.begin(), frontier.end(), budget,
                                     [](std::uint64_t b, const Point &p) { return b < p.bytes; });
    return it == frontier.begin() ? std::numeric_limits<double>::infinity() : (it - 1)->cost;
}

std::vector<Item> randomInstance(std::mt19937_64 &rng, std::size_t items, std::size_t options)
{
    std::uniform_int_distribution<std::uint64_t> bytes(1, 400);
    std::uniform_int_distribution<int> costPick(0, 9);
    std::uniform_real_distribution<double> cost(0.0, 50.0);
    std::vector<Item> out(items);
    for (Item &item : out) {
        const std::size_t n = 1 + rng() % options;
        for (std::size_t j = 0; j < n; ++j) {
            Option o;
            o.bytes = bytes(rng);
            const int k = costPick(rng);  // ties and zeros on purpose
            o.cost = k == 0 ? 0.0 : k == 1 ? 10.0 : std::round(cost(rng) * 4.0) / 4.0;
            item.options.push_back(o);
        }
        if (rng() % 3 == 0) {
            item.options.push_back(item.options.front());  // a duplicate option
        }
    }
    return out;
}

}  // namespace

class TestKnapsack : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void optimumEqualsExhaustiveSearchAtEveryBudget();
    void hullVerticesAreOptimal();
    void budgetBelowTheSmallestIsRefused();
    void largeInstanceStaysExact();
};

void TestKnapsack::optimumEqualsExhaustiveSearchAtEveryBudget()
{
    std::mt19937_64 rng(20261127);
    int compared = 0;
    for (int round = 0; round < 60; ++round) {
        const std::size_t n = 1 + static_cast<std::size_t>(round % 12);
        const std::vector<Item> items = randomInstance(rng, n, n <= 9 ? 4 : 3);
        const auto frontier = exhaustiveFrontier(items);
        auto k = Knapsack::create(items);
        QVERIFY(k.has_value());
        QCOMPARE(k->minBytes(), frontier.front().bytes);
        // every size where the optimum can change, ±1, and the extremes
        std::vector<std::uint64_t> budgets = {frontier.front().bytes, frontier.back().bytes + 5};
        for (std::size_t i = 0; i < frontier.size();
             i += std::max<std::size_t>(1, frontier.size() / 400)) {
            budgets.push_back(frontier[i].bytes);
            budgets.push_back(frontier[i].bytes + 1);
            if (frontier[i].bytes > frontier.front().bytes) {
                budgets.push_back(frontier[i].bytes - 1);
            }
        }
        std::sort(budgets.begin(), budgets.end());
        budgets.erase(std::unique(budgets.begin(), budgets.end()), budgets.end());
        double previous = std::numeric_limits<double>::infinity();
        for (const std::uint64_t b : budgets) {
            const auto s = k->solve(b);
            QVERIFY2(s.has_value(), s ? "" : s.error().message().c_str());
            const double want = bestAt(frontier, b);
            QVERIFY2(s->selection.bytes <= b, "over budget");
            QVERIFY2(std::abs(s->selection.cost - want) <= 1e-9 * std::max(1.0, want),
                     qPrintable(QStringLiteral("round %1, budget %2: %3 vs exhaustive %4")
                                        .arg(round)
                                        .arg(b)
                                        .arg(s->selection.cost)
                                        .arg(want)));
            QVERIFY(s->exact);
            QVERIFY(s->lowerBound <= s->selection.cost + 1e-9);
            QVERIFY2(s->selection.cost <= previous + 1e-12, "the curve is not monotone");
            previous = s->selection.cost;
            // the reported selection is what it says it is
            std::uint64_t bytes = 0;
            double cost = 0.0;
            for (std::size_t i = 0; i < items.size(); ++i) {
                bytes += items[i].options[s->selection.option[i]].bytes;
                cost += items[i].options[s->selection.option[i]].cost;
            }
            QCOMPARE(bytes, s->selection.bytes);
            QVERIFY(std::abs(cost - s->selection.cost) < 1e-9);
            ++compared;
        }
    }
    qInfo("%d budgets compared with exhaustive search", compared);
}

void TestKnapsack::hullVerticesAreOptimal()
{
    std::mt19937_64 rng(7);
    for (int round = 0; round < 30; ++round) {
        const std::vector<Item> items = randomInstance(rng, 8, 4);
        const auto frontier = exhaustiveFrontier(items);
        auto k = Knapsack::create(items);
        QVERIFY(k.has_value());
        const auto &hull = k->hull();
        QVERIFY(!hull.empty());
        for (std::size_t v = 0; v < hull.size(); ++v) {
            QVERIFY(std::abs(hull[v].cost - bestAt(frontier, hull[v].bytes)) < 1e-9);
            if (v > 0) {
                QVERIFY(hull[v].bytes > hull[v - 1].bytes);
                QVERIFY(hull[v].cost < hull[v - 1].cost);
                QVERIFY(hull[v].lambda <= hull[v - 1].lambda);
            }
            const auto sel = k->hullSelection(v);
            QCOMPARE(sel.bytes, hull[v].bytes);
        }
        // the last vertex is the cheapest selection of all
        QVERIFY(std::abs(hull.back().cost - frontier.back().cost) < 1e-9);
    }
}

void TestKnapsack::budgetBelowTheSmallestIsRefused()
{
    const std::vector<Item> items = {{{{100, 1.0}, {200, 0.0}}}, {{{50, 2.0}, {80, 1.0}}}};
    auto k = Knapsack::create(items);
    QVERIFY(k.has_value());
    QCOMPARE(k->minBytes(), std::uint64_t{150});
    const auto s = k->solve(149);
    QVERIFY(!s.has_value());
    QVERIFY(s.error().message().find("150 bytes") != std::string::npos);
    QVERIFY(k->solve(150).has_value());
    QVERIFY(!Knapsack::create({{{}}}).has_value());
    QVERIFY(!Knapsack::create({{{{1, std::nan("")}}}}).has_value());
    QVERIFY(!Knapsack::create({{{{1, -1.0}}}}).has_value());
}

void TestKnapsack::largeInstanceStaysExact()
{
    // 400 items × 6 options: the bound prunes the dynamic programme to a handful of items.
    std::mt19937_64 rng(3);
    std::vector<Item> items;
    for (int i = 0; i < 400; ++i) {
        Item item;
        const double sens = std::exp(std::uniform_real_distribution<double>(-8, 0)(rng));
        const std::uint64_t params = 1'000'000 * (1 + rng() % 8);
        for (const double bits : {4.5, 4.25, 6.25, 8.25, 8.5, 16.0}) {
            item.options.push_back({static_cast<std::uint64_t>(params * bits / 8.0),
                                    sens * std::pow(2.0, -2.0 * bits) * 1e3});
        }
        items.push_back(std::move(item));
    }
    auto k = Knapsack::create(items);
    QVERIFY(k.has_value());
    const std::uint64_t lo = k->hull().front().bytes;
    const std::uint64_t hi = k->hull().back().bytes;
    for (int t = 1; t < 20; ++t) {
        const auto s = k->solve(lo + (hi - lo) * t / 20);
        QVERIFY(s.has_value());
        QVERIFY(s->exact);
        QVERIFY(s->selection.bytes <= lo + (hi - lo) * t / 20);
        QVERIFY(s->lowerBound <= s->selection.cost);
    }
}

QTEST_APPLESS_MAIN(TestKnapsack)
#include "test_knapsack.moc"
