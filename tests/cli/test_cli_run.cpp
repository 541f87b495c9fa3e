// SPDX-License-Identifier: MIT
// `prismaquant run` end to end on the real stories260K with real text: validate → probe →
// allocate → export, each stage recorded in RUN_DIR/run.json; a rerun skips exactly the stages
// whose inputs did not change (and re-runs one whose output was deleted); --json gives one JSON
// object on stdout; a model that fails validation, a missing calibration file, a corrupt run.json
// and a missing target each stop with their documented exit code.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <signal.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/pipeline/evaluations.h"
#include "tests/support/cli_runner.h"
#include "tests/support/shared_data.h"
#include "tests/support/stories260k.h"
#include "tests/support/tiny_configs.h"

namespace fs = std::filesystem;
using nlohmann::json;

class TestCliRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void firstRunRecordsEveryStage();
    void rerunSkipsUnchangedStages();
    void changedTargetReallocatesButKeepsTheProbe();
    void changedCalibrationSettingsReprobe();
    void deletedOutputIsMadeAgain();
    void compareTabulatesUniformFormatsAndTheRecipe();
    void compareRefusesAnotherTextAndAnImpossibleSize();
    void withoutCalibrationTheAllocationIsDataFree();
    void modelThatFailsValidationStops();
    void missingCalibrationIsAnInputError();
    void corruptRunRecordIsAnInputError();
    void missingTargetIsAUsageError();
    void interruptedProbeResumesAtItsLayer();

private:
    /** `run` on the test model into `run` with the small probe settings plus `extra`. */
    pq::test::CliRun run(const QString &runDir, const QStringList &extra) const;
    /** stage → status from a --json run's stdout. */
    static std::map<std::string, std::string> statuses(const pq::test::CliRun &r);

    QTemporaryDir m_dir;
    QString m_model;
    QString m_calib;
    QString m_run;
};

void TestCliRun::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("stories260K"));
    const std::string model = m_model.toStdString();
    QVERIFY(pq::test::importStories260K(model));
    m_calib = QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt"));
    m_run = m_dir.filePath(QStringLiteral("run"));
}

pq::test::CliRun TestCliRun::run(const QString &runDir, const QStringList &extra) const
{
    QStringList args = {QStringLiteral("run"),        m_model,
                        QStringLiteral("--out"),      runDir,
                        QStringLiteral("--samples"),  QStringLiteral("3"),
                        QStringLiteral("--seq-len"),  QStringLiteral("64"),
                        QStringLiteral("--held-out"), QStringLiteral("2"),
                        QStringLiteral("--formats"),  QStringLiteral("NVFP4A16,MXFP8")};
    return pq::test::runCli(args + extra);
}

std::map<std::string, std::string> TestCliRun::statuses(const pq::test::CliRun &r)
{
    std::map<std::string, std::string> s;
    const json j = json::parse(r.out, nullptr, false);
    if (j.is_discarded() || !j.contains("stages")) {
        return s;
    }
    for (const json &st : j.at("stages")) {
        s[st.at("stage").get<std::string>()] = st.at("status").get<std::string>();
    }
    return s;
}

