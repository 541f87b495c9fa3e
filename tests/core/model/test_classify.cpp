// SPDX-License-Identifier: MIT
// Tensor classification, fused expert slicing, refusal of already-quantized checkpoints and
// config errors, on small checkpoints written by the tests themselves.
#include <QTemporaryDir>
#include <QtTest>

#include "core/io/checkpoint_writer.h"
#include "core/model/classify.h"
#include "core/model/inventory.h"
#include "core/model/inventory_report.h"
#include "core/util/atomic_file.h"

using namespace pq::core;

namespace {

const char *const TINY_LLAMA = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama",
 "hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,"num_attention_heads":4,
 "num_key_value_heads":2,"vocab_size":100,"torch_dtype":"bfloat16"})";

ModelConfig config(const std::string &json)
{
    auto c = parseModelConfig(json);
    if (!c) {
        qFatal("%s", c.error().message().c_str());
    }
    return std::move(*c);
}

/** Writes config.json and zero-filled tensors into `dir`. */
void writeModel(const QString &dir, const std::string &cfg, const std::vector<TensorInfo> &tensors)
{
    QVERIFY(writeFileAtomically(dir.toStdString() + "/config.json", cfg).has_value());
    auto w = CheckpointWriter::create(dir.toStdString(), tensors);
    QVERIFY(w.has_value());
    for (const std::string &name : w->writeOrder()) {
        const auto it = std::find_if(tensors.begin(), tensors.end(),
                                     [&](const TensorInfo &t) { return t.name == name; });
        std::vector<std::byte> zeros(it->byteSize().value());
        QVERIFY(w->writeTensor(name, zeros).has_value());
    }
    QVERIFY(w->finish().has_value());
}

}  // namespace

class TestClassify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names_data();
    void names();
    void weightsDirectoryRoundTrip();
    void alreadyQuantizedIsDetected();
    void unknownArchitectureFallsBackWithWarning();
    void unknownNamesAreReported();
    void fused3dExpertsAreSliced();
    void gptOssExpertsAreTransposedAndInterleaved();
    void mixtralExperts();
    void deepseekMtpLayer();
    void badShapeNamesTheTensor();
    void badConfigs_data();
    void badConfigs();
};

void TestClassify::names_data()
{
    QTest::addColumn<QString>("profile");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("layer");
    const auto row = [](const char *p, const char *n, TensorKind k, int layer) {
        QTest::newRow(n) << QString::fromLatin1(p) << QString::fromLatin1(n) << static_cast<int>(k)
                         << layer;
    };
    row("llama", "model.embed_tokens.weight", TensorKind::Embedding, -1);
    row("llama", "lm_head.weight", TensorKind::LmHead, -1);
    row("llama", "model.norm.weight", TensorKind::Norm, -1);
    row("llama", "model.layers.7.self_attn.k_proj.weight", TensorKind::Linear, 7);
    row("llama", "model.layers.7.post_attention_layernorm.weight", TensorKind::Norm, 7);
    row("qwen2", "model.layers.0.self_attn.q_proj.bias", TensorKind::Bias, 0);
    row("qwen3", "model.layers.1.self_attn.q_norm.weight", TensorKind::Norm, 1);
    row("qwen3_moe", "model.layers.3.mlp.gate.weight", TensorKind::Router, 3);
    row("qwen3_moe", "model.layers.3.mlp.experts.127.down_proj.weight", TensorKind::Linear, 3);
    row("qwen3_5_moe", "model.language_model.layers.0.linear_attn.A_log", TensorKind::Passthrough,
        0);
    row("qwen3_5_moe", "model.language_model.layers.0.linear_attn.conv1d.weight",
        TensorKind::Passthrough, 0);
    row("qwen3_5_moe", "model.language_model.layers.0.mlp.shared_expert_gate.weight",
        TensorKind::Router, 0);
    row("qwen3_5_moe", "model.visual.blocks.0.attn.qkv.weight", TensorKind::Passthrough, -1);
    row("qwen3_5_moe", "mtp.fc.weight", TensorKind::Linear, -1);
    row("qwen3_5_moe", "mtp.layers.0.mlp.experts.gate_up_proj", TensorKind::Linear, 0);
    row("gemma3", "language_model.model.layers.4.pre_feedforward_layernorm.weight",
        TensorKind::Norm, 4);
    row("gemma3", "multi_modal_projector.mm_input_projection_weight", TensorKind::Passthrough, -1);
    row("gpt_oss", "model.layers.2.self_attn.sinks", TensorKind::Passthrough, 2);
    row("gpt_oss", "model.layers.2.mlp.router.bias", TensorKind::Router, 2);
    row("gpt_oss", "model.layers.2.mlp.experts.gate_up_proj_bias", TensorKind::Bias, 2);
    row("gpt_oss", "model.layers.2.mlp.experts.gate_up_proj_blocks", TensorKind::QuantCompanion,
        -1);
    row("deepseek_v3", "model.layers.5.mlp.gate.e_score_correction_bias", TensorKind::Router, 5);
    row("deepseek_v3", "model.layers.5.self_attn.kv_a_layernorm.weight", TensorKind::Norm, 5);
    row("llama", "model.layers.0.self_attn.q_proj.weight_scale", TensorKind::QuantCompanion, -1);
    row("llama", "model.layers.0.self_attn.q_proj.qweight", TensorKind::QuantCompanion, -1);
    row("llama", "model.layers.0.mlp.down_proj.SCB", TensorKind::QuantCompanion, -1);
    row("llama", "model.layers.0.self_attn.q_proj.weight_packed", TensorKind::QuantCompanion, -1);
    row("llama", "model.layers.0.mystery.weight", TensorKind::Unknown, 0);
    row("llama", "transformer.h.0.attn.c_attn.weight", TensorKind::Unknown, -1);
}

