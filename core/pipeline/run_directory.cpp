// SPDX-License-Identifier: MIT
#include "core/pipeline/run_directory.h"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/pipeline/run_record.h"
#include "core/util/atomic_file.h"

namespace pq::core::pipeline {
namespace {

namespace fs = std::filesystem;

/** sensitivity.json's `model_dir` ("" when absent). */
Result<std::string> probedModel(const std::string &path)
{
    auto text = readSmallFile(path, 1ULL << 32U);
    if (!text) {
        return std::move(text).error();
    }
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return makeError(ErrorCode::InvalidFormat, "not a probe report (not a JSON object)")
                .withPath(path);
    }
    const auto it = j.find("model_dir");
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool isRunDirectory(const std::string &dir)
{
    std::error_code ec;
    return fs::is_regular_file(fs::path(dir) / "run.json", ec) ||
           fs::is_regular_file(fs::path(dir) / "sensitivity.json", ec);
}

Result<RunDirectory> readRunDirectory(const std::string &dir)
{
    RunDirectory run;
    run.dir = fs::path(dir).lexically_normal().string();
    std::error_code ec;
    const fs::path sensitivity = fs::path(dir) / "sensitivity.json";
    run.hasProbe = fs::is_regular_file(sensitivity, ec);
    run.hasRecipe = fs::is_regular_file(fs::path(dir) / "recipe.json", ec);
    auto record = RunRecord::load(dir);
    if (!record) {
        return std::move(record).error();
    }
    run.modelDir = record->modelDir();
    if (run.modelDir.empty() && run.hasProbe) {
        auto model = probedModel(sensitivity.string());
        if (!model) {
            return std::move(model).error();
        }
        run.modelDir = *model;
    }
    if (run.modelDir.empty()) {
        return makeError(ErrorCode::NotFound,
                         "not a run directory: it has no run.json or sensitivity.json that names "
                         "a model (make one with `prismaquant run MODEL_DIR --out RUN_DIR`)")
                .withPath(dir);
    }
    return run;
}

Result<RunDirectory> openRunModel(const std::string &dir)
{
    auto run = readRunDirectory(dir);
    if (!run) {
        return run;
    }
    std::error_code ec;
    if (!fs::is_directory(run->modelDir, ec)) {
        return makeError(ErrorCode::NotFound,
                         fmt::format("this run was made from the model at {}, which is not on "
                                     "this computer: copy the model folder to that path, or open "
                                     "the model folder where it is",
                                     run->modelDir))
                .withPath(dir);
    }
    return run;
}

}  // namespace pq::core::pipeline
