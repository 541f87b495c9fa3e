// SPDX-License-Identifier: MIT
// RUN_DIR/run.json: which stages of a pipeline run finished, and with which inputs. A stage's key
// is a SHA-256 over everything its outputs depend on (model fingerprint, calibration files,
// settings, tool version, the keys of the stages it reads from), and each output file is stamped
// with its size and modification time, so a rerun skips a stage exactly when its key is recorded
// and its outputs are still the files it wrote. Schema: docs/cli.md ("run").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace pq::core::pipeline {

/** A file a stage wrote, as it was when the stage finished. */
struct OutputStamp
{
    std::string path;  ///< relative paths are inside RUN_DIR
    std::uint64_t bytes = 0;
    std::int64_t mtimeNs = 0;  ///< modification time, ns since the epoch
};

/** One finished stage. */
struct StageRecord
{
    std::string key;          ///< stageKey() of its inputs
    std::string finishedUtc;  ///< ISO 8601, e.g. 2026-11-27T15:04:05Z
    double seconds = 0;       ///< wall time it took
    std::vector<OutputStamp> outputs;
};

/** SHA-256 (hex) of the parts, each length-prefixed so that ("ab", "c") ≠ ("a", "bc"). */
std::string stageKey(const std::vector<std::string> &parts);

/** The record of one run directory. Not thread-safe; one pipeline writes it. */
class RunRecord
{
public:
    /**
     * Reads RUN_DIR/run.json; a missing file gives an empty record. Errors: InvalidFormat naming
     * the file when it is not a run record (it is never overwritten silently: delete it to start
     * over).
     */
    static Result<RunRecord> load(const std::string &runDir);

    const std::string &runDir() const { return m_dir; }

    /** The stage's record, or nullptr. */
    const StageRecord *find(const std::string &stage) const;

    /** True when `stage` finished with `key` and each of its outputs is still the file it
     *  wrote (same size and modification time): a file edited or rewritten by hand, or by a
     *  single command run in the same directory, makes the stage run again. */
    bool upToDate(const std::string &stage, const std::string &key) const;

    /** Whether the file is still as stamped. */
    bool unchanged(const OutputStamp &stamp) const;

    /** Stamps files (relative ones inside RUN_DIR). Error NotFound naming a missing one. */
    Result<std::vector<OutputStamp>> stamp(const std::vector<std::string> &files) const;

    /** Records a finished stage and rewrites run.json atomically (creating RUN_DIR). A stage
     *  that is interrupted keeps its earlier record, whose key or stamps no longer match. */
    Status markDone(const std::string &stage, StageRecord record);

    /** The path an output entry names (relative entries are inside RUN_DIR). */
    std::string resolve(const std::string &output) const;

    /** The model directory the run works on (absolute; recorded so the Studio can open it). */
    const std::string &modelDir() const { return m_modelDir; }

    /** Sets it, rewriting run.json atomically when it changes. */
    Status setModelDir(std::string dir);

private:
    Status save() const;

    std::string m_dir;
    std::string m_modelDir;
    std::map<std::string, StageRecord> m_stages;
};

}  // namespace pq::core::pipeline
