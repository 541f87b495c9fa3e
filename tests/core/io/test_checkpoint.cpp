// SPDX-License-Identifier: MIT
// Checkpoint::open on every supported layout, and the index/shard checks: missing shards,
// paths that lead out of the model directory (../, absolute, symlinks), index entries that do not
// match their shard, tensors stored twice.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <QObject>
#include <QStringList>
#include <QTemporaryDir>
#include <QtTest>

#include "core/io/checkpoint.h"
#include "tests/core/io/io_test_util.h"

using namespace pq::core;
using namespace pq::testutil;

namespace {

const std::string SHARD1 = "model-00001-of-00002.safetensors";
const std::string SHARD2 = "model-00002-of-00002.safetensors";

/** Four tensors that a 24-byte shard limit splits 2 + 2: a, b in SHARD1; c, d in SHARD2. */
std::vector<TensorInfo> fourTensors()
{
    return {tensor("a", DType::F32, {4}), tensor("b", DType::BF16, {2, 2}),
            tensor("c", DType::I64, {2}), tensor("d", DType::U8, {3})};
}

std::string indexJson(const std::string &weightMapBody)
{
    return R"({"metadata": {"total_size": 43}, "weight_map": {)" + weightMapBody + "}}";
}

bool viewMatches(const Checkpoint &cp, const TensorInfo &t)
{
    const Checkpoint::Entry *e = cp.find(t.name);
    if (e == nullptr || e->info->dtype != t.dtype || e->info->shape != t.shape) {
        return false;
    }
    const TensorView v = cp.view(*e);
    const Bytes expected = bytesFor(t);
    return std::equal(v.data.begin(), v.data.end(), expected.begin(), expected.end());
}

}  // namespace

class TestCheckpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void opensSingleFile();
    void opensDirectoryWithModelSafetensors();
    void opensDirectoryWithIndex();
    void opensDirectoryOfFilesWithoutIndex();
    void indexSelectsShards();
    void scalarsAndZeroSize();
    void symlinkInsideDirectoryIsAccepted();
    void emptyDirectory();
    void missingPath();

    void badIndex_data();
    void badIndex();
    void indexTooLarge();
    void corruptShard();
    void tensorInTwoShards();
    void tensorInTwoFilesWithoutIndex();
    void symlinkedShardOutside();
    void huggingFaceCacheSnapshot();
    void symlinkedDirectoryOutside();

    void readIndexAlone();
    void pathInside_data();
    void pathInside();

private:
    fs::path dir() const { return fs::path(m_dir->path().toStdString()); }

    void writeTwoShards();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestCheckpoint::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCheckpoint::cleanup()
{
    m_dir.reset();
}

void TestCheckpoint::writeTwoShards()
{
    CheckpointWriterOptions options;
    options.maxShardBytes = 24;
    PQ_VERIFY_OK(writeCheckpoint(dir(), fourTensors(), options));
    QCOMPARE(listDir(dir()),
             (std::vector<std::string>{SHARD1, SHARD2, std::string(INDEX_FILE_NAME)}));
}

void TestCheckpoint::opensSingleFile()
{
    const fs::path file = dir() / "weights.safetensors";
    QVERIFY(writeSafetensorsFile(file, fourTensors()));
    const auto cp = Checkpoint::open(file.string());
    PQ_VERIFY_OK(cp);
    QCOMPARE(qs(cp->directory()), qs(dir().string()));
    QVERIFY(!cp->hasIndex());
    QCOMPARE(cp->shards().size(), std::size_t{1});
    QCOMPARE(cp->tensors().size(), std::size_t{4});
    for (const TensorInfo &t : fourTensors()) {
        QVERIFY2(viewMatches(*cp, t), t.name.c_str());
    }
    QCOMPARE(cp->totalTensorBytes(), std::uint64_t{16 + 8 + 16 + 3});
    QVERIFY(cp->find("missing") == nullptr);
}

