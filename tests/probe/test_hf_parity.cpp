// SPDX-License-Identifier: MIT
// Our forward against Hugging Face `transformers` for every family the probe runs: the pinned
// transformers (scripts/pyenv, from PyPI) builds a tiny random model of each family from a small
// config, saves it as a real checkpoint and records its logits on a fixed batch
// (tests/probe/hf_reference.py); our CausalLm must reproduce them within 1e-4 (float32).
// Covers llama (untied, tied, llama3 and linear RoPE scaling), mistral, qwen2 (q/k/v bias),
// qwen3 (q/k norms), qwen3_moe (normalised and unnormalised top-k, a dense layer through
// mlp_only_layers) and mixtral (MoE with always-renormalised top-k).
// Skipped, saying why, only when PyPI is unreachable (scripts/pyenv exit status 3); any other
// failure of the reference is a test failure.
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "core/probe/causal_lm.h"
#include "tests/support/pyenv_runner.h"

using json = nlohmann::json;

namespace {

constexpr const char *TORCH_REQ = "torch==2.15.0";
constexpr const char *TRANSFORMERS_REQ = "transformers==5.23.0";
constexpr int SCRIPT_TIMEOUT_MS = 300 * 1000;
constexpr double TOLERANCE = 1e-4;

}  // namespace

class TestHfParity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void logitsMatchTransformers_data();
    void logitsMatchTransformers();

private:
    QTemporaryDir m_dir;
    json m_cases;
};

void TestHfParity::initTestCase()
{
    QString python;
    PQ_PYENV_OR_SKIP(python, QString::fromLatin1(TORCH_REQ), QString::fromLatin1(TRANSFORMERS_REQ));
    const pq::test::Ran ref = pq::test::runProcess(
            python, {QStringLiteral(PQ_SOURCE_DIR "/tests/probe/hf_reference.py"), m_dir.path()},
            SCRIPT_TIMEOUT_MS);
    QVERIFY2(ref.exitCode == 0, ref.err.right(3000).constData());
    std::ifstream in(m_dir.filePath(QStringLiteral("cases.json")).toStdString());
    m_cases = json::parse(in);
    qInfo("reference: transformers %s, torch %s",
          m_cases.at("transformers").get<std::string>().c_str(),
          m_cases.at("torch").get<std::string>().c_str());
}

void TestHfParity::logitsMatchTransformers_data()
{
    QTest::addColumn<QString>("name");
    for (const json &c : m_cases.at("cases")) {
        const std::string name = c.at("name").get<std::string>();
        QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }
}

void TestHfParity::logitsMatchTransformers()
{
    QFETCH(QString, name);
    const std::string dir = m_dir.filePath(name).toStdString();
    std::ifstream idsIn(dir + "/ids.json");
    const auto ids = json::parse(idsIn).get<std::vector<std::vector<std::int32_t>>>();
    const std::vector<float> expected = pq::test::readFloats(dir + "/logits.f32");
    auto lm = pq::probe::CausalLm::open(dir);
    QVERIFY2(lm.has_value(), lm ? "" : lm.error().message().c_str());
    const auto vocab = static_cast<std::size_t>((*lm)->vocabSize());
    std::size_t offset = 0;
    double maxDiff = 0.0;
    double maxAbs = 0.0;
    for (const auto &seq : ids) {
        const auto logits = (*lm)->logits(seq);
        QVERIFY2(logits.has_value(), logits ? "" : logits.error().message().c_str());
        QCOMPARE(logits->size(), seq.size() * vocab);
        QVERIFY(offset + logits->size() <= expected.size());
        for (std::size_t i = 0; i < logits->size(); ++i) {
            maxDiff = std::max(maxDiff, std::abs(static_cast<double>((*logits)[i]) -
                                                 static_cast<double>(expected[offset + i])));
            maxAbs = std::max(maxAbs, std::abs(static_cast<double>(expected[offset + i])));
        }
        offset += logits->size();
    }
    QCOMPARE(offset, expected.size());
    QVERIFY2(maxAbs > 0.1, "the reference logits are degenerate");
    qInfo("%s: max |ours - transformers| = %.3g (logits up to %.3g)", qPrintable(name), maxDiff,
          maxAbs);
    QVERIFY2(maxDiff <= TOLERANCE, qPrintable(QStringLiteral("max abs diff %1").arg(maxDiff)));
}

QTEST_APPLESS_MAIN(TestHfParity)
#include "test_hf_parity.moc"
