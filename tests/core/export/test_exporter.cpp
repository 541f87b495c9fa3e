// SPDX-License-Identifier: MIT
// The compressed-tensors exporter and its read-back: per format exactly the tensors the spec
// table lists (names, dtypes, shapes), read-back equal to the format layer's fake-quant bit for
// bit with fused siblings sharing NVFP4 scales, every other tensor byte-identical, the config's
// groups disjoint and anchored, the index's total_size, MoE experts (per-expert and fused 3-D)
// written under vLLM's per-expert names, mixed recipes, refusals, cancel, a write failure
// part-way, and the source left untouched.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/export/compressed_checkpoint.h"
#include "core/export/exporter.h"
#include "core/export/quantization_config.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/quant/format_spec.h"
#include "core/quant/weight_rows.h"
#include "core/util/atomic_file.h"
#include "tests/core/io/io_test_util.h"
#include "tests/support/tiny_configs.h"

using namespace pq::core;
using pq::testutil::listDir;
using quant::FormatId;
namespace fs = std::filesystem;

namespace {

nlohmann::json llamaConfig()
{
    return pq::test::tinyLlamaConfig();
}

nlohmann::json moeConfig()
{
    return pq::test::tinyMoeConfig(2);
}

std::string writeModel(const QTemporaryDir &dir,
                       const std::string &name,
                       const nlohmann::json &config,
                       std::optional<ExpertStorage> storage = std::nullopt)
{
    const std::string out = dir.filePath(QString::fromStdString(name)).toStdString();
    const Status st = writeSyntheticCheckpoint(config.dump(), out, 11, {}, {}, storage);
    if (!st) {
        qFatal("%s", st.error().message().c_str());
    }
    // A tokenizer and generation config to be copied (contents are not interpreted).
    pq::testutil::writeFile(fs::path(out) / "tokenizer.json", "{\"model\": {}}");
    pq::testutil::writeFile(fs::path(out) / "generation_config.json", "{\"do_sample\": false}");
    return out;
}

ModelInventory inventoryOf(const std::string &dir)
{
    auto inv = inventoryModelDir(dir);
    if (!inv) {
        qFatal("%s", inv.error().message().c_str());
    }
    return std::move(*inv);
}

/** Distinct calibrated maxima per Linear (q/k/v differ, so sharing is visible). */
std::map<std::string, float> syntheticInputAmax(const ModelInventory &inv)
{
    std::map<std::string, float> out;
    for (std::size_t i = 0; i < inv.linears.size(); ++i) {
        out[inv.linears[i].name] = 2.0F + 0.25F * static_cast<float>(i % 7);
    }
    return out;
}

/** Every file of a directory tree with its bytes: to prove the source is untouched. */
std::map<std::string, std::string> snapshot(const std::string &dir)
{
    std::map<std::string, std::string> out;
    for (const auto &e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) {
            out[e.path().string()] = pq::testutil::readFile(e.path());
        }
    }
    return out;
}

float readF32(const Checkpoint &c, const std::string &name)
{
    const Checkpoint::Entry *e = c.find(name);
    if (e == nullptr || e->info->dtype != DType::F32) {
        qFatal("missing F32 tensor %s", name.c_str());
    }
    float v = 0.0F;
    std::memcpy(&v, c.view(*e).data.data(), sizeof v);
    return v;
}

}  // namespace

class TestExporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void uniform_data();
    void uniform();
    void mixedRecipe();
    void moeExperts_data();
    void moeExperts();
    void transposedExperts_data();
    void transposedExperts();
    void refusals();
    void notEnoughSpaceSaysWhatToDo();
    void forceReplacesOnlyWhenComplete();
    void cancelLeavesNothing();
    void killedRunsAreCleanedUp();
    void writeFailureLeavesNothing();
    void readsForeignConfigForms();

private:
    ct::ExportRequest request(const std::string &model, const std::string &out) const;
    void checkExport(const std::string &model,
                     const std::string &out,
                     const ct::FormatMap &formats,
                     const std::map<std::string, float> &inputAmax);

    QTemporaryDir m_dir;
    std::string m_llama;
    std::unique_ptr<quant::QuantBackend> m_backend = quant::makeReferenceBackend();
};

void TestExporter::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_llama = writeModel(m_dir, "llama", llamaConfig());
}

ct::ExportRequest TestExporter::request(const std::string &model, const std::string &out) const
{
    ct::ExportRequest r;
    r.modelDir = model;
    r.outDir = out;
    r.toolVersion = "test";
    return r;
}

/**
 * The whole contract of one export, checked from the files: tensor list, bytes of kept
 * tensors, read-back against fake-quant with independently computed shared scales, config
 * groups, index and manifest.
 */
