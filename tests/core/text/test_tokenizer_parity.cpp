// SPDX-License-Identifier: MIT
// Tokenizer against llama.cpp's reference tokenizations (made with Hugging Face `tokenizers`,
// special tokens off) for the real Qwen3, Llama 3.1 and Gemma 3 tokenizer.json files, plus
// decode round trips, special tokens, BOS/EOS and ill-formed UTF-8 on the same files.
#include <atomic>
#include <random>
#include <thread>

#include <QtTest>

#include "core/text/tokenizer.h"
#include "tests/core/text/tokenizer_test_util.h"

using pq::core::text::Tokenizer;

namespace {

/** The tokenizer of a _data row, loaded once per name (Gemma 3's takes a moment). */
const Tokenizer &tokenizerFor(const QString &name)
{
    static std::map<QString, Tokenizer> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        it = cache.emplace(name, pq::test::loadRealTokenizer(name.toStdString())).first;
    }
    return it->second;
}

/** Random byte strings, a third of them starting from valid UTF-8 that is then damaged. */
std::vector<std::string> randomByteStrings(std::size_t count)
{
    std::mt19937 rng(20240607);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 40);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        std::string s = i % 3 == 0 ? "héllo wörld 🦙 <|im_end|> 123" : "";
        const int n = length(rng);
        for (int k = 0; k < n; ++k) {
            if (!s.empty() && k % 2 == 0) {
                s[static_cast<std::size_t>(byte(rng)) % s.size()] = static_cast<char>(byte(rng));
            } else {
                s += static_cast<char>(byte(rng));
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

class TestTokenizerParity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parity_data();
    void parity();

    void roundTrip_data() { parity_data(); }

    void roundTrip();
    void addSpecialTokens();
    void bosEos();
    void specialTokensInText();
    void illFormedUtf8ByteLevel();
    void illFormedUtf8ByteFallback();

    void randomBytesNeverCrash_data() { parity_data(); }

    void randomBytesNeverCrash();
    void vocabularyQueries();
    void concurrentEncode();
};

void TestTokenizerParity::parity_data()
{
    QTest::addColumn<QString>("tokenizer");
    QTest::addColumn<QString>("vocab");
    QTest::addColumn<int>("cases");
    // llama.cpp's read_tests() finds 46 texts in each file: the qwen2 and llama-bpe .inp files
    // end with a separator that opens no further case; gemma-4's lacks the final separator.
    QTest::newRow("qwen3") << QStringLiteral("qwen3") << QStringLiteral("qwen2") << 46;
    QTest::newRow("llama3_1") << QStringLiteral("llama3_1") << QStringLiteral("llama-bpe") << 46;
    QTest::newRow("gemma3") << QStringLiteral("gemma3") << QStringLiteral("gemma-4") << 46;
}

void TestTokenizerParity::parity()
{
    QFETCH(QString, tokenizer);
    QFETCH(QString, vocab);
    QFETCH(int, cases);
    const Tokenizer &tok = tokenizerFor(tokenizer);
    const auto vectors = pq::test::loadVocabCases(vocab.toStdString());
    QCOMPARE(static_cast<int>(vectors.size()), cases);
    int matched = 0;
    for (const auto &c : vectors) {
        const std::vector<std::int32_t> got = tok.encode(c.text);
        if (got == c.ids) {
            ++matched;
        } else {
            qWarning("text \"%s\"\n  expected %s\n  got      %s", pq::test::escaped(c.text).c_str(),
                     pq::test::idsText(c.ids).c_str(), pq::test::idsText(got).c_str());
        }
    }
    QCOMPARE(matched, cases);
}

void TestTokenizerParity::roundTrip()
{
    QFETCH(QString, tokenizer);
    QFETCH(QString, vocab);
    const Tokenizer &tok = tokenizerFor(tokenizer);
    // `tokenizers` round-trips every one of these strings with all three tokenizers.
    for (const auto &c : pq::test::loadVocabCases(vocab.toStdString())) {
        QCOMPARE(tok.decode(c.ids), c.text);
        QCOMPARE(tok.decode(tok.encode(c.text)), c.text);
    }
}

void TestTokenizerParity::addSpecialTokens()
{
    const std::string text = "Hello world";
    // The TemplateProcessing post-processors of Llama 3.1 and Gemma 3 put BOS in front.
    for (const auto &[name, bos] : {std::pair{"llama3_1", 128000}, std::pair{"gemma3", 2}}) {
        const Tokenizer &tok = tokenizerFor(QString::fromLatin1(name));
        std::vector<std::int32_t> expected{bos};
        const auto plain = tok.encode(text);
        expected.insert(expected.end(), plain.begin(), plain.end());
        QCOMPARE(tok.encode(text, true), expected);
        QCOMPARE(tok.encode("", true), std::vector<std::int32_t>{bos});
        QCOMPARE(tok.decode(tok.encode(text, true), true), text);
    }
    // Qwen3's ByteLevel post-processor adds nothing.
    const Tokenizer &qwen = tokenizerFor(QStringLiteral("qwen3"));
    QCOMPARE(qwen.encode(text, true), qwen.encode(text));
    QCOMPARE(qwen.encode(text), (std::vector<std::int32_t>{9707, 1879}));
}

void TestTokenizerParity::bosEos()
{
    const Tokenizer &qwen = tokenizerFor(QStringLiteral("qwen3"));
    QVERIFY(!qwen.bosId());  // "bos_token": null
    QCOMPARE(qwen.eosId(), std::optional<std::int32_t>(151645));
    const Tokenizer &llama = tokenizerFor(QStringLiteral("llama3_1"));
    QCOMPARE(llama.bosId(), std::optional<std::int32_t>(128000));
    QCOMPARE(llama.eosId(), std::optional<std::int32_t>(128009));  // <|eot_id|>
    const Tokenizer &gemma = tokenizerFor(QStringLiteral("gemma3"));
    QCOMPARE(gemma.bosId(), std::optional<std::int32_t>(2));
    QCOMPARE(gemma.eosId(), std::optional<std::int32_t>(106));  // <end_of_turn>
    // bos_token as an AddedToken object ({"content": ...}) is read the same way.
    auto withObject = Tokenizer::fromJson(pq::test::tokenizerJsonText("qwen3"),
                                          R"({"bos_token": {"content": "<|endoftext|>"}})");
    QVERIFY(withObject);
    QCOMPARE(withObject->bosId(), std::optional<std::int32_t>(151643));
}

void TestTokenizerParity::specialTokensInText()
{
    const Tokenizer &qwen = tokenizerFor(QStringLiteral("qwen3"));
    const std::string chat = "<|im_start|>user\nHi<|im_end|>\n<think>";
    const auto ids = qwen.encode(chat);
    QCOMPARE(ids.front(), 151644);
    QVERIFY(std::find(ids.begin(), ids.end(), 151645) != ids.end());
    QCOMPARE(ids.back(), 151667);  // <think>: an added token that is not special
    QCOMPARE(qwen.decode(ids), chat);
    QCOMPARE(qwen.decode(ids, true), std::string("user\nHi\n<think>"));
    // Adjacent to text without spaces, still matched first.
    QCOMPARE(qwen.encode("a<|endoftext|>b"),
             (std::vector<std::int32_t>{*qwen.tokenToId("a"), 151643, *qwen.tokenToId("b")}));
    const Tokenizer &llama = tokenizerFor(QStringLiteral("llama3_1"));
    QCOMPARE(llama.encode("<|begin_of_text|>"), std::vector<std::int32_t>{128000});
}

void TestTokenizerParity::illFormedUtf8ByteLevel()
{
    // `tokenizers` only takes valid strings; we treat an ill-formed byte as that byte, and a
    // byte-level vocabulary maps every byte through GPT-2's byte table (0xFF -> "ÿ", 0xC3 -> "Ã").
    const Tokenizer &qwen = tokenizerFor(QStringLiteral("qwen3"));
    const auto ff = qwen.tokenToId("ÿ");
    const auto c3 = qwen.tokenToId("Ã");
    QVERIFY(ff && c3);
    QCOMPARE(qwen.encode("\xff"), std::vector<std::int32_t>{*ff});
    QCOMPARE(qwen.encode("\xc3"), std::vector<std::int32_t>{*c3});  // a truncated "é"
    // An ill-formed byte never joins a regex match: "a", "\xff", "b" are separate pieces.
    QCOMPARE(qwen.encode("a\xff"
                         "b"),
             (std::vector<std::int32_t>{*qwen.tokenToId("a"), *ff, *qwen.tokenToId("b")}));
    // Decoding gives U+FFFD for the ill-formed byte, as the ByteLevel decoder's lossy UTF-8.
    QCOMPARE(qwen.decode(qwen.encode("ok\xff")), std::string("ok\xEF\xBF\xBD"));
}

void TestTokenizerParity::illFormedUtf8ByteFallback()
{
    // Gemma 3 has byte fallback: an ill-formed byte becomes its <0xAB> token.
    const Tokenizer &gemma = tokenizerFor(QStringLiteral("gemma3"));
    const auto ff = gemma.tokenToId("<0xFF>");
    const auto c3 = gemma.tokenToId("<0xC3>");
    QVERIFY(ff && c3);
    QCOMPARE(gemma.encode("\xff"), std::vector<std::int32_t>{*ff});
    QCOMPARE(gemma.encode("\xc3"), std::vector<std::int32_t>{*c3});
    QCOMPARE(gemma.decode(gemma.encode("\xff")), std::string("\xEF\xBF\xBD"));
}

void TestTokenizerParity::randomBytesNeverCrash()
{
    QFETCH(QString, tokenizer);
    const Tokenizer &tok = tokenizerFor(tokenizer);
    for (const std::string &bytes : randomByteStrings(2000)) {
        const auto ids = tok.encode(bytes);
        for (const std::int32_t id : ids) {
            QVERIFY(id >= 0 && static_cast<std::size_t>(id) < tok.vocabSize());
        }
        // Each byte decodes to at most U+FFFD (3 bytes).
        QVERIFY(tok.decode(ids).size() <= 3 * bytes.size());
        QCOMPARE(tok.encode(bytes, true).size(), ids.size() + (tok.bosId() ? 1 : 0));
    }
}

void TestTokenizerParity::vocabularyQueries()
{
    const Tokenizer &qwen = tokenizerFor(QStringLiteral("qwen3"));
    QCOMPARE(qwen.vocabSize(), std::size_t{151669});
    QCOMPARE(qwen.description(), std::string("BPE (byte-level)"));
    QCOMPARE(qwen.idToToken(151644), std::string("<|im_start|>"));
    QCOMPARE(qwen.idToToken(9707), std::string("Hello"));
    QCOMPARE(qwen.idToToken(-1), std::string());
    QCOMPARE(qwen.tokenToId("ĠHello"), std::optional<std::int32_t>(21927));
    QVERIFY(!qwen.tokenToId("no such token"));
    const Tokenizer &gemma = tokenizerFor(QStringLiteral("gemma3"));
    QCOMPARE(gemma.vocabSize(), std::size_t{262145});
    QCOMPARE(gemma.description(), std::string("BPE (SentencePiece, byte fallback)"));
    QCOMPARE(tokenizerFor(QStringLiteral("llama3_1")).vocabSize(), std::size_t{128256});
}

void TestTokenizerParity::concurrentEncode()
{
    // A loaded Tokenizer is shared by threads (the word cache is the only mutable state).
    const Tokenizer &qwen = tokenizerFor(QStringLiteral("qwen3"));
    const auto cases = pq::test::loadVocabCases("qwen2");
    std::atomic<int> mismatches{0};
    constexpr int THREADS = 4;
    std::vector<std::thread> threads;
    threads.reserve(THREADS);
    for (int t = 0; t < THREADS; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 50; ++round) {
                const auto &c = cases[static_cast<std::size_t>(round * THREADS + t) % cases.size()];
                if (qwen.encode(c.text) != c.ids || qwen.decode(c.ids) != c.text) {
                    ++mismatches;
                }
            }
        });
    }
    for (std::thread &th : threads) {
        th.join();
    }
    QCOMPARE(mismatches.load(), 0);
}

QTEST_APPLESS_MAIN(TestTokenizerParity)
#include "test_tokenizer_parity.moc"
