// SPDX-License-Identifier: MIT
#include "core/text/tokenizer_json.h"

#include <type_traits>

#include <fmt/format.h>

namespace pq::core::text::detail {
namespace {

using json = nlohmann::json;

/**
 * Builds the DOM, except that model.vocab (an object of token -> id) and model.merges (an
 * array of "a b" strings or ["a", "b"] pairs) go straight into `out.vocab` / `out.merges`.
 */
class Sax final : public nlohmann::json_sax<json>
{
public:
    explicit Sax(TokenizerJson &out)
        : m_out(out)
    {}

    const std::string &error() const { return m_error; }

    bool null() override { return value(json(nullptr)); }

    bool boolean(bool v) override { return value(json(v)); }

    bool number_integer(number_integer_t v) override { return integer(v, json(v)); }

    bool number_unsigned(number_unsigned_t v) override { return integer(v, json(v)); }

    bool number_float(number_float_t v, const string_t & /*text*/) override
    {
        return value(json(v));
    }

    bool binary(binary_t & /*v*/) override { return fail("unexpected binary value"); }

    bool string(string_t &v) override;
    bool key(string_t &k) override;
    bool start_object(std::size_t /*size*/) override;
    bool end_object() override;
    bool start_array(std::size_t /*size*/) override;
    bool end_array() override;

    bool parse_error(std::size_t position,
                     const std::string & /*lastToken*/,
                     const nlohmann::detail::exception &ex) override
    {
        m_errorOffset = position;
        return fail(ex.what());
    }

    std::optional<std::size_t> errorOffset() const { return m_errorOffset; }

private:
    enum class Mode
    {
        Dom,
        Vocab,
        Merges,
        MergePair,
    };

    bool fail(std::string message)
    {
        if (m_error.empty()) {
            m_error = std::move(message);
        }
        return false;
    }

    /** True when the next value sits at root.model.<name>. */
    bool atModelKey(std::string_view name) const
    {
        return m_stack.size() == 2 && m_stack[0]->is_object() && m_containerKeys[1] == "model" &&
               m_stack[1]->is_object() && m_key == name;
    }

    json *insert(json v);
    bool value(json v);
    template <typename T>
    bool integer(T v, json asJson);
    bool legacyMerge(std::string_view line);

    TokenizerJson &m_out;
    std::vector<json *> m_stack;
    std::vector<std::string> m_containerKeys;
    std::string m_key;
    Mode m_mode = Mode::Dom;
    std::vector<std::string> m_pair;
    std::string m_error;
    std::optional<std::size_t> m_errorOffset;
};

json *Sax::insert(json v)
{
    if (m_stack.empty()) {
        m_out.root = std::move(v);
        return &m_out.root;
    }
    json &top = *m_stack.back();
    if (top.is_array()) {
        top.push_back(std::move(v));
        return &top.back();
    }
    json &slot = top[m_key];
    slot = std::move(v);
    return &slot;
}

bool Sax::value(json v)
{
    if (m_mode != Mode::Dom) {
        return fail(m_mode == Mode::Vocab ? "model.vocab: a token id is not an integer"
                                          : "model.merges: a merge is not a string pair");
    }
    insert(std::move(v));
    return true;
}

template <typename T>
bool Sax::integer(T v, json asJson)
{
    if (m_mode != Mode::Vocab) {
        return value(std::move(asJson));
    }
    bool negative = false;
    if constexpr (std::is_signed_v<T>) {
        negative = v < 0;
    }
    if (negative || static_cast<std::uint64_t>(v) > static_cast<std::uint64_t>(MAX_TOKEN_ID)) {
        return fail(fmt::format("model.vocab: id {} of '{}' is out of range", v, m_key));
    }
    m_out.vocab.add(m_key, static_cast<std::int32_t>(v));
    return true;
}

bool Sax::legacyMerge(std::string_view line)
{
    if (line.starts_with("#version")) {
        return true;  // not a merge, and it takes no rank
    }
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) {
        return fail(fmt::format("model.merges: '{}' is not \"left right\"", line));
    }
    m_out.merges.add(line.substr(0, space), line.substr(space + 1));
    return true;
}

bool Sax::string(string_t &v)
{
    switch (m_mode) {
    case Mode::Dom:
        return value(json(std::move(v)));
    case Mode::Merges:
        return legacyMerge(v);
    case Mode::MergePair:
        if (m_pair.size() == 2) {
            return fail("model.merges: a merge pair has more than two tokens");
        }
        m_pair.push_back(std::move(v));
        return true;
    case Mode::Vocab:
        break;
    }
    return fail("model.vocab: a token id is not an integer");
}

bool Sax::key(string_t &k)
{
    m_key = std::move(k);
    return true;
}

bool Sax::start_object(std::size_t /*size*/)
{
    if (m_mode != Mode::Dom) {
        return fail("model.vocab / model.merges: unexpected object");
    }
    if (atModelKey("vocab")) {
        m_mode = Mode::Vocab;
        m_out.hasVocab = true;
        return true;
    }
    m_stack.push_back(insert(json::object()));
    m_containerKeys.push_back(m_key);
    return true;
}

bool Sax::end_object()
{
    if (m_mode == Mode::Vocab) {
        m_mode = Mode::Dom;
        return true;
    }
    m_stack.pop_back();
    m_containerKeys.pop_back();
    return true;
}

bool Sax::start_array(std::size_t /*size*/)
{
    if (m_mode == Mode::Merges) {
        m_mode = Mode::MergePair;
        m_pair.clear();
        return true;
    }
    if (m_mode != Mode::Dom) {
        return fail("model.vocab / model.merges: unexpected array");
    }
    if (atModelKey("merges")) {
        m_mode = Mode::Merges;
        m_out.hasMerges = true;
        return true;
    }
    m_stack.push_back(insert(json::array()));
    m_containerKeys.push_back(m_key);
    return true;
}

bool Sax::end_array()
{
    if (m_mode == Mode::MergePair) {
        if (m_pair.size() != 2) {
            return fail("model.merges: a merge pair does not have two tokens");
        }
        m_out.merges.add(m_pair[0], m_pair[1]);
        m_mode = Mode::Merges;
        return true;
    }
    if (m_mode == Mode::Merges) {
        m_mode = Mode::Dom;
        return true;
    }
    m_stack.pop_back();
    m_containerKeys.pop_back();
    return true;
}

}  // namespace

Result<TokenizerJson> parseTokenizerJson(std::string_view text)
{
    TokenizerJson out;
    out.vocab.reserve(text.size() / 64, text.size() / 8);
    Sax sax(out);
    bool ok = false;
    try {
        ok = json::sax_parse(text.begin(), text.end(), &sax);
    } catch (const std::exception &e) {  // e.g. bad_alloc; nothing may escape the core API
        return makeError(ErrorCode::InvalidFormat, fmt::format("tokenizer.json: {}", e.what()));
    }
    if (!ok || !out.root.is_object()) {
        Error e = makeError(ErrorCode::InvalidFormat,
                            fmt::format("tokenizer.json is not valid: {}",
                                        sax.error().empty() ? "not a JSON object" : sax.error()));
        e.byteOffset = sax.errorOffset();
        return e;
    }
    return out;
}

Error unsupportedComponent(std::string_view component, std::string_view type)
{
    return makeError(ErrorCode::Unsupported,
                     fmt::format("tokenizer.json: {} type '{}' is not supported", component, type));
}

}  // namespace pq::core::text::detail
