// SPDX-License-Identifier: MIT
// parseSafetensorsHeader / buildSafetensorsHeader on in-memory bytes, plus the dtype table
// (compressed-tensors.md §1.1–1.2).

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QtTest>

#include "core/io/dtype.h"
#include "core/io/safetensors_header.h"
#include "tests/core/io/bad_safetensors.h"
#include "tests/core/io/io_test_util.h"

using namespace pq::core;
using namespace pq::testutil;

namespace {

Result<SafetensorsHeader> parse(const std::string &bytes)
{
    return parseSafetensorsHeader(asBytes(bytes), bytes.size());
}

QByteArray qba(const std::string &s)
{
    return {s.data(), static_cast<qsizetype>(s.size())};
}

std::string str(const QByteArray &b)
{
    return {b.constData(), static_cast<std::size_t>(b.size())};
}

}  // namespace

class TestSafetensorsHeader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dtypeTokensMatchSpec_data();
    void dtypeTokensMatchSpec();
    void unknownDtypeTokens();
    void tensorInfoByteSize_data();
    void tensorInfoByteSize();

    void acceptsValid_data();
    void acceptsValid();
    void everyDtypeToken_data();
    void everyDtypeToken();
    void entriesSortedByOffset();
    void readsMetadata();

    void rejectsMalformed_data();
    void rejectsMalformed();
    void prefixShorterThanHeader();
    void layoutErrorsCarryByteOffset();

    void buildPadsToEight_data();
    void buildPadsToEight();
    void buildWithoutMetadata();
    void errorMatcherSelfTest();
};

void TestSafetensorsHeader::dtypeTokensMatchSpec_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<unsigned>("bits");
    QTest::addColumn<int>("enumValue");
    // The spec's table, in the reference enum order (ascending alignment).
    const std::vector<std::pair<const char *, unsigned>> spec = {
            {"BOOL", 8},        {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"U8", 8},
            {"I8", 8},          {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8},
            {"F8_E5M2FNUZ", 8}, {"I16", 16},    {"U16", 16},    {"F16", 16},    {"BF16", 16},
            {"I32", 32},        {"U32", 32},    {"F32", 32},    {"C64", 64},    {"F64", 64},
            {"I64", 64},        {"U64", 64},
    };
    for (std::size_t i = 0; i < spec.size(); ++i) {
        QTest::newRow(spec[i].first)
                << QString::fromLatin1(spec[i].first) << spec[i].second << static_cast<int>(i);
    }
}

void TestSafetensorsHeader::dtypeTokensMatchSpec()
{
    QFETCH(QString, token);
    QFETCH(unsigned, bits);
    QFETCH(int, enumValue);
    const auto dt = parseDType(token.toStdString());
    QVERIFY(dt.has_value());
    QCOMPARE(static_cast<int>(*dt), enumValue);
    QCOMPARE(dtypeBits(*dt), bits);
    QCOMPARE(qs(dtypeName(*dt)), token);
}

void TestSafetensorsHeader::unknownDtypeTokens()
{
    for (const char *bad : {"", "f32", "F128", "FLOAT", "BF16 ", " BF16", "F8_E4M3FN", "Q4_0"}) {
        QVERIFY2(!parseDType(bad).has_value(), bad);
    }
}

void TestSafetensorsHeader::tensorInfoByteSize_data()
{
    QTest::addColumn<int>("dtype");
    QTest::addColumn<QList<quint64>>("shape");
    QTest::addColumn<qint64>("bytes");  // -1: nullopt
    auto row = [](const char *name, DType d, QList<quint64> shape, qint64 bytes) {
        QTest::newRow(name) << static_cast<int>(d) << shape << bytes;
    };
    row("scalar F32", DType::F32, {}, 4);
    row("zero-size", DType::BF16, {0, 4096}, 0);
    row("BF16 4096x11008", DType::BF16, {4096, 11008}, 4096LL * 11008 * 2);
    row("F4 even", DType::F4, {3, 2}, 3);
    row("F4 odd", DType::F4, {3}, -1);
    row("F6 four", DType::F6E3M2, {4}, 3);
    row("F6 two", DType::F6E2M3, {2}, -1);
    row("numel overflow", DType::U8, {1ULL << 32U, 1ULL << 32U}, -1);
    row("bits overflow", DType::U64, {1ULL << 60U}, -1);
    row("zero after huge", DType::U8, {1ULL << 40U, 0}, 0);
}

void TestSafetensorsHeader::tensorInfoByteSize()
{
    QFETCH(int, dtype);
    QFETCH(QList<quint64>, shape);
    QFETCH(qint64, bytes);
    const TensorInfo t{"t", static_cast<DType>(dtype), {shape.begin(), shape.end()}};
    const auto got = t.byteSize();
    QCOMPARE(got.has_value(), bytes >= 0);
    if (got) {
        QCOMPARE(static_cast<qint64>(*got), bytes);
    }
}

