// SPDX-License-Identifier: MIT
// Tensor names and shapes of a checkpoint derived from config.json alone (see inventory.h).
// Shapes are [out, in] for Linears, as stored by Hugging Face.
#include <fmt/format.h>

#include "core/model/inventory.h"

namespace pq::core {
namespace {

using Shape = std::vector<std::uint64_t>;

class Synth
{
public:
    Synth(const ModelConfig &c, const ProfileSpec &p, std::optional<ExpertStorage> storage)
        : m_c(c)
        , m_p(p)
        , m_storage(storage.value_or(p.experts ? p.experts->storage : ExpertStorage::PerExpert))
        , m_dtype(c.torchDtype == "float32"   ? DType::F32
                  : c.torchDtype == "float16" ? DType::F16
                                              : DType::BF16)
    {}

    std::vector<TensorInfo> run()
    {
        const auto h = u(m_c.hiddenSize);
        const std::string text(m_p.textPrefix);
        add(text + "embed_tokens.weight", {u(m_c.vocabSize), h});
        add(text + "norm.weight", {h});
        if (!m_c.tieWordEmbeddings) {
            add(std::string(m_p.lmHead) + ".weight", {u(m_c.vocabSize), h});
        }
        for (std::int64_t l = 0; l < m_c.numLayers; ++l) {
            decoderLayer(fmt::format("{}layers.{}.", text, l), l, m_c.layerType(l));
        }
        mtp(text);
        return std::move(m_out);
    }

private:
    static std::uint64_t u(std::int64_t v) { return v > 0 ? static_cast<std::uint64_t>(v) : 0; }

    void add(std::string name, Shape shape)
    {
        m_out.push_back({std::move(name), m_dtype, std::move(shape)});
    }

    void linear(const std::string &prefix,
                std::string_view module,
                std::uint64_t out,
                std::uint64_t in,
                bool bias = false)
    {
        add(fmt::format("{}{}.weight", prefix, module), {out, in});
        if (bias) {
            add(fmt::format("{}{}.bias", prefix, module), {out});
        }
    }

    void decoderLayer(const std::string &pre, std::int64_t layer, const std::string &type)
    {
        const auto h = u(m_c.hiddenSize);
        for (std::string_view norm : m_p.layerNorms) {
            add(fmt::format("{}{}.weight", pre, norm), {h});
        }
        if (type == "linear_attention" && m_c.linearAttention) {
            linearAttention(pre);
        } else if (m_c.mla) {
            mlaAttention(pre);
        } else {
            attention(pre);
        }
        if (m_c.isMoeLayer(layer) && m_p.experts) {
            moe(pre);
        } else {
            const auto i = u(m_c.intermediateSize);
            linear(pre, "mlp.gate_proj", i, h);
            linear(pre, "mlp.up_proj", i, h);
            linear(pre, "mlp.down_proj", h, i);
        }
    }

    void attention(const std::string &pre)
    {
        const auto h = u(m_c.hiddenSize);
        const auto qOut = u(m_c.numHeads * m_c.headDim) * (m_c.attnOutputGate ? 2 : 1);
        const auto kv = u(m_c.numKvHeads * m_c.headDim);
        const bool bias = m_c.attentionBias || m_p.name == "qwen2";
        linear(pre, "self_attn.q_proj", qOut, h, bias);
        linear(pre, "self_attn.k_proj", kv, h, bias);
        linear(pre, "self_attn.v_proj", kv, h, bias);
        linear(pre, "self_attn.o_proj", h, u(m_c.numHeads * m_c.headDim),
               m_c.attentionBias && m_p.name == "gpt_oss");
        for (std::string_view norm : m_p.headNorms) {
            add(fmt::format("{}{}.weight", pre, norm), {u(m_c.headDim)});
        }
        if (m_p.name == "gpt_oss") {
            add(pre + "self_attn.sinks", {u(m_c.numHeads)});
        }
    }

    void mlaAttention(const std::string &pre)
    {
        const MlaConfig &m = *m_c.mla;
        const auto h = u(m_c.hiddenSize);
        const auto heads = u(m_c.numHeads);
        const auto qHead = u(m.qkNopeHeadDim + m.qkRopeHeadDim);
        if (m.qLoraRank > 0) {
            linear(pre, "self_attn.q_a_proj", u(m.qLoraRank), h);
            add(pre + "self_attn.q_a_layernorm.weight", {u(m.qLoraRank)});
            linear(pre, "self_attn.q_b_proj", heads * qHead, u(m.qLoraRank));
        } else {
            linear(pre, "self_attn.q_proj", heads * qHead, h);
        }
        linear(pre, "self_attn.kv_a_proj_with_mqa", u(m.kvLoraRank + m.qkRopeHeadDim), h);
        add(pre + "self_attn.kv_a_layernorm.weight", {u(m.kvLoraRank)});
        linear(pre, "self_attn.kv_b_proj", heads * u(m.qkNopeHeadDim + m.vHeadDim),
               u(m.kvLoraRank));
        linear(pre, "self_attn.o_proj", h, heads * u(m.vHeadDim));
    }

