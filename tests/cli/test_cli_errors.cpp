// SPDX-License-Identifier: MIT
// What newcomers point the CLI at (issue 8, docs/errors.md): each case exits with its documented
// status and a message that says what was found, why it cannot be used and what to do instead.
// Every fixture is written here (a fake GGUF header, tiny checkpoints with core's writer).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "core/io/checkpoint_writer.h"
#include "core/model/inventory.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/util/atomic_file.h"
#include "tests/support/cli_runner.h"
#include "tests/support/tiny_configs.h"

namespace fs = std::filesystem;
using namespace pq::core;

namespace {

void writeText(const fs::path &path, const std::string &text)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

/** config.json and one shard holding `tensors` (zeros). */
void writeModel(const fs::path &dir, const nlohmann::json &config, std::vector<TensorInfo> tensors)
{
    fs::create_directories(dir);
    writeText(dir / "config.json", config.dump(2));
    auto w = CheckpointWriter::create(dir.string(), tensors);
    QVERIFY2(w.has_value(), w ? "" : w.error().message().c_str());
    for (const std::string &name : w->writeOrder()) {
        const auto it = std::find_if(tensors.begin(), tensors.end(),
                                     [&](const TensorInfo &t) { return t.name == name; });
        const std::vector<std::byte> zeros(it->byteSize().value());
        QVERIFY(w->writeTensor(name, zeros).has_value());
    }
    QVERIFY(w->finish().has_value());
}

/** The tiny Llama's tensors with every Linear weight replaced by `companions(module)`. */
std::vector<TensorInfo> quantizedTensors(
        const std::function<std::vector<TensorInfo>(const std::string &module)> &companions)
{
    const nlohmann::json cfg = pq::test::tinyLlamaConfig();
    auto parsed = parseModelConfig(cfg.dump());
    std::vector<TensorInfo> out;
    for (TensorInfo &t : synthesizeTensors(*parsed, *findProfile(*parsed))) {
        const bool linear = t.name.ends_with("_proj.weight") && t.shape.size() == 2;
        if (!linear) {
            out.push_back(std::move(t));
            continue;
        }
        const std::string module = t.name.substr(0, t.name.size() - std::string(".weight").size());
        for (TensorInfo &c : companions(module)) {
            out.push_back(std::move(c));
        }
    }
    return out;
}

std::string firstSafetensors(const fs::path &dir)
{
    for (const auto &e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".safetensors") {
            return e.path().string();
        }
    }
    return {};
}

/** Fails with the whole output unless `text` holds every phrase. */
bool containsAll(const std::string &text, const QStringList &phrases, QString *missing)
{
    for (const QString &p : phrases) {
        if (text.find(p.toStdString()) == std::string::npos) {
            *missing = p;
            return false;
        }
    }
    return true;
}

}  // namespace

class TestCliErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void notAModelDirectory_data();
    void notAModelDirectory();
    void alreadyQuantized_data();
    void alreadyQuantized();
    void unsupportedArchitecture();
    void missingTokenizer();
    void targetBelowSmallest();

private:
    QString path(const char *rel) const { return m_dir.filePath(QString::fromUtf8(rel)); }

    fs::path root() const { return m_dir.path().toStdString(); }

    QTemporaryDir m_dir;
};

void TestCliErrors::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // A GGUF header: magic, version 3, then the tensor count (never read).
    writeText(root() / "model-Q4_K_M.gguf", std::string("GGUF\x03\0\0\0\x01\0\0\0", 12));
    writeText(root() / "gguf-only" / "model-Q4_K_M.gguf", std::string("GGUF\x03\0\0\0", 8));
    fs::create_directories(root() / "empty");
    writeText(root() / "no-config" / "README.md", "# notes\n");
    // A real (tiny) model without tokenizer files.
    const JobContext ctx;
    QVERIFY(writeSyntheticCheckpoint(pq::test::tinyLlamaConfig().dump(),
                                     (root() / "llama").string(), 1, {}, ctx)
                    .has_value());
    const std::string shard = firstSafetensors(root() / "llama");
    QVERIFY(!shard.empty());
    fs::create_directories(root() / "weights-only");
    fs::copy_file(shard, root() / "weights-only" / "model.safetensors");
    writeText(root() / "models" / "tiny-llama" / "config.json", pq::test::tinyLlamaConfig().dump());
}

