// SPDX-License-Identifier: MIT
// Byte-level BPE trainer: merges derived by hand on tiny corpora (tie-break, overlapping pairs,
// minimum count), and on the bundled KJV text: our Tokenizer loads the tokenizer.json, round-trips
// unseen and non-ASCII text, and training is deterministic.
#include <chrono>

#include <QtTest>

#include "core/data/text_source.h"
#include "core/text/bpe_trainer.h"
#include "core/text/tokenizer.h"

using pq::core::JobContext;
using pq::core::text::BpeTrainerOptions;
using pq::core::text::Tokenizer;
using pq::core::text::TrainedBpe;

namespace {

using Ids = std::vector<std::int32_t>;

TrainedBpe train(const std::vector<std::string_view> &texts, const BpeTrainerOptions &options)
{
    const JobContext ctx;
    auto bpe = pq::core::text::trainByteLevelBpe(texts, options, ctx);
    if (!bpe) {
        qFatal("%s", bpe.error().message().c_str());
    }
    return std::move(bpe).value();
}

/** The merges as "left right" strings of raw bytes. */
std::vector<std::string> mergeStrings(const TrainedBpe &bpe)
{
    std::vector<std::string> out;
    for (const auto &[l, r] : bpe.merges) {
        out.push_back(bpe.tokens[static_cast<std::size_t>(l)] + "|" +
                      bpe.tokens[static_cast<std::size_t>(r)]);
    }
    return out;
}

using Strings = std::vector<std::string>;

Tokenizer load(const TrainedBpe &bpe)
{
    auto tok = Tokenizer::fromJson(bpe.tokenizerJson(), bpe.tokenizerConfigJson(512));
    if (!tok) {
        qFatal("%s", tok.error().message().c_str());
    }
    return std::move(tok).value();
}

/** The first `count` chapters of the bundled King James text. */
std::vector<std::string> kjvChapters(std::size_t first, std::size_t count)
{
    auto corpus = pq::core::data::loadTextSource(PQ_SOURCE_DIR "/examples/calibration/kjv.txt.gz");
    if (!corpus) {
        qFatal("%s", corpus.error().message().c_str());
    }
    std::vector<std::string> out;
    for (std::size_t d = first; d < first + count && d < corpus->documents.size(); ++d) {
        out.push_back(corpus->documents[d].text + "\n\n");
    }
    return out;
}

}  // namespace

class TestBpeTrainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handDerivedMerges();
    void overlappingPairsAndMinimumCount();
    void tooSmallVocabularyIsRefused();
    void cancelled();
    void kjvRoundTripAndDeterminism();
};

void TestBpeTrainer::handDerivedMerges()
{
    // Sennrich's example with GPT-2 pre-tokenization (every word carries its leading space):
    // " low"×5 " lower"×2 " newest"×6 " widest"×3. Pair counts: e·s 9, s·t 9, w·e 8, ␣·l 7,
    // l·o 7, o·w 7, ... → "es" (tie with "st": smaller ids 101,115 first), then "est" (9),
    // "␣l" (7; ids 32,108 < 108,111 < 111,119), "ow" (7; "␣l"·o has ids 258,111 > 111,119),
    // "␣low" (7), "␣n" (6; 32,110 first of the four at 6), "ew", "␣new", "␣newest".
    const std::string text = " low low low low low lower lower newest newest newest newest "
                             "newest newest widest widest widest";
    BpeTrainerOptions opt;
    opt.vocabSize = 256 + 9 + 2;
    const TrainedBpe bpe = train({text}, opt);
    QCOMPARE(mergeStrings(bpe),
             Strings({"e|s", "es|t", " |l", "o|w", " l|ow", " |n", "e|w", " n|ew", " new|est"}));
    QCOMPARE(bpe.mergeCounts, std::vector<std::uint64_t>({9, 9, 7, 7, 7, 6, 6, 6, 6}));
    QCOMPARE(bpe.words, std::uint64_t{16});
    QCOMPARE(bpe.uniqueWords, std::uint64_t{4});
    QCOMPARE(bpe.vocabSize(), std::size_t{267});

    const Tokenizer tok = load(bpe);
    QCOMPARE(tok.vocabSize(), std::size_t{267});
    QCOMPARE(tok.bosId(), std::optional<std::int32_t>(265));
    QCOMPARE(tok.eosId(), std::optional<std::int32_t>(266));
    QCOMPARE(tok.idToToken(264), std::string("Ġnewest"));
    // " lower": ␣l, then ow, then ␣low; no e·r merge was learned.
    QCOMPARE(tok.encode(" newest lower"), Ids({264, 260, 'e', 'r'}));
    QCOMPARE(tok.encode(" newest lower", true), Ids({265, 264, 260, 'e', 'r'}));
    QCOMPARE(tok.encode("<|eos|>"), Ids({266}));
    QCOMPARE(tok.decode(Ids({265, 264, 260, 'e', 'r'}), true), std::string(" newest lower"));
}

