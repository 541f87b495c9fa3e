// SPDX-License-Identifier: MIT
// bench_export's six measured passes (the list at the top of bench_export.cpp): the export cold
// and warm with every encode() timed, the plain read, the quantizers alone, the write floor, and
// the reference backend against the fast one; with the page-cache control they need.
#include "bench/bench_export_passes.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench_support.h"
#include "core/export/export_plan.h"
#include "core/export/exporter.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/quant/format_spec.h"

namespace pq::bench::export_bench {

namespace fs = std::filesystem;

namespace {

using bench::sumWords;

constexpr std::size_t WRITE_BUFFER_BYTES = 64ULL << 20U;

// ---- page cache ------------------------------------------------------------------------------

/** Flushes and evicts the files' pages from the page cache (pages mapped elsewhere stay). */
void evict(const std::vector<std::string> &paths)
{
    for (const std::string &p : paths) {
        const int fd = ::open(p.c_str(), O_RDONLY);
        if (fd < 0) {
            die("cannot open " + p);
        }
        ::fdatasync(fd);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    }
}

/** Share of the files' pages in the page cache (mincore). */
double residentShare(const std::vector<std::string> &paths)
{
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::uint64_t resident = 0;
    std::uint64_t pages = 0;
    for (const std::string &p : paths) {
        const int fd = ::open(p.c_str(), O_RDONLY);

        struct stat st
        {};

        if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_size == 0) {
            die("cannot stat " + p);
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        void *m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);
        if (m == MAP_FAILED) {
            die("cannot map " + p);
        }
        std::vector<unsigned char> vec((size + page - 1) / page);
        ::mincore(m, size, vec.data());
        for (const unsigned char v : vec) {
            resident += v & 1U;
        }
        pages += vec.size();
        ::munmap(m, size);
    }
    return pages == 0 ? 0.0 : static_cast<double>(resident) / static_cast<double>(pages);
}

// ---- a backend that times encode() -----------------------------------------------------------

/** Forwards to `inner`, timing every encode() by format. */
class TimedBackend final : public core::quant::QuantBackend
{
public:
    explicit TimedBackend(core::quant::QuantBackend &inner)
        : m_inner(inner)
    {}

    std::string_view name() const override { return m_inner.name(); }

    bool supports(FormatId id) const override { return m_inner.supports(id); }

    core::Result<core::quant::EncodedWeight> encode(FormatId id,
                                                    const core::quant::WeightView &w,
                                                    const core::quant::QuantOptions &o) override
    {
        const Clock::time_point t0 = Clock::now();
        auto e = m_inner.encode(id, w, o);
        const double dt = secondsSince(t0);
        m_total += dt;
        EncodeStats &s = m_stats[id];
        s.seconds += dt;
        s.sourceBytes += static_cast<double>(w.rows * w.cols * core::dtypeBits(w.dtype) / 8);
        if (e) {
            for (const core::quant::StoredTensor &t : e->tensors) {
                s.outBytes += static_cast<double>(t.bytes.size());
            }
        }
        ++s.linears;
        return e;
    }

    core::Status decode(const core::quant::EncodedWeight &e, std::span<float> out) override
    {
        return m_inner.decode(e, out);
    }

    core::Status fakeQuant(FormatId id,
                           const core::quant::WeightView &w,
                           const core::quant::QuantOptions &o,
                           std::span<float> out) override
    {
        return m_inner.fakeQuant(id, w, o, out);
    }

    core::Result<std::vector<core::quant::ErrorMetrics>>
    measure(std::span<const FormatId> ids,
            const core::quant::WeightView &w,
            std::span<const float> fisher,
            const core::quant::QuantOptions &o) override
    {
        return m_inner.measure(ids, w, fisher, o);
    }

    core::Status quantizeActivations(core::quant::ActivationQuant a,
                                     std::span<float> rows,
                                     std::uint64_t rowLen,
                                     float inputAmax) override
    {
        return m_inner.quantizeActivations(a, rows, rowLen, inputAmax);
    }

    /** Seconds spent in encode() so far. */
    double total() const { return m_total; }

    const std::map<FormatId, EncodeStats> &stats() const { return m_stats; }

private:
    core::quant::QuantBackend &m_inner;
    double m_total = 0;
    std::map<FormatId, EncodeStats> m_stats;
};

}  // namespace

// ---- pass 1/2: the export --------------------------------------------------------------------

