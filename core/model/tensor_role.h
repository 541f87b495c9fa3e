// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string_view>

namespace pq::core {

/** What a tensor is, for the allocator and the exporter. */
enum class TensorKind : std::uint8_t
{
    Linear,          ///< a quantizable projection weight (2-D, or a slice of a fused 3-D tensor)
    Embedding,       ///< token embeddings
    LmHead,          ///< output projection (absent when tied to the embeddings)
    Norm,            ///< RMSNorm / LayerNorm weights and biases
    Router,          ///< MoE router and shared-expert gate (kept in source precision)
    Bias,            ///< bias of a Linear (kept in source precision)
    Passthrough,     ///< other tensors kept as they are (vision tower, conv1d, A_log, sinks, ...)
    QuantCompanion,  ///< part of an already-quantized checkpoint (weight_scale, qweight, SCB, ...)
    Unknown,         ///< the profile does not know this name
};

/** Where in the model a tensor sits. */
enum class Section : std::uint8_t
{
    Text,       ///< the language model
    Mtp,        ///< multi-token-prediction block
    Vision,     ///< vision tower
    Audio,      ///< audio tower
    Projector,  ///< multimodal projector
};

/** The role of a Linear inside its decoder layer. */
enum class LinearRole : std::uint8_t
{
    AttnQ,
    AttnK,
    AttnV,
    AttnO,
    AttnQA,      ///< MLA q_a_proj
    AttnQB,      ///< MLA q_b_proj
    AttnKvA,     ///< MLA kv_a_proj_with_mqa
    AttnKvB,     ///< MLA kv_b_proj
    LinAttnQkv,  ///< gated DeltaNet in_proj_qkv
    LinAttnZ,    ///< gated DeltaNet in_proj_z
    LinAttnA,    ///< gated DeltaNet in_proj_a
    LinAttnB,    ///< gated DeltaNet in_proj_b
    LinAttnOut,  ///< gated DeltaNet out_proj
    MlpGate,
    MlpUp,
    MlpDown,
    ExpertGate,
    ExpertUp,
    ExpertDown,
    SharedGate,
    SharedUp,
    SharedDown,
    MtpProj,  ///< MTP input projection (mtp.fc, eh_proj)
};

std::string_view tensorKindName(TensorKind kind);
std::string_view sectionName(Section section);
/** Short stable role name used in JSON, the CLI and the heatmap columns ("q", "gate",
 * "expert_down"). */
std::string_view linearRoleName(LinearRole role);

}  // namespace pq::core
