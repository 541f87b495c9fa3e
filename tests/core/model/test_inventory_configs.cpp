// SPDX-License-Identifier: MIT
// The inventory on every real config/index in ../shared/data/configs, against counts derived by
// hand from each config (tests/core/model/data/expected_inventory.json) and, where an index
// carries them, against the checkpoint's own total_size / total_parameters.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <QtTest>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/util/atomic_file.h"
#include "tests/support/shared_data.h"

using namespace pq::core;
using json = nlohmann::json;

namespace {

json expectations()
{
    std::ifstream in(std::string(TEST_DATA_DIR) + "/expected_inventory.json");
    return json::parse(in);
}

/** Inventory of a config directory, or of a bare *.config.json (config only). */
ModelInventory inventoryFor(const std::string &rel)
{
    const std::string path = pq::test::sharedData("configs/" + rel);
    if (rel.ends_with("/config.json")) {
        auto inv = inventoryModelDir(std::filesystem::path(path).parent_path().string());
        if (!inv) {
            qFatal("%s", inv.error().message().c_str());
        }
        return std::move(*inv);
    }
    auto text = readSmallFile(path, 1 << 20);
    auto cfg = parseModelConfig(text.value());
    if (!cfg) {
        qFatal("%s", cfg.error().message().c_str());
    }
    const ProfileSpec *p = findProfile(*cfg);
    auto tensors = synthesizeTensors(*cfg, p ? *p : genericProfile());
    auto inv = buildInventory(std::move(*cfg), p, std::move(tensors), TensorSource::ConfigOnly);
    return std::move(inv.value());
}

std::size_t textLinears(const ModelInventory &inv)
{
    return static_cast<std::size_t>(
            std::count_if(inv.linears.begin(), inv.linears.end(),
                          [](const LinearInfo &l) { return l.section == Section::Text; }));
}

std::uint64_t textLinearParams(const ModelInventory &inv)
{
    std::uint64_t n = 0;
    for (const LinearInfo &l : inv.linears) {
        n += l.section == Section::Text ? l.params() : 0;
    }
    return n;
}

std::size_t textGroups(const ModelInventory &inv)
{
    std::size_t n = 0;
    for (const FusedGroup &g : inv.groups) {
        n += inv.linears[g.linears.front()].section == Section::Text ? 1 : 0;
    }
    return n;
}

}  // namespace

class TestInventoryConfigs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyConfig_data();
    void everyConfig();
    void indexTotalsMatchCheckpointMetadata_data();
    void indexTotalsMatchCheckpointMetadata();
    void qwen36ShapesMatchRealTensorList();
    void fusedGroupsNeverMixLayersOrKinds();
};

void TestInventoryConfigs::everyConfig_data()
{
    QTest::addColumn<QString>("expectedJson");
    const json all = expectations();
    for (const json &m : all.at("models")) {
        QTest::newRow(m.at("name").get<std::string>().c_str()) << QString::fromStdString(m.dump());
    }
}

