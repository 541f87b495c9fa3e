// SPDX-License-Identifier: MIT
// The runtime against a real trained model nobody here wrote: karpathy's stories260K (llama2.c
// format), converted to a Hugging Face directory, must greedy-decode from BOS exactly the
// sentence recorded in ../shared/data/SOURCES.md (and upstream llama2.c's doc/stories260K.md).
// A wrong RoPE row permutation, norm, GQA mapping or tied head shows up here at once.
#include <cstring>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include "core/model/inventory.h"
#include "core/model/llama2c_import.h"
#include "core/probe/causal_lm.h"
#include "core/text/tokenizer.h"
#include "tests/support/shared_data.h"

namespace {

const char *const GOLDEN =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
        "park. One day, she saw a big, red ball. She wanted to play with it, but it was too high";

/** llama2.c's tokenizer.bin: max length, then per token a float score, a length and bytes. */
std::vector<std::string> readLlama2cVocab(const std::string &path, int vocab)
{
    std::ifstream in(path, std::ios::binary);
    std::int32_t maxLen = 0;
    in.read(reinterpret_cast<char *>(&maxLen), 4);
    std::vector<std::string> pieces;
    for (int i = 0; i < vocab && in; ++i) {
        float score = 0;
        std::int32_t len = 0;
        in.read(reinterpret_cast<char *>(&score), 4);
        in.read(reinterpret_cast<char *>(&len), 4);
        std::string s(static_cast<std::size_t>(len), '\0');
        in.read(s.data(), len);
        pieces.push_back(s);
    }
    return pieces;
}

/** llama2.c's decode: strip the space after BOS, turn <0xXX> pieces into bytes. */
std::string decode(const std::vector<std::string> &vocab, const std::vector<std::int32_t> &ids)
{
    std::string out;
    std::int32_t prev = 1;
    for (const std::int32_t id : ids) {
        std::string piece = vocab.at(static_cast<std::size_t>(id));
        if (prev == 1 && !piece.empty() && piece[0] == ' ') {
            piece.erase(0, 1);
        }
        unsigned byte = 0;
        if (std::sscanf(piece.c_str(), "<0x%02X>", &byte) == 1) {
            piece = std::string(1, static_cast<char>(byte));
        }
        out += piece;
        prev = id;
    }
    return out;
}

}  // namespace

class TestStories260k : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void convertedDirectoryIsAValidLlama();
    void greedyDecodeMatchesGolden();
    void truncatedFileIsRefused();
    void convertedTokenizerDecodesTheGolden();

private:
    QTemporaryDir m_dir;
    std::string m_model;
};

void TestStories260k::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("stories260K")).toStdString();
    const auto st = pq::core::importLlama2c(
            pq::test::sharedData("tinyllamas-stories260K/stories260K.bin"), m_model);
    QVERIFY2(st.has_value(), st ? "" : st.error().message().c_str());
}

void TestStories260k::convertedDirectoryIsAValidLlama()
{
    const auto inv = pq::core::inventoryModelDir(m_model);
    QVERIFY(inv.has_value());
    QCOMPARE(std::string(inv->profile->name), std::string("llama"));
    QCOMPARE(inv->linears.size(), std::size_t{5 * 7});
    QVERIFY(inv->config.tieWordEmbeddings);
    QCOMPARE(inv->countKind(pq::core::TensorKind::LmHead), std::size_t{0});
    QCOMPARE(inv->totals().params, std::uint64_t{264128 - 512 * 8});  // minus the RoPE tables
    QVERIFY(inv->checkQuantizable().has_value());
}

void TestStories260k::greedyDecodeMatchesGolden()
{
    auto lm = pq::probe::CausalLm::open(m_model);
    QVERIFY2(lm.has_value(), lm ? "" : lm.error().message().c_str());
    const std::vector<std::int32_t> bos = {1};
    const auto ids = (*lm)->greedy(bos, 60);
    QVERIFY2(ids.has_value(), ids ? "" : ids.error().message().c_str());
    const auto vocab =
            readLlama2cVocab(pq::test::sharedData("tinyllamas-stories260K/tok512.bin"), 512);
    QCOMPARE(decode(vocab, *ids), std::string(GOLDEN));
}

void TestStories260k::truncatedFileIsRefused()
{
    const std::string src = pq::test::sharedData("tinyllamas-stories260K/stories260K.bin");
    const std::string cut = m_dir.filePath(QStringLiteral("cut.bin")).toStdString();
    std::ifstream in(src, std::ios::binary);
    std::vector<char> bytes(1000);
    in.read(bytes.data(), 1000);
    std::ofstream(cut, std::ios::binary).write(bytes.data(), 1000);
    const auto st =
            pq::core::importLlama2c(cut, m_dir.filePath(QStringLiteral("out")).toStdString());
    QVERIFY(!st.has_value());
    QVERIFY2(st.error().message().find("needs exactly 1056540") != std::string::npos,
             st.error().message().c_str());
}

void TestStories260k::convertedTokenizerDecodesTheGolden()
{
    // tok512.bin → tokenizer.json (SentencePiece-style BPE, byte fallback); our Tokenizer must
    // turn the model's own greedy output into the recorded sentence, and encode it back.
    QVERIFY(pq::core::importLlama2cTokenizer(
            pq::test::sharedData("tinyllamas-stories260K/tok512.bin"), m_model));
    auto tok = pq::core::text::Tokenizer::load(m_model);
    QVERIFY2(tok.has_value(), tok ? "" : tok.error().message().c_str());
    QCOMPARE(tok->vocabSize(), std::size_t{512});
    QCOMPARE(tok->bosId(), std::optional<std::int32_t>(1));
    auto lm = pq::probe::CausalLm::open(m_model);
    QVERIFY(lm.has_value());
    const std::vector<std::int32_t> bos = {1};
    const auto ids = (*lm)->greedy(bos, 60);
    QVERIFY(ids.has_value());
    QCOMPARE(tok->decode(*ids), std::string(GOLDEN));
    const auto encoded = tok->encode(GOLDEN);
    QCOMPARE(tok->decode(encoded), std::string(GOLDEN));
    QCOMPARE(encoded, *ids);  // the model writes SentencePiece's own segmentation
    QCOMPARE(tok->encode(GOLDEN, true).front(), 1);
}

QTEST_APPLESS_MAIN(TestStories260k)
#include "test_stories260k.moc"