void TestCheckpoint::opensDirectoryWithModelSafetensors()
{
    PQ_VERIFY_OK(writeCheckpoint(dir(), fourTensors()));
    QCOMPARE(listDir(dir()), std::vector<std::string>{"model.safetensors"});
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QCOMPARE(qs(cp->directory()), qs(dir().string()));
    QVERIFY(!cp->hasIndex());
    QCOMPARE(qs(cp->shards().front().path()), qs((dir() / "model.safetensors").string()));
    std::vector<std::string> names;
    for (const Checkpoint::Entry &e : cp->tensors()) {
        names.push_back(e.info->name);
    }
    QCOMPARE(names, (std::vector<std::string>{"a", "b", "c", "d"}));  // sorted by name
    for (const TensorInfo &t : fourTensors()) {
        QVERIFY2(viewMatches(*cp, t), t.name.c_str());
    }
}

void TestCheckpoint::opensDirectoryWithIndex()
{
    writeTwoShards();
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QVERIFY(cp->hasIndex());
    QCOMPARE(cp->shards().size(), std::size_t{2});
    QCOMPARE(cp->find("a")->shard, cp->find("b")->shard);
    QCOMPARE(cp->find("c")->shard, cp->find("d")->shard);
    QVERIFY(cp->find("a")->shard != cp->find("c")->shard);
    for (const TensorInfo &t : fourTensors()) {
        QVERIFY2(viewMatches(*cp, t), t.name.c_str());
    }
}

void TestCheckpoint::opensDirectoryOfFilesWithoutIndex()
{
    const std::vector<TensorInfo> all = fourTensors();
    QVERIFY(writeSafetensorsFile(dir() / "second.safetensors", {all[3], all[0]}));
    QVERIFY(writeSafetensorsFile(dir() / "first.safetensors", {all[1], all[2]}));
    QVERIFY(writeFile(dir() / "config.json", "{}"));
    QVERIFY(writeFile(dir() / "notes.safetensors.txt", "not a shard"));
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QVERIFY(!cp->hasIndex());
    QCOMPARE(cp->shards().size(), std::size_t{2});
    QCOMPARE(qs(cp->shards()[0].path()), qs((dir() / "first.safetensors").string()));
    QCOMPARE(cp->tensors().size(), std::size_t{4});
    for (const TensorInfo &t : all) {
        QVERIFY2(viewMatches(*cp, t), t.name.c_str());
    }
}

void TestCheckpoint::indexSelectsShards()
{
    // Like vLLM: with an index, only the files it names are loaded; a stray file is ignored.
    writeTwoShards();
    QVERIFY(writeSafetensorsFile(dir() / "consolidated.safetensors", fourTensors()));
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QCOMPARE(cp->shards().size(), std::size_t{2});
}

void TestCheckpoint::scalarsAndZeroSize()
{
    const std::vector<TensorInfo> tensors = {
            tensor("scalar", DType::F32, {}), tensor("empty", DType::BF16, {0, 4096}),
            tensor("empty2", DType::I64, {0}), tensor("one", DType::U8, {1})};
    CheckpointWriterOptions options;
    options.maxShardBytes = 4;
    PQ_VERIFY_OK(writeCheckpoint(dir(), tensors, options));
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    for (const TensorInfo &t : tensors) {
        QVERIFY2(viewMatches(*cp, t), t.name.c_str());
    }
    QVERIFY(cp->view(*cp->find("empty")).data.empty());
    QCOMPARE(cp->view(*cp->find("scalar")).data.size(), std::size_t{4});
}

void TestCheckpoint::symlinkInsideDirectoryIsAccepted()
{
    writeTwoShards();
    fs::create_directory(dir() / "blobs");
    fs::rename(dir() / SHARD2, dir() / "blobs" / "abc123");
    fs::create_symlink(fs::path("blobs") / "abc123", dir() / SHARD2);
    const auto cp = Checkpoint::open(dir().string());
    PQ_VERIFY_OK(cp);
    QVERIFY(viewMatches(*cp, fourTensors()[2]));
}

