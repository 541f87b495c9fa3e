// SPDX-License-Identifier: MIT
// `prismaquant tokenize` by hand-checkable examples on the real Qwen3 tokenizer.json.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/shared_data.h"

namespace {

/** Runs the CLI with `input` on standard input; returns exit code and standard output. */
std::pair<int, std::string> tokenize(const QStringList &args, const QByteArray &input)
{
    QProcess p;
    p.start(QStringLiteral(PQ_CLI_PATH), args);
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return {p.exitCode(), p.readAllStandardOutput().toStdString()};
}

}  // namespace

class TestCliTokenize : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encodeDecode();
    void idOutsideVocabulary();
    void missingTokenizer();

private:
    QString qwen() const
    {
        return QString::fromStdString(pq::test::sharedData("tokenizers/qwen3"));
    }
};

void TestCliTokenize::encodeDecode()
{
    const auto [rc, ids] = tokenize({QStringLiteral("tokenize"), QStringLiteral("--model"), qwen()},
                                    "Hello world");
    QCOMPARE(rc, 0);
    QCOMPARE(ids, std::string("9707 1879\n"));  // the ids tokenizers gives for "Hello world"
    const auto [rc2, text] = tokenize({QStringLiteral("tokenize"), QStringLiteral("--model"),
                                       qwen(), QStringLiteral("--ids")},
                                      "9707 1879 151645");
    QCOMPARE(rc2, 0);
    QCOMPARE(text, std::string("Hello world<|im_end|>"));
}

void TestCliTokenize::idOutsideVocabulary()
{
    const auto [rc, out] = tokenize({QStringLiteral("tokenize"), QStringLiteral("--model"), qwen(),
                                     QStringLiteral("--ids")},
                                    "5 999999999");
    QCOMPARE(rc, 2);
    QVERIFY(out.empty());
}

void TestCliTokenize::missingTokenizer()
{
    QTemporaryDir dir;  // a model directory with config.json but no tokenizer files
    QVERIFY(QFile::copy(QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama/config.json"),
                        dir.filePath(QStringLiteral("config.json"))));
    const auto [rc, out] =
            tokenize({QStringLiteral("tokenize"), QStringLiteral("--model"), dir.path()}, "x");
    QCOMPARE(rc, 2);
    QVERIFY(out.empty());
}

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
