// SPDX-License-Identifier: MIT
// `validateModel`: every check passes on the bundled demo, on synthetic Llama and Qwen3-MoE
// checkpoints and on real configs from ../shared/data; each check fails, with the expected
// reason, on a crafted broken model.
#include <algorithm>
#include <functional>

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "core/model/inventory.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/model/validate.h"
#include "core/util/atomic_file.h"
#include "tests/support/shared_data.h"
#include "tests/support/tiny_configs.h"

using namespace pq::core;
using json = nlohmann::json;

namespace {

json llamaConfig()
{
    return pq::test::tinyLlamaConfig();
}

json moeConfig()
{
    return pq::test::tinyMoeConfig(3);
}

using Mutate = std::function<void(std::vector<TensorInfo> &)>;

/** An inventory of the tensors config.json implies, changed by `mutate`, as if read from weights.
 */
ModelInventory inventoryOf(const std::string &configJson, const Mutate &mutate = {})
{
    auto cfg = parseModelConfig(configJson);
    if (!cfg) {
        qFatal("%s", cfg.error().message().c_str());
    }
    const ProfileSpec *p = findProfile(*cfg);
    auto tensors = synthesizeTensors(*cfg, p ? *p : genericProfile());
    if (mutate) {
        mutate(tensors);
    }
    auto inv = buildInventory(std::move(*cfg), p, std::move(tensors), TensorSource::Weights);
    if (!inv) {
        qFatal("%s", inv.error().message().c_str());
    }
    return std::move(*inv);
}

/** Config-only inventory of a real *.config.json in ../shared/data/configs. */
ModelInventory realConfig(const std::string &rel)
{
    auto text = readSmallFile(pq::test::sharedData("configs/" + rel), 1 << 20);
    auto cfg = parseModelConfig(text.value());
    if (!cfg) {
        qFatal("%s", cfg.error().message().c_str());
    }
    const ProfileSpec *p = findProfile(*cfg);
    auto tensors = synthesizeTensors(*cfg, p ? *p : genericProfile());
    return std::move(
            buildInventory(std::move(*cfg), p, std::move(tensors), TensorSource::ConfigOnly)
                    .value());
}

ModelInventory inventoryDir(const std::string &dir)
{
    auto inv = inventoryModelDir(dir);
    if (!inv) {
        qFatal("%s", inv.error().message().c_str());
    }
    return std::move(*inv);
}

const ValidationCheck &find(const std::vector<ValidationCheck> &checks, const std::string &id)
{
    const auto it = std::find_if(checks.begin(), checks.end(),
                                 [&](const ValidationCheck &c) { return c.id == id; });
    if (it == checks.end()) {
        qFatal("no check '%s'", id.c_str());
    }
    return *it;
}

/** Every check passed, except those named in `failing` (which must fail). */
bool passesExcept(const std::vector<ValidationCheck> &checks,
                  const std::vector<std::string> &failing = {})
{
    bool ok = true;
    for (const ValidationCheck &c : checks) {
        const bool shouldFail = std::find(failing.begin(), failing.end(), c.id) != failing.end();
        if (c.ok == shouldFail) {
            qWarning("%s: %s (%s)", c.id.c_str(), c.ok ? "passed" : "failed", c.reason.c_str());
            ok = false;
        }
    }
    return ok;
}

/** Fails `id` with a reason containing `needle`. */
bool failsWith(const std::vector<ValidationCheck> &checks,
               const std::string &id,
               const std::string &needle)
{
    const ValidationCheck &c = find(checks, id);
    if (c.ok || c.reason.find(needle) == std::string::npos) {
        qWarning("%s: ok=%d reason '%s', expected '%s'", id.c_str(), c.ok, c.reason.c_str(),
                 needle.c_str());
        return false;
    }
    return true;
}

void eraseTensor(std::vector<TensorInfo> &tensors, const std::string &name)
{
    const auto it = std::find_if(tensors.begin(), tensors.end(),
                                 [&](const TensorInfo &t) { return t.name == name; });
    if (it == tensors.end()) {
        qFatal("no tensor %s", name.c_str());
    }
    tensors.erase(it);
}

TensorInfo &tensorNamed(std::vector<TensorInfo> &tensors, const std::string &name)
{
    const auto it = std::find_if(tensors.begin(), tensors.end(),
                                 [&](const TensorInfo &t) { return t.name == name; });
    if (it == tensors.end()) {
        qFatal("no tensor %s", name.c_str());
    }
    return *it;
}

}  // namespace

class TestValidate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoLlamaPasses();
    void syntheticCheckpointsPass();
    void realConfigsPass();
    void familiesWithoutForwardFailOnlyForward();
    void missingKProj();
    void missingOProjInOneLayer();
    void gateShapeDiffersFromUp();
    void expertMissingInOneLayer();
    void unknownTensor();
    void alreadyQuantized();
    void linearFitsNoFormat();
    void oddInFeaturesStillFitsSome();
    void noProfile();
    void noForward();
    void brokenVllmName();
    void passthroughPrefixes();
    void mtpIncomplete();
    void jsonAndText();
};