void TestExporter::checkExport(const std::string &model,
                               const std::string &out,
                               const ct::FormatMap &formats,
                               const std::map<std::string, float> &inputAmax)
{
    const ModelInventory inv = inventoryOf(model);
    auto src = Checkpoint::open(model);
    PQ_VERIFY_OK(src);
    auto rb = ct::CompressedCheckpoint::open(out);
    PQ_VERIFY_OK(rb);
    const Checkpoint &dst = rb->checkpoint();

    // 1. Exactly the expected tensors: per Linear its format's stored tensors, the rest as is.
    std::set<std::string> expected;
    std::set<std::string> linearSources;
    for (const LinearInfo &l : inv.linears) {
        linearSources.insert(inv.tensors[l.source.tensor].info.name);
        const FormatId f = formats.at(l.name);
        for (const quant::StoredTensorSpec &s :
             quant::storedTensors(f, l.outFeatures, l.inFeatures, l.sourceDtype)) {
            const std::string name = l.name + "." + s.suffix;
            expected.insert(name);
            const Checkpoint::Entry *e = dst.find(name);
            QVERIFY2(e != nullptr, name.c_str());
            QCOMPARE(e->info->dtype, s.dtype);
            QCOMPARE(e->info->shape, s.shape);
        }
    }
    for (const Checkpoint::Entry &e : src->tensors()) {
        if (linearSources.count(e.info->name) == 0) {
            expected.insert(e.info->name);
            const Checkpoint::Entry *d = dst.find(e.info->name);
            QVERIFY2(d != nullptr, e.info->name.c_str());
            QCOMPARE(d->info->dtype, e.info->dtype);
            const auto a = src->view(e).data;
            const auto b = dst.view(*d).data;
            QVERIFY2(std::equal(a.begin(), a.end(), b.begin(), b.end()), e.info->name.c_str());
        }
    }
    std::set<std::string> got;
    for (const Checkpoint::Entry &e : dst.tensors()) {
        got.insert(e.info->name);
    }
    QCOMPARE(got, expected);

    // 2. Read-back equals fake-quant with the shared scales, computed here independently.
    std::map<std::string, float> groupAmax;  // NVFP4 global scale sets
    std::map<std::string, float> groupInput;
    const auto weightKey = [](const LinearInfo &l) {
        return l.expert < 0 ? l.vllmModule
                            : fmt::format("{}#{}#{}", l.vllmModule, l.expert,
                                          l.role == LinearRole::ExpertDown);
    };
    const auto inputKey = [](const LinearInfo &l) {
        return fmt::format("{}#{}", l.vllmModule, l.role == LinearRole::ExpertDown);
    };
    std::vector<std::byte> scratch;
    for (const LinearInfo &l : inv.linears) {
        auto v = ct::linearWeightView(inv, *src, l, scratch);
        PQ_VERIFY_OK(v);
        std::vector<float> w(l.params());
        for (std::uint64_t r = 0; r < l.outFeatures; ++r) {
            quant::loadRow(*v, r, {w.data() + r * l.inFeatures, l.inFeatures});
        }
        float amax = 0.0F;
        for (const float x : w) {
            amax = std::max(amax, std::fabs(x));
        }
        groupAmax[weightKey(l)] = std::max(groupAmax[weightKey(l)], amax);
        if (const auto a = inputAmax.find(l.name); a != inputAmax.end()) {
            groupInput[inputKey(l)] = std::max(groupInput[inputKey(l)], a->second);
        }
    }
    std::size_t quantized = 0;
    for (const LinearInfo &l : inv.linears) {
        const FormatId f = formats.at(l.name);
        const ct::QuantizedModule *m = rb->find(l.name);
        if (f == FormatId::BF16) {
            QVERIFY2(m == nullptr, l.name.c_str());
            QVERIFY2(rb->config().schemeFor(l.name) == nullptr, l.name.c_str());
            continue;
        }
        ++quantized;
        QVERIFY2(m != nullptr, l.name.c_str());
        QCOMPARE(m->format, std::optional<FormatId>(f));
        QCOMPARE(m->rows, l.outFeatures);
        QCOMPARE(m->cols, l.inFeatures);
        quant::QuantOptions o;
        if (f == FormatId::NVFP4 || f == FormatId::NVFP4A16) {
            o.globalAmax = groupAmax.at(weightKey(l));
        }
        if (f == FormatId::NVFP4) {
            o.inputAmax = groupInput.at(inputKey(l));
            const auto amax = rb->inputAmax(*m);
            QVERIFY(amax.has_value());
            QVERIFY(std::fabs(*amax - *o.inputAmax) <= 1e-6F * *o.inputAmax);
        }
        auto v = ct::linearWeightView(inv, *src, l, scratch);
        PQ_VERIFY_OK(v);
        std::vector<float> want(l.params());
        std::vector<float> back(l.params());
        PQ_VERIFY_OK(m_backend->fakeQuant(f, *v, o, want));
        PQ_VERIFY_OK(rb->dequantize(*m, *m_backend, back));
        QVERIFY2(std::memcmp(want.data(), back.data(), want.size() * sizeof(float)) == 0,
                 l.name.c_str());
    }
    QCOMPARE(rb->modules().size(), quantized);

    // 3. NVFP4 siblings carry identical global scales in the files too.
    std::map<std::string, std::set<float>> globals;
    std::map<std::string, std::set<float>> inputs;
    for (const LinearInfo &l : inv.linears) {
        const FormatId f = formats.at(l.name);
        if (f == FormatId::NVFP4 || f == FormatId::NVFP4A16) {
            globals[weightKey(l)].insert(readF32(dst, l.name + ".weight_global_scale"));
        }
        if (f == FormatId::NVFP4) {
            inputs[inputKey(l)].insert(readF32(dst, l.name + ".input_global_scale"));
        }
    }
    for (const auto &[key, values] : globals) {
        QVERIFY2(values.size() == 1, key.c_str());
    }
    for (const auto &[key, values] : inputs) {
        QVERIFY2(values.size() == 1, key.c_str());
    }

    // 4. Config: each quantized Linear is targeted by exactly one group and not ignored; the
    //    groups' formats; lm_head and non-Linear modules are never targeted.
    const auto &cfg = rb->config();
    QCOMPARE(cfg.version, std::string(ct::CT_VERSION));
    std::set<std::string> ctFormats;
    for (const ct::SchemeGroup &g : cfg.groups) {
        QVERIFY(g.weights.has_value());
        QVERIFY(g.format != "mixed-precision");
        ctFormats.insert(g.format);
        for (const ct::NameMatcher &t : g.targets) {
            QVERIFY2(t.text().starts_with("re:^") && t.text().ends_with("$"), t.text().c_str());
        }
    }
    QCOMPARE(cfg.format, ctFormats.size() == 1 ? *ctFormats.begin() : "mixed-precision");
    for (const LinearInfo &l : inv.linears) {
        std::size_t hits = 0;
        for (const ct::SchemeGroup &g : cfg.groups) {
            hits += std::any_of(g.targets.begin(), g.targets.end(),
                                [&](const ct::NameMatcher &t) { return t.matchesLinear(l.name); });
        }
        const bool ignored = std::any_of(cfg.ignore.begin(), cfg.ignore.end(),
                                         [&](const auto &t) { return t.matchesLinear(l.name); });
        const bool q = formats.at(l.name) != FormatId::BF16;
        QVERIFY2(hits == (q ? 1U : 0U), l.name.c_str());
        QVERIFY2(ignored == !q, l.name.c_str());
        if (q) {
            QCOMPARE(rb->config().schemeFor(l.name)->format,
                     std::string(quant::formatInfo(formats.at(l.name)).ctFormat));
        }
    }
    for (const std::string &other : {std::string("lm_head"), std::string("model.embed_tokens"),
                                     std::string("model.layers.0.input_layernorm")}) {
        QVERIFY2(rb->config().schemeFor(other) == nullptr, other.c_str());
    }

    // 5. Index, manifest, copied files; nothing left beside the output.
    if (fs::exists(fs::path(out) / INDEX_FILE_NAME)) {
        auto index = readCheckpointIndex((fs::path(out) / INDEX_FILE_NAME).string());
        PQ_VERIFY_OK(index);
        QCOMPARE(index->totalSize, std::optional<std::uint64_t>(dst.totalTensorBytes()));
    }
    auto manifest = readSmallFile((fs::path(out) / ct::MANIFEST_FILE).string(), 1 << 20);
    PQ_VERIFY_OK(manifest);
    const auto mj = nlohmann::json::parse(*manifest);
    QCOMPARE(mj["source"]["fingerprint"].get<std::string>(), *src->fingerprint());
    QVERIFY(fs::exists(fs::path(out) / "tokenizer.json"));
    QVERIFY(fs::exists(fs::path(out) / "generation_config.json"));
    for (const std::string &name : listDir(fs::path(out).parent_path())) {
        QVERIFY2(name.find(".partial-") == std::string::npos, name.c_str());
    }
}

