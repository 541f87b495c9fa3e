// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/text_source.h"
#include "core/util/job_context.h"
#include "core/util/result.h"

namespace pq::core::data {

/** How many token windows to take, how long, and from which seed. */
struct CalibrationSettings
{
    std::uint64_t samples = 64;         ///< calibration windows (N)
    std::uint64_t seqLen = 512;         ///< tokens per window (L), BOS included when set
    std::uint64_t heldOutSamples = 16;  ///< evaluation windows, disjoint from calibration
    std::uint64_t seed = 0;
    std::optional<std::int32_t> bos;  ///< prepended to every window when set
};

/** A window of token ids and where it starts in the concatenated token stream. */
struct TokenWindow
{
    std::vector<std::int32_t> ids;
    std::uint64_t streamOffset = 0;
};

/**
 * Calibration and held-out windows cut from a corpus.
 *
 * Method: every document is tokenized (documents are joined by "\n\n") into one token stream,
 * which is cut into non-overlapping windows of L tokens (L − 1 when a BOS is prepended). The
 * last `heldOutSamples` windows of the stream are the held-out split — the same for every seed
 * and sample count, so evaluations of different runs compare — and the calibration windows are
 * drawn without replacement from the windows before them with a seeded permutation. The two
 * splits therefore never share a token. Nothing is padded: too little text is an error that
 * says what would fit.
 */
struct CalibrationSet
{
    CalibrationSettings settings;
    std::vector<TokenWindow> calibration;
    std::vector<TokenWindow> heldOut;
    std::uint64_t streamTokens = 0;      ///< tokens in the whole stream
    std::uint64_t windowsAvailable = 0;  ///< windows the stream holds
    std::vector<SourceFile> files;
    std::uint64_t documents = 0;

    /** "64 × 512 tokens for calibration + 16 × 512 held out, from 1 file (1,234,567 tokens)". */
    std::string summary() const;

    /** The run-directory record: settings, counts, token totals, files with SHA-256. */
    std::string toJson() const;
};

/** Turns text into token ids (the model's tokenizer). */
using TextEncoder = std::function<std::vector<std::int32_t>(std::string_view)>;

/**
 * Builds the calibration set. Reports progress per document ("tokenize") and honours
 * cancellation. Errors: InvalidArgument for zero sizes; InvalidFormat ("too little text") when
 * the stream holds fewer than samples + heldOutSamples windows, naming the tokens available and
 * the sample count or sequence length that would fit.
 */
Result<CalibrationSet> buildCalibrationSet(const TextCorpus &corpus,
                                           const TextEncoder &encode,
                                           const CalibrationSettings &settings,
                                           const JobContext &ctx);

}  // namespace pq::core::data
