// SPDX-License-Identifier: MIT
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/probe/probe_state_torch.h"
#include "core/util/atomic_file.h"

namespace pq::probe::state {

using core::Result;
using core::Status;

/** Writes float32 tensors back to back, atomically. */
Status writeTensors(const std::string &path, const std::vector<torch::Tensor> &ts)
{
    auto f = core::AtomicFile::create(path);
    if (!f) {
        return std::move(f).error();
    }
    for (const torch::Tensor &t : ts) {
        const torch::Tensor c = Compute::host(t);
        PQ_TRY_STATUS(f->write({static_cast<const std::byte *>(c.data_ptr()),
                                static_cast<std::size_t>(c.numel()) * sizeof(float)}));
    }
    return f->commit();
}

/** Reads `count` float32 CPU tensors of `shape` written by writeTensors; the size must match. */
Result<std::vector<torch::Tensor>>
readTensors(const std::string &path, std::size_t count, const std::vector<std::int64_t> &shape)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::makeError(core::ErrorCode::NotFound, "cannot open").withPath(path);
    }
    std::vector<torch::Tensor> out;
    for (std::size_t i = 0; i < count; ++i) {
        torch::Tensor t = torch::empty(shape, torch::kFloat32);
        const auto bytes = static_cast<std::streamsize>(t.numel() * sizeof(float));
        if (!in.read(static_cast<char *>(t.data_ptr()), bytes)) {
            return core::makeError(core::ErrorCode::InvalidFormat, "shorter than expected")
                    .withPath(path);
        }
        out.push_back(t);
    }
    if (in.peek() != std::char_traits<char>::eof()) {
        return core::makeError(core::ErrorCode::InvalidFormat, "longer than expected")
                .withPath(path);
    }
    return out;
}

std::string stateFile(const std::string &dir)
{
    return dir + "/state.json";
}

std::string gradFile(const std::string &dir, std::int64_t l)
{
    return fmt::format("{}/grad-{:04}.f32", dir, l);
}

std::string layerFile(const std::string &dir, std::int64_t l)
{
    return fmt::format("{}/layer-{:04}.json", dir, l);
}

/** The state left by an earlier run with the same key, if any. */
std::optional<ResumeState> loadState(const std::string &dir, const std::string &key)
{
    auto text = core::readSmallFile(stateFile(dir), 1U << 20U);
    if (!text) {
        return std::nullopt;
    }
    const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || j.value("key", std::string()) != key) {
        return std::nullopt;
    }
    ResumeState s;
    s.key = key;
    s.nextLayer = j.value("next_layer", std::int64_t{-2});
    s.lossSum = j.value("loss_sum", 0.0);
    s.lossTokens = j.value("loss_tokens", std::uint64_t{0});
    if (s.nextLayer < -1) {
        return std::nullopt;
    }
    return s;
}

Status saveState(const std::string &dir, const ResumeState &s)
{
    const nlohmann::json j = {{"schema", "prismaquant.probe-state/1"},
                              {"key", s.key},
                              {"next_layer", s.nextLayer},
                              {"loss_sum", s.lossSum},
                              {"loss_tokens", s.lossTokens}};
    return core::writeFileAtomically(stateFile(dir), j.dump(1) + "\n");
}

std::uint64_t physicalMemory()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0
                   ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size)
                   : 0;
}

}  // namespace pq::probe::state