void TestExporter::uniform_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("shardBytes");
    for (const quant::FormatInfo &f : quant::allFormats()) {
        if (f.servable && f.id != FormatId::BF16) {
            QTest::newRow(std::string(f.name).c_str())
                    << QString::fromUtf8(f.name.data(), qsizetype(f.name.size()))
                    << qint64(5'000'000'000);
        }
    }
    QTest::newRow("NVFP4 sharded")
            << QStringLiteral("NVFP4") << qint64(60'000);  // many shards and an index
}

void TestExporter::uniform()
{
    QFETCH(QString, format);
    QFETCH(qint64, shardBytes);
    const FormatId id = *quant::parseFormatName(format.toStdString());
    const ModelInventory inv = inventoryOf(m_llama);
    const auto before = snapshot(m_llama);
    const std::string out =
            m_dir.filePath(QStringLiteral("uniform-") + format + QString::number(shardBytes))
                    .toStdString();
    ct::ExportRequest r = request(m_llama, out);
    r.formats = ct::uniformFormats(inv, id);
    r.inputAmax = syntheticInputAmax(inv);
    r.maxShardBytes = static_cast<std::uint64_t>(shardBytes);
    auto result = ct::exportCheckpoint(r, *m_backend, {});
    PQ_VERIFY_OK(result);
    QCOMPARE(result->linearsByFormat.at(std::string(quant::formatInfo(id).name)),
             inv.linears.size());
    QCOMPARE(result->shards > 1, shardBytes < 1'000'000);
    checkExport(m_llama, out, r.formats, r.inputAmax);
    QVERIFY(snapshot(m_llama) == before);  // the source is never written
}

void TestExporter::mixedRecipe()
{
    const ModelInventory inv = inventoryOf(m_llama);
    // A recipe.json as `allocate` writes it: a different format per fused group, BF16 included.
    const FormatId cycle[] = {FormatId::NVFP4, FormatId::MXFP8,       FormatId::W4A16,
                              FormatId::BF16,  FormatId::FP8Dynamic,  FormatId::NVFP4A16,
                              FormatId::MXFP4, FormatId::W8A16Channel};
    nlohmann::json linears = nlohmann::json::object();
    ct::FormatMap want;
    for (std::size_t g = 0; g < inv.groups.size(); ++g) {
        for (const std::size_t i : inv.groups[g].linears) {
            const FormatId f = cycle[g % std::size(cycle)];
            linears[inv.linears[i].name] = quant::formatInfo(f).name;
            want[inv.linears[i].name] = f;
        }
    }
    const std::string recipe = m_dir.filePath(QStringLiteral("recipe.json")).toStdString();
    PQ_VERIFY_OK(writeFileAtomically(recipe, nlohmann::json{{"schema", "prismaquant.recipe/1"},
                                                            {"summary", "mixed"},
                                                            {"linears", linears}}
                                                     .dump()));
    std::string summary;
    auto formats = ct::formatsFromRecipe(inv, recipe, &summary);
    PQ_VERIFY_OK(formats);
    QCOMPARE(*formats, want);
    QCOMPARE(summary, std::string("mixed"));
    const std::string out = m_dir.filePath(QStringLiteral("mixed")).toStdString();
    ct::ExportRequest r = request(m_llama, out);
    r.formats = *formats;
    r.inputAmax = syntheticInputAmax(inv);
    PQ_VERIFY_OK(ct::exportCheckpoint(r, *m_backend, {}));
    checkExport(m_llama, out, r.formats, r.inputAmax);
    auto rb = ct::CompressedCheckpoint::open(out);
    PQ_VERIFY_OK(rb);
    QCOMPARE(rb->config().format, std::string("mixed-precision"));
}

void TestExporter::moeExperts_data()
{
    QTest::addColumn<bool>("fused3d");
    QTest::addColumn<QString>("format");
    QTest::newRow("per-expert NVFP4") << false << QStringLiteral("NVFP4");
    QTest::newRow("fused 3-D NVFP4") << true << QStringLiteral("NVFP4");
    QTest::newRow("fused 3-D W4A16") << true << QStringLiteral("W4A16");
    QTest::newRow("fused 3-D MXFP8") << true << QStringLiteral("MXFP8");
}

void TestExporter::moeExperts()
{
    QFETCH(bool, fused3d);
    QFETCH(QString, format);
    const std::string name = fused3d ? "moe-fused" : "moe-per-expert";
    const std::string model =
            fs::exists(m_dir.filePath(QString::fromStdString(name)).toStdString())
                    ? m_dir.filePath(QString::fromStdString(name)).toStdString()
                    : writeModel(m_dir, name, moeConfig(),
                                 fused3d ? std::optional(ExpertStorage::Fused3d) : std::nullopt);
    const ModelInventory inv = inventoryOf(model);
    if (fused3d) {  // the source really holds [E, 2I, H] tensors
        QVERIFY(std::any_of(inv.tensors.begin(), inv.tensors.end(), [](const auto &t) {
            return t.info.name.ends_with("experts.gate_up_proj") && t.info.shape.size() == 3;
        }));
    }
    const std::string out =
            m_dir.filePath(QString::fromStdString(name) + QStringLiteral("-") + format)
                    .toStdString();
    ct::ExportRequest r = request(model, out);
    r.formats = ct::uniformFormats(inv, *quant::parseFormatName(format.toStdString()));
    r.inputAmax = syntheticInputAmax(inv);
    PQ_VERIFY_OK(ct::exportCheckpoint(r, *m_backend, {}));
    checkExport(model, out, r.formats, r.inputAmax);
    auto rb = ct::CompressedCheckpoint::open(out);
    PQ_VERIFY_OK(rb);
    // vLLM's per-expert names; no fused 3-D tensor and no router in any group.
    QVERIFY(rb->find("model.layers.0.mlp.experts.3.down_proj") != nullptr);
    QVERIFY(rb->find("model.layers.0.mlp.experts.0.gate_proj") != nullptr);
    for (const Checkpoint::Entry &e : rb->checkpoint().tensors()) {
        QVERIFY2(!e.info->name.ends_with("gate_up_proj"), e.info->name.c_str());
    }
    QVERIFY(rb->config().schemeFor("model.layers.0.mlp.gate") == nullptr);
}

void TestExporter::transposedExperts_data()
{
    QTest::addColumn<QString>("experts");  // the experts' format; attention is W4A16
    QTest::newRow("W4A16") << QStringLiteral("W4A16");
    QTest::newRow("MXFP4") << QStringLiteral("MXFP4");
    QTest::newRow("BF16") << QStringLiteral("BF16");  // sliced out of [E, H, 2I] as they are
}

void TestExporter::transposedExperts()
{
    // gpt-oss stores experts transposed with gate/up interleaved: gate_up_proj [E, H, 2I].
    QFETCH(QString, experts);
    const nlohmann::json config = {{"model_type", "gpt_oss"},
                                   {"hidden_size", 128},
                                   {"intermediate_size", 128},
                                   {"num_hidden_layers", 2},
                                   {"num_attention_heads", 4},
                                   {"num_key_value_heads", 2},
                                   {"head_dim", 32},
                                   {"vocab_size", 96},
                                   {"num_local_experts", 4},
                                   {"num_experts_per_tok", 2},
                                   {"rms_norm_eps", 1e-5},
                                   {"torch_dtype", "bfloat16"},
                                   {"tie_word_embeddings", false},
                                   {"sliding_window", 128},
                                   {"layer_types", {"sliding_attention", "full_attention"}}};
    const QString dir = m_dir.filePath(QStringLiteral("gpt-oss"));
    const std::string model = fs::exists(dir.toStdString()) ? dir.toStdString()
                                                            : writeModel(m_dir, "gpt-oss", config);
    const ModelInventory inv = inventoryOf(model);
    QVERIFY(std::any_of(inv.linears.begin(), inv.linears.end(),
                        [](const LinearInfo &l) { return l.source.transposed; }));
    const FormatId expertFormat = *quant::parseFormatName(experts.toStdString());
    ct::FormatMap formats;
    for (const LinearInfo &l : inv.linears) {
        formats[l.name] = l.expert >= 0 ? expertFormat : FormatId::W4A16;
    }
    const std::string out = m_dir.filePath(QStringLiteral("gpt-oss-") + experts).toStdString();
    ct::ExportRequest r = request(model, out);
    r.formats = formats;
    PQ_VERIFY_OK(ct::exportCheckpoint(r, *m_backend, {}));
    checkExport(model, out, r.formats, {});
    // A BF16 expert is its slice of the transposed source, transposed back: element [r, c] of
    // expert e's gate (up) is gate_up_proj[e, c, 2r (+1)].
    auto src = Checkpoint::open(model);
    auto dst = Checkpoint::open(out);
    PQ_VERIFY_OK(src);
    PQ_VERIFY_OK(dst);
    for (const LinearInfo &l : inv.linears) {
        if (l.expert < 0 || expertFormat != FormatId::BF16) {
            continue;
        }
        const Checkpoint::Entry *e = src->find(inv.tensors[l.source.tensor].info.name);
        const auto raw = src->view(*e).data;
        const std::uint64_t width = e->info->shape[2];  // stored [E, in, out·stride]
        std::vector<std::byte> want(l.params() * 2);
        for (std::uint64_t r = 0; r < l.outFeatures; ++r) {
            for (std::uint64_t c = 0; c < l.inFeatures; ++c) {
                const std::uint64_t at =
                        (static_cast<std::uint64_t>(l.expert) * l.inFeatures + c) * width +
                        l.source.first + r * l.source.stride;
                std::memcpy(want.data() + (r * l.inFeatures + c) * 2, raw.data() + at * 2, 2);
            }
        }
        const auto got = dst->view(*dst->find(l.name + ".weight")).data;
        QVERIFY2(std::equal(got.begin(), got.end(), want.begin(), want.end()), l.name.c_str());
    }
}

void TestExporter::refusals()
{
    const ModelInventory inv = inventoryOf(m_llama);
    const std::string existing = m_dir.filePath(QStringLiteral("existing")).toStdString();
    fs::create_directories(existing);
    pq::testutil::writeFile(fs::path(existing) / "keep.txt", "mine");
    ct::ExportRequest r = request(m_llama, existing);
    r.formats = ct::uniformFormats(inv, FormatId::W4A16);
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument,
                    "already exists", "--force");
    QCOMPARE(listDir(existing), std::vector<std::string>{"keep.txt"});

    r.force = true;  // --force replaces only an earlier export or an empty directory
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument,
                    "replaces only an earlier export");
    QCOMPARE(listDir(existing), std::vector<std::string>{"keep.txt"});
    r.force = false;

    r.outDir = m_llama + "/quantized";  // inside the source
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument,
                    "outside the source");
    QVERIFY(!fs::exists(r.outDir));

    r.outDir = m_dir.filePath(QStringLiteral("refused")).toStdString();
    r.formats = ct::uniformFormats(inv, FormatId::NVFP4);  // W4A4 without input maxima
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument,
                    "NVFP4 (W4A4)", "NVFP4A16", "--run");

    r.formats = ct::uniformFormats(inv, FormatId::MXFP6E2M3);
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::Unsupported,
                    "MXFP6_E2M3 cannot be exported");

    r.formats = ct::uniformFormats(inv, FormatId::BF16);
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument,
                    "no Linear is quantized");

    r.formats = ct::uniformFormats(inv, FormatId::W8A16);
    r.formats["model.layers.1.self_attn.k_proj"] = FormatId::MXFP8;  // q/k/v disagree
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument, "qkv_proj",
                    "must share a format");

    r.formats.erase("model.layers.1.self_attn.k_proj");
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument,
                    "no format chosen");
    QVERIFY(!fs::exists(r.outDir));

    // A recipe made for another model.
    const std::string recipe = m_dir.filePath(QStringLiteral("other-recipe.json")).toStdString();
    PQ_VERIFY_OK(writeFileAtomically(
            recipe, R"({"schema":"prismaquant.recipe/1","linears":{"x":"NVFP4"}})"));
    PQ_VERIFY_ERROR(ct::formatsFromRecipe(inv, recipe), ErrorCode::InvalidFormat, "another model");
    PQ_VERIFY_OK(writeFileAtomically(recipe, "[1, 2]"));
    PQ_VERIFY_ERROR(ct::formatsFromRecipe(inv, recipe), ErrorCode::InvalidFormat,
                    "not a recipe.json");
}

