// SPDX-License-Identifier: MIT
// `prismaquant export` end to end on the bundled demo model: a uniform export read back, the
// refusals a user meets (existing output, NVFP4 W4A4 without maxima, neither --recipe nor
// --uniform), and the kill test: an export interrupted by SIGKILL, SIGINT or SIGTERM at several
// points leaves no OUT_DIR (and, after SIGINT/SIGTERM, no temporary directory either); a rerun
// succeeds and removes the leftovers of killed runs.
#include <csignal>
#include <filesystem>

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/export/compressed_checkpoint.h"
#include "tests/support/cli_runner.h"

namespace fs = std::filesystem;
using pq::test::runCli;

namespace {

const QString DEMO = QStringLiteral(PQ_SOURCE_DIR "/examples/demo-llama");

/** Names in `dir` that belong to an unfinished export. */
std::vector<std::string> partials(const fs::path &dir)
{
    std::vector<std::string> out;
    for (const auto &e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().find(".partial-") != std::string::npos) {
            out.push_back(e.path().filename().string());
        }
    }
    return out;
}

}  // namespace

class TestCliExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void uniformExport();
    void refusals();
    void killedExportLeavesNoOutput();

private:
    QTemporaryDir m_dir;
    QString m_big;  ///< a synthetic model large enough to interrupt mid-export
};

void TestCliExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString config = m_dir.filePath(QStringLiteral("config.json"));
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"model_type": "llama", "hidden_size": 1024, "intermediate_size": 2816,
        "num_hidden_layers": 16, "num_attention_heads": 16, "num_key_value_heads": 8,
        "head_dim": 64, "vocab_size": 4096, "rms_norm_eps": 1e-6, "torch_dtype": "bfloat16",
        "tie_word_embeddings": false})");
    f.close();
    m_big = m_dir.filePath(QStringLiteral("big"));
    const auto r = runCli({QStringLiteral("synth"), config, QStringLiteral("--out"), m_big});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
}

void TestCliExport::uniformExport()
{
    const QString out = m_dir.filePath(QStringLiteral("demo-w4a16"));
    const auto r = runCli({QStringLiteral("export"), DEMO, QStringLiteral("--uniform"),
                           QStringLiteral("W4A16"), QStringLiteral("--out"), out,
                           QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j["linears_by_format"]["W4A16"].get<int>(), 28);
    QVERIFY(j["tensor_bytes"].get<std::uint64_t>() < j["source_tensor_bytes"].get<std::uint64_t>());
    auto rb = pq::core::ct::CompressedCheckpoint::open(out.toStdString());
    QVERIFY2(rb.has_value(), rb ? "" : rb.error().message().c_str());
    QCOMPARE(rb->modules().size(), std::size_t{28});
    for (const char *copied :
         {"tokenizer.json", "tokenizer_config.json", "prismaquant-export.json"}) {
        QVERIFY2(fs::exists(fs::path(out.toStdString()) / copied), copied);
    }
    // Again without --force: refused, the first export untouched; with --force: replaced.
    const auto again = runCli({QStringLiteral("export"), DEMO, QStringLiteral("--uniform"),
                               QStringLiteral("MXFP8"), QStringLiteral("--out"), out});
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.find("--force") != std::string::npos, again.err.c_str());
    const auto forced = runCli({QStringLiteral("export"), DEMO, QStringLiteral("--uniform"),
                                QStringLiteral("MXFP8"), QStringLiteral("--out"), out,
                                QStringLiteral("--force")});
    QVERIFY2(forced.exitCode == 0, forced.err.c_str());
    QVERIFY2(forced.out.find("28 MXFP8") != std::string::npos, forced.out.c_str());
    // inspect reads the export back: its groups and the format of every Linear
    const auto inspected = runCli({QStringLiteral("inspect"), out, QStringLiteral("--json")});
    QVERIFY2(inspected.exitCode == 0, inspected.err.c_str());
    const auto ij = nlohmann::json::parse(inspected.out);
    QCOMPARE(ij["compressed_tensors"]["modules_by_scheme"]["MXFP8"].get<int>(), 28);
    QCOMPARE(ij["compressed_tensors"]["format"].get<std::string>(), std::string("mxfp8-quantized"));
}