ExportRun runExport(const Options &o, const Model &m, core::quant::QuantBackend &backend, bool cold)
{
    ExportRun run;
    run.cold = cold;
    std::error_code ec;
    fs::remove_all(o.outDir, ec);
    if (cold) {
        evict(m.shards);
    }
    run.resident = residentShare(m.shards);
    run.loadBefore = loadAverage();
    TimedBackend timed(backend);
    const Clock::time_point t0 = Clock::now();
    const core::JobContext ctx([&](std::string_view stage, std::uint64_t done, std::uint64_t) {
        if (stage == "scales") {
            run.scalesAt = secondsSince(t0);
            run.atScales = readMemory();
        } else if (stage == "export") {
            run.marks.push_back({done, secondsSince(t0), timed.total(), readMemory()});
        }
    });
    core::ct::ExportRequest request;
    request.modelDir = o.modelDir;
    request.outDir = o.outDir;
    request.formats = m.recipe.formats;
    request.inputAmax = m.recipe.inputAmax;
    request.recipe = m.recipe.summary;
    request.toolVersion = "bench_export";
    request.force = true;
    PeakSampler sampler;
    run.before = readMemory();
    sampler.start();
    const double cpu0 = cpuSeconds();
    auto result = core::ct::exportCheckpoint(request, timed, ctx);
    run.wall = secondsSince(t0);
    run.cpu = cpuSeconds() - cpu0;
    run.peak = sampler.stop().memory;
    run.maxRss = maxRssBytes();
    run.loadAfter = loadAverage();
    if (!result) {
        die(result.error().message());
    }
    run.result = *result;
    run.encodeTotal = timed.total();
    run.encode = timed.stats();
    if (!o.keepOutput) {
        fs::remove_all(o.outDir, ec);
    }
    return run;
}

/** Attributes each progress interval to what it wrote: a kept tensor, or a Linear's format. */
std::map<std::string, ClassTimes> classify(const ExportRun &run, const Model &m)
{
    std::map<std::string, ClassTimes> out;
    for (std::size_t i = 1; i + 1 < run.marks.size(); ++i) {  // the last item: see printExport
        const ProgressMark &a = run.marks[i - 1];
        const ProgressMark &b = run.marks[i];
        const core::ct::OutputTensor &t = m.plan.at(a.done);
        std::string key = "kept tensors";
        double bytes =
                static_cast<double>(m.inv.tensors[t.sourceTensor].info.byteSize().value_or(0));
        if (t.linear) {
            const core::LinearInfo &l = m.inv.linears[*t.linear];
            key = "Linear " + formatName(m.recipe.formats.at(l.name));
            bytes = static_cast<double>(l.sourceBytes());
        }
        ClassTimes &c = out[key];
        ++c.items;
        c.sourceBytes += bytes;
        c.wall += b.at - a.at;
        c.encode += b.encode - a.encode;
    }
    return out;
}

// ---- pass 3: the plain read ------------------------------------------------------------------

ReadRun plainRead(const Model &m, const std::string &dir, bool cold)
{
    ReadRun r;
    if (cold) {
        evict(m.shards);
    }
    r.resident = residentShare(m.shards);
    r.load = loadAverage();
    const Clock::time_point t0 = Clock::now();
    auto cp = core::Checkpoint::open(dir);
    if (!cp) {
        die(cp.error().message());
    }
    for (const core::SafetensorsFile &shard : cp->shards()) {
        for (std::size_t i = 0; i < shard.entries().size(); ++i) {  // ascending offsets
            const core::TensorView v = shard.view(i);
            r.checksum += sumWords(v.data);
            r.bytes += static_cast<double>(v.data.size());
            shard.releasePages(i);
        }
    }
    r.seconds = secondsSince(t0);
    return r;
}

// ---- pass 4: the quantizers alone ------------------------------------------------------------

