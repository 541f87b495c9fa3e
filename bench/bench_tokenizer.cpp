// SPDX-License-Identifier: MIT
// bench_tokenizer: tokenizer load times and encode throughput, ours against Hugging Face
// `tokenizers` on the same text in the same run.
//
//   bench_tokenizer [DATA_DIR] [REPS]     defaults: ../shared/data (PQ_SHARED_DATA_DIR) 5
//
// Load: Qwen3, Llama 3.1 and Gemma 3 tokenizer.json (Gemma's is gunzipped first, not timed).
// Encode: Qwen3 over the WikiText-2 raw test split (wikitext-2-raw-v1.test.joined.txt), as one
// string and line by line (non-empty lines), single-threaded, plus line by line on 2 threads.
// Each figure is the best of REPS runs (the word cache is warm after the first), except the
// "cold word cache" line: the very first encode of a freshly loaded tokenizer.
// Reference: when a Python with `tokenizers` is found ($PQ_PYTHON, else the scripts/pyenv venv:
// $PQ_VENV or ${XDG_CACHE_HOME:-$HOME/.cache}/prismaquant/venv), the same text through
// Tokenizer.encode (whole text) and encode_batch (lines) with TOKENIZERS_PARALLELISM=false and
// RAYON_NUM_THREADS=1 (single-threaded, as ours), and encode_batch with its default thread pool.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

#include "core/text/tokenizer.h"

using pq::core::text::Tokenizer;

