// SPDX-License-Identifier: MIT
// The tokenizer.json the BPE trainer writes, read by the real Hugging Face `tokenizers` package
// (pinned below, run through scripts/pyenv and tests/core/text/tokenize_reference.py): a vocabulary
// trained on the bundled KJV text must give the same ids (with and without special tokens) and
// the same decoded text as our Tokenizer on unseen KJV lines and non-ASCII lines.
// Skipped, saying why, when the package cannot be installed (no PyPI).
#include <fstream>

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/data/text_source.h"
#include "core/text/bpe_trainer.h"
#include "core/text/tokenizer.h"

using json = nlohmann::json;
using pq::core::text::Tokenizer;

namespace {

constexpr const char *TOKENIZERS_VERSION = "0.23.3";
constexpr int PROCESS_TIMEOUT_MS = 300 * 1000;
constexpr std::size_t TRAIN_CHAPTERS = 600;

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

void writeFile(const QString &path, const std::string &text)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
    QVERIFY(out.good());
}

}  // namespace

class TestBpeTrainerInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameIdsAsTokenizers();
};

void TestBpeTrainerInterop::sameIdsAsTokenizers()
{
    QString error;
    const QString python = QString::fromUtf8(run(QStringLiteral(PQ_SOURCE_DIR "/scripts/pyenv"),
                                                 {QStringLiteral("tokenizers==") +
                                                  QString::fromLatin1(TOKENIZERS_VERSION)},
                                                 error))
                                   .trimmed();
    if (!error.isEmpty() || python.isEmpty()) {
        QSKIP(qPrintable(QStringLiteral("the tokenizers reference is not available here: ") +
                         error));
    }
    auto corpus = pq::core::data::loadTextSource(PQ_SOURCE_DIR "/examples/calibration/kjv.txt.gz");
    QVERIFY2(corpus, corpus ? "" : corpus.error().message().c_str());
    std::vector<std::string> chapters;
    for (std::size_t d = 0; d < TRAIN_CHAPTERS; ++d) {
        chapters.push_back(corpus->documents[d].text + "\n\n");
    }
    const std::vector<std::string_view> texts(chapters.begin(), chapters.end());
    const pq::core::JobContext ctx;
    auto bpe = pq::core::text::trainByteLevelBpe(texts, {}, ctx);
    QVERIFY2(bpe, bpe ? "" : bpe.error().message().c_str());

    // Unseen lines: verses of later chapters (split on ". "), then non-ASCII and odd spacing.
    std::string lines;
    for (std::size_t d = 1100; d < 1120; ++d) {
        const std::string &t = corpus->documents[d].text;
        for (std::size_t pos = 0; pos < t.size();) {
            const std::size_t end = std::min(t.find(". ", pos), t.size());
            lines += t.substr(pos, end - pos) + ".\n";
            pos = end + 2;
        }
    }
    lines += "naïve café — «Æsir» 日本語 🙂 Ελληνικά ру́сский\n";
    lines += "  two  spaces,\ttab and 12345 digits; 'tis <|bos|> and <|eos|>!  \n";
    lines += "\xF0\x9F\xA6\x99 Zürich, Kraków, İstanbul, Ångström, ǅ, ﬁ \r\n";

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(QStringLiteral("tokenizer.json")), bpe->tokenizerJson());
    writeFile(dir.filePath(QStringLiteral("lines.txt")), lines);
    const QByteArray out =
            run(python,
                {QStringLiteral(PQ_SOURCE_DIR "/tests/core/text/tokenize_reference.py"),
                 QStringLiteral("lines"), dir.filePath(QStringLiteral("lines.txt")),
                 QStringLiteral("100000"),
                 QStringLiteral("kjv=") + dir.filePath(QStringLiteral("tokenizer.json"))},
                error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const json ref = json::parse(out.constData(), out.constData() + out.size());
    QCOMPARE(ref["tokenizers"].get<std::string>(), std::string(TOKENIZERS_VERSION));

    auto tok = Tokenizer::fromJson(bpe->tokenizerJson(), bpe->tokenizerConfigJson(512));
    QVERIFY2(tok, tok ? "" : tok.error().message().c_str());
    const json &r = ref["results"]["kjv"];
    QVERIFY(ref["lines"].size() > 300);
    for (std::size_t i = 0; i < ref["lines"].size(); ++i) {
        const std::string text = ref["lines"][i].get<std::string>();
        QCOMPARE(tok->encode(text), r["ids"][i].get<std::vector<std::int32_t>>());
        if (i < r["ids_special"].size()) {
            QCOMPARE(tok->encode(text, true), r["ids_special"][i].get<std::vector<std::int32_t>>());
        }
        QCOMPARE(tok->decode(r["ids"][i].get<std::vector<std::int32_t>>()),
                 r["decoded"][i].get<std::string>());
        QCOMPARE(r["decoded"][i].get<std::string>(), text);  // lossless in HF too
    }
}

QTEST_APPLESS_MAIN(TestBpeTrainerInterop)
#include "test_bpe_trainer_interop.moc"