QuantRun quantizersAlone(const Model &m, const std::string &dir, core::quant::QuantBackend &backend)
{
    QuantRun q;
    q.load = loadAverage();
    auto cp = core::Checkpoint::open(dir);
    if (!cp) {
        die(cp.error().message());
    }
    const double cpu0 = cpuSeconds();
    Clock::time_point t0 = Clock::now();
    auto scales = core::ct::sharedScales(m.inv, *cp, m.recipe.formats, m.recipe.inputAmax);
    q.scalesSeconds = secondsSince(t0);
    if (!scales) {
        die(scales.error().message());
    }
    q.rssFileAfterScales = readMemory().rssFile;
    for (const core::Checkpoint::Entry &e : cp->tensors()) {
        cp->releasePages(e);  // what sharedScales left mapped
    }
    TimedBackend timed(backend);
    std::vector<std::byte> scratch;
    std::uint64_t sink = 0;
    for (const core::LinearInfo &l : m.inv.linears) {
        const FormatId id = m.recipe.formats.at(l.name);
        if (id == FormatId::BF16) {
            continue;
        }
        auto view = core::ct::linearWeightView(m.inv, *cp, l, scratch);
        if (!view) {
            die(view.error().message());
        }
        sink += sumWords(
                {view->data, view->rows * view->stride() * core::dtypeBits(view->dtype) / 8});
        core::quant::QuantOptions opts;
        if (const auto g = scales->weightAmax.find(l.name); g != scales->weightAmax.end()) {
            opts.globalAmax = g->second;
        }
        if (core::quant::formatInfo(id).activation == core::quant::ActivationQuant::Nvfp4) {
            opts.inputAmax = scales->inputAmax.at(l.name);
        }
        auto encoded = timed.encode(id, *view, opts);
        if (!encoded) {
            die(encoded.error().message());
        }
        cp->releasePages(*cp->find(m.inv.tensors[l.source.tensor].info.name));
    }
    q.encodeSeconds = timed.total();
    q.encode = timed.stats();
    q.touchChecksum = sink;
    q.cpu = cpuSeconds() - cpu0;
    return q;
}

// ---- pass 5: the write floor -----------------------------------------------------------------

WriteRun writeFloor(const Options &o, double bytes)
{
    WriteRun w;
    w.bytes = bytes;
    w.load = loadAverage();
    const fs::path path = fs::path(o.outDir).parent_path() / ".pq-bench-export-writefloor";
    std::vector<std::byte> buffer(WRITE_BUFFER_BYTES);
    for (std::size_t i = 0; i < buffer.size(); ++i) {
        buffer[i] = static_cast<std::byte>((i * 2654435761U) >> 24U);
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        die("cannot create " + path.string());
    }
    const auto total = static_cast<std::uint64_t>(bytes);
    ::posix_fallocate(fd, 0, static_cast<off_t>(total));  // as the writer reserves its shards
    const Clock::time_point t0 = Clock::now();
    for (std::uint64_t at = 0; at < total;) {
        const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), total - at));
        const ssize_t k = ::pwrite(fd, buffer.data(), n, static_cast<off_t>(at));
        if (k <= 0) {
            die("cannot write " + path.string());
        }
        at += static_cast<std::uint64_t>(k);
    }
    w.writeSeconds = secondsSince(t0);
    const Clock::time_point t1 = Clock::now();
    ::fsync(fd);
    w.syncSeconds = secondsSince(t1);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
    std::error_code ec;
    fs::remove(path, ec);
    return w;
}

// ---- pass 6: reference against fast ---------------------------------------------------------

std::vector<BackendRate> compareBackends(const Model &m,
                                         const std::string &dir,
                                         core::quant::QuantBackend &fast,
                                         core::quant::QuantBackend &reference,
                                         const core::LinearInfo **sample)
{
    auto cp = core::Checkpoint::open(dir);
    if (!cp) {
        die(cp.error().message());
    }
    const core::LinearInfo *pick = nullptr;
    for (const core::LinearInfo &l : m.inv.linears) {
        if (l.outFeatures == 2048 && l.inFeatures == 2048) {
            pick = &l;
            break;
        }
    }
    if (pick == nullptr) {
        die("no 2048×2048 Linear in the model");
    }
    *sample = pick;
    std::vector<std::byte> scratch;
    auto view = core::ct::linearWeightView(m.inv, *cp, *pick, scratch);
    if (!view) {
        die(view.error().message());
    }
    std::vector<BackendRate> out;
    for (const FormatId id : RECIPE_CYCLE) {
        if (id == FormatId::BF16) {
            continue;
        }
        core::quant::QuantOptions opts;
        opts.inputAmax = 4.0F;
        BackendRate r{id};
        r.fast = 1e30;
        for (int rep = 0; rep < 3; ++rep) {
            const Clock::time_point t0 = Clock::now();
            if (!fast.encode(id, *view, opts)) {
                die("fast encode failed");
            }
            r.fast = std::min(r.fast, secondsSince(t0));
        }
        const Clock::time_point t0 = Clock::now();
        if (!reference.encode(id, *view, opts)) {
            die("reference encode failed");
        }
        r.reference = secondsSince(t0);
        out.push_back(r);
    }
    return out;
}

}  // namespace pq::bench::export_bench