void TestInventoryConfigs::everyConfig()
{
    QFETCH(QString, expectedJson);
    const json expected = json::parse(expectedJson.toStdString());
    const ModelInventory inv = inventoryFor(expected.at("config").get<std::string>());
    QCOMPARE(std::string(inv.profile->name), expected.at("profile").get<std::string>());
    QVERIFY(!inv.genericFallback);
    QCOMPARE(inv.config.numLayers, expected.at("num_layers").get<std::int64_t>());
    QCOMPARE(textLinears(inv), expected.at("linears_text").get<std::size_t>());
    QCOMPARE(textGroups(inv), expected.at("fused_groups_text").get<std::size_t>());
    QCOMPARE(textLinearParams(inv), expected.at("linear_params_text").get<std::uint64_t>());
    QCOMPARE(inv.config.mtpLayers, expected.at("mtp_layers").get<std::int64_t>());
    QCOMPARE(inv.config.moe ? inv.config.moe->numExperts : 0,
             expected.at("experts").get<std::int64_t>());
    QCOMPARE(inv.config.tieWordEmbeddings, expected.at("tied").get<bool>());
    QCOMPARE(inv.countKind(TensorKind::LmHead) == 0, expected.at("tied").get<bool>());
    const auto textEmbeddings =
            std::count_if(inv.tensors.begin(), inv.tensors.end(), [](const auto &t) {
                return t.kind == TensorKind::Embedding && t.section == Section::Text;
            });
    QCOMPARE(textEmbeddings, 1L);
    QVERIFY2(inv.unclassified().empty(),
             inv.unclassified().empty() ? "" : inv.unclassified().front().c_str());
    QVERIFY(inv.quantCompanions().empty());
    QCOMPARE(!inv.config.quantMethod.empty(), expected.value("prequantized", false));
    QCOMPARE(inv.checkQuantizable().has_value(), !expected.value("prequantized", false));
    if (expected.contains("index_tensors") && inv.source == TensorSource::IndexAndConfig) {
        QCOMPARE(inv.tensors.size(), expected.at("index_tensors").get<std::size_t>());
    }
    if (expected.contains("derived_tensors") && inv.source == TensorSource::ConfigOnly) {
        QCOMPARE(inv.tensors.size(), expected.at("derived_tensors").get<std::size_t>());
    }
    if (expected.contains("vision_tensors") && inv.source != TensorSource::ConfigOnly) {
        QCOMPARE(inv.passthroughTensors(Section::Vision),
                 expected.at("vision_tensors").get<std::size_t>());
    }
    if (expected.contains("projector_tensors")) {
        QCOMPARE(inv.passthroughTensors(Section::Projector),
                 expected.at("projector_tensors").get<std::size_t>());
    }
}

void TestInventoryConfigs::indexTotalsMatchCheckpointMetadata_data()
{
    QTest::addColumn<QString>("dir");
    QTest::newRow("reflection-llama-3.1-70b") << QStringLiteral("reflection-llama-3.1-70b");
    QTest::newRow("qwen3.5-25b-reap-a3b") << QStringLiteral("qwen3.5-25b-reap-a3b");
}

void TestInventoryConfigs::indexTotalsMatchCheckpointMetadata()
{
    // Shapes derived from config.json must add up to the byte total the real checkpoint's index
    // records (written by the tool that saved the real weights) — and to its parameter count.
    QFETCH(QString, dir);
    const std::string path = pq::test::sharedData("configs/" + dir.toStdString());
    const auto inv = inventoryModelDir(path);
    QVERIFY(inv.has_value());
    QCOMPARE(inv->source, TensorSource::IndexAndConfig);
    for (const ClassifiedTensor &t : inv->tensors) {
        QVERIFY2(t.shapeKnown, t.info.name.c_str());
    }
    const auto index = readCheckpointIndex(path + "/model.safetensors.index.json");
    QVERIFY(index.has_value());
    QCOMPARE(inv->totals().bytes, index->totalSize.value());
    std::ifstream in(path + "/model.safetensors.index.json");
    const json meta = json::parse(in).at("metadata");
    if (meta.contains("total_parameters")) {
        QCOMPARE(inv->totals().params, meta.at("total_parameters").get<std::uint64_t>());
    }
}

namespace {

/** Reads tensor_shapes.csv: `name,"[248 320, 2 048]",BF16` (space as thousands separator). */
std::vector<TensorInfo> readShapesCsv(const std::string &path, std::vector<std::string> &shapeless)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // header
    std::vector<TensorInfo> out;
    while (std::getline(in, line)) {
        const auto comma = line.find(',');
        TensorInfo t{line.substr(0, comma), DType::BF16, {}};
        const auto open = line.find('[');
        const auto close = line.find(']');
        if (open == std::string::npos || close == std::string::npos) {
            shapeless.push_back(t.name);
            out.push_back(t);
            continue;
        }
        std::string dims = line.substr(open + 1, close - open - 1);
        std::erase_if(dims,
                      [](char c) { return c == ' ' || c == '\xe2' || c == '\x80' || c == '\x89'; });
        std::stringstream ss(dims);
        std::string d;
        while (std::getline(ss, d, ',')) {
            t.shape.push_back(std::stoull(d));
        }
        out.push_back(t);
    }
    return out;
}

}  // namespace

