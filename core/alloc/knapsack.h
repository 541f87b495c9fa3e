// SPDX-License-Identifier: MIT
#pragma once

// The multiple-choice knapsack behind the allocator (DESIGN.md §5): every item (a coupling group
// of Linears) takes exactly one of its options (a format), each with exact bytes and a predicted
// cost; minimise the summed cost with the summed bytes within a budget.
//
// 1. The Lagrangian sweep: for λ from ∞ down to 0 each item takes argmin cost + λ·bytes. The
//    solutions it passes through are exactly the vertices of the lower convex hull of the
//    (bytes, cost) curve, found by sorting every item's own hull breakpoints (O(n log n)).
// 2. A budget between two vertices: the lower vertex is a feasible incumbent and the edge's slope
//    λ* gives the Lagrangian lower bound. Options whose reduced cost exceeds the gap cannot be
//    part of anything better than the incumbent and are dropped; the few items left with a choice
//    are solved exactly by a dynamic programme over their Pareto frontier of (bytes, cost),
//    pruned by the same bound. Exact unless the frontier outgrows a state limit, which is
//    reported (with the gap) instead of hidden.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/util/result.h"

namespace pq::core::alloc {

struct Option
{
    std::uint64_t bytes = 0;
    double cost = 0.0;  ///< ≥ 0, finite
};

struct Item
{
    std::vector<Option> options;  ///< at least one
};

/** One choice of option per item. */
struct Selection
{
    std::vector<std::size_t> option;  ///< index into Item::options, per item
    std::uint64_t bytes = 0;
    double cost = 0.0;
};

/** A vertex of the lower convex hull of the size/cost curve. */
struct HullVertex
{
    std::uint64_t bytes = 0;
    double cost = 0.0;
    /** The multiplier at which the sweep reached this vertex (∞ for the smallest). */
    double lambda = 0.0;
};

/** The result of an exact solve at one budget. */
struct Solution
{
    Selection selection;
    double lowerBound = 0.0;     ///< Lagrangian lower bound at this budget
    bool exact = true;           ///< false only when the state limit was hit (then: best found)
    std::size_t coreItems = 0;   ///< items the dynamic programme had to decide
    std::size_t peakStates = 0;  ///< largest frontier it held
};

class Knapsack
{
public:
    /** Validates the items (each has an option; costs finite and ≥ 0). */
    static Result<Knapsack> create(std::vector<Item> items);

    const std::vector<Item> &items() const { return m_items; }

    /** Smallest and largest possible total bytes. */
    std::uint64_t minBytes() const { return m_minBytes; }

    /** Every hull vertex, from the smallest total bytes (cheapest options) to the lowest cost. */
    const std::vector<HullVertex> &hull() const { return m_hull; }

    /** The selection of hull vertex `k` (O(k + items)). */
    Selection hullSelection(std::size_t k) const;

    /** Hull vertex 0's option per item; vertex k + 1 = vertex k with hullStep(k) applied. */
    const std::vector<std::size_t> &hullStart() const { return m_start; }

    /** The step from hull vertex k to k + 1: `item` moves to `option`. */
    std::pair<std::size_t, std::size_t> hullStep(std::size_t k) const
    {
        return {m_steps[k].item, m_steps[k].option};
    }

    /**
     * The minimum-cost selection whose total bytes do not exceed `budget`. An error
     * (InvalidArgument) when even the smallest options exceed it, stating the smallest size.
     */
    Result<Solution> solve(std::uint64_t budget, std::size_t maxStates = 200'000) const;

private:
    void improveGreedily(Selection &selection, std::uint64_t budget) const;

    struct Step
    {
        double lambda;
        std::size_t item;
        std::size_t option;  ///< the option the item moves to
    };

    std::vector<Item> m_items;
    std::vector<std::size_t> m_start;  ///< each item's smallest option on its own hull
    std::vector<Step> m_steps;         ///< hull steps in sweep order
    std::vector<HullVertex> m_hull;    ///< m_steps.size() + 1 vertices
    std::uint64_t m_minBytes = 0;
};

}  // namespace pq::core::alloc