void TestSafetensorsHeader::acceptsValid_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<int>("entries");
    auto row = [](const char *name, const std::string &file, int entries) {
        QTest::newRow(name) << qba(file) << entries;
    };
    row("empty object", rawSafetensors("{}", 0), 0);
    row("empty object padded", rawSafetensors("{}      ", 0), 0);
    row("leading whitespace", rawSafetensors(" \n\t\r{}", 0), 0);
    row("unpadded length 13", rawSafetensors(R"({"__metadata__":{}})", 0), 0);
    row("scalar", rawSafetensors(R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})", 4), 1);
    row("zero-size alone",
        rawSafetensors(R"({"z":{"dtype":"BF16","shape":[0,16],"data_offsets":[0,0]}})", 0), 1);
    row("zero-size between",
        rawSafetensors(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                       R"("z":{"dtype":"F32","shape":[4,0],"data_offsets":[2,2]},)"
                       R"("y":{"dtype":"F32","shape":[0],"data_offsets":[2,2]},)"
                       R"("b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}})",
                       3),
        4);
    row("rank 16",
        rawSafetensors(R"({"r":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2],)"
                       R"("data_offsets":[0,2]}})",
                       2),
        1);
    row("F4 packed",
        rawSafetensors(R"({"p":{"dtype":"F4","shape":[2,3],"data_offsets":[0,3]}})", 3), 1);
    row("field order free",
        rawSafetensors(R"({"w":{"data_offsets":[0,2],"shape":[1],"dtype":"BF16"}})", 2), 1);
    row("unicode name",
        rawSafetensors("{\"\xC3\xA9t\xC3\xA9\":{\"dtype\":\"U8\",\"shape\":[1],"
                       "\"data_offsets\":[0,1]}}",
                       1),
        1);
}

void TestSafetensorsHeader::acceptsValid()
{
    QFETCH(QByteArray, file);
    QFETCH(int, entries);
    const auto h = parse(str(file));
    PQ_VERIFY_OK(h);
    QCOMPARE(static_cast<int>(h->entries.size()), entries);
    std::uint64_t end = 0;
    for (const SafetensorsEntry &e : h->entries) {
        end = std::max(end, e.end);
    }
    QCOMPARE(h->dataOffset + end, static_cast<std::uint64_t>(file.size()));
}

void TestSafetensorsHeader::everyDtypeToken_data()
{
    QTest::addColumn<int>("dtype");
    for (int d = 0; d <= static_cast<int>(DType::U64); ++d) {
        QTest::newRow(dtypeName(static_cast<DType>(d)).data()) << d;
    }
}

void TestSafetensorsHeader::everyDtypeToken()
{
    QFETCH(int, dtype);
    const DType dt = static_cast<DType>(dtype);
    const std::uint64_t bytes = 8ULL * dtypeBits(dt) / 8;
    const std::string json = R"({"t":{"dtype":")" + std::string(dtypeName(dt)) +
                             R"(","shape":[2,4],"data_offsets":[0,)" + std::to_string(bytes) +
                             "]}}";
    const auto h = parse(rawSafetensors(json, bytes));
    PQ_VERIFY_OK(h);
    QCOMPARE(h->entries.size(), std::size_t{1});
    QCOMPARE(h->entries[0].info.dtype, dt);
    QCOMPARE(h->entries[0].info.shape, (std::vector<std::uint64_t>{2, 4}));
    QCOMPARE(h->entries[0].end, bytes);
}

void TestSafetensorsHeader::entriesSortedByOffset()
{
    const std::string file =
            rawSafetensors(R"({"late":{"dtype":"U8","shape":[3],"data_offsets":[5,8]},)"
                           R"("early":{"dtype":"I16","shape":[2],"data_offsets":[0,4]},)"
                           R"("mid":{"dtype":"BOOL","shape":[1],"data_offsets":[4,5]}})",
                           8);
    const auto h = parse(file);
    PQ_VERIFY_OK(h);
    QCOMPARE(h->entries.size(), std::size_t{3});
    QCOMPARE(qs(h->entries[0].info.name), QStringLiteral("early"));
    QCOMPARE(qs(h->entries[1].info.name), QStringLiteral("mid"));
    QCOMPARE(qs(h->entries[2].info.name), QStringLiteral("late"));
    QCOMPARE(h->entries[2].begin, std::uint64_t{5});
    QCOMPARE(h->dataOffset, file.size() - 8);
}