void TestCliErrors::notAModelDirectory_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QStringList>("phrases");  // (a) what was found, (b) why not, (c) instead
    const QStringList gguf = {QStringLiteral("PrismaQuant cannot use GGUF"),
                              QStringLiteral("already quantized by llama.cpp"),
                              QStringLiteral("Download the original safetensors release")};
    QTest::newRow("gguf file") << path("model-Q4_K_M.gguf")
                               << (QStringList{QStringLiteral("this is a GGUF file"),
                                               QStringLiteral("version 3")} +
                                   gguf);
    QTest::newRow("gguf-only directory")
            << path("gguf-only")
            << (QStringList{QStringLiteral("holds GGUF files (model-Q4_K_M.gguf)")} + gguf);
    QTest::newRow("single safetensors file")
            << QString::fromStdString(firstSafetensors(root() / "llama"))
            << QStringList{QStringLiteral("this is a single .safetensors file"),
                           QStringLiteral("come from config.json"),
                           QStringLiteral("give its directory instead"),
                           m_dir.filePath(QStringLiteral("llama"))};
    QTest::newRow("config.json itself")
            << path("llama/config.json")
            << QStringList{QStringLiteral("this is config.json itself"),
                           QStringLiteral("reads the whole model directory"),
                           QStringLiteral("give the directory that holds it")};
    QTest::newRow("nonexistent path") << path("no-such-model")
                                      << QStringList{QStringLiteral("no such file or directory"),
                                                     QStringLiteral("check the spelling"),
                                                     QStringLiteral("huggingface-cli download")};
    QTest::newRow("empty directory") << path("empty")
                                     << QStringList{QStringLiteral("the directory is empty"),
                                                    QStringLiteral("no model to read"),
                                                    QStringLiteral("give the directory of")};
    QTest::newRow("no config.json")
            << path("no-config")
            << QStringList{QStringLiteral("no config.json here"), QStringLiteral("README.md"),
                           QStringLiteral("not a Hugging Face model directory"),
                           QStringLiteral("give the directory of")};
    QTest::newRow("weights without config.json")
            << path("weights-only")
            << QStringList{QStringLiteral("holds 1 .safetensors file(s)"),
                           QStringLiteral("but no config.json"),
                           QStringLiteral("architecture, layer count and tensor roles are unknown"),
                           QStringLiteral("Copy config.json")};
    QTest::newRow("folder of models")
            << path("models")
            << QStringList{QStringLiteral("there is no config.json here"),
                           m_dir.filePath(QStringLiteral("models/tiny-llama")),
                           QStringLiteral("give that directory")};
}

void TestCliErrors::notAModelDirectory()
{
    QFETCH(QString, target);
    QFETCH(QStringList, phrases);
    // inspect and validate answer with the engine's message (input error, exit 2).
    for (const QString &command : {QStringLiteral("inspect"), QStringLiteral("validate")}) {
        const pq::test::CliRun r = pq::test::runCli({command, target});
        QCOMPARE(r.exitCode, 2);
        QString missing;
        QVERIFY2(containsAll(r.err, phrases, &missing),
                 qPrintable(command + QStringLiteral(": no '") + missing +
                            QStringLiteral("' in: ") + QString::fromStdString(r.err)));
        QVERIFY2(r.err.find(target.toStdString()) != std::string::npos, r.err.c_str());
    }
}

void TestCliErrors::alreadyQuantized_data()
{
    QTest::addColumn<QString>("quantMethod");  // config.json quantization_config, "" = none
    QTest::addColumn<QString>("suffixes");     // companion tensors written per Linear
    QTest::addColumn<QString>("method");       // what the message calls it
    QTest::newRow("AWQ") << "awq"
                         << "qweight,qzeros,scales"
                         << "AWQ";
    QTest::newRow("GPTQ") << "gptq"
                          << "qweight,qzeros,scales,g_idx"
                          << "GPTQ";
    QTest::newRow("bitsandbytes 4-bit") << "bitsandbytes"
                                        << "weight,weight.absmax,weight.quant_map"
                                        << "bitsandbytes";
    QTest::newRow("compressed-tensors") << "compressed-tensors"
                                        << "weight_packed,weight_scale,weight_shape"
                                        << "compressed-tensors";
    QTest::newRow("qweight, no config") << ""
                                        << "qweight,qzeros,scales"
                                        << "AWQ/GPTQ";
    QTest::newRow("SCB, no config") << ""
                                    << "weight,SCB"
                                    << "bitsandbytes";
    QTest::newRow("weight_scale, no config") << ""
                                             << "weight,weight_scale"
                                             << "FP8";
}

