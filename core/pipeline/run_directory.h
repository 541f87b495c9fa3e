// SPDX-License-Identifier: MIT
// A run directory as a reader finds it: the folder `prismaquant run`, `probe`, `merge` or
// `allocate` wrote, possibly on another machine. The Studio opens one to show its model and
// results.
#pragma once

#include <string>

#include "core/util/result.h"

namespace pq::core::pipeline {

/** What a run directory holds. */
struct RunDirectory
{
    std::string dir;         ///< as given, cleaned
    std::string modelDir;    ///< the model it was made from, as recorded there
    bool hasProbe = false;   ///< sensitivity.json
    bool hasRecipe = false;  ///< recipe.json
};

/** True when `dir` holds run.json or sensitivity.json (a model folder holds neither). */
bool isRunDirectory(const std::string &dir);

/**
 * Reads which model a run directory was made from: run.json's `model_dir`, else
 * sensitivity.json's. Errors: NotFound when neither names a model; InvalidFormat naming the file
 * when it is not what it should be. The model directory itself is not checked (openRunModel).
 */
Result<RunDirectory> readRunDirectory(const std::string &dir);

/**
 * readRunDirectory(), then checks that its model is on this machine: NotFound otherwise, saying
 * where the run expects it and what to do (copy it there, or open the model folder and then
 * this run).
 */
Result<RunDirectory> openRunModel(const std::string &dir);

}  // namespace pq::core::pipeline