void TestValidate::demoLlamaPasses()
{
    const auto inv = inventoryDir(PQ_SOURCE_DIR "/examples/demo-llama");
    const auto checks = validateModel(inv);
    QCOMPARE(checks.size(), std::size_t{10});
    QVERIFY(passesExcept(checks));
    QVERIFY(allPassed(checks));
    QVERIFY(find(checks, "expert_layout").reason.starts_with("not applicable"));
    QVERIFY(find(checks, "mtp").reason.starts_with("not applicable"));
}

void TestValidate::syntheticCheckpointsPass()
{
    QTemporaryDir dir;
    for (const auto &[name, config, storage] :
         {std::tuple{"llama", llamaConfig(), std::optional<ExpertStorage>{}},
          std::tuple{"moe", moeConfig(), std::optional<ExpertStorage>{}},
          std::tuple{"moe3d", moeConfig(), std::optional{ExpertStorage::Fused3d}}}) {
        const std::string out = dir.filePath(QString::fromLatin1(name)).toStdString();
        const Status st = writeSyntheticCheckpoint(config.dump(), out, 3, {}, {}, storage);
        QVERIFY2(st, st ? "" : st.error().message().c_str());
        const auto checks = validateModel(inventoryDir(out));
        QVERIFY2(passesExcept(checks), name);
    }
    const auto moe =
            validateModel(inventoryDir(dir.filePath(QStringLiteral("moe3d")).toStdString()));
    QVERIFY2(
            find(moe, "expert_layout").reason.find("4 experts in each of 2 MoE layers, fused-3d") !=
                    std::string::npos,
            find(moe, "expert_layout").reason.c_str());
}

void TestValidate::realConfigsPass()
{
    for (const char *rel :
         {"hf-configs-llm-prof/Llama-3.1-8B.config.json",
          "hf-configs-llm-prof/Qwen2.5-7B.config.json", "hf-configs-llm-prof/Qwen3-8B.config.json",
          "hf-configs-llm-prof/Qwen3-30B-A3B.config.json"}) {
        QVERIFY2(passesExcept(validateModel(realConfig(rel))), rel);
    }
    // Names from a real index, shapes from its config.
    const auto reflection =
            validateModel(inventoryDir(pq::test::sharedData("configs/reflection-llama-3.1-70b")));
    QVERIFY(passesExcept(reflection));
}

void TestValidate::familiesWithoutForwardFailOnlyForward()
{
    QVERIFY(passesExcept(
            validateModel(inventoryDir(pq::test::sharedData("configs/medgemma-27b-it"))),
            {"forward"}));
    QVERIFY(passesExcept(
            validateModel(inventoryDir(pq::test::sharedData("configs/qwen3.6-35b-a3b"))),
            {"forward"}));
    // DeepSeek-V3 is released in FP8: refused as already quantized.
    const auto deepseek = validateModel(realConfig("hf-configs-tt-metal/DeepSeek-V3.config.json"));
    QVERIFY(passesExcept(deepseek, {"source", "forward"}));
    QVERIFY(failsWith(deepseek, "source", "already quantized: found quantization_config 'fp8'"));
    QVERIFY(passesExcept(validateModel(realConfig("hf-configs-tt-metal/Qwen3.5-27B.config.json")),
                         {"forward"}));
    // gpt-oss ships MXFP4 experts.
    QVERIFY(passesExcept(validateModel(realConfig("hf-configs-tt-metal/gpt-oss-120b.config.json")),
                         {"source", "forward"}));
    // A REAP-pruned export that dropped the MTP block its config still declares.
    const auto reap =
            validateModel(inventoryDir(pq::test::sharedData("configs/qwen3.5-25b-reap-a3b")));
    QVERIFY(passesExcept(reap, {"mtp", "forward"}));
    QVERIFY(failsWith(reap, "mtp",
                      "declares 1 MTP layer(s) but the checkpoint has no MTP tensors"));
}

void TestValidate::missingKProj()
{
    const auto checks = validateModel(inventoryOf(llamaConfig().dump(), [](auto &t) {
        eraseTensor(t, "model.layers.1.self_attn.k_proj.weight");
    }));
    QVERIFY(passesExcept(checks, {"fused_groups"}));
    QVERIFY(failsWith(checks, "fused_groups",
                      "model.layers.1.self_attn.qkv_proj lacks self_attn.k_proj"));
}