void TestExporter::notEnoughSpaceSaysWhatToDo()
{
    // The check exportCheckpoint makes before writing anything (issue 8, docs/errors.md).
    PQ_VERIFY_OK(ct::checkFreeSpaceFor("/data/out", 2'000'000'000, 2'000'000'000));
    PQ_VERIFY_ERROR(ct::checkFreeSpaceFor("/data/out", 2'000'000'000, 500'000'000),
                    ErrorCode::NoSpace, "/data/out: not enough free disk space for the export",
                    "(2000000000 bytes", "(500000000 bytes) are free",
                    "Nothing was written; free at least 1.50 GB there",
                    "--out a directory on a disk with more room");
}

void TestExporter::forceReplacesOnlyWhenComplete()
{
    const ModelInventory inv = inventoryOf(m_llama);
    const std::string out = m_dir.filePath(QStringLiteral("forced")).toStdString();
    ct::ExportRequest r = request(m_llama, out + "/");  // a trailing slash names the same place
    r.formats = ct::uniformFormats(inv, FormatId::W8A16);
    PQ_VERIFY_OK(ct::exportCheckpoint(r, *m_backend, {}));
    // A failing re-export (bad recipe) leaves the old export as it was.
    r.force = true;
    r.formats = ct::uniformFormats(inv, FormatId::NVFP4);  // no maxima: refused
    QVERIFY(!ct::exportCheckpoint(r, *m_backend, {}));
    auto old = ct::CompressedCheckpoint::open(out);
    PQ_VERIFY_OK(old);
    QCOMPARE(old->modules().front().format, std::optional(FormatId::W8A16));
    r.formats = ct::uniformFormats(inv, FormatId::MXFP4);
    PQ_VERIFY_OK(ct::exportCheckpoint(r, *m_backend, {}));
    checkExport(m_llama, out, r.formats, {});
}

void TestExporter::cancelLeavesNothing()
{
    const ModelInventory inv = inventoryOf(m_llama);
    const std::string parent = m_dir.filePath(QStringLiteral("cancel")).toStdString();
    fs::create_directories(parent);
    // After the first tensor, part-way, and at the last tensor (after the shards are complete).
    for (const std::uint64_t at : {1ULL, 10ULL, ~0ULL}) {
        JobContext *self = nullptr;
        JobContext ctx([&](std::string_view stage, std::uint64_t done, std::uint64_t total) {
            if (stage == "export" && done >= std::min(at, total)) {
                self->requestCancel();
            }
        });
        self = &ctx;
        ct::ExportRequest r = request(m_llama, parent + "/out");
        r.formats = ct::uniformFormats(inv, FormatId::MXFP8);
        PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, ctx), ErrorCode::Cancelled,
                        "nothing was written");
        QVERIFY(listDir(parent).empty());  // no OUT_DIR, no temporary directory
    }
}

