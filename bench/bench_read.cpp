// SPDX-License-Identifier: MIT
// bench_read: how close does reading a checkpoint through Checkpoint::open + view() (mmap) come
// to plain sequential read(2) of the same files?
//
//   bench_read [DIR] [SIZE_GB] [--prefetch]      defaults: /tmp/pq-bench-read 2.5
//
// Writes a BF16 checkpoint of about SIZE_GB (Llama-style 4096x4096 attention and 4096x11008 MLP
// weights, 1 GB shards) into DIR unless one of that size is already there. Then, twice:
//   cold (a): page cache dropped, read(2) every shard file into a 16 MB buffer;
//   cold (b): page cache dropped, Checkpoint::open + view() of every tensor in on-disk order;
//   warm (a), warm (b): the same again with the files cached.
// Both paths run the same kernel over the bytes (a sum of little-endian uint64 words), so the
// figures differ only in how the bytes arrive. GB = 1e9 bytes. The cache is dropped through
// /proc/sys/vm/drop_caches when writable, else with posix_fadvise(DONTNEED) per file, and the
// share of pages still resident (mincore) is printed so that "cold" can be checked.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench_support.h"
#include "core/io/checkpoint.h"
#include "core/io/checkpoint_writer.h"

namespace fs = std::filesystem;
using namespace pq::core;

namespace {

using pq::bench::secondsSince;
using pq::bench::sumWords;

constexpr std::uint64_t SHARD_BYTES = 1'000'000'000ULL;
constexpr std::size_t READ_BUFFER_BYTES = 16ULL << 20U;
constexpr double GB = 1e9;

struct Pass
{
    std::uint64_t bytes = 0;
    std::uint64_t checksum = 0;
    double seconds = 0;

    double gbps() const { return static_cast<double>(bytes) / GB / seconds; }
};

std::vector<TensorInfo> llamaLikeTensors(std::uint64_t targetBytes)
{
    std::vector<TensorInfo> out;
    std::uint64_t total = 0;
    for (int layer = 0; total < targetBytes; ++layer) {
        const std::string p = fmt::format("model.layers.{}.", layer);
        for (const char *n :
             {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
              "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
            const bool mlp = std::strncmp(n, "mlp.", 4) == 0;
            const bool down = std::strcmp(n, "mlp.down_proj") == 0;
            std::vector<std::uint64_t> shape = {mlp && !down ? 11008U : 4096U,
                                                down ? 11008U : 4096U};
            out.push_back({p + n + ".weight", DType::BF16, std::move(shape)});
            total += out.back().byteSize().value_or(0);
        }
    }
    return out;
}

/** Reuses DIR when it holds a checkpoint written for the same size; else writes one. */
Status ensureCheckpoint(const fs::path &dir, const std::string &sizeTag, std::uint64_t target)
{
    if (auto cp = Checkpoint::open(dir.string());
        cp && cp->shards().front().metadata().count("pq_bench_size") != 0 &&
        cp->shards().front().metadata().at("pq_bench_size") == sizeTag) {
        std::printf("reusing the checkpoint in %s\n", dir.c_str());
        return {};
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename().string().rfind("model", 0) == 0) {
            fs::remove(e.path(), ec);  // shards and index of an earlier size
        }
    }
    CheckpointWriterOptions options;
    options.maxShardBytes = SHARD_BYTES;
    options.metadata = {{"format", "pt"}, {"pq_bench_size", sizeTag}};
    const std::vector<TensorInfo> tensors = llamaLikeTensors(target);
    auto writer = CheckpointWriter::create(dir.string(), tensors, options);
    if (!writer) {
        return std::move(writer).error();
    }
    std::vector<std::byte> buffer(4096ULL * 11008 * 2);
    for (std::size_t i = 0; i < buffer.size(); ++i) {
        buffer[i] = static_cast<std::byte>((i * 2654435761U) >> 13U);
    }
    std::printf("writing %zu tensors to %s ...\n", tensors.size(), dir.c_str());
    const auto start = std::chrono::steady_clock::now();
    for (const std::string &name : writer->writeOrder()) {
        const auto it = std::find_if(tensors.begin(), tensors.end(),
                                     [&](const TensorInfo &t) { return t.name == name; });
        PQ_TRY_STATUS(writer->writeTensor(name, std::span(buffer).first(*it->byteSize())));
    }
    PQ_TRY_STATUS(writer->finish());
    std::printf("written in %.1f s\n", secondsSince(start));
    return {};
}

/** Fraction of the files' pages that are in the page cache. */
double residentFraction(const std::vector<std::string> &files)
{
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::uint64_t resident = 0;
    std::uint64_t total = 0;
    for (const std::string &f : files) {
        const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        const auto size = static_cast<std::size_t>(fs::file_size(f));
        void *p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);
        if (p == MAP_FAILED) {
            continue;
        }
        std::vector<unsigned char> vec((size + page - 1) / page);
        if (::mincore(p, size, vec.data()) == 0) {
            resident += static_cast<std::uint64_t>(
                    std::count_if(vec.begin(), vec.end(), [](unsigned char c) { return c & 1U; }));
            total += vec.size();
        }
        ::munmap(p, size);
    }
    return total == 0 ? 0.0 : static_cast<double>(resident) / static_cast<double>(total);
}

