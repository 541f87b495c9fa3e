// SPDX-License-Identifier: MIT
// `prismaquant tokenize --model MODEL_DIR [--ids|--text] < input`: check a tokenizer by hand.
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "core/text/tokenizer.h"

namespace pq::cli {
namespace {

struct TokenizeArgs
{
    std::string modelDir;
    bool ids = false;      ///< input is token ids: decode them
    bool special = false;  ///< add the post-processor's special tokens (BOS ...)
    bool text = false;     ///< --text: tokenize (the default; accepted for symmetry)
    bool json = false;
};

int runTokenize(const TokenizeArgs &a)
{
    auto tok = core::text::Tokenizer::load(a.modelDir);
    if (!tok) {
        return fail(tok.error());
    }
    const std::string input((std::istreambuf_iterator<char>(std::cin)),
                            std::istreambuf_iterator<char>());
    if (a.ids) {
        std::vector<std::int32_t> ids;
        std::istringstream in(input);
        long long v = 0;
        while (in >> v) {
            if (v < 0 || static_cast<std::size_t>(v) >= tok->vocabSize()) {
                fmt::print(stderr, "error: id {} is outside the vocabulary (0..{})\n", v,
                           tok->vocabSize() - 1);
                return EXIT_INPUT;
            }
            ids.push_back(static_cast<std::int32_t>(v));
        }
        const std::string text = tok->decode(ids);
        if (a.json) {
            fmt::print("{}\n", nlohmann::json{{"ids", ids}, {"text", text}}.dump(2));
        } else {
            fmt::print("{}", text);
        }
        return EXIT_OK;
    }
    const std::vector<std::int32_t> ids = tok->encode(input, a.special);
    if (a.json) {
        fmt::print("{}\n", nlohmann::json{{"text", input}, {"ids", ids}}.dump(2));
    } else {
        fmt::print("{}\n", fmt::join(ids, " "));
    }
    return EXIT_OK;
}

}  // namespace

void registerTokenize(CLI::App &app, CommandRegistry &registry)
{
    auto args = std::make_shared<TokenizeArgs>();
    CLI::App *sub = app.add_subcommand(
            "tokenize",
            "Tokenize standard input with a model's tokenizer.json (as Hugging Face tokenizers "
            "does) and print the ids; with --ids, decode ids from standard input to text.\n\n"
            "Examples:\n  echo 'Hello world' | prismaquant tokenize --model ~/models/Qwen3-8B\n"
            "  echo '9707 1879' | prismaquant tokenize --model ~/models/Qwen3-8B --ids");
    sub->add_option("--model", args->modelDir, "model directory with tokenizer.json")
            ->required()
            ->check(CLI::ExistingDirectory);
    auto *ids = sub->add_flag("--ids", args->ids, "decode token ids read from standard input");
    sub->add_flag("--text", args->text, "tokenize text (the default)")->excludes(ids);
    sub->add_flag("--special", args->special,
                  "add special tokens (BOS ...) like add_special_tokens");
    sub->add_flag("--json", args->json, "print {\"text\", \"ids\"} as JSON");
    registry.add(sub, [args] { return runTokenize(*args); });
}

}  // namespace pq::cli