namespace {

#ifdef PQ_SHARED_DATA_DIR
constexpr const char *DEFAULT_DATA_DIR = PQ_SHARED_DATA_DIR;
#else
constexpr const char *DEFAULT_DATA_DIR = "../shared/data";
#endif

constexpr const char *WIKITEXT = "text/wikitext-2/wikitext-2-raw-v1.test.joined.txt";

double megabytes(std::size_t n)
{
    return static_cast<double>(n) / 1e6;
}

double secondsOf(const std::function<void()> &fn)
{
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/** Best (minimum) time of `reps` runs. */
double bestOf(int reps, const std::function<void()> &fn)
{
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        best = std::min(best, secondsOf(fn));
    }
    return best;
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fmt::print(stderr, "bench_tokenizer: cannot read {}\n", path);
        std::exit(1);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string gunzip(const std::string &path)
{
    gzFile f = gzopen(path.c_str(), "rb");
    std::string out;
    std::array<char, 1 << 16> buf{};
    int n = 0;
    while (f != nullptr && (n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    if (f == nullptr || n < 0) {
        fmt::print(stderr, "bench_tokenizer: cannot gunzip {}\n", path);
        std::exit(1);
    }
    gzclose(f);
    return out;
}

Tokenizer loadOrDie(const std::string &json)
{
    auto tok = Tokenizer::fromJson(json, "");
    if (!tok) {
        fmt::print(stderr, "bench_tokenizer: {}\n", tok.error().message());
        std::exit(1);
    }
    return std::move(tok).value();
}

void benchLoad(const std::string &dataDir, int reps)
{
    fmt::print("load (fromJson, best of {}):\n", reps);
    for (const char *name : {"qwen3", "llama3_1", "gemma3"}) {
        const std::string dir = dataDir + "/tokenizers/" + name;
        const bool gz = std::filesystem::exists(dir + "/tokenizer.json.gz");
        const std::string json =
                gz ? gunzip(dir + "/tokenizer.json.gz") : readFile(dir + "/tokenizer.json");
        std::size_t vocab = 0;
        const double s = bestOf(reps, [&] { vocab = loadOrDie(json).vocabSize(); });
        fmt::print("  {:<9} {:6.1f} MB  vocab {:>7}  {:7.1f} ms\n", name, megabytes(json.size()),
                   vocab, s * 1e3);
    }
}

std::vector<std::string> nonEmptyLines(const std::string &text)
{
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        if (end > pos) {
            lines.push_back(text.substr(pos, end - pos));
        }
        pos = end + 1;
    }
    return lines;
}

void report(const std::string &what, std::size_t tokens, double seconds, std::size_t bytes)
{
    fmt::print("  {:<44} {:>7} tokens {:8.1f} ms {:6.2f} Mtok/s", what, tokens, seconds * 1e3,
               megabytes(tokens) / seconds);
    if (bytes > 0) {
        fmt::print(" {:6.1f} MB/s", megabytes(bytes) / seconds);
    }
    fmt::print("\n");
}

std::size_t encodeLines(const Tokenizer &tok, const std::vector<std::string> &lines, int threads)
{
    std::vector<std::size_t> counts(static_cast<std::size_t>(threads), 0);
    std::vector<std::thread> pool;
    pool.reserve(counts.size());
    for (std::size_t t = 0; t < counts.size(); ++t) {
        pool.emplace_back([&, t] {
            for (std::size_t i = t; i < lines.size(); i += counts.size()) {
                counts[t] += tok.encode(lines[i]).size();
            }
        });
    }
    for (std::thread &th : pool) {
        th.join();
    }
    std::size_t total = 0;
    for (const std::size_t c : counts) {
        total += c;
    }
    return total;
}

/** A Python with `tokenizers`, or empty. */
std::string findPython()
{
    if (const char *p = std::getenv("PQ_PYTHON")) {
        return p;
    }
    std::string venv;
    if (const char *v = std::getenv("PQ_VENV")) {
        venv = v;
    } else if (const char *cache = std::getenv("XDG_CACHE_HOME")) {
        venv = std::string(cache) + "/prismaquant/venv";
    } else if (const char *home = std::getenv("HOME")) {
        venv = std::string(home) + "/.cache/prismaquant/venv";
    }
    const std::string python = venv + "/bin/python";
    return std::filesystem::exists(python) ? python : std::string();
}

// argv: tokenizer.json, text file, reps, mode. Prints "# tokenizers VERSION", then
// "<mode> <tokens> <seconds>" lines. No single quotes: it is passed as -c '...'.
constexpr const char *PYTHON_BENCH = R"PY(
import sys, time, tokenizers
tok = tokenizers.Tokenizer.from_file(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8", newline="").read()
lines = [l for l in text.split("\n") if l]
reps = int(sys.argv[3])
def best(fn):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter(); n = fn(); t.append(time.perf_counter() - t0)
    return n, min(t)
print("# tokenizers", tokenizers.__version__)
if sys.argv[4] == "single":
    print("whole-text,1-thread %d %.6f" % best(
        lambda: len(tok.encode(text, add_special_tokens=False).ids)))
    mode = "encode_batch(lines),1-thread"
else:
    mode = "encode_batch(lines),parallel"
print("%s %d %.6f" % ((mode,) + best(lambda: sum(
    len(e.ids) for e in tok.encode_batch(lines, add_special_tokens=False)))))
)PY";

void runPython(const std::string &python,
               const std::string &env,
               const std::string &args,
               std::size_t bytes)
{
    const std::string cmd = env + " '" + python + "' -c '" + PYTHON_BENCH + "' " + args + " 2>&1";
    FILE *pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
        fmt::print("  tokenizers: cannot run {}\n", python);
        return;
    }
    std::array<char, 512> line{};
    while (std::fgets(line.data(), static_cast<int>(line.size()), pipe) != nullptr) {
        std::array<char, 64> mode{};
        std::size_t tokens = 0;
        double seconds = 0;
        if (std::sscanf(line.data(), "%63s %zu %lf", mode.data(), &tokens, &seconds) == 3) {
            report(std::string("tokenizers: ") + mode.data(), tokens, seconds, bytes);
        } else {
            fmt::print("  {}", line.data());
        }
    }
    pclose(pipe);
}

void benchEncode(const std::string &dataDir, int reps)
{
    const Tokenizer tok = loadOrDie(readFile(dataDir + "/tokenizers/qwen3/tokenizer.json"));
    const std::string text = readFile(dataDir + "/" + WIKITEXT);
    const std::vector<std::string> lines = nonEmptyLines(text);
    fmt::print("encode, Qwen3, WikiText-2 raw test ({:.2f} MB, {} non-empty lines), best of {}:\n",
               megabytes(text.size()), lines.size(), reps);
    std::size_t tokens = 0;
    double s = secondsOf([&] { tokens = tok.encode(text).size(); });
    report("ours: whole text, 1 thread, cold word cache", tokens, s, text.size());
    s = bestOf(reps, [&] { tokens = tok.encode(text).size(); });
    report("ours: whole text, 1 thread", tokens, s, text.size());
    s = bestOf(reps, [&] { tokens = encodeLines(tok, lines, 1); });
    report("ours: lines, 1 thread", tokens, s, text.size());
    s = bestOf(reps, [&] { tokens = encodeLines(tok, lines, 2); });
    report("ours: lines, 2 threads", tokens, s, text.size());

    const std::string python = findPython();
    if (python.empty()) {
        fmt::print("  tokenizers: no Python venv (run scripts/pyenv tokenizers==0.23.3)\n");
        return;
    }
    const std::string args = fmt::format("'{}/tokenizers/qwen3/tokenizer.json' '{}/{}' {}", dataDir,
                                         dataDir, WIKITEXT, reps);
    runPython(python, "TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1", args + " single",
              text.size());
    runPython(python, "TOKENIZERS_PARALLELISM=true", args + " batch-parallel", text.size());
}

}  // namespace

int main(int argc, char **argv)
{
    const std::string dataDir = argc > 1 ? argv[1] : DEFAULT_DATA_DIR;
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    benchLoad(dataDir, reps);
    benchEncode(dataDir, reps);
    return 0;
}