void TestClassify::names()
{
    QFETCH(QString, profile);
    QFETCH(QString, name);
    QFETCH(int, kind);
    QFETCH(int, layer);
    const ProfileSpec *p = nullptr;
    for (const ProfileSpec *candidate : allProfiles()) {
        if (candidate->name == profile.toStdString()) {
            p = candidate;
        }
    }
    QVERIFY(p != nullptr);
    const NameClass c = classifyName(name.toStdString(), *p, 61);
    QCOMPARE(static_cast<int>(c.kind), kind);
    QCOMPARE(c.layer, static_cast<std::int64_t>(layer));
}

void TestClassify::weightsDirectoryRoundTrip()
{
    // A checkpoint written from the derived tensor list reads back as the same inventory.
    QTemporaryDir dir;
    const ModelConfig cfg = config(TINY_LLAMA);
    writeModel(dir.path(), TINY_LLAMA, synthesizeTensors(cfg, *findProfile(cfg)));
    const auto inv = inventoryModelDir(dir.path().toStdString());
    QVERIFY(inv.has_value());
    QCOMPARE(inv->source, TensorSource::Weights);
    QCOMPARE(inv->linears.size(), std::size_t{14});
    QCOMPARE(inv->groups.size(), std::size_t{8});
    QCOMPARE(inv->sourceDtypeName(), std::string("BF16"));
    const LinearInfo &q = inv->linears.front();
    QCOMPARE(q.name, std::string("model.layers.0.self_attn.q_proj"));
    QCOMPARE(q.vllmModule, std::string("model.layers.0.self_attn.qkv_proj"));
    QCOMPARE(q.outFeatures, std::uint64_t{32});
    QCOMPARE(q.inFeatures, std::uint64_t{32});
    QCOMPARE(q.sourceBytes(), std::uint64_t{32 * 32 * 2});
    QVERIFY(inv->unclassified().empty());
}

void TestClassify::alreadyQuantizedIsDetected()
{
    QTemporaryDir dir;
    const ModelConfig cfg = config(TINY_LLAMA);
    auto tensors = synthesizeTensors(cfg, *findProfile(cfg));
    tensors.push_back({"model.layers.0.mlp.down_proj.weight_scale", DType::BF16, {32, 1}});
    writeModel(dir.path(), TINY_LLAMA, tensors);
    const auto inv = inventoryModelDir(dir.path().toStdString());
    QVERIFY(inv.has_value());
    QCOMPARE(inv->quantCompanions(),
             std::vector<std::string>{"model.layers.0.mlp.down_proj.weight_scale"});
    const Status st = inv->checkQuantizable();
    QVERIFY(!st.has_value());
    QCOMPARE(st.error().code, ErrorCode::AlreadyQuantized);
    QVERIFY2(st.error().message().find("original BF16/FP16") != std::string::npos,
             st.error().message().c_str());
    const std::string text = inventoryToText(*inv, {});
    QVERIFY2(text.find("already quantized") != std::string::npos, text.c_str());
    QVERIFY(text.find("weight_scale") != std::string::npos);
}

void TestClassify::unknownArchitectureFallsBackWithWarning()
{
    std::string json = TINY_LLAMA;
    json.replace(json.find("\"llama\""), 7, "\"brandnew\"");
    const ModelConfig cfg = config(json);
    QVERIFY(findProfile(cfg) == nullptr);
    auto inv = buildInventory(cfg, nullptr, synthesizeTensors(cfg, genericProfile()),
                              TensorSource::ConfigOnly);
    QVERIFY(inv.has_value());
    QVERIFY(inv->genericFallback);
    QCOMPARE(std::string(inv->profile->name), std::string("generic"));
    QCOMPARE(inv->warnings.size(), std::size_t{1});
    QVERIFY(inv->warnings.front().find("brandnew") != std::string::npos);
    QCOMPARE(inv->linears.size(), std::size_t{14});
}