void TestCliErrors::alreadyQuantized()
{
    QFETCH(QString, quantMethod);
    QFETCH(QString, suffixes);
    QFETCH(QString, method);
    nlohmann::json config = pq::test::tinyLlamaConfig();
    if (!quantMethod.isEmpty()) {
        config["quantization_config"] = {{"quant_method", quantMethod.toStdString()}};
    }
    const QStringList parts = suffixes.split(QLatin1Char(','));
    const auto tensors = quantizedTensors([&](const std::string &module) {
        std::vector<TensorInfo> out;
        for (const QString &s : parts) {
            out.push_back({module + "." + s.toStdString(), DType::I32, {4, 8}});
        }
        return out;
    });
    const fs::path dir =
            root() / ("quantized-" + QString::fromLatin1(QTest::currentDataTag())
                                             .replace(QLatin1Char(' '), QLatin1Char('-'))
                                             .replace(QLatin1Char(','), QLatin1Char('-'))
                                             .toStdString());
    writeModel(dir, config, tensors);
    const QStringList phrases = {QStringLiteral("this checkpoint is already quantized: found"),
                                 method + QStringLiteral(" weights"),
                                 QStringLiteral("would compound the errors"),
                                 QStringLiteral("Start from the original BF16/FP16 release")};
    // export refuses it before writing anything (input error) ...
    const QString out = QString::fromStdString((dir.string() + "-export"));
    const pq::test::CliRun e = pq::test::runCli(
            {QStringLiteral("export"), QString::fromStdString(dir.string()),
             QStringLiteral("--uniform"), QStringLiteral("W8A16"), QStringLiteral("--out"), out});
    QCOMPARE(e.exitCode, 2);
    QString missing;
    QVERIFY2(containsAll(e.err, phrases, &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(e.err)));
    QVERIFY(!fs::exists(out.toStdString()));
    // ... and validate says it as its failed `source` check.
    const pq::test::CliRun v =
            pq::test::runCli({QStringLiteral("validate"), QString::fromStdString(dir.string())});
    QCOMPARE(v.exitCode, 2);
    QVERIFY2(v.out.find("✗ source") != std::string::npos, v.out.c_str());
    QVERIFY2(containsAll(v.out, phrases, &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(v.out)));
}

void TestCliErrors::unsupportedArchitecture()
{
    // T5: no decoder-only sizes at all; refused when config.json is read.
    writeText(root() / "t5" / "config.json",
              nlohmann::json{{"model_type", "t5"},
                             {"architectures", {"T5ForConditionalGeneration"}},
                             {"d_model", 64},
                             {"num_layers", 2},
                             {"num_heads", 4},
                             {"vocab_size", 96}}
                      .dump());
    const pq::test::CliRun t5 = pq::test::runCli({QStringLiteral("inspect"), path("t5")});
    QCOMPARE(t5.exitCode, 2);
    QString missing;
    QVERIFY2(containsAll(t5.err,
                         {QStringLiteral("model_type 't5' (T5ForConditionalGeneration) is not an "
                                         "architecture PrismaQuant supports"),
                          QStringLiteral("no profile serves it"), QStringLiteral("qwen3_moe"),
                          QStringLiteral("use a model of one of those")},
                         &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(t5.err)));
    // Mamba: sizes parse, but its tensors follow no profile.
    const nlohmann::json mamba = {{"model_type", "mamba"},  {"architectures", {"MambaForCausalLM"}},
                                  {"hidden_size", 64},      {"intermediate_size", 128},
                                  {"num_hidden_layers", 1}, {"state_size", 16},
                                  {"vocab_size", 96}};
    writeModel(root() / "mamba", mamba,
               {{"backbone.embeddings.weight", DType::BF16, {96, 64}},
                {"backbone.layers.0.mixer.A_log", DType::F32, {128, 16}},
                {"backbone.layers.0.mixer.in_proj.weight", DType::BF16, {256, 64}},
                {"backbone.layers.0.mixer.out_proj.weight", DType::BF16, {64, 128}},
                {"backbone.layers.0.norm.weight", DType::BF16, {64}},
                {"backbone.norm_f.weight", DType::BF16, {64}}});
    const QStringList phrases = {QStringLiteral("model_type 'mamba' is not an architecture "
                                                "PrismaQuant supports"),
                                 QStringLiteral("do not follow the Llama-style names"),
                                 QStringLiteral("backbone."), QStringLiteral("llama, mistral"),
                                 QStringLiteral("use a model of one of those")};
    const pq::test::CliRun e = pq::test::runCli(
            {QStringLiteral("export"), path("mamba"), QStringLiteral("--uniform"),
             QStringLiteral("W8A16"), QStringLiteral("--out"), path("mamba-export")});
    QCOMPARE(e.exitCode, 2);
    QVERIFY2(containsAll(e.err, phrases, &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(e.err)));
    const pq::test::CliRun v = pq::test::runCli({QStringLiteral("validate"), path("mamba")});
    QCOMPARE(v.exitCode, 2);
    QVERIFY2(v.out.find("✗ profile") != std::string::npos, v.out.c_str());
    QVERIFY2(v.out.find("no profile for model_type 'mamba'") != std::string::npos, v.out.c_str());
    // inspect still shows what is there, and why it cannot be quantized.
    const pq::test::CliRun i = pq::test::runCli({QStringLiteral("inspect"), path("mamba")});
    QCOMPARE(i.exitCode, 0);
    QVERIFY2(containsAll(i.out, phrases, &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(i.out)));
}

