// SPDX-License-Identifier: MIT
// CheckpointWriter: byte-exact round trips for every dtype, the reference writer's layout
// (padding, __metadata__, tensor order, alignment), sharding with an index, misuse errors and
// atomicity when a writer is abandoned.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/io/checkpoint.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/safetensors_header.h"
#include "tests/core/io/io_test_util.h"

using namespace pq::core;
using namespace pq::testutil;

namespace {

/** Element size used for alignment (sub-byte types align to 1, like the reference writer). */
std::uint64_t alignmentOf(DType d)
{
    return std::max(1U, dtypeBits(d) / 8);
}

/** A shard parsed straight from its bytes, independent of the mmap reader. */
struct RawShard
{
    std::string bytes;
    SafetensorsHeader header;
    QJsonObject json;
};

std::unique_ptr<RawShard> readRaw(const fs::path &path)
{
    auto raw = std::make_unique<RawShard>();
    raw->bytes = readFile(path);
    auto h = parseSafetensorsHeader(asBytes(raw->bytes), raw->bytes.size());
    if (!h) {
        qWarning("%s", h.error().message().c_str());
        return nullptr;
    }
    raw->header = std::move(*h);
    const std::string text = raw->bytes.substr(8, raw->header.dataOffset - 8);
    raw->json = QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
    return raw;
}

std::string_view rawData(const RawShard &raw, const SafetensorsEntry &e)
{
    return std::string_view(raw.bytes).substr(raw.header.dataOffset + e.begin, e.end - e.begin);
}

bool sameBytes(std::string_view a, const Bytes &b)
{
    const auto ab = asBytes(a);
    return ab.size() == b.size() && std::equal(ab.begin(), ab.end(), b.begin());
}

bool hasPartialFiles(const fs::path &dir)
{
    for (const std::string &name : listDir(dir)) {
        if (name.find(".partial-") != std::string::npos) {
            return true;
        }
    }
    return false;
}

/** The writer's file name for shard `s` (0-based) of `count`. */
std::string shardFileName(int s, int count)
{
    return count == 1 ? std::string("model.safetensors")
                      : fmt::format("model-{:05d}-of-{:05d}.safetensors", s + 1, count);
}

std::vector<TensorInfo> allDtypeTensors()
{
    std::vector<TensorInfo> out;
    for (int d = static_cast<int>(DType::U64); d >= 0; --d) {
        const auto dt = static_cast<DType>(d);
        out.push_back(tensor("t_" + std::string(dtypeName(dt)), dt, {3, 8}));
    }
    return out;
}

}  // namespace

class TestCheckpointWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void everyDtypeRoundTrips_data();
    void everyDtypeRoundTrips();
    void headerIsPaddedWithFormatPt();
    void tensorsInReferenceOrder();
    void offsetsAlignedToElementSize();
    void customMetadata();
    void emptyCheckpoint();

    void sharding_data();
    void sharding();

    void writeOutOfOrder();
    void writeWrongSize_data();
    void writeWrongSize();
    void writeAfterLastTensor();
    void finishMisuse();
    void createRejects();
    void createRejectsUnwritableNames();
    void createInMissingDirectory();

    void destroyedMidShard();
    void destroyedMidSecondShard();

private:
    fs::path dir() const { return fs::path(m_dir->path().toStdString()); }

    void checkPlacement(const std::vector<TensorInfo> &tensors, const QList<int> &shardOf);
    void checkIndexFile(const std::vector<TensorInfo> &tensors, const QList<int> &shardOf);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestCheckpointWriter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCheckpointWriter::cleanup()
{
    m_dir.reset();
}

void TestCheckpointWriter::everyDtypeRoundTrips_data()
{
    QTest::addColumn<int>("dtype");
    QTest::addColumn<QList<quint64>>("shape");
    for (int d = 0; d <= static_cast<int>(DType::U64); ++d) {
        QTest::newRow(dtypeName(static_cast<DType>(d)).data()) << d << QList<quint64>{3, 8};
    }
    QTest::newRow("F32 scalar") << int(DType::F32) << QList<quint64>{};
    QTest::newRow("BF16 zero-size") << int(DType::BF16) << QList<quint64>{0, 7};
    QTest::newRow("F4 2x3") << int(DType::F4) << QList<quint64>{2, 3};
    QTest::newRow("F6_E3M2 4") << int(DType::F6E3M2) << QList<quint64>{4};
    QTest::newRow("I64 1x1x1x5") << int(DType::I64) << QList<quint64>{1, 1, 1, 5};
}

