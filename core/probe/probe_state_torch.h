// SPDX-License-Identifier: MIT
#pragma once

// The probe's on-disk state (private to core/probe; includes torch): float32 tensor files, the
// layer-boundary store that spills to them beyond the memory budget, and the resume state of
// RUN_DIR/probe-state (docs/sensitivity-json.md, "Resume state").

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/probe/model_weights_torch.h"
#include "core/util/result.h"

namespace pq::probe::state {

/** Writes float32 tensors back to back, atomically. */
core::Status writeTensors(const std::string &path, const std::vector<torch::Tensor> &ts);

/** Reads `count` float32 CPU tensors of `shape` written by writeTensors; the size must match. */
core::Result<std::vector<torch::Tensor>>
readTensors(const std::string &path, std::size_t count, const std::vector<std::int64_t> &shape);

/**
 * Hidden states at the layer boundaries, one [windows, T, hidden] tensor per boundary: in RAM, or
 * spilled to one file per boundary when they would exceed the memory budget. One tensor rather
 * than one per window, so each boundary is a single allocation that is returned to the system as
 * a whole when it is dropped.
 */
class BoundaryStore
{
public:
    BoundaryStore(std::string spillDir,
                  std::size_t windows,
                  std::vector<std::int64_t> shape,
                  Compute compute)
        : m_dir(std::move(spillDir))
        , m_windows(windows)
        , m_shape(std::move(shape))
        , m_compute(compute)
    {
        m_shape.insert(m_shape.begin(), static_cast<std::int64_t>(m_windows));
    }

    bool spills() const { return !m_dir.empty(); }

    /** Keeps boundary `l` ([windows, T, hidden]). */
    core::Status put(std::size_t l, const torch::Tensor &h)
    {
        if (!spills()) {
            m_ram[l] = h.to(torch::kCPU);  // host memory, not the GPU's
            return {};
        }
        return writeTensors(path(l), {h});
    }

    /** Boundary `l` on the compute device ([windows, T, hidden]). */
    core::Result<torch::Tensor> get(std::size_t l) const
    {
        if (!spills()) {
            return m_compute.to(m_ram.at(l));
        }
        auto read = readTensors(path(l), 1, m_shape);
        if (!read) {
            return std::move(read).error();
        }
        return m_compute.to(read->front());
    }

    void drop(std::size_t l)
    {
        m_ram.erase(l);
        if (spills()) {
            std::error_code ec;
            std::filesystem::remove(path(l), ec);
        }
    }

private:
    std::string path(std::size_t l) const { return fmt::format("{}/boundary-{:04}.f32", m_dir, l); }

    std::string m_dir;
    std::size_t m_windows;
    std::vector<std::int64_t> m_shape;  ///< [windows, T, hidden]
    Compute m_compute;
    std::map<std::size_t, torch::Tensor> m_ram;
};

/**
 * RUN_DIR/probe-state: state.json names the next layer of the backward walk; grad-NNNN.f32 is the
 * gradient entering that layer; layer-NNNN.json the results of every finished layer. Files are
 * written in an order that keeps state.json pointing at complete files at every instant.
 */
struct ResumeState
{
    std::string key;  ///< SHA-256 of model fingerprint, calibration and settings
    std::int64_t nextLayer = -1;
    double lossSum = 0.0;
    std::uint64_t lossTokens = 0;
};

std::string stateFile(const std::string &dir);
std::string gradFile(const std::string &dir, std::int64_t l);
std::string layerFile(const std::string &dir, std::int64_t l);

/** The state left by an earlier run with the same key, if any. */
std::optional<ResumeState> loadState(const std::string &dir, const std::string &key);
core::Status saveState(const std::string &dir, const ResumeState &s);

/** Physical memory in bytes (0 when unknown). */
std::uint64_t physicalMemory();

}  // namespace pq::probe::state