void TestValidate::missingOProjInOneLayer()
{
    const auto checks = validateModel(inventoryOf(llamaConfig().dump(), [](auto &t) {
        eraseTensor(t, "model.layers.1.self_attn.o_proj.weight");
    }));
    QVERIFY(passesExcept(checks, {"fused_groups"}));
    QVERIFY(failsWith(checks, "fused_groups", "layer 1 lacks self_attn.o_proj"));
}

void TestValidate::gateShapeDiffersFromUp()
{
    const auto checks = validateModel(inventoryOf(llamaConfig().dump(), [](auto &t) {
        tensorNamed(t, "model.layers.0.mlp.gate_proj.weight").shape = {192, 128};
    }));
    QVERIFY(passesExcept(checks, {"fused_groups"}));
    QVERIFY(failsWith(checks, "fused_groups",
                      "model.layers.0.mlp.gate_proj [192, 128] ≠ model.layers.0.mlp.up_proj "
                      "[256, 128]"));
}

void TestValidate::expertMissingInOneLayer()
{
    const auto checks = validateModel(inventoryOf(moeConfig().dump(), [](auto &t) {
        for (const char *proj : {"gate_proj", "up_proj", "down_proj"}) {
            eraseTensor(t, std::string("model.layers.2.mlp.experts.3.") + proj + ".weight");
        }
    }));
    QVERIFY(passesExcept(checks, {"fused_groups", "expert_layout"}));
    QVERIFY(failsWith(checks, "fused_groups",
                      "model.layers.2.mlp.experts lacks expert 3 (gate_proj, up_proj, down_proj)"));
    QVERIFY(failsWith(checks, "expert_layout", "layer 2 has 3 experts, config.json declares 4"));
    // Differently shaped experts in one layer.
    const auto shaped = validateModel(inventoryOf(moeConfig().dump(), [](auto &t) {
        tensorNamed(t, "model.layers.2.mlp.experts.1.down_proj.weight").shape = {128, 64};
    }));
    QVERIFY(failsWith(shaped, "fused_groups",
                      "model.layers.2.mlp.experts.1.down_proj [128, 64] ≠ "
                      "model.layers.2.mlp.experts.0.down_proj [128, 128]"));
}

void TestValidate::unknownTensor()
{
    const auto inv = inventoryOf(llamaConfig().dump(), [](auto &t) {
        t.push_back({"model.layers.0.mlp.mystery.weight", DType::BF16, {128, 128}});
    });
    const auto checks = validateModel(inv);
    QVERIFY(passesExcept(checks, {"classified"}));
    QCOMPARE(find(checks, "classified").reason, inv.checkQuantizable().error().message());
    QVERIFY(failsWith(checks, "classified", "(first: 'model.layers.0.mlp.mystery.weight')"));
}

void TestValidate::alreadyQuantized()
{
    json config = llamaConfig();
    config["quantization_config"] = {{"quant_method", "fp8"}};
    const auto inv = inventoryOf(config.dump(), [](auto &t) {
        t.push_back({"model.layers.0.mlp.down_proj.weight_scale", DType::F32, {128, 1}});
    });
    const auto checks = validateModel(inv);
    QVERIFY(passesExcept(checks, {"source"}));
    QCOMPARE(find(checks, "source").reason, inv.checkQuantizable().error().message());
    QVERIFY(failsWith(checks, "source",
                      "this checkpoint is already quantized: found quantization_config 'fp8'"));
}

void TestValidate::linearFitsNoFormat()
{
    const auto checks = validateModel(inventoryOf(llamaConfig().dump(), [](auto &t) {
        tensorNamed(t, "model.layers.1.mlp.down_proj.weight").shape = {128, 0};
    }));
    QVERIFY(failsWith(checks, "menu_formats",
                      "model.layers.1.mlp.down_proj [128, 0] fits no quantized format "
                      "(FP8_DYNAMIC cannot take an empty weight [128, 0])"));
}

void TestValidate::oddInFeaturesStillFitsSome()
{
    // in_features 100: no group format fits, but per-channel FP8 and W8A16_CH do.
    const auto checks = validateModel(inventoryOf(llamaConfig().dump(), [](auto &t) {
        tensorNamed(t, "model.layers.1.mlp.down_proj.weight").shape = {128, 100};
    }));
    QVERIFY(find(checks, "menu_formats").ok);
    QVERIFY2(find(checks, "menu_formats").reason.find("1 fit only some") != std::string::npos,
             find(checks, "menu_formats").reason.c_str());
}

void TestValidate::noProfile()
{
    json config = llamaConfig();
    config["model_type"] = "some_new_arch";
    const auto checks = validateModel(inventoryOf(config.dump()));
    QVERIFY(passesExcept(checks, {"profile", "forward"}));
    QVERIFY(failsWith(checks, "profile", "no profile for model_type 'some_new_arch'"));
}

