// SPDX-License-Identifier: MIT
#include "core/export/exporter.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <future>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/export/quantization_config.h"
#include "core/io/checkpoint_writer.h"
#include "core/quant/format_spec.h"
#include "core/util/assert.h"
#include "core/util/atomic_file.h"
#include "core/util/human.h"

namespace pq::core::ct {
namespace fs = std::filesystem;

namespace {

using quant::FormatId;

/** Files a serving stack reads beside the weights, copied when the source has them. */
constexpr const char *COPIED_FILES[] = {
        "tokenizer.json",
        "tokenizer_config.json",
        "tokenizer.model",
        "special_tokens_map.json",
        "added_tokens.json",
        "vocab.json",
        "merges.txt",
        "generation_config.json",
        "chat_template.jinja",
        "chat_template.json",
        "preprocessor_config.json",
        "processor_config.json",
};

/** Slack on top of the tensor bytes for config, tokenizer and file-system overhead. */
constexpr std::uint64_t SPACE_MARGIN = 64ULL << 20U;

/** The prefix of temporary directories for `out`: ".<name>.partial-" beside it. */
fs::path partialPrefix(const fs::path &out)
{
    return out.parent_path() / fmt::format(".{}.partial-", out.filename().string());
}

/**
 * Cleans up after earlier exports to `out` whose process no longer runs (killed): their
 * temporary directories are removed; an old export that a `--force` run had moved aside
 * (".<name>.partial-<pid>-old") is put back when it was killed before the new one took its place,
 * else removed.
 */
void removeStaleTemporaries(const fs::path &out)
{
    const std::string prefix = partialPrefix(out).filename().string();
    std::error_code ec;
    std::vector<fs::path> entries;
    for (const auto &entry : fs::directory_iterator(out.parent_path(), ec)) {
        if (entry.path().filename().string().starts_with(prefix)) {
            entries.push_back(entry.path());
        }
    }
    for (const fs::path &path : entries) {
        const std::string name = path.filename().string();
        char *end = nullptr;
        const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
        const std::string_view rest = end != nullptr ? end : "x";
        if (pid <= 0 || (rest != "" && rest != "-old") || ::kill(static_cast<pid_t>(pid), 0) == 0 ||
            errno != ESRCH) {
            continue;  // not ours, or its process still runs
        }
        if (rest == "-old" && !fs::exists(out, ec)) {
            fs::rename(path, out, ec);  // the killed run never put its export in place
        } else {
            fs::remove_all(path, ec);
        }
    }
}

/** Removes a directory tree on destruction unless released (error, cancel, exception). */
class TemporaryDirectory
{
public:
    explicit TemporaryDirectory(fs::path path)
        : m_path(std::move(path))
    {}

    TemporaryDirectory(const TemporaryDirectory &) = delete;
    TemporaryDirectory &operator=(const TemporaryDirectory &) = delete;

    ~TemporaryDirectory()
    {
        if (!m_path.empty()) {
            std::error_code ec;
            fs::remove_all(m_path, ec);
        }
    }

    const fs::path &path() const { return m_path; }

    void release() { m_path.clear(); }

private:
    fs::path m_path;
};

Error fsError(const std::string &what, const fs::path &path, const std::error_code &ec)
{
    return makeIoError(what, path.string(), ec.value());
}

/** What --force may replace: an earlier export (it has our manifest) or an empty directory. */
bool replaceable(const fs::path &out)
{
    std::error_code ec;
    return fs::is_directory(out, ec) &&
           (fs::exists(out / MANIFEST_FILE, ec) || fs::is_empty(out, ec));
}

/** The source must stay untouched: the output may be neither the source nor inside it. */
Status checkPlaces(const fs::path &source, const fs::path &out, bool force)
{
    std::error_code ec;
    const fs::path src = fs::weakly_canonical(source, ec);
    const fs::path dst = fs::weakly_canonical(out, ec);
    const auto inside = [](const fs::path &a, const fs::path &b) {  // a == b or a below b
        auto [ai, bi] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
        return bi == b.end();
    };
    if (inside(dst, src) || inside(src, dst)) {
        return makeError(ErrorCode::InvalidArgument,
                         "the output directory must be outside the source model's directory "
                         "(the source is never written)")
                .withPath(out.string());
    }
    if (fs::exists(out, ec) && !force) {
        return makeError(ErrorCode::InvalidArgument,
                         "the output directory already exists; choose another or pass --force to "
                         "replace it (it is replaced only once the new export is complete)")
                .withPath(out.string());
    }
    if (fs::exists(out, ec) && !replaceable(out)) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("--force replaces only an earlier export (a directory with "
                                     "{}) or an empty directory, and this is neither; remove it "
                                     "yourself if it really should go",
                                     MANIFEST_FILE))
                .withPath(out.string());
    }
    if (!fs::is_directory(out.parent_path(), ec)) {
        return makeError(ErrorCode::NotFound, "the output's parent directory does not exist")
                .withPath(out.parent_path().string());
    }
    return {};
}