void TestCheckpointWriter::everyDtypeRoundTrips()
{
    QFETCH(int, dtype);
    QFETCH(QList<quint64>, shape);
    // An odd-sized U8 neighbour makes the tensor's offset depend on the writer's ordering.
    const TensorInfo t = tensor("w", static_cast<DType>(dtype), {shape.begin(), shape.end()});
    PQ_VERIFY_OK(writeCheckpoint(dir(), {tensor("a_odd", DType::U8, {3}), t}));
    QCOMPARE(listDir(dir()), std::vector<std::string>{"model.safetensors"});

    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    const Checkpoint::Entry *e = cp->find("w");
    QVERIFY(e != nullptr);
    const TensorView v = cp->view(*e);
    QCOMPARE(v.info->dtype, t.dtype);
    QCOMPARE(v.info->shape, t.shape);
    const Bytes expected = bytesFor(t);
    QCOMPARE(v.data.size(), expected.size());
    QVERIFY(std::equal(v.data.begin(), v.data.end(), expected.begin()));

    const auto raw = readRaw(dir() / "model.safetensors");
    QVERIFY(raw);
    QCOMPARE(raw->header.entries.size(), std::size_t{2});
    for (const SafetensorsEntry &se : raw->header.entries) {
        QVERIFY2(sameBytes(rawData(*raw, se), bytesFor(se.info)), se.info.name.c_str());
    }
    const QJsonObject entry = raw->json.value(QStringLiteral("w")).toObject();
    QCOMPARE(entry.value(QStringLiteral("dtype")).toString(), qs(dtypeName(t.dtype)));
    QCOMPARE(entry.value(QStringLiteral("shape")).toArray().size(), shape.size());
}

void TestCheckpointWriter::headerIsPaddedWithFormatPt()
{
    for (std::size_t nameLength = 1; nameLength <= 8; ++nameLength) {
        const fs::path sub = dir() / std::to_string(nameLength);
        fs::create_directory(sub);
        PQ_VERIFY_OK(writeCheckpoint(sub, {tensor(std::string(nameLength, 'x'), DType::F32, {2})}));
        const std::string bytes = readFile(sub / "model.safetensors");
        QVERIFY(bytes.size() >= 8);
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) {
            n = (n << 8U) | static_cast<unsigned char>(bytes[std::size_t(i)]);
        }
        QCOMPARE(n % 8, std::uint64_t{0});
        QCOMPARE(bytes.size(), 8 + n + 8);
        const std::string header = bytes.substr(8, n);
        QCOMPARE(header.front(), '{');
        const std::size_t close = header.find_last_of('}');
        QVERIFY(header.find_first_not_of(' ', close + 1) == std::string::npos);
        const QJsonObject root =
                QJsonDocument::fromJson(QByteArray::fromStdString(header)).object();
        const QJsonObject meta = root.value(QStringLiteral("__metadata__")).toObject();
        QCOMPARE(meta, (QJsonObject{{QStringLiteral("format"), QStringLiteral("pt")}}));
    }
}

void TestCheckpointWriter::tensorsInReferenceOrder()
{
    // Given in an arbitrary order; on disk like the reference writer: descending dtype (its
    // enum runs by ascending alignment), then name.
    const std::vector<TensorInfo> given = {
            tensor("b.weight", DType::BF16, {4, 4}), tensor("a.scale", DType::F8E4M3, {4}),
            tensor("z.global", DType::F32, {1}),     tensor("a.weight", DType::BF16, {4, 4}),
            tensor("shape", DType::I64, {2}),        tensor("packed", DType::F4, {4, 2}),
            tensor("c.packed", DType::U8, {5}),      tensor("m.words", DType::I32, {3}),
            tensor("b.mask", DType::Bool, {3}),      tensor("d", DType::F64, {1}),
    };
    PQ_VERIFY_OK(writeCheckpoint(dir(), given));
    const std::vector<std::string> expected = {"shape",    "d",        "z.global", "m.words",
                                               "a.weight", "b.weight", "a.scale",  "c.packed",
                                               "packed",   "b.mask"};
    const auto raw = readRaw(dir() / "model.safetensors");
    QVERIFY(raw);
    std::vector<std::string> onDisk;
    for (const SafetensorsEntry &e : raw->header.entries) {  // ascending offsets
        onDisk.push_back(e.info.name);
    }
    QCOMPARE(onDisk, expected);

    fs::create_directory(dir() / "again");
    const auto w = CheckpointWriter::create((dir() / "again").string(), given);
    PQ_VERIFY_OK(w);
    QCOMPARE(w->writeOrder(), expected);
}

