// SPDX-License-Identifier: MIT
// SafetensorsFile: mapping, views and errors that name the file, on files written to a temp dir.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/io/safetensors_file.h"
#include "tests/core/io/bad_safetensors.h"
#include "tests/core/io/io_test_util.h"

using namespace pq::core;
using namespace pq::testutil;

class TestSafetensorsFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void opensAndViews();
    void viewsSurviveMove();
    void emptyCheckpointFile();
    void missingFile();
    void directoryIsNotAFile();
    void rejectsMalformed_data();
    void rejectsMalformed();
    void truncated_data();
    void truncated();

private:
    fs::path dir() const { return fs::path(m_dir->path().toStdString()); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

namespace {

const std::vector<TensorInfo> &sampleTensors()
{
    static const std::vector<TensorInfo> tensors = {
            tensor("model.embed_tokens.weight", DType::BF16, {16, 8}),
            tensor("s", DType::F32, {}),
            tensor("z", DType::F16, {0, 3}),
            tensor("lm_head.weight_scale", DType::F8E4M3, {16, 1}),
            tensor("layers.0.mlp.weight_packed", DType::I32, {4, 2}),
    };
    return tensors;
}

bool sameBytes(std::span<const std::byte> a, const Bytes &b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

void TestSafetensorsFile::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSafetensorsFile::cleanup()
{
    m_dir.reset();
}

void TestSafetensorsFile::opensAndViews()
{
    const fs::path path = dir() / "a.safetensors";
    QVERIFY(writeSafetensorsFile(path, sampleTensors()));
    const auto f = SafetensorsFile::open(path.string());
    PQ_VERIFY_OK(f);
    QCOMPARE(qs(f->path()), qs(path.string()));
    QCOMPARE(f->entries().size(), sampleTensors().size());
    QCOMPARE(qs(f->metadata().at("format")), QStringLiteral("pt"));
    for (const TensorInfo &t : sampleTensors()) {
        const auto idx = f->find(t.name);
        QVERIFY2(idx.has_value(), t.name.c_str());
        const TensorView v = f->view(*idx);
        QCOMPARE(qs(v.info->name), qs(t.name));
        QCOMPARE(v.info->dtype, t.dtype);
        QCOMPARE(v.info->shape, t.shape);
        QVERIFY2(sameBytes(v.data, bytesFor(t)), t.name.c_str());
        f->prefetch(*idx);
    }
    QVERIFY(!f->find("missing").has_value());
    QVERIFY(!f->find("").has_value());
}

void TestSafetensorsFile::viewsSurviveMove()
{
    // Short names live in the std::string's inline buffer; the by-name map must still work
    // after the file object has been moved around (into a Result, a vector, ...).
    const fs::path path = dir() / "a.safetensors";
    QVERIFY(writeSafetensorsFile(path, sampleTensors()));
    auto opened = SafetensorsFile::open(path.string());
    PQ_VERIFY_OK(opened);
    std::vector<SafetensorsFile> files;
    files.push_back(std::move(*opened));
    files.reserve(16);  // forces a reallocation, moving the element again
    SafetensorsFile moved = std::move(files.front());
    const auto idx = moved.find("s");
    QVERIFY(idx.has_value());
    QVERIFY(sameBytes(moved.view(*idx).data, bytesFor(sampleTensors()[1])));
}

void TestSafetensorsFile::emptyCheckpointFile()
{
    const fs::path path = dir() / "empty.safetensors";
    QVERIFY(writeSafetensorsFile(path, {}));
    const auto f = SafetensorsFile::open(path.string());
    PQ_VERIFY_OK(f);
    QVERIFY(f->entries().empty());
}

void TestSafetensorsFile::missingFile()
{
    const std::string path = (dir() / "nope.safetensors").string();
    PQ_VERIFY_ERROR(SafetensorsFile::open(path), ErrorCode::NotFound, path);
}

void TestSafetensorsFile::directoryIsNotAFile()
{
    const std::string path = dir().string();
    PQ_VERIFY_ERROR(SafetensorsFile::open(path), ErrorCode::NotFound, path,
                    "not a regular file");  // an input error (exit 2), not a usage error
}

void TestSafetensorsFile::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("tensor");
    for (const BadCase &c : allBadCases()) {
        QTest::newRow(c.name.c_str()) << QByteArray(c.bytes.data(), qsizetype(c.bytes.size()))
                                      << qs(c.detail) << qs(c.tensor);
    }
}

void TestSafetensorsFile::rejectsMalformed()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, detail);
    QFETCH(QString, tensor);
    const fs::path path = dir() / "bad.safetensors";
    QVERIFY(writeFile(path, std::string_view(file.constData(), std::size_t(file.size()))));
    const auto f = SafetensorsFile::open(path.string());
    PQ_VERIFY_ERROR(f, ErrorCode::InvalidFormat, path.string(), detail.toStdString());
    QCOMPARE(qs(f.error().path), qs(path.string()));
    QCOMPARE(qs(f.error().tensor), tensor);
}

void TestSafetensorsFile::truncated_data()
{
    // The fixture holds 100 data bytes: a F32[16] (64 bytes), c I16[16] (32 bytes), b U8[4].
    QTest::addColumn<int>("cut");   // bytes removed from the end
    QTest::addColumn<int>("keep");  // or: bytes kept from the start (-1: use cut)
    QTest::addColumn<QString>("detail");
    QTest::newRow("last byte") << 1 << -1 << QStringLiteral("file is truncated");
    QTest::newRow("last 7 bytes") << 7 << -1 << QStringLiteral("file is truncated");
    QTest::newRow("last two tensors") << 36 << -1 << QStringLiteral("file is truncated");
    QTest::newRow("all data") << 100 << -1 << QStringLiteral("file is truncated");
    QTest::newRow("into header") << 101 << -1 << QStringLiteral("runs past the end");
    QTest::newRow("only length prefix") << 0 << 8 << QStringLiteral("runs past the end");
    QTest::newRow("seven bytes left") << 0 << 7 << QStringLiteral("too short");
    QTest::newRow("nothing left") << 0 << 0 << QStringLiteral("too short");
}

void TestSafetensorsFile::truncated()
{
    QFETCH(int, cut);
    QFETCH(int, keep);
    QFETCH(QString, detail);
    const std::vector<TensorInfo> tensors = {tensor("a", DType::F32, {16}),
                                             tensor("c", DType::I16, {16}),
                                             tensor("b", DType::U8, {4})};
    const fs::path path = dir() / "cut.safetensors";
    QVERIFY(writeSafetensorsFile(path, tensors));
    PQ_VERIFY_OK(SafetensorsFile::open(path.string()));
    const std::uintmax_t size = fs::file_size(path);
    fs::resize_file(path, keep >= 0 ? std::uintmax_t(keep) : size - std::uintmax_t(cut));
    const auto f = SafetensorsFile::open(path.string());
    PQ_VERIFY_ERROR(f, ErrorCode::InvalidFormat, path.string(), detail.toStdString());
}

QTEST_APPLESS_MAIN(TestSafetensorsFile)
#include "test_safetensors_file.moc"
