// SPDX-License-Identifier: MIT
#include "core/model/synthetic_checkpoint.h"

#include <cstring>
#include <filesystem>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

#include "core/model/inventory.h"
#include "core/util/atomic_file.h"
#include "core/util/bf16.h"

namespace pq::core {
namespace {

bool isNormOrBias(const std::string &name)
{
    return name.find("norm") != std::string::npos || name.ends_with(".bias") ||
           name.ends_with("_bias") || name.ends_with("A_log") || name.ends_with("sinks");
}

/** Fills `out` with the tensor's bytes: norms 1, biases 0, everything else N(0, 0.02²). */
void fillTensor(const TensorInfo &t, std::mt19937_64 &rng, std::vector<std::byte> &out)
{
    const std::uint64_t n = t.numel().value_or(0);
    out.resize(t.byteSize().value_or(0));
    std::normal_distribution<float> normal(0.0F, 0.02F);
    const bool isNorm = t.name.find("norm") != std::string::npos;
    const bool constant = isNormOrBias(t.name);
    for (std::uint64_t i = 0; i < n; ++i) {
        const float v = constant ? (isNorm ? 1.0F : 0.0F) : normal(rng);
        if (t.dtype == DType::F32) {
            std::memcpy(out.data() + i * 4, &v, 4);
        } else {
            const std::uint16_t b = floatToBf16(v);
            std::memcpy(out.data() + i * 2, &b, 2);
        }
    }
}

}  // namespace

Status writeSyntheticCheckpoint(const std::string &configJson,
                                const std::string &outDir,
                                std::uint64_t seed,
                                const CheckpointWriterOptions &options,
                                const JobContext &ctx,
                                std::optional<ExpertStorage> storage)
{
    auto cfg = parseModelConfig(configJson);
    if (!cfg) {
        return std::move(cfg).error();
    }
    if (cfg->torchDtype == "float16") {
        return makeError(ErrorCode::Unsupported,
                         "synthetic checkpoints are written in bfloat16 or float32");
    }
    const ProfileSpec *profile = findProfile(*cfg);
    std::vector<TensorInfo> tensors =
            synthesizeTensors(*cfg, profile ? *profile : genericProfile(), storage);
    std::unordered_map<std::string, TensorInfo> byName;
    for (const TensorInfo &t : tensors) {
        byName.emplace(t.name, t);
    }
    std::error_code ec;
    std::filesystem::create_directories(outDir, ec);
    if (ec) {
        return makeIoError("cannot create directory", outDir, ec.value());
    }
    auto writer = CheckpointWriter::create(outDir, std::move(tensors), options);
    if (!writer) {
        return std::move(writer).error();
    }
    std::mt19937_64 rng(seed);
    std::vector<std::byte> buffer;
    const auto &order = writer->writeOrder();
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (ctx.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "cancelled while writing tensors");
        }
        fillTensor(byName.at(order[i]), rng, buffer);
        PQ_TRY_STATUS(writer->writeTensor(order[i], buffer));
        ctx.reportProgress("write", i + 1, order.size());
    }
    PQ_TRY_STATUS(writer->finish());
    return writeFileAtomically((std::filesystem::path(outDir) / "config.json").string(),
                               configJson);
}

}  // namespace pq::core