void TestCheckpointWriter::offsetsAlignedToElementSize()
{
    std::vector<TensorInfo> tensors = allDtypeTensors();
    tensors.push_back(tensor("odd_u8", DType::U8, {7}));
    tensors.push_back(tensor("odd_f4", DType::F4, {2, 1}));
    tensors.push_back(tensor("odd_f16", DType::F16, {3}));
    PQ_VERIFY_OK(writeCheckpoint(dir(), tensors));
    const auto raw = readRaw(dir() / "model.safetensors");
    QVERIFY(raw);
    QCOMPARE(raw->header.dataOffset % 8, std::uint64_t{0});
    QCOMPARE(raw->header.entries.size(), tensors.size());
    for (const SafetensorsEntry &e : raw->header.entries) {
        const std::uint64_t fileOffset = raw->header.dataOffset + e.begin;
        QVERIFY2(fileOffset % alignmentOf(e.info.dtype) == 0, e.info.name.c_str());
        QVERIFY2(sameBytes(rawData(*raw, e), bytesFor(e.info)), e.info.name.c_str());
    }
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    for (const Checkpoint::Entry &e : cp->tensors()) {
        const auto addr = reinterpret_cast<std::uintptr_t>(cp->view(e).data.data());
        QVERIFY2(addr % alignmentOf(e.info->dtype) == 0, e.info->name.c_str());
    }
}

void TestCheckpointWriter::customMetadata()
{
    CheckpointWriterOptions options;
    options.metadata = {{"format", "pt"}, {"producer", "prismaquant"}};
    options.maxShardBytes = 8;
    PQ_VERIFY_OK(writeCheckpoint(
            dir(), {tensor("a", DType::F64, {1}), tensor("b", DType::F64, {1})}, options));
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QCOMPARE(cp->shards().size(), std::size_t{2});
    for (const SafetensorsFile &shard : cp->shards()) {
        QCOMPARE(shard.metadata(), options.metadata);
    }
}

void TestCheckpointWriter::emptyCheckpoint()
{
    auto w = CheckpointWriter::create(dir().string(), {});
    PQ_VERIFY_OK(w);
    QVERIFY(w->writeOrder().empty());
    PQ_VERIFY_OK(w->finish());
    QCOMPARE(listDir(dir()), std::vector<std::string>{"model.safetensors"});
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QVERIFY(cp->tensors().empty());
    QCOMPARE(qs(cp->shards().front().metadata().at("format")), QStringLiteral("pt"));
}

void TestCheckpointWriter::sharding_data()
{
    QTest::addColumn<quint64>("limit");
    QTest::addColumn<QList<int>>("sizes");    // U8 tensors t00, t01, ... of these byte sizes
    QTest::addColumn<QList<int>>("shardOf");  // expected shard (0-based) of each tensor
    QTest::newRow("fits in one") << 1000ULL << QList<int>{100, 200, 300} << QList<int>{0, 0, 0};
    QTest::newRow("exactly at limit") << 600ULL << QList<int>{100, 200, 300} << QList<int>{0, 0, 0};
    QTest::newRow("one byte over") << 599ULL << QList<int>{100, 200, 300} << QList<int>{0, 0, 1};
    QTest::newRow("three pairs") << 250ULL << QList<int>{100, 100, 100, 100, 100, 100}
                                 << QList<int>{0, 0, 1, 1, 2, 2};
    QTest::newRow("big in the middle")
            << 250ULL << QList<int>{100, 1000, 100, 100} << QList<int>{0, 1, 2, 2};
    QTest::newRow("big first") << 250ULL << QList<int>{1000, 100} << QList<int>{0, 1};
    QTest::newRow("big last") << 250ULL << QList<int>{100, 100, 251} << QList<int>{0, 0, 1};
    QTest::newRow("two big") << 10ULL << QList<int>{11, 12} << QList<int>{0, 1};
    QTest::newRow("zero-size rides along")
            << 100ULL << QList<int>{100, 0, 1} << QList<int>{0, 0, 1};
    QTest::newRow("twelve shards")
            << 4ULL << QList<int>(12, 4) << QList<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
}