void TestClassify::unknownNamesAreReported()
{
    const ModelConfig cfg = config(TINY_LLAMA);
    std::vector<TensorInfo> tensors = synthesizeTensors(cfg, *findProfile(cfg));
    tensors.push_back({"model.layers.1.adapter.weight", DType::BF16, {4, 32}});
    auto inv = buildInventory(cfg, findProfile(cfg), tensors, TensorSource::Weights);
    QVERIFY(inv.has_value());
    QCOMPARE(inv->unclassified(), std::vector<std::string>{"model.layers.1.adapter.weight"});
    QCOMPARE(inv->checkQuantizable().error().code, ErrorCode::Unsupported);
    QVERIFY(inv->checkQuantizable().error().message().find("adapter") != std::string::npos);
}

void TestClassify::fused3dExpertsAreSliced()
{
    const ModelConfig cfg = config(R"({"model_type":"qwen3_5_moe_text","hidden_size":16,
        "intermediate_size":32,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,
        "head_dim":8,"vocab_size":50,"num_experts":4,"num_experts_per_tok":2,
        "moe_intermediate_size":6,"shared_expert_intermediate_size":6,
        "layer_types":["full_attention"],"attn_output_gate":true})");
    auto inv = buildInventory(cfg, findProfile(cfg), synthesizeTensors(cfg, *findProfile(cfg)),
                              TensorSource::ConfigOnly);
    QVERIFY(inv.has_value());
    std::vector<const LinearInfo *> experts;
    for (const LinearInfo &l : inv->linears) {
        if (l.expert >= 0) {
            experts.push_back(&l);
        }
    }
    QCOMPARE(experts.size(), std::size_t{4 * 3});
    for (const LinearInfo *l : experts) {
        const std::string &src = inv->tensors[l->source.tensor].info.name;
        QCOMPARE(l->source.expert, l->expert);
        QVERIFY(!l->source.transposed);
        if (l->role == LinearRole::ExpertDown) {
            QCOMPARE(src, std::string("model.language_model.layers.0.mlp.experts.down_proj"));
            QCOMPARE(l->outFeatures, std::uint64_t{16});
            QCOMPARE(l->inFeatures, std::uint64_t{6});
        } else {
            QCOMPARE(src, std::string("model.language_model.layers.0.mlp.experts.gate_up_proj"));
            QCOMPARE(l->source.first,
                     l->role == LinearRole::ExpertGate ? 0U : 6U);  // gate rows first
            QCOMPARE(l->outFeatures, std::uint64_t{6});
        }
    }
    QCOMPARE(experts[4]->name, std::string("model.language_model.layers.0.mlp.experts.1.up_proj"));
    QCOMPARE(inv->groups[experts.front()->group].linears.size(), std::size_t{12});
    // q_proj carries the output gate: 2 x heads x head_dim rows
    QCOMPARE(inv->linears.front().outFeatures, std::uint64_t{32});
}

void TestClassify::gptOssExpertsAreTransposedAndInterleaved()
{
    const ModelConfig cfg = config(R"({"model_type":"gpt_oss","hidden_size":16,
        "intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,
        "head_dim":8,"vocab_size":50,"num_local_experts":3,"num_experts_per_tok":2,
        "attention_bias":true})");
    auto inv = buildInventory(cfg, findProfile(cfg), synthesizeTensors(cfg, *findProfile(cfg)),
                              TensorSource::ConfigOnly);
    QVERIFY(inv.has_value());
    QVERIFY(inv->unclassified().empty());
    for (const LinearInfo &l : inv->linears) {
        if (l.expert < 0) {
            continue;
        }
        QVERIFY(l.source.transposed);
        if (l.role == LinearRole::ExpertDown) {
            QCOMPARE(l.outFeatures, std::uint64_t{16});
            QCOMPARE(l.inFeatures, std::uint64_t{8});
        } else {  // gate = even columns, up = odd columns of [H, 2I]
            QCOMPARE(l.source.stride, std::uint64_t{2});
            QCOMPARE(l.source.first, l.role == LinearRole::ExpertGate ? 0U : 1U);
            QCOMPARE(l.outFeatures, std::uint64_t{8});
            QCOMPARE(l.inFeatures, std::uint64_t{16});
        }
    }
    QCOMPARE(inv->countKind(TensorKind::Bias), std::size_t{2 + 4});  // expert biases + q/k/v/o
}