void TestValidate::noForward()
{
    json config = llamaConfig();
    config["model_type"] = "gemma3_text";
    const auto checks = validateModel(inventoryOf(config.dump()));
    QVERIFY(passesExcept(checks, {"forward"}));
    QVERIFY(failsWith(checks, "forward", "no forward pass for profile 'gemma3'"));
    QVERIFY(failsWith(checks, "forward", "allocate --data-free"));
}

void TestValidate::brokenVllmName()
{
    auto inv = inventoryOf(llamaConfig().dump());
    inv.linears[1].vllmModule = "model.layers.0.self_attn.k_proj";
    inv.linears[2].vllmModule.clear();
    const auto checks = validateModel(inv);
    QVERIFY(failsWith(checks, "vllm_names",
                      "model.layers.0.self_attn.k_proj maps to model.layers.0.self_attn.k_proj but "
                      "sits in another fused group"));
    QCOMPARE(find(checks, "vllm_names").details.size(), std::size_t{3});
}

void TestValidate::passthroughPrefixes()
{
    // A vision_config with no vision tower tensors.
    const json vision = {{"model_type", "gemma3"},
                         {"architectures", {"Gemma3ForConditionalGeneration"}},
                         {"text_config", llamaConfig()},
                         {"vision_config", {{"hidden_size", 64}}}};
    auto text = llamaConfig();
    text["model_type"] = "gemma3_text";
    json multimodal = vision;
    multimodal["text_config"] = text;
    const auto checks = validateModel(inventoryOf(multimodal.dump()));
    QVERIFY(passesExcept(checks, {"passthrough", "forward"}));
    QVERIFY(failsWith(checks, "passthrough",
                      "config.json declares a vision tower but no tensor starts with "
                      "'vision_tower.'"));
    // With the tower present it passes.
    const auto withTower = validateModel(inventoryOf(multimodal.dump(), [](auto &t) {
        t.push_back({"vision_tower.vision_model.embeddings.patch_embedding.weight",
                     DType::BF16,
                     {64, 3, 14, 14}});
        t.push_back({"multi_modal_projector.mm_input_projection_weight", DType::BF16, {64, 128}});
    }));
    QVERIFY(passesExcept(withTower, {"forward"}));
    // A tower tensor in a text-only model is passthrough by accident.
    const auto accidental = validateModel(inventoryOf(text.dump(), [](auto &t) {
        t.push_back({"vision_tower.encoder.weight", DType::BF16, {64, 64}});
    }));
    QVERIFY(failsWith(accidental, "passthrough",
                      "'vision_tower.encoder.weight' is kept as a vision tensor, but config.json "
                      "declares no such tower"));
}

void TestValidate::mtpIncomplete()
{
    auto text = readSmallFile(pq::test::sharedData("configs/qwen3.6-35b-a3b/config.json"), 1 << 20);
    const auto noFc = validateModel(
            inventoryOf(text.value(), [](auto &t) { eraseTensor(t, "mtp.fc.weight"); }));
    // (passthrough fails too: these "weights" lack the vision tower the config declares.)
    QVERIFY(passesExcept(noFc, {"mtp", "passthrough", "forward"}));
    QVERIFY(failsWith(noFc, "mtp", "the MTP block has no input projection"));
    const auto noMtp = validateModel(inventoryOf(text.value(), [](auto &t) {
        std::erase_if(t, [](const TensorInfo &x) { return x.name.starts_with("mtp."); });
    }));
    QVERIFY(failsWith(noMtp, "mtp",
                      "config.json declares 1 MTP layer(s) but the checkpoint has no MTP tensors"));
}

void TestValidate::jsonAndText()
{
    const auto inv = inventoryOf(llamaConfig().dump(), [](auto &t) {
        eraseTensor(t, "model.layers.0.self_attn.v_proj.weight");
    });
    const auto checks = validateModel(inv);
    const auto j = json::parse(validationToJson(inv, checks, "some/dir"));
    QCOMPARE(j.at("schema").get<std::string>(), std::string(VALIDATE_SCHEMA));
    QCOMPARE(j.at("ok").get<bool>(), false);
    QCOMPARE(j.at("failed").get<int>(), 1);
    QCOMPARE(j.at("checks").size(), std::size_t{10});
    QCOMPARE(j.at("checks").at(3).at("id").get<std::string>(), std::string("fused_groups"));
    QVERIFY(j.at("checks").at(3).at("details").at(0).get<std::string>().find("lacks "
                                                                             "self_attn.v_proj") !=
            std::string::npos);
    const std::string textOut = validationToText(inv, checks, "some/dir");
    QVERIFY2(textOut.find("✗ fused_groups") != std::string::npos, textOut.c_str());
    QVERIFY(textOut.find("✓ profile") != std::string::npos);
    QVERIFY(textOut.find("1 of 10 checks failed.") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestValidate)
#include "test_validate.moc"