Status checkFreeSpace(const fs::path &dir, std::uint64_t needed)
{
    struct statvfs s
    {};

    if (::statvfs(dir.c_str(), &s) != 0) {
        return {};  // not knowable here; the shards' reservations still catch a full disk
    }
    return checkFreeSpaceFor(dir.string(), needed,
                             static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize);
}

/** A Linear's bytes in its source dtype, contiguous ([out, in]): the mapping itself when the
 *  rows are contiguous there, else a copy in `buffer`. */
std::span<const std::byte> denseBytes(const quant::WeightView &w, std::vector<std::byte> &buffer)
{
    const std::uint64_t elem = dtypeBits(w.dtype) / 8;
    const std::uint64_t rowBytes = w.cols * elem;
    if (w.stride() == w.cols) {
        return {w.data, w.rows * rowBytes};
    }
    buffer.resize(w.rows * rowBytes);
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        std::memcpy(buffer.data() + r * rowBytes, w.data + r * w.stride() * elem, rowBytes);
    }
    return buffer;
}

/** config.json of the source with `quantization_config` set. */
Status writeConfig(const fs::path &source, const fs::path &dir, const std::string &quantConfig)
{
    auto text = readSmallFile((source / "config.json").string(), 64ULL << 20U);
    if (!text) {
        return std::move(text).error();
    }
    auto config = nlohmann::ordered_json::parse(*text, nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
        return makeError(ErrorCode::InvalidFormat, "config.json is not a JSON object")
                .withPath((source / "config.json").string());
    }
    config["quantization_config"] = nlohmann::ordered_json::parse(quantConfig);
    return writeFileAtomically((dir / "config.json").string(), config.dump(2) + "\n");
}

Result<std::vector<std::string>> copyCompanions(const fs::path &source, const fs::path &dir)
{
    std::vector<std::string> copied;
    for (const char *name : COPIED_FILES) {
        std::error_code ec;
        if (!fs::is_regular_file(source / name, ec)) {
            continue;
        }
        fs::copy_file(source / name, dir / name, ec);
        if (ec) {
            return fsError(fmt::format("cannot copy {}", name), dir / name, ec);
        }
        copied.emplace_back(name);
    }
    return copied;
}

