// SPDX-License-Identifier: MIT
#include "core/alloc/knapsack.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

namespace pq::core::alloc {
namespace {

/** Slack for comparisons of summed floating-point costs. */
double tolerance(double scale)
{
    return 1e-12 * std::max(1.0, std::abs(scale));
}

/**
 * The item's own lower convex hull: option indices by increasing bytes and strictly decreasing
 * cost, every interior point strictly below the chord of its neighbours.
 */
std::vector<std::size_t> itemHull(const Item &item)
{
    std::vector<std::size_t> order(item.options.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const Option &x = item.options[a];
        const Option &y = item.options[b];
        return x.bytes != y.bytes ? x.bytes < y.bytes : x.cost != y.cost ? x.cost < y.cost : a < b;
    });
    std::vector<std::size_t> hull;
    double best = std::numeric_limits<double>::infinity();
    for (const std::size_t i : order) {
        const Option &p = item.options[i];
        if (!(p.cost < best)) {
            continue;  // dominated: no cheaper than an option with fewer (or equal) bytes
        }
        best = p.cost;
        while (hull.size() >= 2) {
            const Option &a = item.options[hull[hull.size() - 2]];
            const Option &b = item.options[hull.back()];
            // keep b only if the slope a→b is strictly steeper (more negative) than b→p
            const long double lhs = static_cast<long double>(b.cost - a.cost) *
                                    static_cast<long double>(p.bytes - b.bytes);
            const long double rhs = static_cast<long double>(p.cost - b.cost) *
                                    static_cast<long double>(b.bytes - a.bytes);
            if (lhs < rhs) {
                break;
            }
            hull.pop_back();
        }
        hull.push_back(i);
    }
    return hull;
}

/**
 * The LP relaxation of a set of items as a function of the capacity: the lower convex hull of
 * their summed (bytes, cost), i.e. every item at its smallest hull option, then the items' hull
 * steps by falling slope; between vertices the cost falls linearly. A lower bound on any
 * selection of those items within the capacity; +∞ below the smallest selection.
 */
class LpBound
{
public:
    /** This bound with one more item's options. */
    LpBound with(const Item &item) const
    {
        const std::vector<std::size_t> hull = itemHull(item);
        LpBound b;
        b.m_startBytes = m_startBytes + item.options[hull.front()].bytes;
        b.m_startCost = m_startCost + item.options[hull.front()].cost;
        std::vector<Step> mine;
        for (std::size_t h = 0; h + 1 < hull.size(); ++h) {
            const Option &x = item.options[hull[h]];
            const Option &y = item.options[hull[h + 1]];
            mine.push_back({(x.cost - y.cost) / static_cast<double>(y.bytes - x.bytes),
                            y.bytes - x.bytes, x.cost - y.cost});
        }
        b.m_steps.resize(m_steps.size() + mine.size());
        std::merge(m_steps.begin(), m_steps.end(), mine.begin(), mine.end(), b.m_steps.begin(),
                   [](const Step &p, const Step &q) { return p.slope > q.slope; });
        b.m_bytes.resize(b.m_steps.size());
        b.m_cost.resize(b.m_steps.size());
        std::uint64_t bytes = b.m_startBytes;
        double cost = b.m_startCost;
        for (std::size_t k = 0; k < b.m_steps.size(); ++k) {
            bytes += b.m_steps[k].bytes;
            cost -= b.m_steps[k].gain;
            b.m_bytes[k] = bytes;
            b.m_cost[k] = cost;
        }
        return b;
    }

    double at(std::uint64_t capacity) const
    {
        if (capacity < m_startBytes) {
            return std::numeric_limits<double>::infinity();
        }
        // the last vertex at or below the capacity, then along the next edge
        const auto it = std::upper_bound(m_bytes.begin(), m_bytes.end(), capacity);
        const std::size_t k = static_cast<std::size_t>(it - m_bytes.begin());  // steps taken
        const std::uint64_t vb = k == 0 ? m_startBytes : m_bytes[k - 1];
        const double vc = k == 0 ? m_startCost : m_cost[k - 1];
        if (k == m_steps.size()) {
            return vc;
        }
        return vc - m_steps[k].slope * static_cast<double>(capacity - vb);
    }

private:
    struct Step
    {
        double slope;
        std::uint64_t bytes;
        double gain;
    };