    void linearAttention(const std::string &pre)
    {
        const LinearAttentionConfig &a = *m_c.linearAttention;
        const auto h = u(m_c.hiddenSize);
        const auto keyDim = u(a.numKeyHeads * a.keyHeadDim);
        const auto valueDim = u(a.numValueHeads * a.valueHeadDim);
        const auto convDim = 2 * keyDim + valueDim;
        linear(pre, "linear_attn.in_proj_qkv", convDim, h);
        linear(pre, "linear_attn.in_proj_z", valueDim, h);
        linear(pre, "linear_attn.in_proj_a", u(a.numValueHeads), h);
        linear(pre, "linear_attn.in_proj_b", u(a.numValueHeads), h);
        linear(pre, "linear_attn.out_proj", h, valueDim);
        add(pre + "linear_attn.conv1d.weight", {convDim, 1, u(a.convKernel)});
        add(pre + "linear_attn.A_log", {u(a.numValueHeads)});
        add(pre + "linear_attn.dt_bias", {u(a.numValueHeads)});
        add(pre + "linear_attn.norm.weight", {u(a.valueHeadDim)});
    }

    void moe(const std::string &pre)
    {
        const MoeConfig &m = *m_c.moe;
        const ExpertLayout &e = *m_p.experts;
        const auto h = u(m_c.hiddenSize);
        const auto n = u(m.numExperts);
        const auto i = u(m.expertIntermediateSize);
        linear(pre, e.router, n, h, e.routerBias);
        if (m_p.name == "deepseek_v3") {
            add(pre + "mlp.gate.e_score_correction_bias", {n});
        }
        const std::string path = pre + std::string(e.path);
        switch (m_storage) {
        case ExpertStorage::PerExpert:
            for (std::uint64_t x = 0; x < n; ++x) {
                const std::string ex = fmt::format("{}.{}.", path, x);
                linear(ex, e.gate, i, h);
                linear(ex, e.up, i, h);
                linear(ex, e.down, h, i);
            }
            break;
        case ExpertStorage::Fused3d:
            add(path + ".gate_up_proj", {n, 2 * i, h});
            add(path + ".down_proj", {n, h, i});
            break;
        case ExpertStorage::Fused3dTransposedInterleaved:
            add(path + ".gate_up_proj", {n, h, 2 * i});
            add(path + ".gate_up_proj_bias", {n, 2 * i});
            add(path + ".down_proj", {n, i, h});
            add(path + ".down_proj_bias", {n, h});
            break;
        }
        if (m_p.sharedExpert && m.numSharedExperts > 0) {
            const auto s = u(m.sharedIntermediateSize * m.numSharedExperts);
            const std::string sp = pre + std::string(m_p.sharedExpert->path) + ".";
            linear(sp, "gate_proj", s, h);
            linear(sp, "up_proj", s, h);
            linear(sp, "down_proj", h, s);
            if (!m_p.sharedExpert->gateModule.empty()) {
                linear(pre, m_p.sharedExpert->gateModule, 1, h);
            }
        }
    }

    void mtp(const std::string &text)
    {
        const auto h = u(m_c.hiddenSize);
        for (std::int64_t k = 0; k < m_c.mtpLayers; ++k) {
            if (m_p.mtp == MtpStyle::SeparatePrefix) {
                decoderLayer(fmt::format("mtp.layers.{}.", k), m_c.numLayers, "full_attention");
            } else if (m_p.mtp == MtpStyle::ExtraLayers) {
                const std::string pre = fmt::format("{}layers.{}.", text, m_c.numLayers + k);
                decoderLayer(pre, m_c.numLayers + k, "full_attention");
                add(pre + "embed_tokens.weight", {u(m_c.vocabSize), h});
                add(pre + "enorm.weight", {h});
                add(pre + "hnorm.weight", {h});
                linear(pre, "eh_proj", h, 2 * h);
                add(pre + "shared_head.norm.weight", {h});
                add(pre + "shared_head.head.weight", {u(m_c.vocabSize), h});
            }
        }
        if (m_p.mtp == MtpStyle::SeparatePrefix && m_c.mtpLayers > 0) {
            linear("mtp.", "fc", h, 2 * h);
            add("mtp.norm.weight", {h});
            add("mtp.pre_fc_norm_embedding.weight", {h});
            add("mtp.pre_fc_norm_hidden.weight", {h});
        }
    }

    const ModelConfig &m_c;
    const ProfileSpec &m_p;
    ExpertStorage m_storage;
    DType m_dtype;
    std::vector<TensorInfo> m_out;
};

}  // namespace

std::vector<TensorInfo> synthesizeTensors(const ModelConfig &config,
                                          const ProfileSpec &profile,
                                          std::optional<ExpertStorage> storage)
{
    return Synth(config, profile, storage).run();
}

}  // namespace pq::core