/** fsync of a directory, so that renames and new entries in it survive a power loss. */
void syncDirectory(const fs::path &dir)
{
    if (const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

/**
 * Moves the finished temporary directory into place. Without `force` it never replaces anything
 * (RENAME_NOREPLACE: a directory that appeared at OUT_DIR during a long export stays); with
 * `force` an earlier export is moved aside, replaced, then removed.
 */
Status moveIntoPlace(TemporaryDirectory &tmp, const fs::path &out, bool force)
{
    std::error_code ec;
    syncDirectory(tmp.path());  // its shard entries first
    fs::path trash;
    if (force && fs::exists(out, ec)) {
        if (!replaceable(out)) {
            return makeError(ErrorCode::InvalidArgument,
                             "something other than an earlier export appeared at the output "
                             "directory during the export; it was left alone")
                    .withPath(out.string());
        }
        trash = partialPrefix(out).string() + fmt::format("{}-old", ::getpid());
        fs::rename(out, trash, ec);
        if (ec) {
            return fsError("cannot move the old export aside", out, ec);
        }
    }
    if (::renameat2(AT_FDCWD, tmp.path().c_str(), AT_FDCWD, out.c_str(), RENAME_NOREPLACE) != 0) {
        const int err = errno;
        if (!trash.empty()) {
            std::error_code back;
            fs::rename(trash, out, back);
        }
        return err == EEXIST || err == ENOTEMPTY
                       ? makeError(ErrorCode::InvalidArgument,
                                   "the output directory appeared during the export (another "
                                   "export to the same place?); it was left alone")
                                 .withPath(out.string())
                       : makeIoError("cannot rename the export into place", out.string(), err);
    }
    tmp.release();
    if (!trash.empty()) {
        fs::remove_all(trash, ec);
    }
    syncDirectory(out.parent_path());  // make the rename durable
    return {};
}

/**
 * Writes one unit's tensors (a kept tensor, or one Linear's encoded tensors) on a background
 * thread while the caller encodes the next unit: at most one unit waits for the disk, so memory
 * stays at two units and the encoder's cores are not idle during write() and fsync().
 */
class WriteBehind
{
public:
    struct Item
    {
        std::string name;
        std::span<const std::byte> bytes;  ///< into the unit's owned buffers or the source mapping
    };

    WriteBehind(CheckpointWriter &writer, const Checkpoint &source)
        : m_writer(writer)
        , m_source(source)
    {}

    WriteBehind(const WriteBehind &) = delete;
    WriteBehind &operator=(const WriteBehind &) = delete;

    ~WriteBehind()
    {
        if (m_pending.valid()) {
            m_pending.wait();  // never leave a thread writing into a directory being removed
        }
    }

    /** Waits for the previous unit (returning its error), then starts writing this one;
     *  `release` is a source tensor whose mapped pages are dropped once written. */
    Status submit(std::vector<Item> items,
                  std::vector<std::vector<std::byte>> owned,
                  const Checkpoint::Entry *release)
    {
        PQ_TRY_STATUS(wait());
        m_pending = std::async(
                std::launch::async,
                [this, items = std::move(items), owned = std::move(owned), release]() -> Status {
                    for (const Item &i : items) {
                        PQ_TRY_STATUS(m_writer.writeTensor(i.name, i.bytes));
                    }
                    if (release != nullptr) {
                        m_source.releasePages(*release);
                    }
                    return {};
                });
        return {};
    }

    /** Waits for the unit in flight; its error, if any. */
    Status wait() { return m_pending.valid() ? m_pending.get() : Status{}; }

private:
    CheckpointWriter &m_writer;
    const Checkpoint &m_source;
    std::future<Status> m_pending;
};

/** Encodes and writes every planned tensor, in plan order, one unit at a time. */
Status streamTensors(const ModelInventory &inv,
                     const Checkpoint &ckpt,
                     const std::vector<OutputTensor> &plan,
                     const ExportRequest &request,
                     const SharedScales &scales,
                     quant::QuantBackend &backend,
                     CheckpointWriter &writer,
                     const JobContext &ctx,
                     const std::string &out)
{
    WriteBehind behind(writer, ckpt);
    std::vector<std::byte> scratch;
    for (std::size_t k = 0; k < plan.size();) {
        if (ctx.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "export cancelled; nothing was written")
                    .withPath(out);
        }
        const OutputTensor &t = plan[k];
        const Checkpoint::Entry *entry = ckpt.find(inv.tensors[t.sourceTensor].info.name);
        if (entry == nullptr) {
            return makeError(ErrorCode::NotFound, "tensor missing from the checkpoint")
                    .withTensor(inv.tensors[t.sourceTensor].info.name);
        }
        std::vector<WriteBehind::Item> items;
        std::vector<std::vector<std::byte>> owned;
        if (!t.linear) {  // kept as it is: straight from the mapping
            items.push_back({t.info.name, ckpt.view(*entry).data});
        } else {
            const LinearInfo &l = inv.linears[*t.linear];
            const FormatId id = request.formats.at(l.name);
            auto view = linearWeightView(inv, ckpt, l, scratch);
            if (!view) {
                return std::move(view).error();
            }
            if (id == FormatId::BF16 && view->data == scratch.data()) {
                owned.push_back(std::exchange(scratch, {}));  // a transposed expert, gathered
                items.push_back({t.info.name, owned.back()});
            } else if (id == FormatId::BF16) {
                owned.emplace_back();
                items.push_back({t.info.name, denseBytes(*view, owned.back())});
            } else {
                quant::QuantOptions o;
                if (const auto g = scales.weightAmax.find(l.name); g != scales.weightAmax.end()) {
                    o.globalAmax = g->second;
                }
                if (quant::formatInfo(id).activation == quant::ActivationQuant::Nvfp4) {
                    o.inputAmax = scales.inputAmax.at(l.name);
                }
                auto encoded = backend.encode(id, *view, o);
                if (!encoded) {
                    return std::move(encoded).error();
                }
                for (quant::StoredTensor &s : encoded->tensors) {
                    owned.push_back(std::move(s.bytes));
                    items.push_back({l.name + "." + s.spec.suffix, owned.back()});
                }
            }
        }
        // The plan and the encoder agree on a Linear's tensors (both use storedTensors).
        PQ_ASSERT(k + items.size() <= plan.size() && plan[k + items.size() - 1].linear == t.linear);
        k += items.size();
        const bool lastOfSource = k == plan.size() || plan[k].sourceTensor != t.sourceTensor;
        if (lastOfSource && k < plan.size()) {  // read the next source tensor ahead
            if (const auto *next = ckpt.find(inv.tensors[plan[k].sourceTensor].info.name)) {
                ckpt.shards()[next->shard].prefetch(next->index);
            }
        }
        PQ_TRY_STATUS(
                behind.submit(std::move(items), std::move(owned), lastOfSource ? entry : nullptr));
        ctx.reportProgress("export", k, plan.size());
    }
    return behind.wait();
}

}  // namespace