void TestCheckpointWriter::sharding()
{
    QFETCH(quint64, limit);
    QFETCH(QList<int>, sizes);
    QFETCH(QList<int>, shardOf);
    std::vector<TensorInfo> tensors;
    for (int i = 0; i < sizes.size(); ++i) {
        tensors.push_back(tensor(fmt::format("t{:02d}", i), DType::U8, {std::uint64_t(sizes[i])}));
    }
    CheckpointWriterOptions options;
    options.maxShardBytes = limit;
    PQ_VERIFY_OK(writeCheckpoint(dir(), tensors, options));
    QVERIFY(!hasPartialFiles(dir()));
    const int shardCount = *std::max_element(shardOf.begin(), shardOf.end()) + 1;
    std::vector<std::string> expectedFiles;
    for (int s = 0; s < shardCount; ++s) {
        expectedFiles.push_back(shardFileName(s, shardCount));
    }
    if (shardCount > 1) {
        expectedFiles.emplace_back(INDEX_FILE_NAME);
    }
    std::sort(expectedFiles.begin(), expectedFiles.end());
    QCOMPARE(listDir(dir()), expectedFiles);
    checkPlacement(tensors, shardOf);
    if (shardCount > 1 && !QTest::currentTestFailed()) {
        checkIndexFile(tensors, shardOf);
    }
}

void TestCheckpointWriter::checkPlacement(const std::vector<TensorInfo> &tensors,
                                          const QList<int> &shardOf)
{
    const int shardCount = *std::max_element(shardOf.begin(), shardOf.end()) + 1;
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QCOMPARE(cp->hasIndex(), shardCount > 1);
    QCOMPARE(static_cast<int>(cp->shards().size()), shardCount);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const Checkpoint::Entry *e = cp->find(tensors[i].name);
        QVERIFY(e != nullptr);
        const std::string shard = shardFileName(shardOf[qsizetype(i)], shardCount);
        QCOMPARE(qs(cp->shards()[e->shard].path()), qs((dir() / shard).string()));
        const TensorView v = cp->view(*e);
        const Bytes expected = bytesFor(tensors[i]);
        QVERIFY(std::equal(v.data.begin(), v.data.end(), expected.begin(), expected.end()));
        total += expected.size();
    }
    QCOMPARE(cp->totalTensorBytes(), total);
}

void TestCheckpointWriter::checkIndexFile(const std::vector<TensorInfo> &tensors,
                                          const QList<int> &shardOf)
{
    const int shardCount = *std::max_element(shardOf.begin(), shardOf.end()) + 1;
    const auto index = readCheckpointIndex((dir() / INDEX_FILE_NAME).string());
    PQ_VERIFY_OK(index);
    std::uint64_t total = 0;
    for (const TensorInfo &t : tensors) {
        total += *t.byteSize();
    }
    QCOMPARE(index->totalSize, std::optional<std::uint64_t>(total));  // tensor bytes, not files
    QCOMPARE(index->weightMap.size(), tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        QCOMPARE(qs(index->weightMap.at(tensors[i].name)),
                 qs(shardFileName(shardOf[qsizetype(i)], shardCount)));
    }
}