    std::uint64_t m_startBytes = 0;
    double m_startCost = 0.0;
    std::vector<Step> m_steps;
    std::vector<std::uint64_t> m_bytes;  ///< after step k
    std::vector<double> m_cost;
};

/** One state of the dynamic programme's frontier. */
struct State
{
    std::uint64_t bytes;
    double cost;
    std::uint32_t parent;  ///< index in the previous frontier
    std::uint32_t option;  ///< option of this layer's item
};

}  // namespace

Result<Knapsack> Knapsack::create(std::vector<Item> items)
{
    Knapsack k;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].options.empty()) {
            return makeError(ErrorCode::InvalidArgument,
                             fmt::format("allocation item {} has no allowed option", i));
        }
        for (const Option &o : items[i].options) {
            if (!std::isfinite(o.cost) || o.cost < 0.0) {
                return makeError(ErrorCode::InvalidArgument,
                                 fmt::format("allocation item {} has a cost that is not a finite "
                                             "number ≥ 0",
                                             i));
            }
        }
    }
    k.m_items = std::move(items);
    HullVertex start;
    start.lambda = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < k.m_items.size(); ++i) {
        const Item &item = k.m_items[i];
        const std::vector<std::size_t> hull = itemHull(item);
        k.m_start.push_back(hull.front());
        start.bytes += item.options[hull.front()].bytes;
        start.cost += item.options[hull.front()].cost;
        for (std::size_t h = 0; h + 1 < hull.size(); ++h) {
            const Option &a = item.options[hull[h]];
            const Option &b = item.options[hull[h + 1]];
            k.m_steps.push_back(
                    {(a.cost - b.cost) / static_cast<double>(b.bytes - a.bytes), i, hull[h + 1]});
        }
    }
    // Within an item the slopes fall strictly, so a stable sort keeps each item's steps in order.
    std::stable_sort(k.m_steps.begin(), k.m_steps.end(),
                     [](const Step &a, const Step &b) { return a.lambda > b.lambda; });
    k.m_minBytes = 0;
    for (const Item &item : k.m_items) {
        std::uint64_t least = std::numeric_limits<std::uint64_t>::max();
        for (const Option &o : item.options) {
            least = std::min(least, o.bytes);
        }
        k.m_minBytes += least;
    }
    // Vertex costs are recomputed from the selection (not accumulated) to avoid drift.
    std::vector<std::size_t> sel = k.m_start;
    k.m_hull.push_back(start);
    for (const Step &s : k.m_steps) {
        const Option &from = k.m_items[s.item].options[sel[s.item]];
        const Option &to = k.m_items[s.item].options[s.option];
        HullVertex v = k.m_hull.back();
        v.bytes = v.bytes - from.bytes + to.bytes;
        v.cost = v.cost - from.cost + to.cost;
        v.lambda = s.lambda;
        sel[s.item] = s.option;
        k.m_hull.push_back(v);
    }
    double exact = 0.0;
    for (std::size_t i = 0; i < sel.size(); ++i) {
        exact += k.m_items[i].options[sel[i]].cost;
    }
    k.m_hull.back().cost = exact;
    return k;
}

Selection Knapsack::hullSelection(std::size_t k) const
{
    Selection s;
    s.option = m_start;
    for (std::size_t i = 0; i < k && i < m_steps.size(); ++i) {
        s.option[m_steps[i].item] = m_steps[i].option;
    }
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        s.bytes += m_items[i].options[s.option[i]].bytes;
        s.cost += m_items[i].options[s.option[i]].cost;
    }
    return s;
}

void Knapsack::improveGreedily(Selection &sel, std::uint64_t budget) const
{
    // Spend the bytes the hull vertex leaves unused: repeatedly take the single option change
    // that fits and lowers the cost the most. A better incumbent shrinks the gap, which lets the
    // reduced-cost test fix more items before the dynamic programme.
    while (true) {
        double bestGain = 0.0;
        std::size_t bestItem = 0;
        std::size_t bestOption = 0;
        const std::uint64_t room = budget - sel.bytes;
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            const Option &cur = m_items[i].options[sel.option[i]];
            for (std::size_t j = 0; j < m_items[i].options.size(); ++j) {
                const Option &o = m_items[i].options[j];
                const double gain = cur.cost - o.cost;
                if (gain > bestGain && (o.bytes <= cur.bytes || o.bytes - cur.bytes <= room)) {
                    bestGain = gain;
                    bestItem = i;
                    bestOption = j;
                }
            }
        }
        if (bestGain <= 0.0) {
            return;
        }
        const Option &cur = m_items[bestItem].options[sel.option[bestItem]];
        const Option &o = m_items[bestItem].options[bestOption];
        sel.bytes = sel.bytes - cur.bytes + o.bytes;
        sel.cost = sel.cost - cur.cost + o.cost;
        sel.option[bestItem] = bestOption;
    }
}