void TestCheckpoint::emptyDirectory()
{
    QVERIFY(writeFile(dir() / "config.json", "{}"));
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::NotFound, dir().string(),
                    "no model.safetensors");
}

void TestCheckpoint::missingPath()
{
    const std::string path = (dir() / "nothing-here").string();
    PQ_VERIFY_ERROR(Checkpoint::open(path), ErrorCode::NotFound, path);
}

void TestCheckpoint::badIndex_data()
{
    // `needles` may use {dir} (the model directory) and {index} (the index path).
    QTest::addColumn<QString>("index");
    QTest::addColumn<int>("code");
    QTest::addColumn<QStringList>("needles");
    const auto row = [](const char *name, const std::string &index, ErrorCode code,
                        QStringList needles) {
        QTest::newRow(name) << qs(index) << static_cast<int>(code) << needles;
    };
    const auto ok = std::string(R"("a": ")") + SHARD1 + R"(", "c": ")" + SHARD2 + R"(")";
    const std::string missing = "model-00003-of-00003.safetensors";
    row("missing shard", indexJson(ok + R"(, "x": ")" + missing + R"(")"), ErrorCode::NotFound,
        {QStringLiteral("{dir}/") + qs(missing), QStringLiteral("missing")});
    row("parent traversal", indexJson(ok + R"(, "x": "../evil.safetensors")"),
        ErrorCode::UnsafePath,
        {QStringLiteral("{index}"), QStringLiteral("'../evil.safetensors'")});
    row("hidden traversal", indexJson(R"("x": "sub/../../evil.safetensors")"),
        ErrorCode::UnsafePath,
        {QStringLiteral("{index}"), QStringLiteral("sub/../../evil.safetensors")});
    row("absolute path", indexJson(R"("x": "/etc/passwd")"), ErrorCode::UnsafePath,
        {QStringLiteral("{index}"), QStringLiteral("'/etc/passwd'")});
    row("absolute path into dir", indexJson(R"("a": "{dir}/)" + SHARD1 + R"(")"),
        ErrorCode::UnsafePath, {QStringLiteral("{index}"), QStringLiteral("outside")});
    row("empty shard name", indexJson(R"("a": "")"), ErrorCode::UnsafePath,
        {QStringLiteral("{index}")});
    row("tensor not in named shard", indexJson(R"("a": ")" + SHARD2 + R"(")"),
        ErrorCode::InvalidFormat,
        {QStringLiteral("{index}"), QStringLiteral("tensor 'a'"), qs(SHARD2)});
    row("tensor in no shard", indexJson(ok + R"(, "ghost": ")" + SHARD1 + R"(")"),
        ErrorCode::InvalidFormat, {QStringLiteral("{index}"), QStringLiteral("tensor 'ghost'")});
    row("invalid JSON", "{\"weight_map\": {", ErrorCode::InvalidFormat,
        {QStringLiteral("{index}"), QStringLiteral("not a valid JSON object")});
    row("not an object", "[]", ErrorCode::InvalidFormat,
        {QStringLiteral("{index}"), QStringLiteral("not a valid JSON object")});
    row("no weight_map", R"({"metadata": {}})", ErrorCode::InvalidFormat,
        {QStringLiteral("{index}"), QStringLiteral("weight_map")});
    row("weight_map not object", R"({"weight_map": []})", ErrorCode::InvalidFormat,
        {QStringLiteral("{index}"), QStringLiteral("weight_map")});
    row("shard name not string", indexJson(R"("a": 1)"), ErrorCode::InvalidFormat,
        {QStringLiteral("{index}"), QStringLiteral("tensor 'a'")});
    row("negative total_size", R"({"metadata": {"total_size": -1}, "weight_map": {}})",
        ErrorCode::InvalidFormat, {QStringLiteral("{index}"), QStringLiteral("total_size")});
    row("string total_size", R"({"metadata": {"total_size": "43"}, "weight_map": {}})",
        ErrorCode::InvalidFormat, {QStringLiteral("{index}"), QStringLiteral("total_size")});
}

void TestCheckpoint::badIndex()
{
    QFETCH(QString, index);
    QFETCH(int, code);
    QFETCH(QStringList, needles);
    writeTwoShards();
    const QString d = qs(dir().string());
    const QString indexPath = qs((dir() / INDEX_FILE_NAME).string());
    QVERIFY(writeFile(dir() / INDEX_FILE_NAME,
                      index.replace(QStringLiteral("{dir}"), d).toStdString()));
    const auto cp = Checkpoint::open(dir().string());
    QVERIFY(!cp);
    const QString why = errorMismatch(cp.error(), static_cast<ErrorCode>(code), {});
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QString msg = qs(cp.error().message());
    for (QString needle : needles) {
        needle.replace(QStringLiteral("{dir}"), d).replace(QStringLiteral("{index}"), indexPath);
        QVERIFY2(msg.contains(needle), qPrintable(needle + QStringLiteral(" not in: ") + msg));
    }
}

void TestCheckpoint::indexTooLarge()
{
    writeTwoShards();
    const fs::path index = dir() / INDEX_FILE_NAME;
    fs::resize_file(index, MAX_INDEX_BYTES + 1);  // sparse: costs no disk
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::InvalidFormat, index.string(),
                    "more than");
}

