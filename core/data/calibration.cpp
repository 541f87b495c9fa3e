// SPDX-License-Identifier: MIT
#include "core/data/calibration.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pq::core::data {
namespace {

/** SplitMix64: a tiny, fully specified generator, so permutations are the same everywhere. */
class SplitMix64
{
public:
    explicit SplitMix64(std::uint64_t seed)
        : m_state(seed)
    {}

    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31U);
    }

private:
    std::uint64_t m_state;
};

/** The first `count` entries of a seeded Fisher–Yates permutation of 0..n-1. */
std::vector<std::uint64_t> choose(std::uint64_t n, std::uint64_t count, std::uint64_t seed)
{
    std::vector<std::uint64_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    SplitMix64 rng(seed);
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t j = i + rng.next() % (n - i);
        std::swap(idx[i], idx[j]);
    }
    idx.resize(count);
    std::sort(idx.begin(), idx.end());  // stream order: better locality, same set
    return idx;
}

Error tooLittleText(std::uint64_t tokens, std::uint64_t window, const CalibrationSettings &s)
{
    const std::uint64_t windows = tokens / window;
    const std::uint64_t need = s.samples + s.heldOutSamples;
    const std::uint64_t fitSamples = windows > s.heldOutSamples ? windows - s.heldOutSamples : 0;
    const std::uint64_t fitLen = tokens / need + (s.bos ? 1 : 0);
    // only what can run: at least one calibration window, windows of at least 2 tokens
    std::vector<std::string> fits;
    if (fitSamples > 0) {
        fits.push_back(fmt::format("--samples {} at --seq-len {}", fitSamples, s.seqLen));
    }
    if (fitLen >= 2) {
        fits.push_back(fmt::format("--seq-len {} with {} samples", fitLen, s.samples));
    }
    fits.push_back("more text");
    std::string what;
    for (std::size_t i = 0; i < fits.size(); ++i) {
        what += (i == 0 ? "" : i + 1 == fits.size() ? ", or " : ", ") + fits[i];
    }
    return makeError(ErrorCode::InvalidFormat,
                     fmt::format("too little text: the source has {} tokens, {} windows of {}; "
                                 "{} calibration + {} held-out windows need {} tokens. What "
                                 "fits: {}",
                                 tokens, windows, s.seqLen, s.samples, s.heldOutSamples,
                                 need * window, what));
}

TokenWindow makeWindow(const std::vector<std::int32_t> &stream,
                       std::uint64_t w,
                       std::uint64_t len,
                       const std::optional<std::int32_t> &bos)
{
    TokenWindow t;
    t.streamOffset = w * len;
    if (bos) {
        t.ids.push_back(*bos);
    }
    t.ids.insert(t.ids.end(), stream.begin() + static_cast<std::ptrdiff_t>(w * len),
                 stream.begin() + static_cast<std::ptrdiff_t>((w + 1) * len));
    return t;
}

}  // namespace

Result<CalibrationSet> buildCalibrationSet(const TextCorpus &corpus,
                                           const TextEncoder &encode,
                                           const CalibrationSettings &s,
                                           const JobContext &ctx)
{
    if (s.samples == 0 || s.seqLen < 2 || s.heldOutSamples == 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "samples and held-out samples must be at least 1, seq-len at least 2");
    }
    std::vector<std::int32_t> stream;
    for (std::size_t d = 0; d < corpus.documents.size(); ++d) {
        if (ctx.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "cancelled while tokenizing");
        }
        const std::vector<std::int32_t> ids = encode(corpus.documents[d].text + "\n\n");
        stream.insert(stream.end(), ids.begin(), ids.end());
        ctx.reportProgress("tokenize", d + 1, corpus.documents.size());
    }
    const std::uint64_t window = s.seqLen - (s.bos ? 1 : 0);
    const std::uint64_t windows = stream.size() / window;
    if (windows < s.samples + s.heldOutSamples) {
        return tooLittleText(stream.size(), window, s);
    }
    CalibrationSet set;
    set.settings = s;
    set.streamTokens = stream.size();
    set.windowsAvailable = windows;
    set.files = corpus.files;
    set.documents = corpus.documents.size();
    const std::uint64_t calibrationRegion = windows - s.heldOutSamples;
    for (const std::uint64_t w : choose(calibrationRegion, s.samples, s.seed)) {
        set.calibration.push_back(makeWindow(stream, w, window, s.bos));
    }
    for (std::uint64_t w = calibrationRegion; w < windows; ++w) {
        set.heldOut.push_back(makeWindow(stream, w, window, s.bos));
    }
    return set;
}

std::string CalibrationSet::summary() const
{
    return fmt::format("{} × {} tokens for calibration + {} × {} held out, from {} file{} "
                       "({} documents, {} tokens)",
                       calibration.size(), settings.seqLen, heldOut.size(), settings.seqLen,
                       files.size(), files.size() == 1 ? "" : "s", documents, streamTokens);
}

std::string CalibrationSet::toJson() const
{
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const SourceFile &f : this->files) {
        files.push_back({{"path", f.path},
                         {"sha256", f.sha256},
                         {"bytes", f.bytes},
                         {"kind", f.kind},
                         {"documents", f.documents}});
    }
    const nlohmann::ordered_json j = {
            {"samples", calibration.size()},
            {"seq_len", settings.seqLen},
            {"held_out_samples", heldOut.size()},
            {"seed", settings.seed},
            {"bos", settings.bos ? nlohmann::ordered_json(*settings.bos) : nullptr},
            {"tokens_in_source", streamTokens},
            {"tokens_calibration", calibration.size() * settings.seqLen},
            {"tokens_held_out", heldOut.size() * settings.seqLen},
            {"windows_available", windowsAvailable},
            {"documents", documents},
            {"files", files}};
    return j.dump(2);
}

}  // namespace pq::core::data