void TestBpeTrainer::overlappingPairsAndMinimumCount()
{
    // "aaaa": a·a occurs 3 times (overlapping); the rewrite is left to right, non-overlapping:
    // "aa aa", whose single aa·aa pair is below the default minimum of 2.
    BpeTrainerOptions opt;
    opt.vocabSize = 300;
    TrainedBpe bpe = train({"aaaa"}, opt);
    QCOMPARE(mergeStrings(bpe), Strings({"a|a"}));
    QCOMPARE(bpe.mergeCounts, std::vector<std::uint64_t>({3}));
    QCOMPARE(bpe.vocabSize(), std::size_t{256 + 1 + 2});
    opt.minPairCount = 1;
    bpe = train({"aaaa"}, opt);
    QCOMPARE(mergeStrings(bpe), Strings({"a|a", "aa|aa"}));
    QCOMPARE(bpe.mergeCounts, std::vector<std::uint64_t>({3, 1}));
    QCOMPARE(load(bpe).encode("aaaaa"), Ids({257, 'a'}));
}

void TestBpeTrainer::tooSmallVocabularyIsRefused()
{
    BpeTrainerOptions opt;
    opt.vocabSize = 257;
    const JobContext ctx;
    const std::vector<std::string_view> texts = {"abc"};
    auto bpe = pq::core::text::trainByteLevelBpe(texts, opt, ctx);
    QVERIFY(!bpe);
    QCOMPARE(bpe.error().code, pq::core::ErrorCode::InvalidArgument);
    QVERIFY(bpe.error().message().find("258") != std::string::npos);
}

void TestBpeTrainer::cancelled()
{
    JobContext ctx;
    ctx.requestCancel();
    const std::vector<std::string_view> texts = {"abab abab"};
    auto bpe = pq::core::text::trainByteLevelBpe(texts, BpeTrainerOptions{}, ctx);
    QVERIFY(!bpe);
    QCOMPARE(bpe.error().code, pq::core::ErrorCode::Cancelled);
}

void TestBpeTrainer::kjvRoundTripAndDeterminism()
{
    const std::vector<std::string> chapters = kjvChapters(0, 400);
    std::vector<std::string_view> texts(chapters.begin(), chapters.end());
    const std::string nonAscii =
            "naïve café — «Æsir» 日本語 🙂 Ελληνικά ру́сский\t\r\n";
    texts.emplace_back(nonAscii);
    BpeTrainerOptions opt;
    opt.vocabSize = 1024;
    const auto start = std::chrono::steady_clock::now();
    const TrainedBpe bpe = train(texts, opt);
    const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    qInfo("%zu merges on %zu chapters in %.2f s", bpe.merges.size(), chapters.size(), seconds);
    QCOMPARE(bpe.vocabSize(), std::size_t{1024});
    QVERIFY(bpe.merges.size() >= 1024 - 256 - 2);
    QCOMPARE(train(texts, opt).tokenizerJson(), bpe.tokenizerJson());

    const Tokenizer tok = load(bpe);
    QCOMPARE(tok.vocabSize(), std::size_t{1024});
    QCOMPARE(tok.description(), std::string("BPE (byte-level)"));
    std::vector<std::string> unseen = kjvChapters(1100, 20);  // not trained on
    unseen.push_back(nonAscii + "  and 12345 tokens, 'tis done!\n\n\n  ");
    unseen.emplace_back("\xF0\x9F\xA6\x99 Zürich, Kraków, İstanbul, Ångström, ǅ, ﬁ");
    std::size_t bytes = 0;
    std::size_t ids = 0;
    for (const std::string &s : unseen) {
        const Ids enc = tok.encode(s);
        QCOMPARE(tok.decode(enc), s);
        bytes += s.size();
        ids += enc.size();
    }
    // A 1k vocabulary on English prose takes well under half a token per byte.
    QVERIFY2(static_cast<double>(ids) < 0.4 * static_cast<double>(bytes),
             qPrintable(QStringLiteral("%1 tokens for %2 bytes").arg(ids).arg(bytes)));
}

QTEST_APPLESS_MAIN(TestBpeTrainer)
#include "test_bpe_trainer.moc"