void TestExporter::killedRunsAreCleanedUp()
{
    // What a run killed mid-way leaves beside OUT_DIR: its temporary directory, and, when it was
    // a --force run killed between moving the old export aside and renaming the new one in, the
    // old export. The next export removes the first and puts the second back.
    const pid_t dead = ::fork();
    if (dead == 0) {
        ::_exit(0);
    }
    QVERIFY(dead > 0);
    QCOMPARE(::waitpid(dead, nullptr, 0), dead);  // reaped: the pid no longer runs
    const fs::path parent = m_dir.filePath(QStringLiteral("killed")).toStdString();
    const fs::path out = parent / "out";
    const std::string prefix = ".out.partial-" + std::to_string(dead);
    fs::create_directories(parent / prefix);
    fs::create_directories(parent / (prefix + "-old"));
    pq::testutil::writeFile(parent / (prefix + "-old") / "old.txt", "the previous export");
    pq::testutil::writeFile(parent / (prefix + "-old") / ct::MANIFEST_FILE, "{}");
    const fs::path foreign = parent / ".out.partial-notapid";
    fs::create_directories(foreign);
    const ModelInventory inv = inventoryOf(m_llama);
    ct::ExportRequest r = request(m_llama, out.string());
    r.formats = ct::uniformFormats(inv, FormatId::W8A16);
    // Without --force the restored export is kept and the new one refused.
    PQ_VERIFY_ERROR(ct::exportCheckpoint(r, *m_backend, {}), ErrorCode::InvalidArgument,
                    "already exists");
    QVERIFY(fs::exists(out / "old.txt"));
    QVERIFY(!fs::exists(parent / prefix));
    QVERIFY(fs::exists(foreign));  // not a name this exporter makes: left alone
    r.force = true;
    PQ_VERIFY_OK(ct::exportCheckpoint(r, *m_backend, {}));
    QVERIFY(!fs::exists(out / "old.txt"));
    QCOMPARE(listDir(parent), (std::vector<std::string>{".out.partial-notapid", "out"}));
}

