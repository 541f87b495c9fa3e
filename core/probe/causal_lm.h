// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace pq::probe {

/** Where the model runs. CUDA needs a libtorch built with CUDA (CMAKE_PREFIX_PATH). */
enum class Device : std::uint8_t
{
    Cpu,
    Cuda,
};

/** The dtype activations and weights are computed in. */
enum class ComputeDtype : std::uint8_t
{
    Auto,  ///< float32 on the CPU (bf16 is several times slower there), bf16 on CUDA
    Float32,
    BFloat16,  ///< on the CPU: for tests of the bf16 path
};

/** Whether Device::Cuda can run here: libtorch has CUDA and a GPU is visible. */
bool cudaAvailable();

struct RuntimeOptions
{
    Device device = Device::Cpu;
    ComputeDtype dtype = ComputeDtype::Auto;
    int threads = 0;  ///< intra-op threads on the CPU; 0 = one per core
};

/**
 * A decoder-only language model from a Hugging Face directory, run with libtorch (float32 on
 * the CPU, bf16 on CUDA; RuntimeOptions). Weights are read from the memory-mapped safetensors one
 * decoder layer at a time. Families: llama, mistral, qwen2 (q/k/v bias), qwen3 (q/k norms), and
 * the MoE families qwen3_moe and mixtral (routed experts); RoPE
 * default, linear and llama3 scaling; GQA; tied embeddings. Not thread-safe: one call at a time.
 * libtorch stays inside this target's .cpp files; this header shows only core types.
 */
class CausalLm
{
public:
    static core::Result<std::unique_ptr<CausalLm>> open(const std::string &modelDir,
                                                        const RuntimeOptions &options = {});

    virtual ~CausalLm() = default;

    /** Logits [tokens × vocab] (row-major float32) of one sequence. */
    virtual core::Result<std::vector<float>> logits(std::span<const std::int32_t> tokens) = 0;

    /** Greedy continuation: `steps` new tokens after `prompt`. */
    virtual core::Result<std::vector<std::int32_t>> greedy(std::span<const std::int32_t> prompt,
                                                           int steps) = 0;

    virtual std::int64_t vocabSize() const = 0;
};

/** Refuses options this build cannot honour (CUDA without a CUDA libtorch or GPU), saying why. */
core::Status checkRuntimeOptions(const RuntimeOptions &options);

/** Applies thread settings to libtorch (one thread per core by default). */
void applyRuntimeOptions(const RuntimeOptions &options);

/** libtorch's version string ("1.13.0"), for reports. */
std::string torchVersion();

}  // namespace pq::probe