void TestCheckpointWriter::writeOutOfOrder()
{
    // Any order is accepted (the exporter writes a Linear's weight and scales together although
    // they sit apart on disk); the bytes land where the on-disk order puts them.
    const std::vector<TensorInfo> tensors = {tensor("a", DType::F32, {2}),
                                             tensor("b", DType::U8, {3}),
                                             tensor("c", DType::BF16, {2, 2})};
    auto w = CheckpointWriter::create(dir().string(), tensors);
    PQ_VERIFY_OK(w);
    QCOMPARE(w->writeOrder(), (std::vector<std::string>{"a", "c", "b"}));
    PQ_VERIFY_ERROR(w->writeTensor("nope", bytesFor(tensors[1])), ErrorCode::InvalidArgument,
                    "tensor 'nope'", "not a tensor of this checkpoint");
    PQ_VERIFY_OK(w->writeTensor("b", bytesFor(tensors[1])));
    PQ_VERIFY_ERROR(w->writeTensor("b", bytesFor(tensors[1])), ErrorCode::InvalidArgument,
                    "tensor 'b'", "already been written");
    PQ_VERIFY_ERROR(w->finish(), ErrorCode::InvalidArgument, "1 of 3 tensors were written",
                    "tensor 'a'");
    QVERIFY(!fs::exists(dir() / "model.safetensors"));  // not complete: no final name yet
    PQ_VERIFY_OK(w->writeTensor("c", bytesFor(tensors[2])));
    PQ_VERIFY_OK(w->writeTensor("a", bytesFor(tensors[0])));
    QVERIFY(fs::exists(dir() / "model.safetensors"));
    PQ_VERIFY_OK(w->finish());
    auto ckpt = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(ckpt);
    for (const TensorInfo &t : tensors) {
        const Checkpoint::Entry *e = ckpt->find(t.name);
        QVERIFY(e != nullptr);
        const Bytes want = bytesFor(t);
        const auto got = ckpt->view(*e).data;
        QVERIFY(std::equal(got.begin(), got.end(), want.begin(), want.end()));
    }
}

void TestCheckpointWriter::writeWrongSize_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("empty") << 0;
    QTest::newRow("one short") << 11;
    QTest::newRow("one over") << 13;
    QTest::newRow("double") << 24;
}

void TestCheckpointWriter::writeWrongSize()
{
    QFETCH(int, size);
    const TensorInfo t = tensor("w", DType::F16, {2, 3});
    auto w = CheckpointWriter::create(dir().string(), {t});
    PQ_VERIFY_OK(w);
    const Bytes wrong = patternBytes(std::size_t(size), 1);
    PQ_VERIFY_ERROR(w->writeTensor("w", wrong), ErrorCode::InvalidArgument, "tensor 'w'",
                    QStringLiteral("got %1 bytes").arg(size).toStdString(), "needs 12");
    PQ_VERIFY_OK(w->writeTensor("w", bytesFor(t)));
    PQ_VERIFY_OK(w->finish());
}

void TestCheckpointWriter::writeAfterLastTensor()
{
    const TensorInfo t = tensor("w", DType::U8, {1});
    auto w = CheckpointWriter::create(dir().string(), {t});
    PQ_VERIFY_OK(w);
    PQ_VERIFY_OK(w->writeTensor("w", bytesFor(t)));
    PQ_VERIFY_ERROR(w->writeTensor("w", bytesFor(t)), ErrorCode::InvalidArgument, "tensor 'w'",
                    "already been written");
}

void TestCheckpointWriter::finishMisuse()
{
    const std::vector<TensorInfo> tensors = {tensor("a", DType::U8, {1}),
                                             tensor("b", DType::U8, {1})};
    auto w = CheckpointWriter::create(dir().string(), tensors);
    PQ_VERIFY_OK(w);
    PQ_VERIFY_OK(w->writeTensor("a", bytesFor(tensors[0])));
    PQ_VERIFY_ERROR(w->finish(), ErrorCode::InvalidArgument, "1 of 2 tensors", "tensor 'b'");
    PQ_VERIFY_OK(w->writeTensor("b", bytesFor(tensors[1])));
    PQ_VERIFY_OK(w->finish());
    PQ_VERIFY_ERROR(w->finish(), ErrorCode::InvalidArgument, "twice");
}

void TestCheckpointWriter::createRejects()
{
    PQ_VERIFY_ERROR(CheckpointWriter::create(dir().string(), {tensor("dup", DType::U8, {1}),
                                                              tensor("x", DType::U8, {1}),
                                                              tensor("dup", DType::F32, {1})}),
                    ErrorCode::InvalidArgument, "tensor 'dup'", "twice");
    PQ_VERIFY_ERROR(CheckpointWriter::create(dir().string(), {tensor("f4", DType::F4, {3})}),
                    ErrorCode::InvalidArgument, "tensor 'f4'", "whole number of bytes");
    PQ_VERIFY_ERROR(
            CheckpointWriter::create(dir().string(), {tensor("huge", DType::U64, {1ULL << 62U})}),
            ErrorCode::InvalidArgument, "tensor 'huge'");
    QVERIFY(listDir(dir()).empty());
}