void TestCheckpoint::corruptShard()
{
    writeTwoShards();
    const fs::path shard = dir() / SHARD2;
    fs::resize_file(shard, fs::file_size(shard) - 1);
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::InvalidFormat, shard.string(),
                    "truncated");
}

void TestCheckpoint::tensorInTwoShards()
{
    const std::vector<TensorInfo> all = fourTensors();
    QVERIFY(writeSafetensorsFile(dir() / SHARD1, {all[0], all[1]}));
    QVERIFY(writeSafetensorsFile(dir() / SHARD2, {all[2], all[1]}));
    QVERIFY(writeFile(dir() / INDEX_FILE_NAME,
                      indexJson(R"("a": ")" + SHARD1 + R"(", "b": ")" + SHARD1 + R"(", "c": ")" +
                                SHARD2 + R"(")")));
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::InvalidFormat, "tensor 'b'",
                    "also stored in", SHARD1, SHARD2);
}

void TestCheckpoint::tensorInTwoFilesWithoutIndex()
{
    const std::vector<TensorInfo> all = fourTensors();
    QVERIFY(writeSafetensorsFile(dir() / "x.safetensors", {all[0], all[3]}));
    QVERIFY(writeSafetensorsFile(dir() / "y.safetensors", {all[3]}));
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::InvalidFormat, "tensor 'd'",
                    (dir() / "y.safetensors").string(), "also stored in");
}

void TestCheckpoint::symlinkedShardOutside()
{
    writeTwoShards();
    QTemporaryDir outside;
    QVERIFY(outside.isValid());
    const fs::path target = fs::path(outside.path().toStdString()) / "evil.safetensors";
    fs::rename(dir() / SHARD2, target);
    fs::create_symlink(target, dir() / SHARD2);
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::UnsafePath,
                    (dir() / INDEX_FILE_NAME).string(), SHARD2);
    // The same through a relative link.
    fs::remove(dir() / SHARD2);
    fs::create_symlink(fs::relative(target, dir()), dir() / SHARD2);
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::UnsafePath, SHARD2);
}