void TestInventoryConfigs::qwen36ShapesMatchRealTensorList()
{
    const std::string dir = pq::test::sharedData("configs/qwen3.6-35b-a3b");
    std::vector<std::string> shapeless;
    std::vector<TensorInfo> real = readShapesCsv(dir + "/tensor_shapes.csv", shapeless);
    QCOMPARE(real.size(), std::size_t{1045});
    auto cfg = loadModelConfig(dir);
    QVERIFY(cfg.has_value());
    const ProfileSpec *profile = findProfile(*cfg);
    QVERIFY(profile != nullptr);
    std::map<std::string, std::vector<std::uint64_t>> derived;
    for (const TensorInfo &t : synthesizeTensors(*cfg, *profile)) {
        derived[t.name] = t.shape;
    }
    std::size_t compared = 0;
    for (const TensorInfo &t : real) {
        if (t.name.rfind("model.visual.", 0) == 0) {
            continue;  // the vision tower is not derived from the config
        }
        const auto it = derived.find(t.name);
        QVERIFY2(it != derived.end(), t.name.c_str());
        if (!t.shape.empty()) {
            QVERIFY2(it->second == t.shape, t.name.c_str());
            ++compared;
        }
        derived.erase(it);
    }
    QVERIFY2(derived.empty(), derived.empty() ? "" : derived.begin()->first.c_str());
    QCOMPARE(compared, std::size_t{1045 - 333 - 1});

    auto inv = buildInventory(*cfg, profile, real, TensorSource::Weights, shapeless);
    QVERIFY(inv.has_value());
    QVERIFY(inv->unclassified().empty());
    QCOMPARE(inv->passthroughTensors(Section::Vision), std::size_t{333});
    QCOMPARE(inv->mtpTensors(), std::size_t{19});
    QCOMPARE(textLinears(*inv), std::size_t{31030});
}

void TestInventoryConfigs::fusedGroupsNeverMixLayersOrKinds()
{
    const auto inv = inventoryModelDir(pq::test::sharedData("configs/qwen3.6-35b-a3b"));
    QVERIFY(inv.has_value());
    for (const FusedGroup &g : inv->groups) {
        const LinearInfo &first = inv->linears[g.linears.front()];
        for (std::size_t i : g.linears) {
            const LinearInfo &l = inv->linears[i];
            QCOMPARE(l.layer, first.layer);
            QCOMPARE(l.section, first.section);
            if (!g.experts) {
                QCOMPARE(l.inFeatures, first.inFeatures);  // one fused GEMM shares the input
            }
            QCOMPARE(l.vllmModule, g.vllmModule);
            QCOMPARE(l.expert >= 0, g.experts);
        }
        if (g.experts) {
            QCOMPARE(g.linears.size(), std::size_t{256 * 3});
        }
    }
    // vLLM's names: the Qwen3-VL mapper turns model.language_model. into language_model.model.
    const auto q = std::find_if(inv->linears.begin(), inv->linears.end(),
                                [](const LinearInfo &l) { return l.role == LinearRole::AttnQ; });
    QVERIFY(q != inv->linears.end());
    QCOMPARE(q->vllmModule, std::string("language_model.model.layers.3.self_attn.qkv_proj"));
    QCOMPARE(q->name, std::string("model.language_model.layers.3.self_attn.q_proj"));
}

QTEST_APPLESS_MAIN(TestInventoryConfigs)
#include "test_inventory_configs.moc"
