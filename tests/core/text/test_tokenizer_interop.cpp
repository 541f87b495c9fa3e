// SPDX-License-Identifier: MIT
// Tokenizer against the real Hugging Face `tokenizers` package (pinned below), run through
// scripts/pyenv and tests/core/text/tokenize_reference.py:
//  - the first 3000 non-empty lines of WikiText-2 (raw test split) with Qwen3, Llama 3.1 and
//    Gemma 3: ids, ids with special tokens, and the decoded text;
//  - seeded random edge-case strings with tokenizer.json variants built from those files (Llama 2
//    style normalizers, Metaspace, GPT-2 ByteLevel, added-token flags, Split behaviours).
// Skipped, saying why, when the package cannot be installed (no PyPI).
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/text/tokenizer.h"
#include "tests/core/text/tokenizer_test_util.h"

using pq::core::text::Tokenizer;
using json = nlohmann::json;

namespace {

constexpr const char *TOKENIZERS_VERSION = "0.23.3";
constexpr int WIKITEXT_LINES = 3000;
constexpr int RANDOM_TEXTS = 5000;
constexpr int PROCESS_TIMEOUT_MS = 600 * 1000;

QString sourcePath(const char *rel)
{
    return QStringLiteral(PQ_SOURCE_DIR "/") + QString::fromLatin1(rel);
}

/** Runs a program; its stdout, or an error message in `error`. */
QByteArray run(const QString &program, const QStringList &args, QString &error)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(PROCESS_TIMEOUT_MS) || p.exitStatus() != QProcess::NormalExit ||
        p.exitCode() != 0) {
        error = QStringLiteral("%1 failed (exit %2): %3")
                        .arg(program)
                        .arg(p.exitCode())
                        .arg(QString::fromUtf8(p.readAllStandardError().right(2000)));
        return {};
    }
    return p.readAllStandardOutput();
}

/** Compares `tok` with one tokenizer's reference results over `texts`; fails on a mismatch. */
void compareWithReference(const Tokenizer &tok, const json &texts, const json &ref)
{
    int idMismatches = 0;
    int decodeMismatches = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::string text = texts[i].get<std::string>();
        const auto expected = ref["ids"][i].get<std::vector<std::int32_t>>();
        const auto got = tok.encode(text);
        if (got != expected && ++idMismatches <= 5) {
            qWarning("line %zu %s\n  expected %s\n  got      %s", i, json(text).dump().c_str(),
                     pq::test::idsText(expected).c_str(), pq::test::idsText(got).c_str());
        }
        if (i < ref["ids_special"].size()) {
            QCOMPARE(tok.encode(text, true),
                     ref["ids_special"][i].get<std::vector<std::int32_t>>());
        }
        const std::string decoded = tok.decode(expected);
        if (decoded != ref["decoded"][i].get<std::string>() && ++decodeMismatches <= 5) {
            qWarning("decode of line %zu: expected %s, got %s", i, ref["decoded"][i].dump().c_str(),
                     json(decoded).dump().c_str());
        }
    }
    QCOMPARE(idMismatches, 0);
    QCOMPARE(decodeMismatches, 0);
}

}  // namespace

class TestTokenizerInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void wikitext_data();
    void wikitext();
    void variants_data();
    void variants();

private:
    json reference(const QStringList &args);

    QString m_python;
    QTemporaryDir m_dir;
    json m_wikitext;
    json m_variants;
};

json TestTokenizerInterop::reference(const QStringList &args)
{
    QString error;
    const QByteArray out =
            run(m_python, QStringList{sourcePath("tests/core/text/tokenize_reference.py")} + args,
                error);
    if (!error.isEmpty()) {
        qFatal("%s", qPrintable(error));
    }
    json j = json::parse(out.constData(), out.constData() + out.size());
    if (j["tokenizers"] != TOKENIZERS_VERSION) {
        qFatal("reference is tokenizers %s, expected %s", j["tokenizers"].dump().c_str(),
               TOKENIZERS_VERSION);
    }
    return j;
}

void TestTokenizerInterop::initTestCase()
{
    QString error;
    const QByteArray python =
            run(sourcePath("scripts/pyenv"),
                {QStringLiteral("tokenizers==") + QString::fromLatin1(TOKENIZERS_VERSION)}, error);
    m_python = QString::fromUtf8(python).trimmed();
    if (!error.isEmpty() || m_python.isEmpty()) {
        QSKIP(qPrintable(QStringLiteral("the tokenizers reference is not available here: ") +
                         error));
    }
    QVERIFY(m_dir.isValid());
    const auto shared = [](const std::string &rel) {
        return QString::fromStdString(pq::test::sharedData(rel));
    };
    QStringList specs;
    for (const char *name : {"qwen3", "llama3_1", "gemma3"}) {
        specs << QString::fromLatin1(name) + QLatin1Char('=') +
                         QString::fromStdString(pq::test::tokenizerJsonPath(name));
    }
    m_wikitext = reference(QStringList{QStringLiteral("lines"),
                                       shared("text/wikitext-2/wikitext-2-raw-v1.test.joined.txt"),
                                       QString::number(WIKITEXT_LINES)} +
                           specs);
    m_variants = reference({QStringLiteral("variants"), m_dir.path(), QString::number(RANDOM_TEXTS),
                            QString::fromStdString(pq::test::tokenizerJsonPath("gemma3")),
                            QString::fromStdString(pq::test::tokenizerJsonPath("qwen3"))});
}

void TestTokenizerInterop::wikitext_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"qwen3", "llama3_1", "gemma3"}) {
        QTest::newRow(name) << QString::fromLatin1(name);
    }
}

void TestTokenizerInterop::wikitext()
{
    QFETCH(QString, name);
    QCOMPARE(static_cast<int>(m_wikitext["lines"].size()), WIKITEXT_LINES);
    const Tokenizer tok = pq::test::loadRealTokenizer(name.toStdString());
    compareWithReference(tok, m_wikitext["lines"], m_wikitext["results"][name.toStdString()]);
}

void TestTokenizerInterop::variants_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"llama2_style", "metaspace_first", "metaspace_always",
                             "metaspace_never", "gpt2_style", "added_flags"}) {
        QTest::newRow(name) << QString::fromLatin1(name);
    }
}

void TestTokenizerInterop::variants()
{
    QFETCH(QString, name);
    const std::string key = name.toStdString();
    QVERIFY(m_variants["files"].contains(key));
    auto tok =
            Tokenizer::fromJson(pq::test::readAll(m_variants["files"][key].get<std::string>()), "");
    QVERIFY2(tok, tok ? "" : tok.error().message().c_str());
    QCOMPARE(static_cast<int>(m_variants["lines"].size()), RANDOM_TEXTS);
    compareWithReference(*tok, m_variants["lines"], m_variants["results"][key]);
}

QTEST_APPLESS_MAIN(TestTokenizerInterop)
#include "test_tokenizer_interop.moc"
