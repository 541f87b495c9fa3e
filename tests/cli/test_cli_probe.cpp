// SPDX-License-Identifier: MIT
// `prismaquant probe` end to end on the real stories260K (converted with its tokenizer):
// sensitivity.json and calibration.json land in the run directory; bad inputs exit 2 with a
// message that says what to do.
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/export/compressed_checkpoint.h"
#include "core/pipeline/pins.h"
#include "core/quant/format_spec.h"
#include "tests/support/cli_runner.h"
#include "tests/support/shared_data.h"
#include "tests/support/stories260k.h"

class TestCliProbe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void probeWritesTheRunDirectory();
    void evalComparesUniformFormats();
    void allocateThenEvaluateTheRecipe();
    void tooLittleTextIsAnInputError();
    void unknownFormatIsAnInputError();
    void shardedProbeMergesToTheSameResults();
    void commandsPrintJson();
    void allocateHonoursTheStudioPins();

private:
    QTemporaryDir m_dir;
    QString m_model;
};

void TestCliProbe::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("stories260K"));
    const std::string model = m_model.toStdString();
    QVERIFY(pq::test::importStories260K(model));
}

void TestCliProbe::probeWritesTheRunDirectory()
{
    const QString run = m_dir.filePath(QStringLiteral("run"));
    const pq::test::CliRun r = pq::test::runCli(
            {QStringLiteral("probe"), m_model, QStringLiteral("--calib"),
             QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt")),
             QStringLiteral("--out"), run, QStringLiteral("--samples"), QStringLiteral("3"),
             QStringLiteral("--seq-len"), QStringLiteral("64"), QStringLiteral("--held-out"),
             QStringLiteral("2"), QStringLiteral("--formats"),
             QStringLiteral("NVFP4,MXFP8,FP8_DYNAMIC")});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QVERIFY2(r.out.find("probed 35 Linears") != std::string::npos, r.out.c_str());
    QFile f(run + QStringLiteral("/sensitivity.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    QCOMPARE(j.at("linears").size(), std::size_t{35});
    QCOMPARE(j.at("calibration").at("samples").get<int>(), 3);
    QCOMPARE(j.at("calibration").at("bos").get<int>(), 1);
    QVERIFY(QFile::exists(run + QStringLiteral("/calibration.json")));
    // the resumable state is removed once the run is complete
    QVERIFY(!QFileInfo::exists(run + QStringLiteral("/probe-state")));
}

void TestCliProbe::evalComparesUniformFormats()
{
    // Uses the run directory the previous test wrote (its input maxima serve NVFP4's W4A4).
    const QString out = m_dir.filePath(QStringLiteral("eval.json"));
    const auto r = pq::test::runCli(
            {QStringLiteral("eval"), m_model, QStringLiteral("--calib"),
             QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt")),
             QStringLiteral("--samples"), QStringLiteral("3"), QStringLiteral("--seq-len"),
             QStringLiteral("64"), QStringLiteral("--held-out"), QStringLiteral("2"),
             QStringLiteral("--uniform"), QStringLiteral("MXFP8,NVFP4"), QStringLiteral("--run"),
             m_dir.filePath(QStringLiteral("run")), QStringLiteral("--out"), out});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    const auto &res = j.at("results");
    QCOMPARE(res.size(), std::size_t{3});
    QCOMPARE(res.at(0).at("mean_kl").get<double>(), 0.0);
    QVERIFY(res.at(1).at("mean_kl").get<double>() < res.at(2).at("mean_kl").get<double>());
    QCOMPARE(res.at(1).at("tokens").get<int>(), 2 * 63);
    // W4A4 without a probe run is refused with the way out
    const auto noRun = pq::test::runCli({QStringLiteral("eval"), m_model, QStringLiteral("--calib"),
                                         m_model, QStringLiteral("--uniform"),
                                         QStringLiteral("NVFP4"), QStringLiteral("--out"), out});
    QCOMPARE(noRun.exitCode, 1);
    QVERIFY2(noRun.err.find("--run RUN_DIR") != std::string::npos, noRun.err.c_str());
}

void TestCliProbe::allocateThenEvaluateTheRecipe()
{
    // probe run → allocate at 6 bits per Linear parameter → pareto → eval of the recipe
    const QString run = m_dir.filePath(QStringLiteral("run"));
    const auto a = pq::test::runCli({QStringLiteral("allocate"), run,
                                     QStringLiteral("--target-bits"), QStringLiteral("6")});
    QVERIFY2(a.exitCode == 0, a.err.c_str());
    QVERIFY2(a.out.find("bpp") != std::string::npos && a.out.find("(optimal)") != std::string::npos,
             a.out.c_str());
    QFile recipe(run + QStringLiteral("/recipe.json"));
    QVERIFY(recipe.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(recipe.readAll().toStdString());
    QCOMPARE(j.at("linears").size(), std::size_t{35});
    QVERIFY(j.at("total_bytes").get<std::uint64_t>() <=
            j.at("fixed_bytes").get<std::uint64_t>() + j.at("linear_bytes").get<std::uint64_t>());
    QVERIFY(j.at("bits_per_linear_param").get<double>() <= 6.0);
    QVERIFY(QFile::exists(run + QStringLiteral("/pareto.csv")));
    const auto p = pq::test::runCli({QStringLiteral("pareto"), run, QStringLiteral("--csv")});
    QVERIFY2(p.exitCode == 0, p.err.c_str());
    QVERIFY(p.out.rfind("label,total_bytes", 0) == 0);
    QVERIFY(p.out.find(",yes,") != std::string::npos);  // the knee
    const auto e = pq::test::runCli(
            {QStringLiteral("eval"), m_model, QStringLiteral("--calib"),
             QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt")),
             QStringLiteral("--samples"), QStringLiteral("3"), QStringLiteral("--seq-len"),
             QStringLiteral("64"), QStringLiteral("--held-out"), QStringLiteral("2"),
             QStringLiteral("--uniform"), QStringLiteral("MXFP8"), QStringLiteral("--recipe"),
             run + QStringLiteral("/recipe.json"), QStringLiteral("--run"), run,
             QStringLiteral("--out"), m_dir.filePath(QStringLiteral("eval-recipe.json"))});
    QVERIFY2(e.exitCode == 0, e.err.c_str());
    QVERIFY2(e.out.find(j.at("summary").get<std::string>()) != std::string::npos, e.out.c_str());
    // export of the recipe: the W4A4 input maxima are found beside it in the run directory
    const QString exported = m_dir.filePath(QStringLiteral("exported"));
    const auto x = pq::test::runCli({QStringLiteral("export"), m_model, QStringLiteral("--recipe"),
                                     run, QStringLiteral("--out"), exported});
    QVERIFY2(x.exitCode == 0, x.err.c_str());
    auto rb = pq::core::ct::CompressedCheckpoint::open(exported.toStdString());
    QVERIFY2(rb.has_value(), rb ? "" : rb.error().message().c_str());
    for (const auto &[linear, format] : j.at("linears").items()) {
        const auto *m = rb->find(linear);
        QVERIFY2((m == nullptr) == (format == "BF16"), linear.c_str());
        if (m != nullptr) {
            QCOMPARE(std::string(pq::core::quant::formatInfo(*m->format).name),
                     format.get<std::string>());
        }
    }
    // the exported checkpoint, read back, evaluates like the recipe it was made from
    const QString both = m_dir.filePath(QStringLiteral("eval-export.json"));
    const auto ee = pq::test::runCli(
            {QStringLiteral("eval"),
             m_model,
             QStringLiteral("--calib"),
             QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt")),
             QStringLiteral("--samples"),
             QStringLiteral("3"),
             QStringLiteral("--seq-len"),
             QStringLiteral("64"),
             QStringLiteral("--held-out"),
             QStringLiteral("2"),
             QStringLiteral("--uniform"),
             QStringLiteral("MXFP8"),
             QStringLiteral("--recipe"),
             run + QStringLiteral("/recipe.json"),
             QStringLiteral("--run"),
             run,
             QStringLiteral("--checkpoint"),
             exported,
             QStringLiteral("--out"),
             both});
    QVERIFY2(ee.exitCode == 0, ee.err.c_str());
    QFile evalFile(both);
    QVERIFY(evalFile.open(QIODevice::ReadOnly));
    const auto rows = nlohmann::json::parse(evalFile.readAll().toStdString())["results"];
    QCOMPARE(rows.size(), std::size_t{4});  // source, MXFP8, recipe, checkpoint
    const auto &simulated = rows[2];
    const auto &shipped = rows[3];
    QVERIFY2(shipped["variant"].get<std::string>().rfind("checkpoint", 0) == 0, ee.out.c_str());
    QVERIFY(simulated["mean_kl"].get<double>() > 0.0);
    // Equal up to the NVFP4 input scale's float round trip through the file (2688/G).
    QVERIFY2(std::abs(simulated["mean_kl"].get<double>() - shipped["mean_kl"].get<double>()) <=
                     1e-6 + 1e-3 * simulated["mean_kl"].get<double>(),
             ee.out.c_str());
    QVERIFY2(
            std::abs(simulated["perplexity"].get<double>() - shipped["perplexity"].get<double>()) <=
                    1e-4 * simulated["perplexity"].get<double>(),
            ee.out.c_str());
    // a target below the smallest artifact: a clear error with the smallest size
    const auto tiny = pq::test::runCli({QStringLiteral("allocate"), run,
                                        QStringLiteral("--target-size"), QStringLiteral("1kB")});
    QVERIFY(tiny.exitCode != 0);
    QVERIFY2(tiny.err.find("smallest artifact") != std::string::npos, tiny.err.c_str());
}

void TestCliProbe::tooLittleTextIsAnInputError()
{
    QTemporaryDir tmp;
    QFile small(tmp.filePath(QStringLiteral("small.txt")));
    QVERIFY(small.open(QIODevice::WriteOnly));
    small.write("Once upon a time.");
    small.close();
    const pq::test::CliRun r = pq::test::runCli(
            {QStringLiteral("probe"), m_model, QStringLiteral("--calib"), small.fileName(),
             QStringLiteral("--out"), tmp.filePath(QStringLiteral("r"))});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("too little text") != std::string::npos, r.err.c_str());
    QVERIFY(!QFile::exists(tmp.filePath(QStringLiteral("r/sensitivity.json"))));
}

void TestCliProbe::unknownFormatIsAnInputError()
{
    const pq::test::CliRun r =
            pq::test::runCli({QStringLiteral("probe"), m_model, QStringLiteral("--calib"), m_model,
                              QStringLiteral("--out"), m_dir.filePath(QStringLiteral("x")),
                              QStringLiteral("--formats"), QStringLiteral("INT3")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("unknown format 'INT3'") != std::string::npos, r.err.c_str());
}

void TestCliProbe::shardedProbeMergesToTheSameResults()
{
    // probe --shard 1/2 and 2/2 (as two machines would), merge, and the merged run directory
    // equals one unsplit probe's and serves allocate; a shard alone is refused where a whole
    // report is needed, and merge refuses an incomplete set.
    const auto probe = [&](const QString &out, const QStringList &extra) {
        QStringList args = {
                QStringLiteral("probe"),
                m_model,
                QStringLiteral("--calib"),
                QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt")),
                QStringLiteral("--out"),
                out,
                QStringLiteral("--samples"),
                QStringLiteral("3"),
                QStringLiteral("--seq-len"),
                QStringLiteral("64"),
                QStringLiteral("--held-out"),
                QStringLiteral("2"),
                QStringLiteral("--formats"),
                QStringLiteral("NVFP4,MXFP8")};
        return pq::test::runCli(args + extra);
    };
    const QString whole = m_dir.filePath(QStringLiteral("shard-whole"));
    const QString s1 = m_dir.filePath(QStringLiteral("shard-1"));
    const QString s2 = m_dir.filePath(QStringLiteral("shard-2"));
    const QString merged = m_dir.filePath(QStringLiteral("shard-merged"));
    const auto w = probe(whole, {});
    QVERIFY2(w.exitCode == 0, w.err.c_str());
    const auto a = probe(s1, {QStringLiteral("--shard"), QStringLiteral("1/2")});
    QVERIFY2(a.exitCode == 0, a.err.c_str());
    QVERIFY2(a.out.find("shard 1 of 2 (calibration windows 1 to 1 of 3)") != std::string::npos,
             a.out.c_str());
    const auto b = probe(s2, {QStringLiteral("--shard"), QStringLiteral("2/2")});
    QVERIFY2(b.exitCode == 0, b.err.c_str());

    const auto alone = pq::test::runCli(
            {QStringLiteral("allocate"), s1, QStringLiteral("--target-bits"), QStringLiteral("6")});
    QCOMPARE(alone.exitCode, 2);
    QVERIFY2(alone.err.find("prismaquant merge") != std::string::npos, alone.err.c_str());
    const auto partial =
            pq::test::runCli({QStringLiteral("merge"), s2, QStringLiteral("--out"), merged});
    QCOMPARE(partial.exitCode, 2);
    QVERIFY2(partial.err.find("shard 1 of 2 is missing") != std::string::npos, partial.err.c_str());
    const auto into =
            pq::test::runCli({QStringLiteral("merge"), s1, s2, QStringLiteral("--out"), s1});
    QCOMPARE(into.exitCode, 1);  // a usage error
    QVERIFY2(into.err.find("would be replaced") != std::string::npos, into.err.c_str());
    const auto bad = probe(m_dir.filePath(QStringLiteral("x")),
                           {QStringLiteral("--shard"), QStringLiteral("3/2")});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.find("I/N with 1 ≤ I ≤ N") != std::string::npos, bad.err.c_str());

    const auto m = pq::test::runCli({QStringLiteral("merge"), s2, s1, QStringLiteral("--out"),
                                     merged, QStringLiteral("--json")});
    QVERIFY2(m.exitCode == 0, m.err.c_str());
    QCOMPARE(nlohmann::json::parse(m.out).at("shards").get<int>(), 2);
    const auto read = [](const QString &dir) {
        QFile f(dir + QStringLiteral("/sensitivity.json"));
        return f.open(QIODevice::ReadOnly) ? nlohmann::json::parse(f.readAll().toStdString())
                                           : nlohmann::json();
    };
    const auto jw = read(whole);
    const auto jm = read(merged);
    QVERIFY(!jm.contains("shard"));
    QCOMPARE(jm.at("tokens"), jw.at("tokens"));
    QCOMPARE(jm.at("calibration"), jw.at("calibration"));
    QCOMPARE(jm.at("linears").size(), jw.at("linears").size());
    for (std::size_t i = 0; i < jw.at("linears").size(); ++i) {
        const auto &x = jw.at("linears")[i];
        const auto &y = jm.at("linears")[i];
        QCOMPARE(y.at("name"), x.at("name"));
        const double fx = x.at("fisher_trace").get<double>();
        QVERIFY(std::abs(y.at("fisher_trace").get<double>() - fx) <= 1e-5 * fx);
        for (const auto &[format, cost] : x.at("output_cost").items()) {
            const double cx = cost.get<double>();
            QVERIFY2(std::abs(y.at("output_cost").at(format).get<double>() - cx) <= 1e-4 * cx,
                     format.c_str());
        }
    }
    QVERIFY(QFile::exists(merged + QStringLiteral("/calibration.json")));
    // (down_proj, 172 inputs, takes no group format of this menu: the floor is about 11.2 bits)
    const auto alloc = pq::test::runCli({QStringLiteral("allocate"), merged,
                                         QStringLiteral("--target-bits"), QStringLiteral("12")});
    QVERIFY2(alloc.exitCode == 0, alloc.err.c_str());
}

void TestCliProbe::commandsPrintJson()
{
    // --json on the commands scripts chain (the others' JSON is tested with them): each prints
    // one JSON document on stdout
    const QString text =
            QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt"));
    const QString run = m_dir.filePath(QStringLiteral("json-run"));
    const auto probe = pq::test::runCli(
            {QStringLiteral("probe"), m_model, QStringLiteral("--calib"), text,
             QStringLiteral("--out"), run, QStringLiteral("--samples"), QStringLiteral("2"),
             QStringLiteral("--seq-len"), QStringLiteral("32"), QStringLiteral("--held-out"),
             QStringLiteral("1"), QStringLiteral("--json")});
    QVERIFY2(probe.exitCode == 0, probe.err.c_str());
    const auto jp = nlohmann::json::parse(probe.out);
    QCOMPARE(jp.at("linears").get<int>(), 35);
    QCOMPARE(jp.at("tokens").get<int>(), 2 * 31);

    const auto pareto = pq::test::runCli({QStringLiteral("pareto"), run, QStringLiteral("--json")});
    QVERIFY2(pareto.exitCode == 0, pareto.err.c_str());
    const auto jc = nlohmann::json::parse(pareto.out);
    QVERIFY(!jc.at("data_free").get<bool>());
    const auto &points = jc.at("points");
    QVERIFY(points.size() >= 2);
    int knees = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        knees += points[i].at("knee").get<bool>() ? 1 : 0;
        if (i > 0) {  // the curve runs from the smallest recipe up, predicted loss falling
            QVERIFY(points[i].at("total_bytes") > points[i - 1].at("total_bytes"));
            QVERIFY(points[i].at("predicted_dloss") <= points[i - 1].at("predicted_dloss"));
        }
    }
    QCOMPARE(knees, 1);
    QVERIFY(points[jc.at("knee").at("index").get<std::size_t>()].at("knee").get<bool>());

    const auto eval = pq::test::runCli(
            {QStringLiteral("eval"), m_model, QStringLiteral("--calib"), text,
             QStringLiteral("--samples"), QStringLiteral("2"), QStringLiteral("--seq-len"),
             QStringLiteral("32"), QStringLiteral("--held-out"), QStringLiteral("1"),
             QStringLiteral("--uniform"), QStringLiteral("MXFP8"), QStringLiteral("--out"),
             m_dir.filePath(QStringLiteral("json-eval.json")), QStringLiteral("--json")});
    QVERIFY2(eval.exitCode == 0, eval.err.c_str());
    const auto je = nlohmann::json::parse(eval.out);
    QCOMPARE(je.at("schema").get<std::string>(), std::string("prismaquant.eval/1"));
    QCOMPARE(je.at("results").size(), std::size_t{2});  // the source and MXFP8

    QProcess tokenize;
    tokenize.start(QStringLiteral(PQ_CLI_PATH),
                   {QStringLiteral("tokenize"), QStringLiteral("--model"), m_model,
                    QStringLiteral("--json")});
    QVERIFY(tokenize.waitForStarted());
    tokenize.write("Once upon a time");
    tokenize.closeWriteChannel();
    QVERIFY(tokenize.waitForFinished());
    QCOMPARE(tokenize.exitCode(), 0);
    const auto jt = nlohmann::json::parse(tokenize.readAllStandardOutput().toStdString());
    QCOMPARE(jt.at("text").get<std::string>(), std::string("Once upon a time"));
    QVERIFY(!jt.at("ids").empty());

    const QString synth = m_dir.filePath(QStringLiteral("json-synth"));
    const auto sy = pq::test::runCli(
            {QStringLiteral("synth"),
             QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama/config.json"),
             QStringLiteral("--out"), synth, QStringLiteral("--json")});
    QVERIFY2(sy.exitCode == 0, sy.err.c_str());
    QCOMPARE(nlohmann::json::parse(sy.out).at("out_dir").get<std::string>(), synth.toStdString());
    QVERIFY(QFile::exists(synth + QStringLiteral("/config.json")));
}

void TestCliProbe::allocateHonoursTheStudioPins()
{
    // a pin set in the Studio (RUN_DIR/pins.json) holds for `allocate` too
    const QString run = m_dir.filePath(QStringLiteral("pinned-run"));
    const auto probe = pq::test::runCli(
            {QStringLiteral("probe"), m_model, QStringLiteral("--calib"),
             QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt")),
             QStringLiteral("--out"), run, QStringLiteral("--samples"), QStringLiteral("2"),
             QStringLiteral("--seq-len"), QStringLiteral("32"), QStringLiteral("--held-out"),
             QStringLiteral("1")});
    QVERIFY2(probe.exitCode == 0, probe.err.c_str());
    const auto recipeOf = [&]() {
        QFile f(run + QStringLiteral("/recipe.json"));
        return f.open(QIODevice::ReadOnly) ? nlohmann::json::parse(f.readAll().toStdString())
                                           : nlohmann::json();
    };
    const QStringList allocate = {QStringLiteral("allocate"), run, QStringLiteral("--target-bits"),
                                  QStringLiteral("7")};
    const std::string down = "model.layers.0.mlp.down_proj";
    const auto free = pq::test::runCli(allocate);
    QVERIFY2(free.exitCode == 0, free.err.c_str());
    QVERIFY(recipeOf().at("linears").at(down).get<std::string>() != "BF16");
    QVERIFY(pq::core::pipeline::writePins(
                    run.toStdString(),
                    {{pq::core::pipeline::exactPattern(down), pq::core::quant::FormatId::BF16}})
                    .has_value());
    const auto pinned = pq::test::runCli(allocate);
    QVERIFY2(pinned.exitCode == 0, (pinned.err + pinned.out).c_str());
    QVERIFY2(pinned.err.find("honouring 1 pin(s)") != std::string::npos, pinned.err.c_str());
    QCOMPARE(recipeOf().at("linears").at(down).get<std::string>(), std::string("BF16"));
}

QTEST_GUILESS_MAIN(TestCliProbe)
#include "test_cli_probe.moc"
