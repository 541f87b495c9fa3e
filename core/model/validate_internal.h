// SPDX-License-Identifier: MIT
#pragma once

// What the checks of `prismaquant validate` share across validate.cpp (profile, classification,
// source, passthrough, MTP, menu formats, forward) and validate_groups.cpp (fused groups, expert
// layout, vLLM names). Only those two files include this header.

#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/model/validate.h"

namespace pq::core::detail {

constexpr std::size_t MAX_DETAILS = 20;

/** Collects the offenders of one check; the first becomes the reason. */
class Problems
{
public:
    void add(std::string problem)
    {
        ++m_count;
        if (m_items.size() < MAX_DETAILS) {
            m_items.push_back(std::move(problem));
        }
    }

    bool empty() const { return m_count == 0; }

    /** Fills `check` as failed: the first problem, plus how many more there are. */
    void failInto(ValidationCheck &check) const
    {
        check.ok = false;
        check.reason = m_count == 1 ? m_items.front()
                                    : fmt::format("{} (and {} more)", m_items.front(), m_count - 1);
        check.details = m_items;
    }

private:
    std::vector<std::string> m_items;
    std::size_t m_count = 0;
};

/** A check with its id and title, not yet decided. */
ValidationCheck makeCheck(std::string id, std::string title);

/** Marks `c` passed with `reason`. */
void pass(ValidationCheck &c, std::string reason);

/** Marks `c` failed with `reason` as its one detail. */
void fail(ValidationCheck &c, std::string reason);

/** "[out, in]" of a Linear. */
std::string shapeOf(const LinearInfo &l);

/** Every fused group complete and shape-consistent, every layer of a kind alike. */
ValidationCheck checkFusedGroups(const ModelInventory &inv);

/** The same experts, storage and shapes in every MoE layer, as config.json declares. */
ValidationCheck checkExpertLayout(const ModelInventory &inv);

/** Every Linear maps to the vLLM module its profile's rule names. */
ValidationCheck checkVllmNames(const ModelInventory &inv);

}  // namespace pq::core::detail
