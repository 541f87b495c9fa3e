// SPDX-License-Identifier: MIT
// The demo-model trainer (core/probe/train.h) on a tiny Llama and a slice of the bundled KJV
// text: the loss falls, the written directory is a Llama the runtime opens with the same
// held-out loss the trainer measured, training is reproducible from its seed, and the output
// directory appears whole or not at all (cancel while writing, an existing directory, bad input).
#include <cmath>
#include <filesystem>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include "core/data/text_source.h"
#include "core/model/inventory.h"
#include "core/probe/causal_lm.h"
#include "core/probe/train.h"
#include "core/text/bpe_trainer.h"
#include "core/text/tokenizer.h"

namespace fs = std::filesystem;
using pq::core::ErrorCode;
using pq::core::JobContext;
using pq::probe::TrainData;
using pq::probe::TrainSettings;

namespace {

constexpr std::size_t CHAPTERS = 80;  ///< the last 8 are held out
constexpr std::size_t HELD_OUT_CHAPTERS = 8;

/** Tokenizer (vocabulary 512) and token streams from the first KJV chapters. */
TrainData makeData()
{
    auto corpus = pq::core::data::loadTextSource(PQ_SOURCE_DIR "/examples/calibration/kjv.txt.gz");
    if (!corpus) {
        qFatal("%s", corpus.error().message().c_str());
    }
    std::vector<std::string> texts;
    for (std::size_t d = 0; d < CHAPTERS; ++d) {
        texts.push_back(corpus->documents[d].text + "\n\n");
    }
    pq::core::text::BpeTrainerOptions options;
    options.vocabSize = 512;
    const std::vector<std::string_view> trainTexts(texts.begin(), texts.end() - HELD_OUT_CHAPTERS);
    auto bpe = pq::core::text::trainByteLevelBpe(trainTexts, options, JobContext{});
    if (!bpe) {
        qFatal("%s", bpe.error().message().c_str());
    }
    TrainData data;
    data.tokenizerJson = bpe->tokenizerJson();
    data.tokenizerConfigJson = bpe->tokenizerConfigJson(64);
    data.bos = bpe->specialId(0);
    data.eos = bpe->specialId(1);
    auto tok = pq::core::text::Tokenizer::fromJson(data.tokenizerJson, data.tokenizerConfigJson);
    for (std::size_t d = 0; d < CHAPTERS; ++d) {
        const auto ids = tok->encode(texts[d]);
        auto &stream = d < CHAPTERS - HELD_OUT_CHAPTERS ? data.train : data.heldOut;
        stream.insert(stream.end(), ids.begin(), ids.end());
    }
    return data;
}

TrainSettings tinySettings()
{
    TrainSettings s;
    s.shape.hiddenSize = 32;
    s.shape.intermediateSize = 64;
    s.shape.numLayers = 2;
    s.shape.numHeads = 4;
    s.shape.numKvHeads = 2;
    s.shape.vocabSize = 512;
    s.shape.maxPositions = 64;
    s.steps = 30;
    s.batchSize = 8;
    s.seqLen = 33;
    s.learningRate = 1e-2;
    s.minLearningRate = 1e-3;
    s.warmupSteps = 3;
    s.logEvery = 5;
    s.evalEvery = 0;
    s.evalWindows = 8;
    s.threads = 2;
    s.seed = 7;
    return s;
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/** Entries of `dir` (to see that nothing temporary was left behind). */
QStringList entries(const QString &dir)
{
    QStringList out;
    for (const auto &e : fs::directory_iterator(dir.toStdString())) {
        out << QString::fromStdString(e.path().filename().string());
    }
    out.sort();
    return out;
}

/** Mean next-token cross-entropy of `lm` over the trainer's held-out windows. */
double heldOutLoss(pq::probe::CausalLm &lm, const TrainData &data, std::uint64_t seqLen)
{
    const std::size_t len = seqLen - 1;
    const auto vocab = static_cast<std::size_t>(lm.vocabSize());
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t w = 0; (w + 1) * len <= data.heldOut.size(); ++w) {
        std::vector<std::int32_t> ids = {data.bos};
        ids.insert(ids.end(), data.heldOut.begin() + static_cast<std::ptrdiff_t>(w * len),
                   data.heldOut.begin() + static_cast<std::ptrdiff_t>((w + 1) * len - 1));
        const auto logits = lm.logits(ids);
        for (std::size_t t = 0; t < len; ++t) {
            const float *row = logits->data() + t * vocab;
            double maxv = row[0];
            for (std::size_t v = 1; v < vocab; ++v) {
                maxv = std::max<double>(maxv, row[v]);
            }
            double z = 0.0;
            for (std::size_t v = 0; v < vocab; ++v) {
                z += std::exp(row[v] - maxv);
            }
            const auto target = static_cast<std::size_t>(data.heldOut[w * len + t]);
            sum += maxv + std::log(z) - row[target];
            ++count;
        }
    }
    return sum / static_cast<double>(count);
}

/** The CPU runtime with two threads (the CI machines' size). */
pq::probe::RuntimeOptions twoThreads()
{
    pq::probe::RuntimeOptions o;
    o.threads = 2;
    return o;
}

}  // namespace