void TestCheckpointWriter::createRejectsUnwritableNames()
{
    // Regression: an invalid UTF-8 name made nlohmann::json::dump() throw type_error 316 out of
    // CheckpointWriter::create (found while writing these tests), and a tensor called
    // __metadata__ overwrote the metadata, leaving a file the reader rejects.
    PQ_VERIFY_ERROR(
            CheckpointWriter::create(dir().string(), {tensor("bad\xC3\x28name", DType::U8, {1})}),
            ErrorCode::InvalidArgument, "UTF-8");
    PQ_VERIFY_ERROR(
            CheckpointWriter::create(dir().string(), {tensor("__metadata__", DType::U8, {1})}),
            ErrorCode::InvalidArgument, "tensor '__metadata__'", "reserved");
    PQ_VERIFY_ERROR(
            CheckpointWriter::create(dir().string(), {tensor("\xED\xA0\x80", DType::U8, {1})}),
            ErrorCode::InvalidArgument, "UTF-8");  // an encoded surrogate
    PQ_VERIFY_ERROR(CheckpointWriter::create(dir().string(), {tensor("\xC0\xAF", DType::U8, {1})}),
                    ErrorCode::InvalidArgument, "UTF-8");  // an overlong '/'
    CheckpointWriterOptions badMeta;
    badMeta.metadata = {{"format", "pt\xFF"}};
    PQ_VERIFY_ERROR(CheckpointWriter::create(dir().string(), {}, badMeta),
                    ErrorCode::InvalidArgument, "metadata");
    QVERIFY(listDir(dir()).empty());
    // Valid multi-byte names (2, 3 and 4 bytes) are written and read back unchanged.
    const std::vector<TensorInfo> fine = {tensor("caf\xC3\xA9", DType::U8, {1}),
                                          tensor("\xE2\x82\xAC", DType::U8, {1}),
                                          tensor("\xF0\x9F\x98\x80", DType::U8, {1})};
    PQ_VERIFY_OK(writeCheckpoint(dir(), fine));
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    for (const TensorInfo &t : fine) {
        QVERIFY(cp->find(t.name) != nullptr);
    }
}

void TestCheckpointWriter::createInMissingDirectory()
{
    const std::string missing = (dir() / "no" / "such").string();
    PQ_VERIFY_ERROR(CheckpointWriter::create(missing, {tensor("a", DType::U8, {1})}),
                    ErrorCode::NotFound, missing, "does not exist");
}

void TestCheckpointWriter::destroyedMidShard()
{
    const std::vector<TensorInfo> tensors = {tensor("a", DType::F32, {4}),
                                             tensor("b", DType::F32, {4}),
                                             tensor("c", DType::F32, {4})};
    {
        auto w = CheckpointWriter::create(dir().string(), tensors);
        PQ_VERIFY_OK(w);
        PQ_VERIFY_OK(w->writeTensor("a", bytesFor(tensors[0])));
        QCOMPARE(listDir(dir()).size(), std::size_t{1});  // the temporary file exists meanwhile
        QVERIFY(hasPartialFiles(dir()));
    }
    QVERIFY(listDir(dir()).empty());
    {
        auto w = CheckpointWriter::create(dir().string(), tensors);  // nothing written at all
        PQ_VERIFY_OK(w);
    }
    QVERIFY(listDir(dir()).empty());
}

void TestCheckpointWriter::destroyedMidSecondShard()
{
    const std::vector<TensorInfo> tensors = {
            tensor("a", DType::U8, {8}), tensor("b", DType::U8, {8}), tensor("c", DType::U8, {8}),
            tensor("d", DType::U8, {8})};
    CheckpointWriterOptions options;
    options.maxShardBytes = 16;
    {
        auto w = CheckpointWriter::create(dir().string(), tensors, options);
        PQ_VERIFY_OK(w);
        for (const TensorInfo &t : tensors) {
            if (t.name != "d") {
                PQ_VERIFY_OK(w->writeTensor(t.name, bytesFor(t)));
            }
        }
        QVERIFY(hasPartialFiles(dir()));
    }
    // The finished first shard stays (callers needing all-or-nothing use a temp directory);
    // the second is neither under its final name nor left as a temporary, and there is no index.
    QCOMPARE(listDir(dir()), std::vector<std::string>{"model-00001-of-00002.safetensors"});
}

QTEST_APPLESS_MAIN(TestCheckpointWriter)
#include "test_checkpoint_writer.moc"