void TestClassify::mixtralExperts()
{
    const ModelConfig cfg = config(R"({"model_type":"mixtral","hidden_size":16,
        "intermediate_size":8,"num_hidden_layers":2,"num_attention_heads":2,"num_key_value_heads":1,
        "vocab_size":50,"num_local_experts":4,"num_experts_per_tok":2})");
    auto inv = buildInventory(cfg, findProfile(cfg), synthesizeTensors(cfg, *findProfile(cfg)),
                              TensorSource::ConfigOnly);
    QVERIFY(inv.has_value());
    QVERIFY(inv->unclassified().empty());
    QCOMPARE(inv->linears.size(), std::size_t{2 * (4 + 4 * 3)});
    QCOMPARE(inv->countKind(TensorKind::Router), std::size_t{2});
    const auto w3 = std::find_if(inv->linears.begin(), inv->linears.end(), [](const LinearInfo &l) {
        return l.name == "model.layers.1.block_sparse_moe.experts.2.w3";
    });
    QVERIFY(w3 != inv->linears.end());
    QCOMPARE(w3->role, LinearRole::ExpertUp);
    QCOMPARE(w3->vllmModule, std::string("model.layers.1.block_sparse_moe.experts"));
}

void TestClassify::deepseekMtpLayer()
{
    const ModelConfig cfg = config(R"({"model_type":"deepseek_v3","hidden_size":16,
        "intermediate_size":32,"num_hidden_layers":2,"num_attention_heads":2,"num_key_value_heads":2,
        "vocab_size":50,"n_routed_experts":4,"num_experts_per_tok":2,"moe_intermediate_size":8,
        "n_shared_experts":1,"first_k_dense_replace":1,"q_lora_rank":12,"kv_lora_rank":8,
        "qk_nope_head_dim":4,"qk_rope_head_dim":2,"v_head_dim":4,"num_nextn_predict_layers":1})");
    auto inv = buildInventory(cfg, findProfile(cfg), synthesizeTensors(cfg, *findProfile(cfg)),
                              TensorSource::ConfigOnly);
    QVERIFY(inv.has_value());
    QVERIFY(inv->unclassified().empty());
    const auto eh = std::find_if(inv->linears.begin(), inv->linears.end(),
                                 [](const LinearInfo &l) { return l.role == LinearRole::MtpProj; });
    QVERIFY(eh != inv->linears.end());
    QCOMPARE(eh->section, Section::Mtp);
    QCOMPARE(eh->name, std::string("model.layers.2.eh_proj"));
    QCOMPARE(eh->inFeatures, std::uint64_t{32});
    // layer 0 dense (first_k_dense_replace), layer 1 MoE, layer 2 = MTP (MoE)
    std::size_t mtpTensors = inv->mtpTensors();
    QVERIFY(mtpTensors > 6);
    const auto qa = std::find_if(inv->linears.begin(), inv->linears.end(),
                                 [](const LinearInfo &l) { return l.role == LinearRole::AttnQA; });
    QCOMPARE(qa->vllmModule, std::string("model.layers.0.self_attn.fused_qkv_a_proj"));
}

void TestClassify::badShapeNamesTheTensor()
{
    const ModelConfig cfg = config(TINY_LLAMA);
    std::vector<TensorInfo> tensors = {
            {"model.layers.0.self_attn.q_proj.weight", DType::BF16, {2, 4, 8}}};
    auto inv = buildInventory(cfg, findProfile(cfg), tensors, TensorSource::Weights);
    QVERIFY(!inv.has_value());
    QCOMPARE(inv.error().code, ErrorCode::InvalidFormat);
    QCOMPARE(inv.error().tensor, std::string("model.layers.0.self_attn.q_proj.weight"));
}

void TestClassify::badConfigs_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not json") << QStringLiteral("{nope") << QStringLiteral("JSON");
    QTest::newRow("array") << QStringLiteral("[1,2]") << QStringLiteral("JSON object");
    QTest::newRow("no model_type") << QStringLiteral(R"({"hidden_size":8,"num_hidden_layers":1})")
                                   << QStringLiteral("model_type");
    QTest::newRow("no layers") << QStringLiteral(R"({"model_type":"llama","hidden_size":8})")
                               << QStringLiteral("num_hidden_layers");
    QTest::newRow("string layers")
            << QStringLiteral(R"({"model_type":"llama","hidden_size":8,"num_hidden_layers":"2"})")
            << QStringLiteral("num_hidden_layers");
    QTest::newRow("float heads")
            << QStringLiteral(
                       R"({"model_type":"llama","hidden_size":8,"num_hidden_layers":2,"num_attention_heads":2.5})")
            << QStringLiteral("num_attention_heads");
}

void TestClassify::badConfigs()
{
    QFETCH(QString, json);
    QFETCH(QString, mentions);
    const auto cfg = parseModelConfig(json.toStdString());
    QVERIFY(!cfg.has_value());
    QCOMPARE(cfg.error().code, ErrorCode::InvalidFormat);
    QVERIFY2(cfg.error().message().find(mentions.toStdString()) != std::string::npos,
             cfg.error().message().c_str());
}

QTEST_APPLESS_MAIN(TestClassify)
#include "test_classify.moc"
