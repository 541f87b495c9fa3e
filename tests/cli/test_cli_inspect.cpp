// SPDX-License-Identifier: MIT
// The `prismaquant` binary end to end: --version, inspect text/JSON, and exit codes on bad input.
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/cli_runner.h"
#include "tests/support/shared_data.h"

class TestCliInspect : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void version();
    void inspectExampleText();
    void inspectJsonSchema();
    void inspectJsonLinears();
    void missingConfigIsInputError();
    void corruptShardIsInputError();
    void noArgumentsIsUsageError();
};

void TestCliInspect::version()
{
    const pq::test::CliRun r = pq::test::runCli({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.find("prismaquant 0.") != std::string::npos);
}

void TestCliInspect::inspectExampleText()
{
    const pq::test::CliRun r =
            pq::test::runCli({QStringLiteral("inspect"),
                              QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.find("14 in 8 fused groups") != std::string::npos, r.out.c_str());
    QVERIFY(r.out.find("every tensor classified") != std::string::npos);
}

void TestCliInspect::inspectJsonSchema()
{
    const std::string dir = pq::test::sharedData("configs/qwen3.6-35b-a3b");
    const pq::test::CliRun r = pq::test::runCli(
            {QStringLiteral("inspect"), QString::fromStdString(dir), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j.at("schema").get<std::string>(), std::string("prismaquant.inspect/1"));
    QCOMPARE(j.at("profile").get<std::string>(), std::string("qwen3_5_moe"));
    QCOMPARE(j.at("tensor_source").get<std::string>(), std::string("config"));
    QCOMPARE(j.at("moe").at("experts").get<int>(), 256);
    QCOMPARE(j.at("moe").at("storage").get<std::string>(), std::string("fused-3d"));
    QCOMPARE(j.at("mtp").at("layers_in_config").get<int>(), 1);
    QCOMPARE(j.at("linears").at("text").get<int>(), 31030);
    QCOMPARE(j.at("config").at("layer_types").at("linear_attention").get<int>(), 30);
    QVERIFY(j.at("unclassified").empty());
    QVERIFY(j.at("already_quantized").at("quant_method").is_null());
    QVERIFY(!j.at("linears").contains("items"));
}

void TestCliInspect::inspectJsonLinears()
{
    const pq::test::CliRun r = pq::test::runCli(
            {QStringLiteral("inspect"), QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama"),
             QStringLiteral("--json"), QStringLiteral("--linears")});
    QCOMPARE(r.exitCode, 0);
    const auto items = nlohmann::json::parse(r.out).at("linears").at("items");
    QCOMPARE(items.size(), std::size_t{14});
    QCOMPARE(items.at(0).at("vllm_module").get<std::string>(),
             std::string("model.layers.0.self_attn.qkv_proj"));
}

void TestCliInspect::missingConfigIsInputError()
{
    QTemporaryDir dir;
    const pq::test::CliRun r = pq::test::runCli({QStringLiteral("inspect"), dir.path()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("config.json") != std::string::npos, r.err.c_str());
}

void TestCliInspect::corruptShardIsInputError()
{
    QTemporaryDir dir;
    QVERIFY(QFile::copy(QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama/config.json"),
                        dir.filePath(QStringLiteral("config.json"))));
    QFile shard(dir.filePath(QStringLiteral("model.safetensors")));
    QVERIFY(shard.open(QIODevice::WriteOnly));
    shard.write(QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10));
    shard.close();
    const pq::test::CliRun r = pq::test::runCli({QStringLiteral("inspect"), dir.path()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("model.safetensors") != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("header length") != std::string::npos, r.err.c_str());
}

void TestCliInspect::noArgumentsIsUsageError()
{
    const pq::test::CliRun r = pq::test::runCli({});
    QCOMPARE(r.exitCode, 1);
}

QTEST_GUILESS_MAIN(TestCliInspect)
#include "test_cli_inspect.moc"
