// SPDX-License-Identifier: MIT
// Tokenizer::load / fromJson: assembling the pipeline from tokenizer.json (+
// tokenizer_config.json).
#include <filesystem>

#include <fmt/format.h>

#include "core/text/tokenizer.h"
#include "core/text/tokenizer_impl.h"
#include "core/text/tokenizer_json.h"
#include "core/util/atomic_file.h"

namespace pq::core::text {
namespace {

using json = nlohmann::json;

constexpr std::uint64_t MAX_TOKENIZER_JSON_BYTES = std::uint64_t{512} << 20U;
constexpr std::uint64_t MAX_CONFIG_BYTES = std::uint64_t{16} << 20U;

Error invalid(std::string detail)
{
    return makeError(ErrorCode::InvalidFormat, std::move(detail));
}

/** model.<key> as a string; null or absent gives nullopt. */
Result<std::optional<std::string>> optionalString(const json &model, const char *key)
{
    const auto it = model.find(key);
    if (it == model.end() || it->is_null()) {
        return std::optional<std::string>();
    }
    if (!it->is_string()) {
        return invalid(fmt::format("tokenizer.json: model.{} must be a string", key));
    }
    return std::optional<std::string>(it->get<std::string>());
}

Result<detail::BpeOptions> bpeOptions(const json &model)
{
    const auto dropout = model.find("dropout");
    if (dropout != model.end() && dropout->is_number() && dropout->get<double>() > 0.0) {
        return makeError(ErrorCode::Unsupported,
                         "tokenizer.json: BPE dropout is not supported (it makes tokenization "
                         "random)");
    }
    detail::BpeOptions options;
    auto unk = optionalString(model, "unk_token");
    auto prefix = optionalString(model, "continuing_subword_prefix");
    auto suffix = optionalString(model, "end_of_word_suffix");
    if (!unk || !prefix || !suffix) {
        return !unk ? std::move(unk).error()
                    : (!prefix ? std::move(prefix).error() : std::move(suffix).error());
    }
    options.unkToken = std::move(unk).value();
    options.continuingSubwordPrefix = prefix->value_or("");
    options.endOfWordSuffix = suffix->value_or("");
    const auto flag = [&model](const char *key) {
        const auto it = model.find(key);
        return it != model.end() && it->is_boolean() && it->get<bool>();
    };
    options.fuseUnk = flag("fuse_unk");
    options.byteFallback = flag("byte_fallback");
    options.ignoreMerges = flag("ignore_merges");
    return options;
}

Result<std::unique_ptr<detail::BpeModel>> buildModel(detail::TokenizerJson &parsed)
{
    const auto model = parsed.root.find("model");
    if (model == parsed.root.end() || !model->is_object()) {
        return invalid("tokenizer.json has no \"model\" object");
    }
    const auto type = model->find("type");
    if (type != model->end() && (!type->is_string() || type->get<std::string>() != "BPE")) {
        return makeError(ErrorCode::Unsupported,
                         fmt::format("tokenizer.json: model type '{}' is not supported (only BPE)",
                                     type->is_string() ? type->get<std::string>() : type->dump()));
    }
    if (!parsed.hasVocab || !parsed.hasMerges) {
        return invalid(R"(tokenizer.json: the BPE model needs "vocab" (an object) and "merges")");
    }
    auto options = bpeOptions(*model);
    if (!options) {
        return std::move(options).error();
    }
    auto bpe = detail::BpeModel::build(std::move(parsed.vocab), parsed.merges,
                                       std::move(options).value());
    if (!bpe) {
        return std::move(bpe).error();
    }
    return std::make_unique<detail::BpeModel>(std::move(bpe).value());
}

Result<std::vector<detail::AddedToken>> addedTokens(const json &root)
{
    std::vector<detail::AddedToken> tokens;
    const auto list = root.find("added_tokens");
    if (list == root.end() || list->is_null()) {
        return tokens;
    }
    if (!list->is_array()) {
        return invalid("tokenizer.json: \"added_tokens\" must be an array");
    }
    for (const json &t : *list) {
        if (!t.is_object() || !t.contains("content") || !t["content"].is_string()) {
            return invalid("tokenizer.json: an added token has no \"content\" string");
        }
        const auto flag = [&t](const char *key, bool fallback) {
            const auto it = t.find(key);
            return it != t.end() && it->is_boolean() ? it->get<bool>() : fallback;
        };
        tokens.push_back(detail::AddedToken{
                t["content"].get<std::string>(), flag("single_word", false), flag("lstrip", false),
                flag("rstrip", false), flag("normalized", true), flag("special", false)});
    }
    return tokens;
}

/** Builds the components into `impl` (everything but the added tokens and the config). */
Status buildComponents(const json &root, detail::Pipeline &impl)
{
    auto normalizer = detail::makeNormalizer(root.value("normalizer", json()));
    if (!normalizer) {
        return std::move(normalizer).error();
    }
    auto preTokenizer = detail::makePreTokenizer(root.value("pre_tokenizer", json()));
    if (!preTokenizer) {
        return std::move(preTokenizer).error();
    }
    auto decoder = detail::makeDecoder(root.value("decoder", json()));
    if (!decoder) {
        return std::move(decoder).error();
    }
    auto postProcessor = detail::makePostProcessor(root.value("post_processor", json()));
    if (!postProcessor) {
        return std::move(postProcessor).error();
    }
    impl.normalizer = std::move(normalizer).value();
    impl.preTokenizer = std::move(preTokenizer).value();
    impl.decoder = std::move(decoder).value();
    impl.postProcessor = std::move(postProcessor).value();
    return {};
}

/** bos_token / eos_token: a string, or an object with "content" (AddedToken form). */
std::optional<std::string> configToken(const json &config, const char *key)
{
    const auto it = config.find(key);
    if (it == config.end()) {
        return std::nullopt;
    }
    if (it->is_string()) {
        return it->get<std::string>();
    }
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
        return (*it)["content"].get<std::string>();
    }
    return std::nullopt;
}

Status applyConfig(std::string_view configJson, detail::Pipeline &impl)
{
    if (configJson.empty()) {
        return {};
    }
    const json config = json::parse(configJson, nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
        return invalid("tokenizer_config.json is not a valid JSON object");
    }
    if (const auto bos = configToken(config, "bos_token")) {
        impl.bos = impl.tokenToId(*bos);
    }
    if (const auto eos = configToken(config, "eos_token")) {
        impl.eos = impl.tokenToId(*eos);
    }
    return {};
}

std::string describe(const detail::Pipeline &impl)
{
    if (impl.preTokenizer && impl.preTokenizer->isByteLevel()) {
        return "BPE (byte-level)";
    }
    return impl.model->options().byteFallback ? "BPE (SentencePiece, byte fallback)"
                                              : "BPE (SentencePiece)";
}

Status
buildPipeline(std::string_view tokenizerJson, std::string_view configJson, detail::Pipeline &impl)
{
    auto parsed = detail::parseTokenizerJson(tokenizerJson);
    if (!parsed) {
        return std::move(parsed).error();
    }
    PQ_TRY_STATUS(buildComponents(parsed->root, impl));
    auto model = buildModel(*parsed);
    if (!model) {
        return std::move(model).error();
    }
    impl.model = std::move(model).value();
    auto tokens = addedTokens(parsed->root);
    if (!tokens) {
        return std::move(tokens).error();
    }
    impl.added.add(*tokens, impl.model->vocab(), impl.normalizer.get());
    PQ_TRY_STATUS(applyConfig(configJson, impl));
    impl.description = describe(impl);
    return {};
}

}  // namespace