class TestTrain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void lossFallsAndTheModelLoads();
    void reproducibleFromSeed();
    void cancelWhileWritingLeavesNothing();
    void cancelWhileTraining();
    void existingDirectory();
    void invalidInput();

private:
    QTemporaryDir m_dir;
    TrainData m_data;
    pq::probe::TrainReport m_report;
    QString m_model;
};

void TestTrain::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = makeData();
    QVERIFY(m_data.train.size() > 50'000);
    QVERIFY(m_data.heldOut.size() > 5'000);
    m_model = m_dir.filePath(QStringLiteral("tiny"));
    auto report = pq::probe::trainLlama(m_data, tinySettings(), m_model.toStdString(), {});
    QVERIFY2(report, report ? "" : report.error().message().c_str());
    m_report = *report;
}

void TestTrain::lossFallsAndTheModelLoads()
{
    const auto &log = m_report.log;
    QCOMPARE(log.size(), std::size_t{6});
    QCOMPARE(log.back().step, std::uint64_t{30});
    qInfo("train loss %.3f -> %.3f, held-out %.3f (ppl %.1f), %.0f tok/s", log.front().trainLoss,
          log.back().trainLoss, m_report.heldOutLoss, m_report.heldOutPerplexity,
          m_report.tokensPerSecond);
    // ln 512 = 6.24 at the start (the first entry averages steps 1-5); 30 steps learn at
    // least the unigram statistics, on text never trained on too.
    QVERIFY(log.front().trainLoss > 5.8);
    QVERIFY(log.back().trainLoss < log.front().trainLoss - 0.8);
    QVERIFY(m_report.heldOutLoss < std::log(512.0) - 1.0);
    QCOMPARE(m_report.tokensSeen, std::uint64_t{30 * 8 * 32});
    QCOMPARE(m_report.parameters, tinySettings().shape.parameters());
    QCOMPARE(m_report.weightBytes, 2 * m_report.parameters);

    const std::string dir = m_model.toStdString();
    QCOMPARE(entries(m_model),
             QStringList({QStringLiteral("config.json"), QStringLiteral("generation_config.json"),
                          QStringLiteral("model.safetensors"), QStringLiteral("tokenizer.json"),
                          QStringLiteral("tokenizer_config.json"),
                          QStringLiteral("training.json")}));
    auto inv = pq::core::inventoryModelDir(dir);
    QVERIFY2(inv, inv ? "" : inv.error().message().c_str());
    QCOMPARE(inv->config.architectures, std::vector<std::string>({"LlamaForCausalLM"}));
    QCOMPARE(inv->config.torchDtype, std::string("bfloat16"));
    QCOMPARE(inv->linears.size(), std::size_t{2 * 7});
    QCOMPARE(inv->countKind(pq::core::TensorKind::LmHead), std::size_t{1});  // untied
    QCOMPARE(inv->sourceDtypeName(), std::string("BF16"));

    auto lm = pq::probe::CausalLm::open(dir, twoThreads());
    QVERIFY2(lm, lm ? "" : lm.error().message().c_str());
    const auto logits = (*lm)->logits(std::vector<std::int32_t>{m_data.bos, 300, 301, 302});
    QVERIFY(logits);
    QCOMPARE(logits->size(), std::size_t{4 * 512});
    QVERIFY(std::all_of(logits->begin(), logits->end(), [](float v) { return std::isfinite(v); }));
    // The runtime reads back the model the trainer measured (BF16-rounded weights).
    QVERIFY(std::abs(heldOutLoss(**lm, m_data, 33) - m_report.heldOutLoss) < 1e-4);
    auto tok = pq::core::text::Tokenizer::load(dir);
    QVERIFY(tok);
    QCOMPARE(tok->bosId(), std::optional<std::int32_t>(m_data.bos));
}

void TestTrain::reproducibleFromSeed()
{
    const QString again = m_dir.filePath(QStringLiteral("again"));
    auto report = pq::probe::trainLlama(m_data, tinySettings(), again.toStdString(), {});
    QVERIFY(report);
    QCOMPARE(report->log.back().trainLoss, m_report.log.back().trainLoss);
    QVERIFY(readFile(again.toStdString() + "/model.safetensors") ==
            readFile(m_model.toStdString() + "/model.safetensors"));
    fs::remove_all(again.toStdString());
}

void TestTrain::cancelWhileWritingLeavesNothing()
{
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("model"));
    JobContext ctx([&ctx](std::string_view stage, std::uint64_t done, std::uint64_t) {
        if (stage == "write" && done == 3) {
            ctx.requestCancel();
        }
    });
    TrainSettings s = tinySettings();
    s.steps = 2;
    auto report = pq::probe::trainLlama(m_data, s, out.toStdString(), ctx);
    QVERIFY(!report);
    QCOMPARE(report.error().code, ErrorCode::Cancelled);
    QCOMPARE(entries(dir.path()), QStringList());  // no model, no temporary directory
}

