// SPDX-License-Identifier: MIT
// RUN_DIR/run.json: which stages of a pipeline run finished, and with which inputs. A stage's key
// is a SHA-256 over everything its outputs depend on (model fingerprint, calibration files,
// settings, tool version, the keys of the stages it reads from), so a rerun skips a stage exactly
// when its key is recorded and its outputs still exist. Schema: docs/cli.md ("run").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace pq::core::pipeline {

/** One finished stage. */
struct StageRecord
{
    std::string key;                   ///< stageKey() of its inputs
    std::string finishedUtc;           ///< ISO 8601, e.g. 2026-11-27T15:04:05Z
    double seconds = 0;                ///< wall time it took
    std::vector<std::string> outputs;  ///< files or directories; relative ones are in RUN_DIR
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

    /** True when `stage` finished with `key` and every one of its outputs still exists. */
    bool upToDate(const std::string &stage, const std::string &key) const;

    /** Records a finished stage and rewrites run.json atomically (creating RUN_DIR). */
    Status markDone(const std::string &stage, StageRecord record);

    /** Forgets a stage about to run again, so an interruption cannot leave it marked done with
     *  old outputs half replaced. Rewrites run.json when the stage was recorded. */
    Status forget(const std::string &stage);

    /** The path an output entry names (relative entries are inside RUN_DIR). */
    std::string resolve(const std::string &output) const;

private:
    Status save() const;

    std::string m_dir;
    std::map<std::string, StageRecord> m_stages;
};

/** The current UTC time in ISO 8601 (seconds). */
std::string utcTimestamp();

}  // namespace pq::core::pipeline
