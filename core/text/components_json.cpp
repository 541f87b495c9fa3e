// SPDX-License-Identifier: MIT
// tokenizer.json components (normalizer, pre_tokenizer, decoder, post_processor) -> objects.
#include <fmt/format.h>

#include "core/text/tokenizer_json.h"
#include "core/text/unicode.h"

namespace pq::core::text::detail {
namespace {

using json = nlohmann::json;

Error invalid(std::string_view where, std::string_view what)
{
    return makeError(ErrorCode::InvalidFormat, fmt::format("tokenizer.json: {}: {}", where, what));
}

/** The "type" of a component object; InvalidFormat when `j` is not one. */
Result<std::string> typeOf(const json &j, std::string_view component)
{
    const auto it = j.is_object() ? j.find("type") : j.end();
    if (it == j.end() || !it->is_string()) {
        return invalid(component, R"(must be an object with a "type" string)");
    }
    return it->get<std::string>();
}

bool boolField(const json &j, const char *key, bool fallback)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

Result<std::string> stringField(const json &j, const char *key, std::string_view where)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
        return invalid(where, fmt::format("\"{}\" must be a string", key));
    }
    return it->get<std::string>();
}

/** A JSON string holding exactly one character (a Rust `char`). */
Result<char32_t> charField(const json &j, const char *key, std::string_view where)
{
    auto s = stringField(j, key, where);
    if (!s) {
        return std::move(s).error();
    }
    const Utf8Step step = s->empty() ? Utf8Step{} : decodeUtf8(*s, 0);
    if (s->empty() || !step.valid || step.len != s->size()) {
        return invalid(where, fmt::format("\"{}\" must be one character", key));
    }
    return step.cp;
}

/** The JSON array at `key`, each element built by `make`; null elements are errors. */
template <typename T, typename Make>
Result<std::vector<std::unique_ptr<T>>>
makeList(const json &j, const char *key, std::string_view where, Make make)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array()) {
        return invalid(where, fmt::format("\"{}\" must be an array", key));
    }
    std::vector<std::unique_ptr<T>> parts;
    for (const json &element : *it) {
        auto part = make(element);
        if (!part) {
            return std::move(part).error();
        }
        if (!*part) {
            return invalid(where, fmt::format("null inside \"{}\"", key));
        }
        parts.push_back(std::move(part).value());
    }
    return parts;
}

Result<std::unique_ptr<Normalizer>> makeReplace(const json &j)
{
    auto pattern = makePattern(j.value("pattern", json()), "normalizer Replace");
    auto content = stringField(j, "content", "normalizer Replace");
    if (!pattern || !content) {
        return pattern ? std::move(content).error() : std::move(pattern).error();
    }
    return makeReplaceNormalizer(std::move(pattern).value(), std::move(content).value());
}

Result<SplitBehavior> splitBehavior(const json &j)
{
    const std::string b = j.value("behavior", std::string());
    static constexpr std::pair<const char *, SplitBehavior> NAMES[] = {
            {"Removed", SplitBehavior::Removed},
            {"Isolated", SplitBehavior::Isolated},
            {"MergedWithPrevious", SplitBehavior::MergedWithPrevious},
            {"MergedWithNext", SplitBehavior::MergedWithNext},
            {"Contiguous", SplitBehavior::Contiguous},
    };
    for (const auto &[name, value] : NAMES) {
        if (b == name) {
            return value;
        }
    }
    return invalid("pre_tokenizer Split", fmt::format("unknown behavior '{}'", b));
}

Result<std::unique_ptr<PreTokenizer>> makeSplit(const json &j)
{
    auto pattern = makePattern(j.value("pattern", json()), "pre_tokenizer Split");
    if (!pattern) {
        return std::move(pattern).error();
    }
    auto behavior = splitBehavior(j);
    if (!behavior) {
        return std::move(behavior).error();
    }
    return makeSplitPreTokenizer(std::move(pattern).value(), *behavior,
                                 boolField(j, "invert", false));
}

Result<PrependScheme> prependScheme(const json &j, std::string_view where)
{
    const std::string s = j.value("prepend_scheme", std::string("always"));
    PrependScheme scheme = PrependScheme::Always;
    if (s == "first") {
        scheme = PrependScheme::First;
    } else if (s == "never") {
        scheme = PrependScheme::Never;
    } else if (s != "always") {
        return invalid(where, fmt::format("unknown prepend_scheme '{}'", s));
    }
    if (!boolField(j, "add_prefix_space", true)) {  // the legacy spelling of "never"
        if (j.contains("prepend_scheme") && scheme != PrependScheme::Never) {
            return invalid(where, "add_prefix_space does not match prepend_scheme");
        }
        scheme = PrependScheme::Never;
    }
    return scheme;
}