/** Evicts the files from the page cache; returns how. */
std::string dropCaches(const std::vector<std::string> &files)
{
    ::sync();
    for (const std::string &f : files) {
        const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            ::close(fd);
        }
    }
    std::ofstream drop("/proc/sys/vm/drop_caches");
    drop << "3\n";
    drop.flush();
    return drop ? "drop_caches" : "fadvise";
}

Pass plainRead(const std::vector<std::string> &files)
{
    Pass pass;
    std::vector<std::byte> buffer(READ_BUFFER_BYTES);
    const auto start = std::chrono::steady_clock::now();
    for (const std::string &f : files) {
        const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::perror(f.c_str());
            std::exit(1);
        }
        for (;;) {
            const ssize_t n = ::read(fd, buffer.data(), buffer.size());
            if (n <= 0) {
                break;
            }
            const auto got = static_cast<std::size_t>(n);
            pass.checksum += sumWords(std::span(buffer).first(got));
            pass.bytes += got;
        }
        ::close(fd);
    }
    pass.seconds = secondsSince(start);
    return pass;
}

Pass checkpointRead(const std::string &dir, bool prefetch)
{
    Pass pass;
    const auto start = std::chrono::steady_clock::now();
    auto cp = Checkpoint::open(dir);
    if (!cp) {
        std::fprintf(stderr, "%s\n", cp.error().message().c_str());
        std::exit(1);
    }
    for (const SafetensorsFile &shard : cp->shards()) {  // on-disk order: shard, then offset
        for (std::size_t i = 0; i < shard.entries().size(); ++i) {
            if (prefetch && i + 1 < shard.entries().size()) {
                shard.prefetch(i + 1);
            }
            const TensorView v = shard.view(i);
            pass.checksum += sumWords(v.data);
            pass.bytes += v.data.size();
        }
    }
    pass.seconds = secondsSince(start);
    return pass;
}

std::vector<std::string> shardFiles(const std::string &dir)
{
    std::vector<std::string> files;
    auto cp = Checkpoint::open(dir);
    for (const SafetensorsFile &shard : cp->shards()) {
        files.push_back(shard.path());
    }
    return files;
}

void report(int round, const char *mode, int which, const Pass &p, double resident)
{
    const char *what = which == 0 ? "(a) read(2), 16 MB buffer" : "(b) Checkpoint + view()";
    std::printf("%-5d %-4s %-26s %6.2f %7.2f %7.2f %9.1f%%   %016llx\n", round, mode, what,
                static_cast<double>(p.bytes) / GB, p.seconds, p.gbps(), resident * 100,
                static_cast<unsigned long long>(p.checksum));
}

struct Ratios
{
    double cold = 0;
    double warm = 0;
};

/** One round: (a) and (b) cold, then (a) and (b) warm. */
Ratios
runRound(int round, const std::vector<std::string> &files, const std::string &dir, bool prefetch)
{
    Pass cold[2];
    Pass warm[2];
    for (int which = 0; which < 2; ++which) {
        const std::string how = dropCaches(files);
        const double resident = residentFraction(files);
        cold[which] = which == 0 ? plainRead(files) : checkpointRead(dir, prefetch);
        report(round, "cold", which, cold[which], resident);
        if (round == 1 && which == 0) {
            std::printf("      (page cache dropped with %s)\n", how.c_str());
        }
    }
    for (int which = 0; which < 2; ++which) {
        const double resident = residentFraction(files);
        warm[which] = which == 0 ? plainRead(files) : checkpointRead(dir, prefetch);
        report(round, "warm", which, warm[which], resident);
    }
    return {cold[1].gbps() / cold[0].gbps(), warm[1].gbps() / warm[0].gbps()};
}

}  // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    const bool prefetch = std::erase(args, std::string("--prefetch")) > 0;
    const fs::path dir = !args.empty() ? args[0] : "/tmp/pq-bench-read";
    const double sizeGb = args.size() > 1 ? std::atof(args[1].c_str()) : 2.5;
    if (const Status s = ensureCheckpoint(dir, fmt::format("{:.3f}", sizeGb),
                                          static_cast<std::uint64_t>(sizeGb * GB));
        !s) {
        std::fprintf(stderr, "bench_read: %s\n", s.error().message().c_str());
        return 1;
    }
    const std::vector<std::string> files = shardFiles(dir.string());
    std::printf("checkpoint: %zu shards; path (b) %s\n", files.size(),
                prefetch ? "calls prefetch() on the next tensor" : "uses view() only");
    std::printf("%-5s %-4s %-26s %6s %7s %7s %10s   %s\n", "round", "mode", "path", "GB", "s",
                "GB/s", "resident", "checksum");
    const Ratios r1 = runRound(1, files, dir.string(), prefetch);
    const Ratios r2 = runRound(2, files, dir.string(), prefetch);
    std::printf("ratio (b)/(a): cold %.2f %.2f, warm %.2f %.2f (target >= 0.8)\n", r1.cold, r2.cold,
                r1.warm, r2.warm);
    return 0;
}
