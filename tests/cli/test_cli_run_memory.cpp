// SPDX-License-Identifier: MIT
// `prismaquant run --memory-limit M` on a synthetic model four times larger than M: the whole run
// (validate, streamed probe with its boundary activations spilled to disk, allocate, streamed
// export) peaks below M, measured as the child process's ru_maxrss (wait4), not estimated.
#include <filesystem>
#include <fstream>
#include <vector>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/cli_runner.h"
#include "tests/support/shared_data.h"
#include "tests/support/stories260k.h"
#include "tests/support/tiny_configs.h"

namespace fs = std::filesystem;

extern char **environ;

namespace {

struct Measured
{
    int exitCode = -1;
    std::uint64_t maxRssBytes = 0;
    std::string err;
};

/** Runs the CLI with stderr to a file and returns its exit code and its own peak RSS. */
Measured runMeasured(const std::vector<std::string> &args, const std::string &errFile)
{
    std::vector<std::string> argv = {PQ_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char *> cargv;
    for (std::string &a : argv) {
        cargv.push_back(a.data());
    }
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errFile.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    Measured m;
    // the same thread count on any machine: OpenMP's and jemalloc's per-thread memory scale
    // with it, and the margin below was measured with 2
    ::setenv("OMP_NUM_THREADS", "2", 1);
    if (posix_spawn(&pid, PQ_CLI_PATH, &actions, nullptr, cargv.data(), environ) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return m;
    }
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    rusage usage{};
    if (::wait4(pid, &status, 0, &usage) == pid && WIFEXITED(status)) {
        m.exitCode = WEXITSTATUS(status);
    }
    m.maxRssBytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024U;
    std::ifstream in(errFile);
    m.err.assign(std::istreambuf_iterator<char>(in), {});
    return m;
}

}  // namespace

class TestCliRunMemory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runStaysUnderItsMemoryLimit();
};

void TestCliRunMemory::runStaysUnderItsMemoryLimit()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // 96 decoder layers of hidden 1024 / intermediate 2816 in BF16 (2.27 GB), with stories260K's
    // tokenizer (vocab 512) so the real text can calibrate it
    const std::string stories = dir.filePath(QStringLiteral("stories")).toStdString();
    QVERIFY(pq::test::importStories260K(stories));
    const nlohmann::json config = pq::test::llamaConfig(1024, 2816, 96, 16, 8, 512);
    const std::string configPath = dir.filePath(QStringLiteral("deep.json")).toStdString();
    std::ofstream(configPath) << config.dump();
    const std::string model = dir.filePath(QStringLiteral("deep")).toStdString();
    const pq::test::CliRun synth =
            pq::test::runCli({QStringLiteral("synth"), QString::fromStdString(configPath),
                              QStringLiteral("--out"), QString::fromStdString(model)},
                             600000);
    QVERIFY2(synth.exitCode == 0, synth.err.c_str());
    for (const char *f : {"tokenizer.json", "tokenizer_config.json"}) {
        fs::copy_file(stories + "/" + f, model + "/" + f);
    }
    std::uint64_t modelBytes = 0;
    for (const auto &e : fs::directory_iterator(model)) {
        if (e.path().extension() == ".safetensors") {
            modelBytes += e.file_size();
        }
    }
    QVERIFY(modelBytes > 2'000'000'000ULL);
    const std::uint64_t limit = modelBytes / 4;

    const std::string run = dir.filePath(QStringLiteral("run")).toStdString();
    const Measured m = runMeasured({"run",
                                    model,
                                    "--out",
                                    run,
                                    "--calib",
                                    pq::test::sharedData("text/tinyshakespeare/input.txt"),
                                    "--samples",
                                    "4",
                                    "--seq-len",
                                    "128",
                                    "--held-out",
                                    "2",
                                    "--formats",
                                    "NVFP4A16,MXFP8",
                                    "--target-bits",
                                    "6",
                                    "--memory-limit",
                                    std::to_string(limit),
                                    "--export",
                                    run + "/export"},
                                   dir.filePath(QStringLiteral("run.err")).toStdString());
    QVERIFY2(m.exitCode == 0, m.err.c_str());
    // the boundaries did not fit what the limit leaves them: they went to disk
    QVERIFY2(m.err.find("layer boundaries need") != std::string::npos, m.err.c_str());
    QVERIFY(fs::exists(run + "/export/config.json"));
    qInfo("model %.0f MB, --memory-limit %.0f MB, peak RSS of the run %.0f MB",
          static_cast<double>(modelBytes) / 1e6, static_cast<double>(limit) / 1e6,
          static_cast<double>(m.maxRssBytes) / 1e6);
    QVERIFY2(m.maxRssBytes > 0 && m.maxRssBytes <= limit,
             QByteArray::number(static_cast<qulonglong>(m.maxRssBytes)).constData());
}

QTEST_GUILESS_MAIN(TestCliRunMemory)
#include "test_cli_run_memory.moc"