void TestSafetensorsHeader::readsMetadata()
{
    const auto h = parse(rawSafetensors(R"({"__metadata__":{"format":"pt","x":"y"}})", 0));
    PQ_VERIFY_OK(h);
    QCOMPARE(h->metadata.size(), std::size_t{2});
    QCOMPARE(qs(h->metadata.at("format")), QStringLiteral("pt"));
    QCOMPARE(qs(h->metadata.at("x")), QStringLiteral("y"));
    QVERIFY(h->entries.empty());
}

void TestSafetensorsHeader::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("tensor");
    for (const BadCase &c : allBadCases()) {
        QTest::newRow(c.name.c_str()) << qba(c.bytes) << qs(c.detail) << qs(c.tensor);
    }
}

void TestSafetensorsHeader::rejectsMalformed()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, detail);
    QFETCH(QString, tensor);
    const auto h = parse(str(file));
    PQ_VERIFY_ERROR(h, ErrorCode::InvalidFormat, detail.toStdString());
    QCOMPARE(qs(h.error().tensor), tensor);
    QVERIFY(h.error().path.empty());  // the caller adds it
}

void TestSafetensorsHeader::prefixShorterThanHeader()
{
    // A caller that passes only the first bytes of a big file must not be read past them.
    const std::string file =
            rawSafetensors(R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 4);
    const auto h = parseSafetensorsHeader(asBytes(file).first(20), file.size());
    PQ_VERIFY_ERROR(h, ErrorCode::InvalidFormat, "runs past the end");
}

void TestSafetensorsHeader::layoutErrorsCarryByteOffset()
{
    const std::string json = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
    const auto h = parse(rawSafetensors(json, 12));
    PQ_VERIFY_ERROR(h, ErrorCode::InvalidFormat, "hole", "tensor 'b'");
    QVERIFY(h.error().byteOffset.has_value());
    QCOMPARE(*h.error().byteOffset, 8 + json.size() + 8);
    QVERIFY(h.error().message().find("(at byte") != std::string::npos);
}

void TestSafetensorsHeader::buildPadsToEight_data()
{
    QTest::addColumn<int>("nameLength");
    for (int n = 1; n <= 9; ++n) {
        QTest::addRow("name length %d", n) << n;
    }
}

void TestSafetensorsHeader::buildPadsToEight()
{
    QFETCH(int, nameLength);
    const std::vector<TensorInfo> tensors = {
            tensor(std::string(static_cast<std::size_t>(nameLength), 'n'), DType::F32, {3}),
            tensor("b", DType::U8, {5})};
    const std::string header = buildSafetensorsHeader(tensors, {{"format", "pt"}});
    QCOMPARE(header.size() % 8, std::size_t{0});
    QCOMPARE(header.substr(0, 8), le64(header.size() - 8));
    const std::size_t close = header.find_last_of('}');
    QVERIFY(close != std::string::npos && header.size() - close <= 8);
    QVERIFY(header.find_first_not_of(' ', close + 1) == std::string::npos);
    QVERIFY(header.find(R"("__metadata__":{"format":"pt"})") != std::string::npos);
    const auto h = parse(header + std::string(17, '\0'));
    PQ_VERIFY_OK(h);
    QCOMPARE(qs(h->metadata.at("format")), QStringLiteral("pt"));
    QCOMPARE(h->entries.size(), std::size_t{2});
    QCOMPARE(h->entries[1].begin, std::uint64_t{12});  // back to back in the given order
}

void TestSafetensorsHeader::buildWithoutMetadata()
{
    const std::string header = buildSafetensorsHeader({tensor("s", DType::F64, {})}, {});
    QVERIFY(header.find("__metadata__") == std::string::npos);
    const auto h = parse(header + std::string(8, '\0'));
    PQ_VERIFY_OK(h);
    QVERIFY(h->metadata.empty());
    QVERIFY(h->entries[0].info.shape.empty());
}

void TestSafetensorsHeader::errorMatcherSelfTest()
{
    // PQ_VERIFY_ERROR is only as good as errorMismatch(): it must see a wrong code or text.
    const Error e = makeError(ErrorCode::InvalidFormat, "bad thing").withTensor("t");
    QVERIFY(errorMismatch(e, ErrorCode::InvalidFormat, {"bad thing", "tensor 't'"}).isEmpty());
    QVERIFY(!errorMismatch(e, ErrorCode::UnsafePath, {"bad thing"}).isEmpty());
    QVERIFY(!errorMismatch(e, ErrorCode::InvalidFormat, {"other thing"}).isEmpty());
    QVERIFY(!errorMismatch(e, ErrorCode::InvalidFormat, {"tensor 'u'"}).isEmpty());
}

QTEST_APPLESS_MAIN(TestSafetensorsHeader)
#include "test_safetensors_header.moc"
