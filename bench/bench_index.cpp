// SPDX-License-Identifier: MIT
// bench_index: the cost of opening a large sharded checkpoint (index + every shard header + mmap),
// which the GUI pays on every "Open model".
//
//   bench_index [DIR] [TENSORS] [SHARDS] [REPS]     defaults: /tmp/pq-bench-index 20000 40 20
//
// Writes (once per parameter set) an MoE-shaped checkpoint: TENSORS tiny BF16 tensors with real
// names (model.layers.N.mlp.experts.E.gate_proj.weight, attention and norm weights) in SHARDS
// shards plus model.safetensors.index.json. Then times REPS runs each of readCheckpointIndex()
// alone and of Checkpoint::open() (index + all headers + mmap + cross-checks), warm cache, and
// prints min / median / max in milliseconds.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/io/checkpoint.h"
#include "core/io/checkpoint_writer.h"

namespace fs = std::filesystem;
using namespace pq::core;

namespace {

constexpr int EXPERTS = 64;

/** Names of a Qwen/Mixtral-style MoE model, in model order, until `count` are produced. */
std::vector<TensorInfo> moeTensors(std::size_t count)
{
    std::vector<TensorInfo> out;
    out.reserve(count);
    auto add = [&](std::string name, std::vector<std::uint64_t> shape) {
        if (out.size() < count) {
            out.push_back({std::move(name), DType::BF16, std::move(shape)});
        }
    };
    add("model.embed_tokens.weight", {16, 8});
    for (int layer = 0; out.size() < count; ++layer) {
        const std::string p = fmt::format("model.layers.{}.", layer);
        for (const char *n : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
            add(p + "self_attn." + n + ".weight", {8, 8});
        }
        add(p + "input_layernorm.weight", {8});
        add(p + "post_attention_layernorm.weight", {8});
        add(p + "mlp.gate.weight", {EXPERTS, 8});
        for (int e = 0; e < EXPERTS; ++e) {
            for (const char *n : {"gate_proj", "up_proj", "down_proj"}) {
                add(fmt::format("{}mlp.experts.{}.{}.weight", p, e, n), {4, 8});
            }
        }
    }
    return out;
}

/** How many shards CheckpointWriter makes of `tensors` at `limit` bytes (its next-fit rule). */
std::size_t nextFitShards(const std::vector<TensorInfo> &tensors, std::uint64_t limit)
{
    std::size_t shards = 0;
    std::uint64_t bytes = 0;
    for (const TensorInfo &t : tensors) {
        const std::uint64_t b = *t.byteSize();
        if (shards == 0 || (bytes + b > limit && bytes > 0)) {
            ++shards;
            bytes = 0;
        }
        bytes += b;
    }
    return shards;
}

Status ensureCheckpoint(const fs::path &dir, std::size_t count, std::size_t shards)
{
    const std::string tag = fmt::format("{}x{}", count, shards);
    if (auto cp = Checkpoint::open(dir.string());
        cp && cp->shards().front().metadata().count("pq_bench") != 0 &&
        cp->shards().front().metadata().at("pq_bench") == tag) {
        return {};
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    const std::vector<TensorInfo> tensors = moeTensors(count);
    std::uint64_t total = 0;
    for (const TensorInfo &t : tensors) {
        total += *t.byteSize();
    }
    CheckpointWriterOptions options;
    options.maxShardBytes = (total + shards - 1) / shards;
    while (nextFitShards(tensors, options.maxShardBytes) > shards) {
        options.maxShardBytes += 64;  // the writer's next-fit split: smallest limit giving SHARDS
    }
    options.metadata = {{"format", "pt"}, {"pq_bench", tag}};
    auto writer = CheckpointWriter::create(dir.string(), tensors, options);
    if (!writer) {
        return std::move(writer).error();
    }
    std::unordered_map<std::string, std::uint64_t> sizes;
    for (const TensorInfo &t : tensors) {
        sizes.emplace(t.name, *t.byteSize());
    }
    const std::vector<std::byte> zeros(1024);  // every tensor is at most 1 KiB
    for (const std::string &name : writer->writeOrder()) {
        PQ_TRY_STATUS(writer->writeTensor(name, std::span(zeros).first(sizes.at(name))));
    }
    return writer->finish();
}

struct Timing
{
    double minMs = 0;
    double medianMs = 0;
    double maxMs = 0;
};

Timing timeIt(int reps, const std::function<bool()> &fn)
{
    std::vector<double> ms;
    for (int r = 0; r < reps; ++r) {
        const auto start = std::chrono::steady_clock::now();
        if (!fn()) {
            std::exit(1);
        }
        ms.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                        .count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms.front(), ms[ms.size() / 2], ms.back()};
}

void print(const char *what, const Timing &t)
{
    std::printf("%-44s min %7.2f ms   median %7.2f ms   max %7.2f ms\n", what, t.minMs, t.medianMs,
                t.maxMs);
}

/** Times the three ways in; prints one line each. */
void runTimings(const fs::path &dir, int reps)
{
    const std::string indexPath = (dir / INDEX_FILE_NAME).string();
    std::size_t tensors = 0;
    std::vector<std::string> shardPaths;
    const Timing index = timeIt(reps, [&] {
        auto r = readCheckpointIndex(indexPath);
        tensors = r ? r->weightMap.size() : 0;
        return static_cast<bool>(r);
    });
    const Timing open = timeIt(reps, [&] {
        auto cp = Checkpoint::open(dir.string());
        if (!cp) {
            std::fprintf(stderr, "%s\n", cp.error().message().c_str());
            return false;
        }
        shardPaths.clear();
        for (const SafetensorsFile &f : cp->shards()) {
            shardPaths.push_back(f.path());
        }
        return cp->tensors().size() == tensors;
    });
    const Timing headers = timeIt(reps, [&] {
        return std::all_of(shardPaths.begin(), shardPaths.end(), [](const std::string &p) {
            return SafetensorsFile::open(p).has_value();
        });
    });
    std::printf("%s: %zu tensors in %zu shards, index %ju bytes, %d repetitions (warm cache)\n",
                dir.c_str(), tensors, shardPaths.size(), fs::file_size(indexPath), reps);
    print("readCheckpointIndex (parse index only)", index);
    print("SafetensorsFile::open of every shard", headers);
    print("Checkpoint::open (index + headers + mmap)", open);
    std::printf("target: Checkpoint::open median < 50 ms: %s\n",
                open.medianMs < 50 ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char **argv)
{
    const fs::path dir = argc > 1 ? argv[1] : "/tmp/pq-bench-index";
    const auto count = static_cast<std::size_t>(argc > 2 ? std::atol(argv[2]) : 20000);
    const auto shards = static_cast<std::size_t>(argc > 3 ? std::atol(argv[3]) : 40);
    const int reps = argc > 4 ? std::atoi(argv[4]) : 20;
    if (count == 0 || shards == 0 || reps <= 0) {
        std::fprintf(stderr, "usage: bench_index [DIR] [TENSORS>0] [SHARDS>0] [REPS>0]\n");
        return 2;
    }
    if (const Status s = ensureCheckpoint(dir, count, shards); !s) {
        std::fprintf(stderr, "bench_index: %s\n", s.error().message().c_str());
        return 1;
    }
    runTimings(dir, reps);
    return 0;
}
