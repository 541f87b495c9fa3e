// SPDX-License-Identifier: MIT
#include "core/model/tensor_role.h"

#include <array>

namespace pq::core {

std::string_view tensorKindName(TensorKind kind)
{
    static constexpr std::array<std::string_view, 9> NAMES = {
            "linear", "embedding",   "lm_head",         "norm",   "router",
            "bias",   "passthrough", "quant_companion", "unknown"};
    return NAMES.at(static_cast<std::size_t>(kind));
}

std::string_view sectionName(Section section)
{
    static constexpr std::array<std::string_view, 5> NAMES = {"text", "mtp", "vision", "audio",
                                                              "projector"};
    return NAMES.at(static_cast<std::size_t>(section));
}

std::string_view linearRoleName(LinearRole role)
{
    static constexpr std::array<std::string_view, 23> NAMES = {
            "q",           "k",           "v",         "o",           "q_a",         "q_b",
            "kv_a",        "kv_b",        "lin_qkv",   "lin_z",       "lin_a",       "lin_b",
            "lin_out",     "gate",        "up",        "down",        "expert_gate", "expert_up",
            "expert_down", "shared_gate", "shared_up", "shared_down", "mtp_proj"};
    return NAMES.at(static_cast<std::size_t>(role));
}

}  // namespace pq::core