Result<Tokenizer> Tokenizer::fromJson(std::string_view tokenizerJson, std::string_view configJson)
{
    try {
        auto impl = std::make_unique<Impl>();
        PQ_TRY_STATUS(buildPipeline(tokenizerJson, configJson, *impl));
        return Tokenizer(std::move(impl));
    } catch (const std::exception &e) {  // bad_alloc, json type errors: never across the API
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format("tokenizer.json could not be loaded: {}", e.what()));
    }
}

Result<Tokenizer> Tokenizer::load(const std::string &modelDir)
{
    const std::filesystem::path dir(modelDir);
    const std::string jsonPath = (dir / "tokenizer.json").string();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return makeError(ErrorCode::NotFound,
                         "not a model directory: the tokenizer is read from tokenizer.json in "
                         "the directory of a Hugging Face model; give that directory")
                .withPath(modelDir);
    }
    if (!std::filesystem::is_regular_file(jsonPath, ec)) {
        const bool sentencePiece = std::filesystem::is_regular_file(dir / "tokenizer.model", ec);
        return makeError(ErrorCode::NotFound,
                         fmt::format("no tokenizer.json in the model directory{}. The probe and "
                                     "eval tokenize the calibration text exactly as the model "
                                     "was trained, so they need it; copy tokenizer.json and "
                                     "tokenizer_config.json from the model's Hugging Face "
                                     "repository into the directory (inspect, validate, "
                                     "`allocate --data-free` and `export` work without them)",
                                     sentencePiece ? " (only a SentencePiece tokenizer.model, "
                                                     "which PrismaQuant does not read)"
                                                   : ""))
                .withPath(jsonPath);
    }
    auto text = readSmallFile(jsonPath, MAX_TOKENIZER_JSON_BYTES);
    if (!text) {
        return std::move(text).error();
    }
    const std::string configPath = (dir / "tokenizer_config.json").string();
    std::string config;
    if (std::filesystem::is_regular_file(configPath, ec)) {
        auto configText = readSmallFile(configPath, MAX_CONFIG_BYTES);
        if (!configText) {
            return std::move(configText).error();
        }
        config = std::move(configText).value();
    }
    auto tokenizer = fromJson(*text, config);
    if (!tokenizer) {
        return std::move(tokenizer).error().withPath(jsonPath);
    }
    return tokenizer;
}

}  // namespace pq::core::text