void TestCliRun::firstRunRecordsEveryStage()
{
    const pq::test::CliRun r =
            run(m_run, {QStringLiteral("--calib"), m_calib, QStringLiteral("--target-bits"),
                        QStringLiteral("14"), QStringLiteral("--export"),
                        m_run + QStringLiteral("/export")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const std::string dir = m_run.toStdString();
    for (const char *f : {"run.json", "run.log", "sensitivity.json", "calibration.json",
                          "recipe.json", "pareto.csv", "export/config.json"}) {
        QVERIFY2(fs::exists(dir + "/" + f), f);
    }
    std::ifstream in(dir + "/run.json");
    const json record = json::parse(in);
    QCOMPARE(record.at("schema_version").get<int>(), 2);
    for (const char *stage : {"probe", "allocate", "export"}) {
        QVERIFY2(record.at("stages").contains(stage), stage);
        QCOMPARE(record.at("stages").at(stage).at("key").get<std::string>().size(), 64U);
        for (const json &o : record.at("stages").at(stage).at("outputs")) {
            QVERIFY(o.at("bytes").get<std::uint64_t>() > 0);  // each output stamped
            QVERIFY(o.at("mtime_ns").get<std::int64_t>() > 0);
        }
    }
    std::ifstream log(dir + "/run.log");
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    QVERIFY2(text.find("probe: finished") != std::string::npos, text.c_str());
    QVERIFY2(text.find("backward: 5/5") != std::string::npos, text.c_str());  // progress logged
    QVERIFY2(r.out.find("knee") != std::string::npos, r.out.c_str());         // the curve
    QVERIFY2(r.out.find("vllm serve") != std::string::npos, r.out.c_str());
}

void TestCliRun::rerunSkipsUnchangedStages()
{
    const std::string sensitivity = m_run.toStdString() + "/sensitivity.json";
    const auto before = fs::last_write_time(sensitivity);
    const pq::test::CliRun r =
            run(m_run, {QStringLiteral("--calib"), m_calib, QStringLiteral("--target-bits"),
                        QStringLiteral("14"), QStringLiteral("--export"),
                        m_run + QStringLiteral("/export"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto s = statuses(r);
    QCOMPARE(s.at("probe"), std::string("skipped"));
    QCOMPARE(s.at("allocate"), std::string("skipped"));
    QCOMPARE(s.at("export"), std::string("skipped"));
    QVERIFY(fs::last_write_time(sensitivity) == before);
    QVERIFY2(r.err.find("unchanged since") != std::string::npos, r.err.c_str());
}

void TestCliRun::changedTargetReallocatesButKeepsTheProbe()
{
    std::ifstream before(m_run.toStdString() + "/recipe.json");
    const json oldRecipe = json::parse(before, nullptr, false);
    QVERIFY(!oldRecipe.is_discarded());
    const pq::test::CliRun r =
            run(m_run, {QStringLiteral("--calib"), m_calib, QStringLiteral("--target-bits"),
                        QStringLiteral("12.5"), QStringLiteral("--export"),
                        m_run + QStringLiteral("/export"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto s = statuses(r);
    QCOMPARE(s.at("probe"), std::string("skipped"));
    QCOMPARE(s.at("allocate"), std::string("ran"));
    QCOMPARE(s.at("export"), std::string("ran"));  // its own earlier export, replaced
    std::ifstream after(m_run.toStdString() + "/recipe.json");
    const json newRecipe = json::parse(after, nullptr, false);
    QVERIFY(!newRecipe.is_discarded());
    QVERIFY(newRecipe.dump() != oldRecipe.dump());
}

void TestCliRun::changedCalibrationSettingsReprobe()
{
    const pq::test::CliRun r =
            run(m_run, {QStringLiteral("--calib"), m_calib, QStringLiteral("--target-bits"),
                        QStringLiteral("12.5"), QStringLiteral("--seed"), QStringLiteral("1"),
                        QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto s = statuses(r);
    QCOMPARE(s.at("probe"), std::string("ran"));
    QCOMPARE(s.at("allocate"), std::string("ran"));  // its costs changed with the probe
    QVERIFY(s.find("export") == s.end());            // not asked for this time
}

void TestCliRun::deletedOutputIsMadeAgain()
{
    QVERIFY(fs::remove(m_run.toStdString() + "/recipe.json"));
    const pq::test::CliRun r =
            run(m_run, {QStringLiteral("--calib"), m_calib, QStringLiteral("--target-bits"),
                        QStringLiteral("12.5"), QStringLiteral("--seed"), QStringLiteral("1"),
                        QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto s = statuses(r);
    QCOMPARE(s.at("probe"), std::string("skipped"));
    QCOMPARE(s.at("allocate"), std::string("ran"));
    QVERIFY(fs::exists(m_run.toStdString() + "/recipe.json"));

    // a single `allocate` in the same directory rewrites recipe.json: the run notices
    const pq::test::CliRun single =
            pq::test::runCli({QStringLiteral("allocate"), m_run, QStringLiteral("--target-bits"),
                              QStringLiteral("14")});
    QVERIFY2(single.exitCode == 0, single.err.c_str());
    const pq::test::CliRun again =
            run(m_run, {QStringLiteral("--calib"), m_calib, QStringLiteral("--target-bits"),
                        QStringLiteral("12.5"), QStringLiteral("--seed"), QStringLiteral("1"),
                        QStringLiteral("--json")});
    QVERIFY2(again.exitCode == 0, again.err.c_str());
    QCOMPARE(statuses(again).at("allocate"), std::string("ran"));
}

void TestCliRun::compareTabulatesUniformFormatsAndTheRecipe()
{
    const pq::test::CliRun r =
            pq::test::runCli({QStringLiteral("compare"), m_run, QStringLiteral("--at"),
                              QStringLiteral("MXFP8"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const json j = json::parse(r.out, nullptr, false);
    QVERIFY2(!j.is_discarded(), r.out.c_str());
    const json &rows = j.at("rows");
    QCOMPARE(rows.size(), 6U);  // source, NVFP4, MXFP4, MXFP8, FP8_DYNAMIC, the recipe
    QCOMPARE(rows[0].at("variant").get<std::string>(), std::string("source"));
    QCOMPARE(rows[0].at("mean_kl").get<double>(), 0.0);
    std::map<std::string, json> byName;
    for (const json &row : rows) {
        byName[row.at("variant").get<std::string>()] = row;
        QVERIFY(row.at("perplexity").get<double>() > 1.0);
        QVERIFY(row.at("tokens").get<int>() == 2 * 63);  // the probe's 2 held-out windows
    }
    const auto budget = j.at("budget_bytes").get<std::uint64_t>();
    QCOMPARE(byName.at("MXFP8").at("bytes").get<std::uint64_t>(), budget);
    const json &recipe = rows.back();
    QVERIFY(recipe.at("variant").get<std::string>().starts_with("recipe: "));
    QVERIFY(recipe.at("bytes").get<std::uint64_t>() <= budget);
    QVERIFY(recipe.at("mean_kl").get<double>() > 0.0);
    QVERIFY(byName.at("NVFP4").at("bits_per_linear_param").get<double>() <
            byName.at("MXFP8").at("bits_per_linear_param").get<double>());
    QVERIFY(fs::exists(m_run.toStdString() + "/compare.json"));

    const pq::test::CliRun md = pq::test::runCli(
            {QStringLiteral("compare"), m_run, QStringLiteral("--at"), QStringLiteral("MXFP8")});
    QVERIFY2(md.exitCode == 0, md.err.c_str());
    QVERIFY2(md.out.find("| variant | size |") != std::string::npos, md.out.c_str());
    QVERIFY2(md.out.find("| source |") != std::string::npos, md.out.c_str());
    QVERIFY2(md.out.find("| recipe: ") != std::string::npos, md.out.c_str());

    // both comparisons went into evaluations.json, the second replacing the first's points (same
    // variants, same sizes), with the probe's prediction beside the recipe and each uniform
    // format the probe measured (none for the source, none for a format it did not measure)
    const auto points = pq::core::pipeline::readEvaluations(m_run.toStdString());
    QVERIFY2(points, points ? "" : points.error().message().c_str());
    QCOMPARE(points->size(), std::size_t{6});
    std::ifstream report(m_run.toStdString() + "/sensitivity.json");
    const auto measured = json::parse(report).at("settings").at("formats");
    for (const pq::core::pipeline::MeasuredPoint &p : *points) {
        QCOMPARE(p.meanKl, byName.at(p.variant).at("mean_kl").get<double>());
        QCOMPARE(p.bytes, byName.at(p.variant).at("bytes").get<std::uint64_t>());
        using pq::core::pipeline::VariantKind;
        const bool probed =
                std::find(measured.begin(), measured.end(), p.variant) != measured.end();
        QCOMPARE(p.predicted.has_value(),
                 p.kind == VariantKind::Recipe || (p.kind == VariantKind::Uniform && probed));
    }
}

void TestCliRun::compareRefusesAnotherTextAndAnImpossibleSize()
{
    const pq::test::CliRun tiny = pq::test::runCli(
            {QStringLiteral("compare"), m_run, QStringLiteral("--at"), QStringLiteral("1")});
    QCOMPARE(tiny.exitCode, 1);
    QVERIFY2(tiny.err.find("below the smallest") != std::string::npos, tiny.err.c_str());
    const QString other = m_dir.filePath(QStringLiteral("other.txt"));
    std::ofstream(other.toStdString()) << "Some other text entirely.\n";
    const pq::test::CliRun wrong =
            pq::test::runCli({QStringLiteral("compare"), m_run, QStringLiteral("--at"),
                              QStringLiteral("MXFP8"), QStringLiteral("--calib"), other});
    QCOMPARE(wrong.exitCode, 2);
    QVERIFY2(wrong.err.find("not the text the probe calibrated on") != std::string::npos,
             wrong.err.c_str());
}

void TestCliRun::withoutCalibrationTheAllocationIsDataFree()
{
    const QString dir = m_dir.filePath(QStringLiteral("data-free"));
    const pq::test::CliRun r = run(
            dir, {QStringLiteral("--target-bits"), QStringLiteral("14"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const json j = json::parse(r.out, nullptr, false);
    QVERIFY2(!j.is_discarded(), r.out.c_str());
    QVERIFY(j.at("data_free").get<bool>());
    QVERIFY(!fs::exists(dir.toStdString() + "/sensitivity.json"));
    QVERIFY(fs::exists(dir.toStdString() + "/recipe.json"));
    QVERIFY2(r.err.find("data-free") != std::string::npos, r.err.c_str());
}

void TestCliRun::modelThatFailsValidationStops()
{
    // the same model, declared already quantized: `validate` fails its source check
    const std::string copy = m_dir.filePath(QStringLiteral("quantized")).toStdString();
    fs::copy(m_model.toStdString(), copy, fs::copy_options::recursive);
    std::ifstream in(copy + "/config.json");
    json config = json::parse(in);
    in.close();
    config["quantization_config"] = {{"quant_method", "awq"}, {"bits", 4}};
    std::ofstream(copy + "/config.json") << config.dump();
    const QString dir = m_dir.filePath(QStringLiteral("rejected"));
    const pq::test::CliRun r =
            pq::test::runCli({QStringLiteral("run"), QString::fromStdString(copy),
                              QStringLiteral("--out"), dir, QStringLiteral("--calib"), m_calib,
                              QStringLiteral("--target-bits"), QStringLiteral("14")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("✗") != std::string::npos, r.err.c_str());
    QVERIFY(!fs::exists(dir.toStdString() + "/run.json"));
    QVERIFY(!fs::exists(dir.toStdString() + "/sensitivity.json"));
}

void TestCliRun::missingCalibrationIsAnInputError()
{
    const QString dir = m_dir.filePath(QStringLiteral("no-calib"));
    const pq::test::CliRun r =
            run(dir, {QStringLiteral("--calib"), m_dir.filePath(QStringLiteral("missing.txt")),
                      QStringLiteral("--target-bits"), QStringLiteral("14")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("missing.txt") != std::string::npos, r.err.c_str());
    QVERIFY(!fs::exists(dir.toStdString() + "/sensitivity.json"));
}

void TestCliRun::corruptRunRecordIsAnInputError()
{
    const QString dir = m_dir.filePath(QStringLiteral("corrupt"));
    fs::create_directories(dir.toStdString());
    std::ofstream(dir.toStdString() + "/run.json") << "{\"stages\": 3";
    const pq::test::CliRun r = run(dir, {QStringLiteral("--target-bits"), QStringLiteral("14")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("not a PrismaQuant run record") != std::string::npos, r.err.c_str());
    std::ifstream in(dir.toStdString() + "/run.json");
    const std::string kept((std::istreambuf_iterator<char>(in)), {});
    QCOMPARE(kept, std::string("{\"stages\": 3"));  // never overwritten silently
}

void TestCliRun::missingTargetIsAUsageError()
{
    const pq::test::CliRun r = run(m_dir.filePath(QStringLiteral("no-target")), {});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("--target-bits") != std::string::npos, r.err.c_str());
}

void TestCliRun::interruptedProbeResumesAtItsLayer()
{
    // A random Llama big enough that one layer of the backward walk takes a visible time, with
    // stories260K's tokenizer (vocab 512); Ctrl-C (SIGINT) lands during its backward pass.
    const QString model = m_dir.filePath(QStringLiteral("wide"));
    const nlohmann::json config = pq::test::llamaConfig(512, 1408, 16, 8, 4, 512);
    const std::string configPath = m_dir.filePath(QStringLiteral("wide.json")).toStdString();
    std::ofstream(configPath) << config.dump();
    const pq::test::CliRun synth =
            pq::test::runCli({QStringLiteral("synth"), QString::fromStdString(configPath),
                              QStringLiteral("--out"), model});
    QVERIFY2(synth.exitCode == 0, synth.err.c_str());
    for (const char *f : {"tokenizer.json", "tokenizer_config.json"}) {
        fs::copy_file(m_model.toStdString() + "/" + f, model.toStdString() + "/" + f);
    }
    const QString dir = m_dir.filePath(QStringLiteral("resumed"));
    const QStringList args = {QStringLiteral("run"),           model,
                              QStringLiteral("--out"),         dir,
                              QStringLiteral("--calib"),       m_calib,
                              QStringLiteral("--samples"),     QStringLiteral("8"),
                              QStringLiteral("--seq-len"),     QStringLiteral("128"),
                              QStringLiteral("--held-out"),    QStringLiteral("2"),
                              QStringLiteral("--target-bits"), QStringLiteral("8")};
    QProcess p;
    p.start(QStringLiteral(PQ_CLI_PATH), args);
    QVERIFY(p.waitForStarted());
    std::string err;
    while (err.find("backward: 1/16") == std::string::npos) {
        QVERIFY2(p.state() == QProcess::Running || p.bytesAvailable() > 0, err.c_str());
        p.waitForReadyRead(200);
        err += p.readAllStandardError().toStdString();
    }
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(120000));
    err += p.readAllStandardError().toStdString();
    QVERIFY2(p.exitCode() == 3, err.c_str());  // cancelled
    std::ifstream in(dir.toStdString() + "/run.json");
    const json record = json::parse(in, nullptr, false);
    QVERIFY(record.is_discarded() || !record.at("stages").contains("probe"));
    QVERIFY(fs::exists(dir.toStdString() + "/probe-state"));
    QVERIFY(!fs::exists(dir.toStdString() + "/sensitivity.json"));

    const pq::test::CliRun again = pq::test::runCli(args);
    QVERIFY2(again.exitCode == 0, again.err.c_str());
    QVERIFY2(again.err.find("resuming the probe at layer") != std::string::npos, again.err.c_str());
    QVERIFY(fs::exists(dir.toStdString() + "/sensitivity.json"));
    QVERIFY(!fs::exists(dir.toStdString() + "/probe-state"));
    std::ifstream log(dir.toStdString() + "/run.log");
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    QVERIFY2(text.find("probe: failed with exit code 3") != std::string::npos, text.c_str());
    QVERIFY2(text.find("probe: finished") != std::string::npos, text.c_str());
}

QTEST_GUILESS_MAIN(TestCliRun)
#include "test_cli_run.moc"
