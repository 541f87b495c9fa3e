// SPDX-License-Identifier: MIT
// `prismaquant validate` end to end: ✓ lines and exit 0 on the demo, exit 2 on a broken model,
// the --json shape, and --help.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/cli_runner.h"

namespace fs = std::filesystem;

class TestCliValidate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoPasses();
    void brokenModelExitsTwo();
    void jsonShape();
    void helpHasExamples();
};

void TestCliValidate::demoPasses()
{
    const pq::test::CliRun r = pq::test::runCli(
            {QStringLiteral("validate"), QStringLiteral(PQ_SOURCE_DIR "/examples/demo-llama")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.find("✓ fused_groups") != std::string::npos, r.out.c_str());
    QVERIFY(r.out.find("✓ forward") != std::string::npos);
    QVERIFY(r.out.find("✗") == std::string::npos);
    QVERIFY(r.out.find("All 10 checks passed.") != std::string::npos);
}

void TestCliValidate::brokenModelExitsTwo()
{
    // The demo's config with an unknown architecture and an MTP block it does not have.
    QTemporaryDir dir;
    const fs::path out = dir.path().toStdString();
    fs::copy_file(PQ_SOURCE_DIR "/examples/demo-llama/model.safetensors",
                  out / "model.safetensors");
    std::ifstream in(PQ_SOURCE_DIR "/examples/demo-llama/config.json");
    auto config = nlohmann::json::parse(in);
    config["model_type"] = "my_llama";
    std::ofstream(out / "config.json") << config.dump();
    const pq::test::CliRun r = pq::test::runCli({QStringLiteral("validate"), dir.path()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.out.find("✗ profile") != std::string::npos, r.out.c_str());
    QVERIFY(r.out.find("no profile for model_type 'my_llama'") != std::string::npos);
    QVERIFY(r.out.find("✓ fused_groups") != std::string::npos);
    QVERIFY(r.out.find("2 of 10 checks failed.") != std::string::npos);
    // No config.json at all: an input error too.
    QTemporaryDir empty;
    QCOMPARE(pq::test::runCli({QStringLiteral("validate"), empty.path()}).exitCode, 2);
    QCOMPARE(pq::test::runCli({QStringLiteral("validate")}).exitCode, 1);
}

void TestCliValidate::jsonShape()
{
    const pq::test::CliRun r = pq::test::runCli(
            {QStringLiteral("validate"), QStringLiteral(PQ_SOURCE_DIR "/examples/demo-llama"),
             QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j.at("schema").get<std::string>(), std::string("prismaquant.validate/1"));
    QCOMPARE(j.at("ok").get<bool>(), true);
    QCOMPARE(j.at("profile").get<std::string>(), std::string("llama"));
    QCOMPARE(j.at("tensor_source").get<std::string>(), std::string("weights"));
    QCOMPARE(j.at("passed").get<int>(), 10);
    QCOMPARE(j.at("failed").get<int>(), 0);
    const auto &checks = j.at("checks");
    QCOMPARE(checks.size(), std::size_t{10});
    for (const auto &c : checks) {
        QVERIFY(c.at("id").is_string() && c.at("title").is_string());
        QVERIFY(c.at("ok").get<bool>());
        QVERIFY(!c.at("reason").get<std::string>().empty());
        QVERIFY(c.at("details").is_array());
    }
    QCOMPARE(checks.at(0).at("id").get<std::string>(), std::string("profile"));
}

void TestCliValidate::helpHasExamples()
{
    const pq::test::CliRun r =
            pq::test::runCli({QStringLiteral("validate"), QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.find("prismaquant validate examples/demo-llama") != std::string::npos,
             r.out.c_str());
    QVERIFY(r.out.find("--json") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestCliValidate)
#include "test_cli_validate.moc"