void TestCliExport::refusals()
{
    const QString out = m_dir.filePath(QStringLiteral("refused"));
    const auto nvfp4 = runCli({QStringLiteral("export"), DEMO, QStringLiteral("--uniform"),
                               QStringLiteral("NVFP4"), QStringLiteral("--out"), out});
    QCOMPARE(nvfp4.exitCode, 1);
    QVERIFY2(nvfp4.err.find("NVFP4A16") != std::string::npos, nvfp4.err.c_str());
    const auto neither = runCli({QStringLiteral("export"), DEMO, QStringLiteral("--out"), out});
    QCOMPARE(neither.exitCode, 1);
    QVERIFY2(neither.err.find("--recipe") != std::string::npos, neither.err.c_str());
    const auto unknown = runCli({QStringLiteral("export"), DEMO, QStringLiteral("--uniform"),
                                 QStringLiteral("FP5"), QStringLiteral("--out"), out});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY(!QFileInfo::exists(out));
}

void TestCliExport::killedExportLeavesNoOutput()
{
    const fs::path parent = fs::path(m_dir.filePath(QStringLiteral("kill")).toStdString());
    fs::create_directories(parent);
    const QString out = QString::fromStdString((parent / "out").string());
    const QStringList args = {QStringLiteral("export"),       m_big,
                              QStringLiteral("--uniform"),    QStringLiteral("MXFP8"),
                              QStringLiteral("--out"),        out,
                              QStringLiteral("--shard-size"), QStringLiteral("40MB")};
    int interrupted = 0;
    int killed = 0;
    // Delays after the export's first progress line (process start-up, libtorch included, can
    // take longer than an export of this size, and a signal before main() is no test).
    const int delaysMs[] = {0, 0, 0, 40, 80, 120, 200, 300, 400};
    for (std::size_t k = 0; k < std::size(delaysMs); ++k) {
        const int sig = k % 3 == 0 ? SIGKILL : k % 3 == 1 ? SIGINT : SIGTERM;
        QProcess p;
        p.start(QStringLiteral(PQ_CLI_PATH), args);
        QVERIFY(p.waitForStarted());
        p.setReadChannel(QProcess::StandardError);
        QByteArray err;
        while (!err.contains("export:") && p.state() == QProcess::Running) {
            p.waitForReadyRead(100);
            err += p.readAllStandardError();
        }
        QTest::qWait(delaysMs[k]);
        ::kill(static_cast<pid_t>(p.processId()), sig);
        QVERIFY(p.waitForFinished(120000));
        err += p.readAllStandardError();
        if (fs::exists(out.toStdString())) {
            // The signal came after the rename into place: then the export must be complete.
            QVERIFY2(pq::core::ct::CompressedCheckpoint::open(out.toStdString()).has_value(),
                     err.constData());
            QVERIFY(fs::exists(fs::path(out.toStdString()) / "prismaquant-export.json"));
            fs::remove_all(out.toStdString());
            continue;
        }
        if (sig == SIGKILL) {
            QCOMPARE(p.exitStatus(), QProcess::CrashExit);
            ++killed;
        } else {  // cancelled at the next tensor: exit 3 and nothing left behind
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 3, err.constData());
            QVERIFY2(err.contains("cancelled"), err.constData());
            QVERIFY(partials(parent).empty());
            ++interrupted;
        }
    }
    QVERIFY2(killed > 0 && interrupted > 0, "no signal arrived while the export was running");
    const auto r = runCli(args);
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QVERIFY(pq::core::ct::CompressedCheckpoint::open(out.toStdString()).has_value());
    QVERIFY(partials(parent).empty());  // leftovers of the killed runs were removed
}

QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