void TestCheckpoint::huggingFaceCacheSnapshot()
{
    // <cache>/models--org--name/snapshots/<rev>/x.safetensors -> ../../blobs/<sha>: the layout
    // `huggingface-cli download` produces. Those links leave the snapshot directory but stay in
    // the repository's own blobs/ folder, so they are accepted; anything else outside is not.
    const fs::path repo = dir() / "models--org--name";
    const fs::path snapshot = repo / "snapshots" / "0123abc";
    fs::create_directories(snapshot);
    fs::create_directories(repo / "blobs");
    CheckpointWriterOptions options;
    options.maxShardBytes = 24;
    PQ_VERIFY_OK(writeCheckpoint(snapshot, fourTensors(), options));
    for (const std::string &shard : {SHARD1, SHARD2}) {
        const fs::path blob = repo / "blobs" / ("sha-" + shard);
        fs::rename(snapshot / shard, blob);
        fs::create_symlink(fs::path("../..") / "blobs" / blob.filename(), snapshot / shard);
    }
    const auto cp = Checkpoint::open(snapshot.string());
    PQ_VERIFY_OK(cp);
    QVERIFY(viewMatches(*cp, fourTensors()[2]));
    QVERIFY(!isPathInside(snapshot.string(), "../../blobs/x"));  // names with .. stay refused
    fs::create_directories(repo / "other");
    QVERIFY(writeFile(repo / "other" / "y", "y"));
    fs::create_symlink(fs::path("../..") / "other" / "y", snapshot / "y");
    QVERIFY(!isPathInside(snapshot.string(), "y"));  // only blobs/ is trusted
}

void TestCheckpoint::symlinkedDirectoryOutside()
{
    QTemporaryDir outside;
    QVERIFY(outside.isValid());
    const fs::path out(outside.path().toStdString());
    QVERIFY(writeSafetensorsFile(out / "w.safetensors", fourTensors()));
    fs::create_directory_symlink(out, dir() / "sub");
    QVERIFY(writeFile(dir() / INDEX_FILE_NAME, indexJson(R"("a": "sub/w.safetensors")")));
    PQ_VERIFY_ERROR(Checkpoint::open(dir().string()), ErrorCode::UnsafePath, "sub/w.safetensors");
}

void TestCheckpoint::readIndexAlone()
{
    // Shards need not exist: the index alone is enough for planning.
    QVERIFY(writeFile(dir() / INDEX_FILE_NAME,
                      R"({"metadata": {"total_size": 12345, "total_parameters": 7},)"
                      R"( "weight_map": {"z": "s2.safetensors", "a": "s1.safetensors",)"
                      R"( "m": "s2.safetensors", "q": "sub/s3.safetensors"}})"));
    const auto index = readCheckpointIndex((dir() / INDEX_FILE_NAME).string());
    PQ_VERIFY_OK(index);
    QCOMPARE(index->totalSize, std::optional<std::uint64_t>(12345));
    QCOMPARE(index->weightMap.size(), std::size_t{4});
    QCOMPARE(qs(index->weightMap.at("m")), QStringLiteral("s2.safetensors"));
    QCOMPARE(index->shardNames,
             (std::vector<std::string>{"s1.safetensors", "s2.safetensors", "sub/s3.safetensors"}));

    QVERIFY(writeFile(dir() / "no-total.json", R"({"weight_map": {}})"));
    const auto bare = readCheckpointIndex((dir() / "no-total.json").string());
    PQ_VERIFY_OK(bare);
    QVERIFY(!bare->totalSize.has_value());
    QVERIFY(bare->shardNames.empty());

    const std::string missing = (dir() / "missing.json").string();
    PQ_VERIFY_ERROR(readCheckpointIndex(missing), ErrorCode::NotFound, missing);
}

void TestCheckpoint::pathInside_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("inside");
    QTest::newRow("plain") << QStringLiteral("model.safetensors") << true;
    QTest::newRow("subdir") << QStringLiteral("a/b.safetensors") << true;
    QTest::newRow("dot") << QStringLiteral("./x.safetensors") << true;
    QTest::newRow("not yet existing") << QStringLiteral("new/dir/x") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("parent") << QStringLiteral("../x") << false;
    QTest::newRow("parent inside name") << QStringLiteral("a/../../x") << false;
    QTest::newRow("parent that comes back") << QStringLiteral("a/../x") << false;
    QTest::newRow("absolute") << QStringLiteral("/etc/passwd") << false;
    QTest::newRow("dotdot-like name") << QStringLiteral("..x.safetensors") << true;
}

void TestCheckpoint::pathInside()
{
    QFETCH(QString, name);
    QFETCH(bool, inside);
    QCOMPARE(isPathInside(dir().string(), name.toStdString()), inside);
}

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