void TestTrain::cancelWhileTraining()
{
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("model"));
    JobContext ctx([&ctx](std::string_view stage, std::uint64_t done, std::uint64_t) {
        if (stage == "train" && done == 2) {
            ctx.requestCancel();
        }
    });
    auto report = pq::probe::trainLlama(m_data, tinySettings(), out.toStdString(), ctx);
    QVERIFY(!report);
    QCOMPARE(report.error().code, ErrorCode::Cancelled);
    QCOMPARE(entries(dir.path()), QStringList());
}

void TestTrain::existingDirectory()
{
    QTemporaryDir dir;
    const std::string out = dir.filePath(QStringLiteral("model")).toStdString();
    fs::create_directory(out);
    std::ofstream(out + "/keep.txt") << "old";
    TrainSettings s = tinySettings();
    s.steps = 2;
    auto refused = pq::probe::trainLlama(m_data, s, out, {});
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
    QVERIFY(fs::exists(out + "/keep.txt"));

    s.overwrite = true;
    auto replaced = pq::probe::trainLlama(m_data, s, out + "/", {});  // trailing slash too
    QVERIFY2(replaced, replaced ? "" : replaced.error().message().c_str());
    QVERIFY(!fs::exists(out + "/keep.txt"));
    QVERIFY(fs::exists(out + "/model.safetensors"));
    QCOMPARE(entries(dir.path()), QStringList({QStringLiteral("model")}));
}

void TestTrain::invalidInput()
{
    const std::string out = m_dir.filePath(QStringLiteral("never")).toStdString();
    TrainSettings s = tinySettings();
    s.shape.numKvHeads = 3;
    auto r = pq::probe::trainLlama(m_data, s, out, {});
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::InvalidArgument);

    s = tinySettings();
    s.seqLen = 65;  // beyond max positions
    QCOMPARE(pq::probe::trainLlama(m_data, s, out, {}).error().code, ErrorCode::InvalidArgument);

    TrainData bad = m_data;
    bad.train[10] = 512;  // outside the vocabulary
    r = pq::probe::trainLlama(bad, tinySettings(), out, {});
    QVERIFY(!r);
    QVERIFY(r.error().message().find("512") != std::string::npos);
    QVERIFY(!fs::exists(out));
}

QTEST_APPLESS_MAIN(TestTrain)
#include "test_train.moc"
