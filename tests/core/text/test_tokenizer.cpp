// SPDX-License-Identifier: MIT
// Tokenizer on small tokenizer.json files written by the test: the BPE merge order, unk / fuse_unk,
// byte fallback, ignore_merges, continuing_subword_prefix, and the errors for malformed or
// unsupported files (each must name what it refuses).
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "core/text/tokenizer.h"
#include "tests/core/text/tokenizer_test_util.h"

using pq::core::ErrorCode;
using pq::core::text::Tokenizer;
using json = nlohmann::json;

namespace {

using Ids = std::vector<std::int32_t>;

/** A tokenizer.json with a BPE model and no other component. */
json bpeJson(json vocab, json merges, const json &modelExtras = json::object())
{
    json model = {{"type", "BPE"}, {"vocab", std::move(vocab)}, {"merges", std::move(merges)}};
    model.update(modelExtras);
    return {{"version", "1.0"},         {"added_tokens", json::array()}, {"normalizer", nullptr},
            {"pre_tokenizer", nullptr}, {"post_processor", nullptr},     {"decoder", nullptr},
            {"model", std::move(model)}};
}

Tokenizer load(const json &j)
{
    auto tok = Tokenizer::fromJson(j.dump(), "");
    if (!tok) {
        qFatal("%s", tok.error().message().c_str());
    }
    return std::move(tok).value();
}

/** fromJson must fail with `code` and a message containing `needle`. */
void expectError(const std::string &text, ErrorCode code, const std::string &needle)
{
    auto tok = Tokenizer::fromJson(text, "");
    QVERIFY(!tok);
    QCOMPARE(static_cast<int>(tok.error().code), static_cast<int>(code));
    const std::string message = tok.error().message();
    if (message.find(needle) == std::string::npos) {
        QFAIL(("error \"" + message + "\" does not mention \"" + needle + "\"").c_str());
    }
}

/** Merges as ["left", "right"] pairs (a braced list alone would become a JSON object). */
json pairs(std::initializer_list<std::pair<const char *, const char *>> merges)
{
    json out = json::array();
    for (const auto &[left, right] : merges) {
        out.push_back(json::array({left, right}));
    }
    return out;
}

const json abcVocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"abc", 5}};

}  // namespace

class TestTokenizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mergesApplyByRank();
    void legacyMergeStrings();
    void ignoreMerges();
    void unknownCharacters();
    void byteFallback();
    void continuingSubwordPrefix();
    void addedTokenFlags();
    void unsupportedComponents_data();
    void unsupportedComponents();
    void malformedFiles_data();
    void malformedFiles();
    void missingDirectory();
};

void TestTokenizer::mergesApplyByRank()
{
    // The lowest-ranked pair merges first: "b c" before "a b" leaves "a" + "bc".
    QCOMPARE(load(bpeJson(abcVocab, pairs({{"b", "c"}, {"a", "b"}, {"ab", "c"}}))).encode("abc"),
             (Ids{0, 4}));
    QCOMPARE(load(bpeJson(abcVocab, pairs({{"a", "b"}, {"b", "c"}, {"ab", "c"}}))).encode("abc"),
             (Ids{5}));
    // The rank decides, not the position: "b a" first turns "abab" into "a" + "ba" + "b".
    const json vocab = {{"a", 0}, {"b", 1}, {"ab", 2}, {"ba", 3}};
    QCOMPARE(load(bpeJson(vocab, pairs({{"a", "b"}, {"b", "a"}}))).encode("abab"), (Ids{2, 2}));
    QCOMPARE(load(bpeJson(vocab, pairs({{"b", "a"}, {"a", "b"}}))).encode("abab"), (Ids{0, 3, 1}));
}

void TestTokenizer::legacyMergeStrings()
{
    // Older files spell merges "left right"; a "#version" line is skipped.
    QCOMPARE(load(bpeJson(abcVocab, json::array({"#version: 0.2", "a b", "ab c"}))).encode("abc"),
             (Ids{5}));
}

void TestTokenizer::ignoreMerges()
{
    // A pre-token that is itself in the vocabulary is emitted whole (Llama 3).
    QCOMPARE(load(bpeJson(abcVocab, json::array(), {{"ignore_merges", true}})).encode("abc"),
             (Ids{5}));
    QCOMPARE(load(bpeJson(abcVocab, json::array())).encode("abc"), (Ids{0, 1, 2}));
}