Result<Solution> Knapsack::solve(std::uint64_t budget, std::size_t maxStates) const
{
    if (budget < m_minBytes) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("the budget of {} bytes is below the smallest possible "
                                     "allocation, {} bytes",
                                     budget, m_minBytes));
    }
    // the last hull vertex at or below the budget: the incumbent
    const auto above =
            std::upper_bound(m_hull.begin(), m_hull.end(), budget,
                             [](std::uint64_t b, const HullVertex &v) { return b < v.bytes; });
    // hull[0] is every item at its smallest option, so budget ≥ minBytes puts it below
    const std::size_t k = static_cast<std::size_t>(above - m_hull.begin()) - 1;
    Solution out;
    out.selection = hullSelection(k);
    out.lowerBound = out.selection.cost;
    if (k + 1 == m_hull.size()) {
        return out;  // every item at its cheapest-cost option: optimal at any larger budget
    }
    // λ* = the slope of the hull edge that crosses the budget; both its ends minimise
    // cost + λ*·bytes, which gives the Lagrangian bound L(λ*) = Σ_i min_j(c + λ*b) − λ*·budget.
    const double lambda = m_steps[k].lambda;
    improveGreedily(out.selection, budget);
    const double ub = out.selection.cost;
    std::vector<double> minReduced(m_items.size());
    double lagrangian = 0.0;  // Σ_i min_j (c_ij + λ b_ij)
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        double m = std::numeric_limits<double>::infinity();
        for (const Option &o : m_items[i].options) {
            m = std::min(m, o.cost + lambda * static_cast<double>(o.bytes));
        }
        minReduced[i] = m;
        lagrangian += m;
    }
    const double lb = lagrangian - lambda * static_cast<double>(budget);
    out.lowerBound = std::min(lb, ub);
    const double gap = ub - out.lowerBound;
    const double eps = tolerance(ub);

    // Options that could be part of a selection no worse than the incumbent.
    std::vector<std::vector<std::uint32_t>> eligible(m_items.size());
    std::uint64_t fixedBytes = 0;
    double fixedCost = 0.0;
    std::vector<std::size_t> core;
    std::vector<std::size_t> fixedOption(m_items.size(), 0);
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        for (std::uint32_t j = 0; j < m_items[i].options.size(); ++j) {
            const Option &o = m_items[i].options[j];
            const double reduced = o.cost + lambda * static_cast<double>(o.bytes) - minReduced[i];
            if (reduced <= gap + eps) {
                eligible[i].push_back(j);
            }
        }
        if (eligible[i].size() == 1) {
            fixedOption[i] = eligible[i].front();
            fixedBytes += m_items[i].options[fixedOption[i]].bytes;
            fixedCost += m_items[i].options[fixedOption[i]].cost;
        } else {
            core.push_back(i);
        }
    }
    out.coreItems = core.size();
    if (fixedBytes > budget) {
        return out;  // unreachable: the incumbent uses eligible options only
    }
    const std::uint64_t coreBudget = budget - fixedBytes;
    // Big items first: the suffixes left to place then hold the small items, whose LP bound is
    // tight, so the frontier is pruned hard where it would otherwise grow.
    const auto span = [&](std::size_t i) {
        std::uint64_t lo = std::numeric_limits<std::uint64_t>::max();
        std::uint64_t hi = 0;
        for (const std::uint32_t j : eligible[i]) {
            lo = std::min(lo, m_items[i].options[j].bytes);
            hi = std::max(hi, m_items[i].options[j].bytes);
        }
        return hi - lo;
    };
    std::stable_sort(core.begin(), core.end(),
                     [&](std::size_t a, std::size_t b) { return span(a) > span(b); });
    // bounds[c]: the LP relaxation of the core items c, c+1, … by capacity
    std::vector<LpBound> bounds(core.size() + 1);
    for (std::size_t c = core.size(); c-- > 0;) {
        Item eligibleItem;
        for (const std::uint32_t j : eligible[core[c]]) {
            eligibleItem.options.push_back(m_items[core[c]].options[j]);
        }
        bounds[c] = bounds[c + 1].with(eligibleItem);
    }
    // The frontier DP. `beam` > 0 keeps only the states with the lowest bounds (a heuristic
    // that finds a strong incumbent fast); beam = 0 is the exact pass. Returns whether it
    // finished within the state limit; a better selection found replaces out.selection.
    double incumbent = ub;
    const auto runDp = [&](std::size_t beam) -> bool {
        std::vector<std::vector<State>> layers;
        layers.push_back({State{0, 0.0, 0, 0}});
        std::size_t stored = 1;
        std::vector<double> bound;
        for (std::size_t c = 0; c < core.size(); ++c) {
            const Item &item = m_items[core[c]];
            const std::vector<State> &prev = layers.back();
            std::vector<State> next;
            next.reserve(prev.size() * eligible[core[c]].size());
            for (std::uint32_t p = 0; p < prev.size(); ++p) {
                for (const std::uint32_t j : eligible[core[c]]) {
                    const Option &o = item.options[j];
                    const std::uint64_t bytes = prev[p].bytes + o.bytes;
                    if (bytes > coreBudget) {
                        continue;
                    }
                    const double cost = prev[p].cost + o.cost;
                    // +∞ when no completion fits
                    const double b = fixedCost + cost + bounds[c + 1].at(coreBudget - bytes);
                    if (b > incumbent + eps) {
                        continue;  // cannot beat the incumbent
                    }
                    next.push_back({bytes, cost, p, j});
                }
            }
            // Pareto frontier: by bytes, keeping only states cheaper than every smaller one
            std::sort(next.begin(), next.end(), [](const State &a, const State &b) {
                return a.bytes != b.bytes ? a.bytes < b.bytes : a.cost < b.cost;
            });
            std::vector<State> frontier;
            double best = std::numeric_limits<double>::infinity();
            for (const State &st : next) {
                if (st.cost < best) {
                    frontier.push_back(st);
                    best = st.cost;
                }
            }
            if (beam > 0 && frontier.size() > beam) {
                const auto boundOf = [&](const State &st) {
                    return st.cost + bounds[c + 1].at(coreBudget - st.bytes);
                };
                std::nth_element(frontier.begin(), frontier.begin() + static_cast<long>(beam),
                                 frontier.end(), [&](const State &a, const State &b) {
                                     return boundOf(a) < boundOf(b);
                                 });
                frontier.resize(beam);
                std::sort(frontier.begin(), frontier.end(),
                          [](const State &a, const State &b) { return a.bytes < b.bytes; });
            }
            out.peakStates = std::max(out.peakStates, frontier.size());
            stored += frontier.size();
            if (frontier.size() > maxStates || stored > 8 * maxStates) {
                return false;
            }
            layers.push_back(std::move(frontier));
        }
        const std::vector<State> &last = layers.back();
        if (last.empty()) {
            return true;  // nothing beats the incumbent
        }
        std::size_t bestIndex = 0;
        for (std::size_t i = 1; i < last.size(); ++i) {
            if (last[i].cost < last[bestIndex].cost) {
                bestIndex = i;
            }
        }
        if (!(last[bestIndex].cost + fixedCost < incumbent)) {
            return true;  // the incumbent is optimal (for this pass)
        }
        Selection sel;
        sel.option = fixedOption;
        auto at = static_cast<std::uint32_t>(bestIndex);
        for (std::size_t c = core.size(); c-- > 0;) {
            const State &st = layers[c + 1][at];
            sel.option[core[c]] = st.option;
            at = st.parent;
        }
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            sel.bytes += m_items[i].options[sel.option[i]].bytes;
            sel.cost += m_items[i].options[sel.option[i]].cost;
        }
        incumbent = sel.cost;
        out.selection = std::move(sel);
        return true;
    };
    constexpr std::size_t BEAM = 512;
    runDp(BEAM);           // a strong incumbent first: it tightens every bound of the exact pass
    out.exact = runDp(0);  // false: the state limit was hit; the best found stands, with its gap
    out.lowerBound = std::min(out.lowerBound, out.selection.cost);
    return out;
}

}  // namespace pq::core::alloc