void TestExporter::writeFailureLeavesNothing()
{
    // A file-size limit makes writes fail part-way, as a full disk does.
    const ModelInventory inv = inventoryOf(m_llama);
    const std::string parent = m_dir.filePath(QStringLiteral("full")).toStdString();
    fs::create_directories(parent);
    ct::ExportRequest r = request(m_llama, parent + "/out");
    r.formats = ct::uniformFormats(inv, FormatId::W8A16);
    rlimit old{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto oldHandler = ::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 50'000;  // the first shard alone is larger
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
    auto result = ct::exportCheckpoint(r, *m_backend, {});
    ::setrlimit(RLIMIT_FSIZE, &old);
    ::signal(SIGXFSZ, oldHandler);
    QVERIFY(!result);
    QVERIFY2(result.error().message().find("cannot") != std::string::npos,
             result.error().message().c_str());
    QVERIFY(listDir(parent).empty());
    PQ_VERIFY_OK(ct::exportCheckpoint(r, *m_backend, {}));  // and a rerun succeeds
}

void TestExporter::readsForeignConfigForms()
{
    // What other tools write: a groups without `format` (falls back to the global one), a
    // class target, the string block_structure, dynamic "local", unknown preset shorthand.
    const std::string config = R"({"quantization_config": {
        "quant_method": "compressed-tensors", "format": "pack-quantized",
        "config_groups": {"g": {"targets": ["Linear"],
            "weights": {"num_bits": 4, "type": "int", "group_size": 128,
                        "block_structure": "128x128", "dynamic": false, "actorder": false}}},
        "ignore": ["lm_head", "re:.*mlp\\.down_proj$"]}})";
    auto c = ct::parseQuantizationConfig(config);
    PQ_VERIFY_OK(c);
    QCOMPARE(c->groups.size(), std::size_t{1});
    QCOMPARE(c->groups[0].format, std::string("pack-quantized"));
    QCOMPARE(c->groups[0].weights->strategy, std::string("group"));
    QCOMPARE(ct::formatOfScheme(c->groups[0]), std::optional(FormatId::W4A16));
    QVERIFY(c->schemeFor("model.layers.0.self_attn.q_proj") != nullptr);
    QVERIFY(c->schemeFor("model.layers.0.mlp.down_proj") == nullptr);  // ignored by regex
    // re.match semantics: anchored at the start only.
    auto m = ct::NameMatcher::create("re:model\\.layers\\.1\\.");
    PQ_VERIFY_OK(m);
    QVERIFY(m->matchesLinear("model.layers.1.mlp.up_proj"));
    QVERIFY(!m->matchesLinear("x.model.layers.1.mlp.up_proj"));
    // vLLM's order: name and regex targets of every group before class targets, and a target
    // listed twice belongs to the later group.
    auto order = ct::parseQuantizationConfig(R"({"quantization_config": {
        "quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {
        "a": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "group_size": 128}},
        "b": {"targets": ["re:.*down_proj$"],
              "weights": {"num_bits": 8, "type": "int", "group_size": 128}},
        "c": {"targets": ["re:.*q_proj$"],
              "weights": {"num_bits": 8, "type": "int", "strategy": "channel"}},
        "d": {"targets": ["re:.*q_proj$"],
              "weights": {"num_bits": 4, "type": "int", "group_size": 128}}}}})");
    PQ_VERIFY_OK(order);
    QCOMPARE(order->schemeFor("model.layers.0.mlp.down_proj")->name, std::string("b"));
    QCOMPARE(order->schemeFor("model.layers.0.mlp.up_proj")->name, std::string("a"));
    QCOMPARE(order->schemeFor("model.layers.0.self_attn.q_proj")->name, std::string("d"));
    // A scheme maps to our format only with that format's activation quantizer.
    auto fp8 = ct::parseQuantizationConfig(R"({"quantization_config": {
        "quant_method": "compressed-tensors", "format": "float-quantized", "config_groups": {
        "weight_only": {"targets": ["re:.*a$"],
            "weights": {"num_bits": 8, "type": "float", "strategy": "channel"}},
        "dynamic": {"targets": ["re:.*b$"],
            "weights": {"num_bits": 8, "type": "float", "strategy": "channel"},
            "input_activations": {"num_bits": 8, "type": "float", "strategy": "token",
                                  "dynamic": true}}}}})");
    PQ_VERIFY_OK(fp8);
    QCOMPARE(ct::formatOfScheme(fp8->groups[0]), std::nullopt);
    QCOMPARE(ct::formatOfScheme(fp8->groups[1]), std::optional(FormatId::FP8Dynamic));
    // Untrusted patterns that would exhaust libstdc++'s recursive regex engine are refused.
    PQ_VERIFY_ERROR(ct::NameMatcher::create("re:" + std::string(100, '(') + std::string(100, ')')),
                    ErrorCode::InvalidFormat, "nested 100 deep");
    PQ_VERIFY_ERROR(ct::parseQuantizationConfig(R"({"quantization_config": {"quant_method":
        "compressed-tensors", "config_groups": {"W4A16": ["Linear"]}}})"),
                    ErrorCode::Unsupported, "preset shorthand");
    PQ_VERIFY_ERROR(ct::parseQuantizationConfig(R"({"quantization_config": {"quant_method":
        "awq"}})"),
                    ErrorCode::Unsupported, "awq");
    PQ_VERIFY_ERROR(ct::parseQuantizationConfig("{}"), ErrorCode::NotFound, "quantization_config");
}

QTEST_GUILESS_MAIN(TestExporter)
#include "test_exporter.moc"