void TestTokenizer::unknownCharacters()
{
    const json vocab = {{"<unk>", 0}, {"a", 1}};
    QCOMPARE(load(bpeJson(vocab, json::array(), {{"unk_token", "<unk>"}})).encode("axya"),
             (Ids{1, 0, 0, 1}));
    QCOMPARE(load(bpeJson(vocab, json::array(), {{"unk_token", "<unk>"}, {"fuse_unk", true}}))
                     .encode("axya"),
             (Ids{1, 0, 1}));
    // Without an unk token, tokenizers drops the character.
    QCOMPARE(load(bpeJson(vocab, json::array())).encode("axya"), (Ids{1, 1}));
}

void TestTokenizer::byteFallback()
{
    const json vocab = {{"<unk>", 0}, {"a", 1}, {"<0xC3>", 2}, {"<0xA9>", 3}};
    const Tokenizer tok =
            load(bpeJson(vocab, json::array(), {{"unk_token", "<unk>"}, {"byte_fallback", true}}));
    QCOMPARE(tok.encode("a\xC3\xA9"), (Ids{1, 2, 3}));   // "é" has no token: its two bytes
    QCOMPARE(tok.encode("a\xE2\x82\xAC"), (Ids{1, 0}));  // "€": a byte is missing, so <unk>
}

void TestTokenizer::continuingSubwordPrefix()
{
    // With a prefix, non-initial characters are looked up as "##x" and merges drop the prefix.
    const json vocab = {{"a", 0}, {"##b", 1}, {"ab", 2}, {"b", 3}};
    const Tokenizer tok =
            load(bpeJson(vocab, pairs({{"a", "##b"}}), {{"continuing_subword_prefix", "##"}}));
    QCOMPARE(tok.encode("ab"), (Ids{2}));
    QCOMPARE(tok.encode("b"), (Ids{3}));
    QCOMPARE(tok.encode("bb"), (Ids{3, 1}));
}

void TestTokenizer::addedTokenFlags()
{
    json j = bpeJson({{"a", 0}, {"b", 1}, {" ", 2}}, json::array());
    const auto added = [](int id, const char *content, bool lstrip, bool rstrip, bool word) {
        return json{{"id", id},         {"content", content}, {"single_word", word},
                    {"lstrip", lstrip}, {"rstrip", rstrip},   {"normalized", false},
                    {"special", true}};
    };
    j["added_tokens"] = {added(3, "<m>", true, false, false), added(4, "<r>", false, true, false),
                         added(5, "<w>", false, false, true),
                         added(6, "<m>x", false, false, false)};
    const Tokenizer tok = load(j);
    QCOMPARE(tok.encode("a  <m>b"), (Ids{0, 3, 1}));  // lstrip eats the spaces before
    QCOMPARE(tok.encode("a<r>  b"), (Ids{0, 4, 1}));  // rstrip eats the spaces after
    QCOMPARE(tok.encode("a <w> b"), (Ids{0, 2, 5, 2, 1}));
    QCOMPARE(tok.encode("a<w>b"), (Ids{0, 1}));  // not a single word: "<w>" has no id
    QCOMPARE(tok.encode("<m>xb"), (Ids{6, 1}));  // the longest match wins
    // No decoder: tokens are joined with spaces; special ones can be skipped.
    QCOMPARE(tok.decode(tok.encode("a<r>b"), true), std::string("a b"));
    QCOMPARE(tok.decode(tok.encode("a<r>b")), std::string("a <r> b"));
}

void TestTokenizer::unsupportedComponents_data()
{
    QTest::addColumn<QString>("component");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("needle");
    const auto row = [](const char *name, const char *component, const char *value,
                        const char *needle) {
        QTest::newRow(name) << QString::fromLatin1(component) << QString::fromLatin1(value)
                            << QString::fromLatin1(needle);
    };
    row("unigram", "model", R"({"type": "Unigram", "unk_id": 0, "vocab": [["a", 0.0]]})",
        "model type 'Unigram'");
    row("wordpiece", "model", R"({"type": "WordPiece", "vocab": {"a": 0}})", "'WordPiece'");
    row("whitespace", "pre_tokenizer", R"({"type": "Whitespace"})",
        "pre_tokenizer type 'Whitespace'");
    row("lowercase", "normalizer", R"({"type": "Lowercase"})", "normalizer type 'Lowercase'");
    row("wordpiece-decoder", "decoder", R"({"type": "WordPiece", "prefix": "##"})",
        "decoder type 'WordPiece'");
    row("bad-regex", "pre_tokenizer",
        R"({"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated",
            "invert": false})",
        "(unclosed");
    row("dropout", "model", R"({"type": "BPE", "dropout": 0.1, "vocab": {"a": 0}, "merges": []})",
        "dropout");
}