void TestCliErrors::missingTokenizer()
{
    // What needs a tokenizer refuses (probe and eval load it exactly as `tokenize` does) ...
    const pq::test::CliRun t = pq::test::runCli(
            {QStringLiteral("tokenize"), QStringLiteral("--model"), path("llama")});
    QCOMPARE(t.exitCode, 2);
    QString missing;
    QVERIFY2(containsAll(t.err,
                         {QStringLiteral("tokenizer.json: no tokenizer.json in the model "
                                         "directory"),
                          QStringLiteral("tokenize the calibration text exactly as the model was "
                                         "trained"),
                          QStringLiteral("copy tokenizer.json and tokenizer_config.json")},
                         &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(t.err)));
    // ... while inspect and validate pass and say it as a warning.
    for (const QString &command : {QStringLiteral("inspect"), QStringLiteral("validate")}) {
        const pq::test::CliRun r = pq::test::runCli({command, path("llama")});
        QVERIFY2(r.exitCode == 0, r.out.c_str());
        QVERIFY2(containsAll(r.out,
                             {QStringLiteral("Warning"), QStringLiteral("no tokenizer.json"),
                              QStringLiteral("`probe` and `eval` cannot tokenize"),
                              QStringLiteral("copy tokenizer.json")},
                             &missing),
                 qPrintable(command + QStringLiteral(": ") + missing + QStringLiteral(" not in: ") +
                            QString::fromStdString(r.out)));
    }
    const pq::test::CliRun j =
            pq::test::runCli({QStringLiteral("validate"), path("llama"), QStringLiteral("--json")});
    QCOMPARE(j.exitCode, 0);
    const auto warnings = nlohmann::json::parse(j.out).at("warnings");
    QCOMPARE(warnings.size(), std::size_t{1});
    QVERIFY(warnings.at(0).get<std::string>().starts_with("no tokenizer.json"));
}

void TestCliErrors::targetBelowSmallest()
{
    // A menu without 4-bit formats: the smallest size, and "add a 4-bit format".
    const pq::test::CliRun r = pq::test::runCli(
            {QStringLiteral("allocate"), path("alloc-run"), QStringLiteral("--data-free"),
             QStringLiteral("--model"), path("llama"), QStringLiteral("--formats"),
             QStringLiteral("MXFP8"), QStringLiteral("--target-bits"), QStringLiteral("6")});
    QCOMPARE(r.exitCode, 1);  // the target is a command-line value
    QString missing;
    QVERIFY2(containsAll(r.err,
                         {QStringLiteral("is below the smallest artifact these constraints "
                                         "allow"),
                          QStringLiteral("8.25 bits per Linear parameter"),
                          QStringLiteral("No recipe can be that small"),
                          QStringLiteral("put a 4-bit format on the menu")},
                         &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(r.err)));
    QVERIFY(!fs::exists(root() / "alloc-run" / "recipe.json"));
    // 4-bit formats on the menu already: fewer pins is the way down.
    const pq::test::CliRun four = pq::test::runCli(
            {QStringLiteral("allocate"), path("alloc-run"), QStringLiteral("--data-free"),
             QStringLiteral("--model"), path("llama"), QStringLiteral("--formats"),
             QStringLiteral("W4A16,MXFP8"), QStringLiteral("--target-bits"), QStringLiteral("2")});
    QCOMPARE(four.exitCode, 1);
    QVERIFY2(containsAll(four.err,
                         {QStringLiteral("below the smallest artifact"),
                          QStringLiteral("4-bit formats are already the floor"),
                          QStringLiteral("drop --pin rules")},
                         &missing),
             qPrintable(missing + QStringLiteral(" not in: ") + QString::fromStdString(four.err)));
}

QTEST_GUILESS_MAIN(TestCliErrors)
#include "test_cli_errors.moc"