Status
checkFreeSpaceFor(const std::string &dir, std::uint64_t neededBytes, std::uint64_t availableBytes)
{
    if (availableBytes >= neededBytes) {
        return {};
    }
    return makeError(ErrorCode::NoSpace,
                     fmt::format("not enough free disk space for the export: it needs about {} "
                                 "({} bytes: the quantized tensors plus a margin) and only {} "
                                 "({} bytes) are free on this file system. Nothing was written; "
                                 "free at least {} there, or give --out a directory on a disk "
                                 "with more room",
                                 formatBytes(neededBytes), neededBytes, formatBytes(availableBytes),
                                 availableBytes, formatBytes(neededBytes - availableBytes)))
            .withPath(dir);
}

Result<ExportResult>
exportCheckpoint(const ExportRequest &request, quant::QuantBackend &backend, const JobContext &ctx)
{
    const fs::path source = fs::absolute(request.modelDir);
    fs::path out = fs::absolute(request.outDir).lexically_normal();
    if (!out.has_filename()) {  // "dir/" (tab completion adds the slash)
        out = out.parent_path();
    }
    if (fs::is_directory(out.parent_path())) {
        removeStaleTemporaries(out);  // first: it may put back an export a killed run moved aside
    }
    PQ_TRY_STATUS(checkPlaces(source, out, request.force));

    auto inv = inventoryModelDir(source.string());
    if (!inv) {
        return std::move(inv).error();
    }
    PQ_TRY_STATUS(inv->checkQuantizable());
    auto ckpt = Checkpoint::open(source.string());
    if (!ckpt) {
        return std::move(ckpt).error();
    }
    PQ_TRY_STATUS(checkFormats(*inv, request.formats, request.inputAmax));
    const auto cancelled = [&] {
        return makeError(ErrorCode::Cancelled, "export cancelled; nothing was written")
                .withPath(out.string());
    };
    if (ctx.isCancelled()) {
        return cancelled();
    }
    auto fingerprint = ckpt->fingerprint();
    if (!fingerprint) {
        return std::move(fingerprint).error();
    }
    if (ctx.isCancelled()) {
        return cancelled();
    }
    auto scales = sharedScales(*inv, *ckpt, request.formats, request.inputAmax, &ctx);
    if (!scales) {
        return std::move(scales).error();
    }
    const std::vector<OutputTensor> plan = planOutputTensors(*inv, request.formats);
    ExportResult result;
    result.outDir = out.string();
    result.sourceBytes = ckpt->totalTensorBytes();
    std::vector<TensorInfo> infos;
    for (const OutputTensor &t : plan) {
        infos.push_back(t.info);
        result.tensorBytes += *t.info.byteSize();
    }
    result.tensors = infos.size();
    for (const LinearInfo &l : inv->linears) {
        ++result.linearsByFormat[std::string(quant::formatInfo(request.formats.at(l.name)).name)];
    }

    PQ_TRY_STATUS(checkFreeSpace(out.parent_path(), result.tensorBytes + SPACE_MARGIN));
    TemporaryDirectory tmp(partialPrefix(out).string() + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(tmp.path(), ec);
    if (!fs::create_directory(tmp.path(), ec)) {
        return fsError("cannot create the temporary export directory", tmp.path(), ec);
    }
    CheckpointWriterOptions options;
    options.maxShardBytes = request.maxShardBytes;
    auto writer = CheckpointWriter::create(tmp.path().string(), infos, options);
    if (!writer) {
        return std::move(writer).error();
    }
    result.shards = writer->shardFileNames().size();

    PQ_TRY_STATUS(streamTensors(*inv, *ckpt, plan, request, *scales, backend, *writer, ctx,
                                out.string()));
    PQ_TRY_STATUS(writer->finish());

    PQ_TRY_STATUS(writeConfig(source, tmp.path(), buildQuantizationConfig(*inv, request.formats)));
    auto copied = copyCompanions(source, tmp.path());
    if (!copied) {
        return std::move(copied).error();
    }
    result.copiedFiles = std::move(*copied);
    const nlohmann::ordered_json manifest{
            {"schema", "prismaquant.export/1"},
            {"tool", "prismaquant"},
            {"tool_version", request.toolVersion},
            {"created_utc", core::utcTimestamp()},
            {"source", {{"directory", source.string()}, {"fingerprint", *fingerprint}}},
            {"recipe", request.recipe},
            {"compressed_tensors_version", CT_VERSION},
            {"linears_by_format", result.linearsByFormat},
            {"tensor_bytes", result.tensorBytes},
            {"source_tensor_bytes", result.sourceBytes},
            {"shards", result.shards},
    };
    PQ_TRY_STATUS(
            writeFileAtomically((tmp.path() / MANIFEST_FILE).string(), manifest.dump(2) + "\n"));
    if (ctx.isCancelled()) {
        return cancelled();
    }
    PQ_TRY_STATUS(moveIntoPlace(tmp, out, request.force));
    return result;
}

}  // namespace pq::core::ct