void TestTokenizer::unsupportedComponents()
{
    QFETCH(QString, component);
    QFETCH(QString, value);
    QFETCH(QString, needle);
    json j = bpeJson(abcVocab, json::array());
    j[component.toStdString()] = json::parse(value.toStdString());
    expectError(j.dump(), ErrorCode::Unsupported, needle.toStdString());
}

void TestTokenizer::malformedFiles_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("needle");
    const json good = bpeJson(abcVocab, pairs({{"a", "b"}}));
    const std::string goodText = good.dump();
    const auto row = [](const char *name, const std::string &text, const char *needle) {
        QTest::newRow(name) << QString::fromStdString(text) << QString::fromLatin1(needle);
    };
    row("truncated", goodText.substr(0, goodText.size() / 2), "not valid");
    row("empty", "", "not valid");
    row("array", "[1, 2]", "not a JSON object");
    row("no-model", R"({"version": "1.0"})", "no \"model\"");
    row("merge-not-in-vocab", bpeJson(abcVocab, pairs({{"a", "x"}})).dump(), "'x'");
    row("merged-not-in-vocab", bpeJson(abcVocab, pairs({{"c", "a"}})).dump(), "'ca'");
    row("negative-id", bpeJson({{"a", -1}}, json::array()).dump(), "out of range");
    row("huge-id", bpeJson({{"a", 16000000}}, json::array()).dump(), "has id 16000000");
    row("string-id", bpeJson({{"a", "0"}}, json::array()).dump(), "not an integer");
    row("bad-merge", bpeJson(abcVocab, json::array({"a b c"})).dump(), "'a b c'");
    row("merge-triple", bpeJson(abcVocab, json::array({json::array({"a", "b", "c"})})).dump(),
        "more than two");
    json typeless = bpeJson(abcVocab, json::array());
    typeless["decoder"] = {{"content", "x"}};
    row("decoder-without-type", typeless.dump(), "decoder: must be an object");
    row("no-merges", R"({"model": {"type": "BPE", "vocab": {"a": 0}}})", "\"merges\"");
}

void TestTokenizer::malformedFiles()
{
    QFETCH(QString, text);
    QFETCH(QString, needle);
    expectError(text.toStdString(), ErrorCode::InvalidFormat, needle.toStdString());
}

void TestTokenizer::missingDirectory()
{
    auto tok = Tokenizer::load("/nonexistent/model");
    QVERIFY(!tok);
    QCOMPARE(static_cast<int>(tok.error().code), static_cast<int>(ErrorCode::NotFound));
    QVERIFY2(tok.error().message().find("not a model directory") != std::string::npos,
             tok.error().message().c_str());
    // A model directory without tokenizer.json (only SentencePiece's tokenizer.model): what the
    // probe and eval say (issue 8, docs/errors.md).
    QTemporaryDir dir;
    QFile model(dir.filePath(QStringLiteral("tokenizer.model")));
    QVERIFY(model.open(QIODevice::WriteOnly));
    model.close();
    auto none = Tokenizer::load(dir.path().toStdString());
    QVERIFY(!none);
    QCOMPARE(static_cast<int>(none.error().code), static_cast<int>(ErrorCode::NotFound));
    for (const char *phrase :
         {"tokenizer.json: no tokenizer.json in the model directory (only a SentencePiece "
          "tokenizer.model, which PrismaQuant does not read)",
          "The probe and eval tokenize the calibration text exactly as the model was trained",
          "copy tokenizer.json and tokenizer_config.json from the model's Hugging Face "
          "repository"}) {
        QVERIFY2(none.error().message().find(phrase) != std::string::npos,
                 none.error().message().c_str());
    }
    // A real directory: Qwen3's tokenizer.json + tokenizer_config.json.
    auto qwen = Tokenizer::load(pq::test::sharedData("tokenizers/qwen3"));
    QVERIFY(qwen);
    QCOMPARE(qwen->eosId(), std::optional<std::int32_t>(151645));
}

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