Result<std::unique_ptr<PreTokenizer>> makeMetaspace(const json &j)
{
    auto replacement = charField(j, "replacement", "pre_tokenizer Metaspace");
    auto scheme = prependScheme(j, "pre_tokenizer Metaspace");
    if (!replacement || !scheme) {
        return replacement ? std::move(scheme).error() : std::move(replacement).error();
    }
    std::string text;
    appendUtf8(text, *replacement);
    return makeMetaspacePreTokenizer(std::move(text), *scheme, boolField(j, "split", true));
}

Result<std::unique_ptr<Decoder>> makeStrip(const json &j)
{
    auto content = charField(j, "content", "decoder Strip");
    if (!content) {
        return std::move(content).error();
    }
    const auto start = j.find("start");
    const auto stop = j.find("stop");
    if (start == j.end() || stop == j.end() || !start->is_number_unsigned() ||
        !stop->is_number_unsigned()) {
        return invalid("decoder Strip", R"("start" and "stop" must be unsigned integers)");
    }
    return makeStripDecoder(*content, start->get<std::size_t>(), stop->get<std::size_t>());
}

Result<std::unique_ptr<Decoder>> makeMetaspaceDec(const json &j)
{
    auto replacement = charField(j, "replacement", "decoder Metaspace");
    auto scheme = prependScheme(j, "decoder Metaspace");
    if (!replacement || !scheme) {
        return replacement ? std::move(scheme).error() : std::move(replacement).error();
    }
    return makeMetaspaceDecoder(*replacement, *scheme == PrependScheme::Never);
}

Result<std::unique_ptr<Decoder>> makeReplaceDec(const json &j)
{
    auto pattern = makePattern(j.value("pattern", json()), "decoder Replace");
    auto content = stringField(j, "content", "decoder Replace");
    if (!pattern || !content) {
        return pattern ? std::move(content).error() : std::move(pattern).error();
    }
    return makeReplaceDecoder(std::move(pattern).value(), std::move(content).value());
}

/** Ids of a TemplateProcessing special token (its "ids" in "special_tokens"). */
Result<std::vector<std::int32_t>> specialIds(const json &specials, const std::string &name)
{
    const auto it = specials.find(name);
    const json *ids = it != specials.end() && it->is_object() ? &(*it)["ids"] : nullptr;
    if (ids == nullptr || !ids->is_array()) {
        return invalid("post_processor TemplateProcessing",
                       fmt::format("special token '{}' is not defined", name));
    }
    std::vector<std::int32_t> out;
    for (const json &id : *ids) {
        if (!id.is_number_unsigned() || id.get<std::uint64_t>() > std::uint64_t{MAX_TOKEN_ID}) {
            return invalid("post_processor TemplateProcessing", "an id is out of range");
        }
        out.push_back(id.get<std::int32_t>());
    }
    return out;
}

Result<std::unique_ptr<PostProcessor>> makeTemplate(const json &j)
{
    const auto single = j.find("single");
    const auto specials = j.find("special_tokens");
    if (single == j.end() || !single->is_array() || specials == j.end()) {
        return invalid("post_processor TemplateProcessing",
                       R"(needs "single" and "special_tokens")");
    }
    std::vector<TemplatePiece> pieces;
    for (const json &piece : *single) {
        if (piece.contains("Sequence")) {
            pieces.push_back(TemplatePiece{true, {}});
            continue;
        }
        const json *special = piece.contains("SpecialToken") ? &piece["SpecialToken"] : nullptr;
        if (special == nullptr || !special->contains("id") || !(*special)["id"].is_string()) {
            return invalid("post_processor TemplateProcessing", "unknown template piece");
        }
        auto ids = specialIds(*specials, (*special)["id"].get<std::string>());
        if (!ids) {
            return std::move(ids).error();
        }
        pieces.push_back(TemplatePiece{false, std::move(ids).value()});
    }
    return makeTemplateProcessor(std::move(pieces));
}

/** RobertaProcessing / BertProcessing: cls, the sequence, sep (each a ["token", id] pair). */
Result<std::unique_ptr<PostProcessor>> makeClsSep(const json &j, std::string_view where)
{
    std::vector<TemplatePiece> pieces(3);
    pieces[1].isSequence = true;
    const char *keys[] = {"cls", "sep"};
    for (int k = 0; k < 2; ++k) {
        const auto it = j.find(keys[k]);
        if (it == j.end() || !it->is_array() || it->size() != 2 || !(*it)[1].is_number_unsigned() ||
            (*it)[1].get<std::uint64_t>() > std::uint64_t{MAX_TOKEN_ID}) {
            return invalid(where, fmt::format("\"{}\" must be [token, id]", keys[k]));
        }
        pieces[k == 0 ? 0 : 2].ids.push_back((*it)[1].get<std::int32_t>());
    }
    return makeTemplateProcessor(std::move(pieces));
}

}  // namespace

Result<Pattern> makePattern(const json &j, std::string_view where)
{
    if (j.is_object() && j.size() == 1 && j.begin().value().is_string()) {
        const std::string text = j.begin().value().get<std::string>();
        if (j.begin().key() == "String") {
            return Pattern::literal(text);
        }
        if (j.begin().key() == "Regex") {
            auto regex = Pattern::regex(text);
            if (!regex) {
                Error e = std::move(regex).error();
                e.detail = fmt::format("tokenizer.json: {}: {}", where, e.detail);
                return e;
            }
            return regex;
        }
    }
    return invalid(where, R"("pattern" must be {"String": ...} or {"Regex": ...})");
}

Result<std::unique_ptr<Normalizer>> makeNormalizer(const json &j)
{
    if (j.is_null()) {
        return std::unique_ptr<Normalizer>();
    }
    auto typeResult = typeOf(j, "normalizer");
    if (!typeResult) {
        return std::move(typeResult).error();
    }
    const std::string &type = *typeResult;
    if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
        const UnicodeForm form = type == "NFC"    ? UnicodeForm::Nfc
                                 : type == "NFD"  ? UnicodeForm::Nfd
                                 : type == "NFKC" ? UnicodeForm::Nfkc
                                                  : UnicodeForm::Nfkd;
        return makeUnicodeNormalizer(form);
    }
    if (type == "Replace") {
        return makeReplace(j);
    }
    if (type == "Prepend") {
        auto prefix = stringField(j, "prepend", "normalizer Prepend");
        if (!prefix) {
            return std::move(prefix).error();
        }
        return makePrependNormalizer(std::move(prefix).value());
    }
    if (type == "Strip") {
        return makeStripNormalizer(boolField(j, "strip_left", false),
                                   boolField(j, "strip_right", false));
    }
    if (type == "Sequence") {
        auto parts = makeList<Normalizer>(j, "normalizers", "normalizer Sequence", makeNormalizer);
        if (!parts) {
            return std::move(parts).error();
        }
        return makeSequenceNormalizer(std::move(parts).value());
    }
    return unsupportedComponent("normalizer", type);
}

Result<std::unique_ptr<PreTokenizer>> makePreTokenizer(const json &j)
{
    if (j.is_null()) {
        return std::unique_ptr<PreTokenizer>();
    }
    auto typeResult = typeOf(j, "pre_tokenizer");
    if (!typeResult) {
        return std::move(typeResult).error();
    }
    const std::string &type = *typeResult;
    if (type == "Split") {
        return makeSplit(j);
    }
    if (type == "ByteLevel") {
        return makeByteLevelPreTokenizer(boolField(j, "add_prefix_space", true),
                                         boolField(j, "use_regex", true));
    }
    if (type == "Metaspace") {
        return makeMetaspace(j);
    }
    if (type == "Sequence") {
        auto parts = makeList<PreTokenizer>(j, "pretokenizers", "pre_tokenizer Sequence",
                                            makePreTokenizer);
        if (!parts) {
            return std::move(parts).error();
        }
        return makeSequencePreTokenizer(std::move(parts).value());
    }
    return unsupportedComponent("pre_tokenizer", type);
}

Result<std::unique_ptr<Decoder>> makeDecoder(const json &j)
{
    if (j.is_null()) {
        return std::unique_ptr<Decoder>();
    }
    auto typeResult = typeOf(j, "decoder");
    if (!typeResult) {
        return std::move(typeResult).error();
    }
    const std::string &type = *typeResult;
    if (type == "ByteLevel") {
        return makeByteLevelDecoder();
    }
    if (type == "ByteFallback") {
        return makeByteFallbackDecoder();
    }
    if (type == "Fuse") {
        return makeFuseDecoder();
    }
    if (type == "Replace") {
        return makeReplaceDec(j);
    }
    if (type == "Strip") {
        return makeStrip(j);
    }
    if (type == "Metaspace") {
        return makeMetaspaceDec(j);
    }
    if (type == "Sequence") {
        auto parts = makeList<Decoder>(j, "decoders", "decoder Sequence", makeDecoder);
        if (!parts) {
            return std::move(parts).error();
        }
        return makeSequenceDecoder(std::move(parts).value());
    }
    return unsupportedComponent("decoder", type);
}

Result<std::unique_ptr<PostProcessor>> makePostProcessor(const json &j)
{
    if (j.is_null()) {
        return std::unique_ptr<PostProcessor>();
    }
    auto typeResult = typeOf(j, "post_processor");
    if (!typeResult) {
        return std::move(typeResult).error();
    }
    const std::string &type = *typeResult;
    if (type == "TemplateProcessing") {
        return makeTemplate(j);
    }
    if (type == "ByteLevel") {
        return makeIdentityProcessor();
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        return makeClsSep(j, "post_processor " + type);
    }
    if (type == "Sequence") {
        auto parts = makeList<PostProcessor>(j, "processors", "post_processor Sequence",
                                             makePostProcessor);
        if (!parts) {
            return std::move(parts).error();
        }
        return makeSequenceProcessor(std::move(parts).value());
    }
    return unsupportedComponent("post_processor", type);
}

}  // namespace pq::core::text::detail
