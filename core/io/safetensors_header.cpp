// SPDX-License-Identifier: MIT
#include "core/io/safetensors_header.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace pq::core {
namespace {

/**
 * SAX handler for the header object. It accepts exactly
 *   { "<name>": {"dtype": S, "shape": [U...], "data_offsets": [U, U]}, "__metadata__": {S: S} }
 * and stops at the first deviation, so no DOM is built and no depth is unbounded.
 */
class HeaderSax
{
public:
    using json = nlohmann::json;

    SafetensorsHeader header;
    std::string error;
    std::string errorTensor;

    bool null() { return fail("unexpected null"); }

    bool boolean(bool /*unused*/) { return fail("unexpected boolean"); }

    bool number_integer(json::number_integer_t /*unused*/) { return fail("negative integer"); }

    bool number_float(json::number_float_t /*unused*/, const json::string_t & /*unused*/)
    {
        return fail("non-integer number");
    }

    bool binary(json::binary_t & /*unused*/) { return fail("unexpected binary value"); }

    bool number_unsigned(json::number_unsigned_t v)
    {
        if (m_state == State::Shape) {
            if (m_current.info.shape.size() >= MAX_TENSOR_RANK) {
                return fail(fmt::format("shape has more than {} dimensions", MAX_TENSOR_RANK));
            }
            m_current.info.shape.push_back(v);
            return true;
        }
        if (m_state == State::Offsets) {
            if (m_offsetCount >= 2) {
                return fail("data_offsets must have exactly two entries");
            }
            (m_offsetCount == 0 ? m_current.begin : m_current.end) = v;
            ++m_offsetCount;
            return true;
        }
        return fail("unexpected number");
    }

    bool string(json::string_t &s)
    {
        if (m_state == State::Metadata) {
            header.metadata[m_key] = s;
            return true;
        }
        if (m_state == State::Tensor && m_key == "dtype") {
            const auto dt = parseDType(s);
            if (!dt) {
                return fail(fmt::format("unknown dtype '{}'", s));
            }
            m_current.info.dtype = *dt;
            m_seen |= SEEN_DTYPE;
            return true;
        }
        return fail("unexpected string");
    }

    bool start_object(std::size_t /*unused*/)
    {
        switch (m_state) {
        case State::Start:
            m_state = State::Top;
            return true;
        case State::Top:
            if (m_key == "__metadata__") {
                m_state = State::Metadata;
                return true;
            }
            m_current = SafetensorsEntry{};
            m_current.info.name = m_key;
            m_seen = 0;
            m_state = State::Tensor;
            return true;
        default:
            return fail("unexpected nested object");
        }
    }

    bool key(json::string_t &k)
    {
        if (m_state == State::Top) {
            if (!m_names.insert(k).second) {
                errorTensor = k;
                return fail("duplicate tensor name");
            }
        } else if (m_state == State::Tensor) {
            const unsigned bit = k == "dtype"          ? SEEN_DTYPE
                                 : k == "shape"        ? SEEN_SHAPE
                                 : k == "data_offsets" ? SEEN_OFFSETS
                                                       : 0U;
            if (bit == 0) {
                return fail(fmt::format("unknown field '{}'", k));
            }
            if ((m_seen & bit) != 0) {
                return fail(fmt::format("field '{}' given twice", k));
            }
        }
        m_key = k;
        return true;
    }

    bool end_object()
    {
        if (m_state == State::Metadata) {
            m_state = State::Top;
            return true;
        }
        if (m_state == State::Tensor) {
            if (m_seen != (SEEN_DTYPE | SEEN_SHAPE | SEEN_OFFSETS)) {
                return fail("entry lacks dtype, shape or data_offsets");
            }
            header.entries.push_back(std::move(m_current));
            m_state = State::Top;
            return true;
        }
        m_state = State::Done;
        return true;
    }

    bool start_array(std::size_t /*unused*/)
    {
        if (m_state == State::Tensor && m_key == "shape") {
            m_state = State::Shape;
            m_seen |= SEEN_SHAPE;
            return true;
        }
        if (m_state == State::Tensor && m_key == "data_offsets") {
            m_state = State::Offsets;
            m_offsetCount = 0;
            m_seen |= SEEN_OFFSETS;
            return true;
        }
        return fail("unexpected array");
    }

    bool end_array()
    {
        if (m_state == State::Offsets && m_offsetCount != 2) {
            return fail("data_offsets must have exactly two entries");
        }
        m_state = State::Tensor;
        return true;
    }

    bool parse_error(std::size_t position,
                     const std::string & /*unused*/,
                     const nlohmann::detail::exception &ex)
    {
        if (error.empty()) {
            error = fmt::format("invalid JSON: {}", ex.what());
            m_errorPos = position;
        }
        return false;
    }

    std::size_t errorPosition() const { return m_errorPos; }

private:
    enum class State
    {
        Start,
        Top,
        Tensor,
        Shape,
        Offsets,
        Metadata,
        Done
    };
    static constexpr unsigned SEEN_DTYPE = 1;
    static constexpr unsigned SEEN_SHAPE = 2;
    static constexpr unsigned SEEN_OFFSETS = 4;

    bool fail(std::string what)
    {
        if (error.empty()) {
            error = std::move(what);
            if (errorTensor.empty() && (m_state == State::Tensor || m_state == State::Shape ||
                                        m_state == State::Offsets)) {
                errorTensor = m_current.info.name;
            }
        }
        return false;
    }

    State m_state = State::Start;
    std::string m_key;
    SafetensorsEntry m_current;
    unsigned m_seen = 0;
    unsigned m_offsetCount = 0;
    std::unordered_set<std::string> m_names;
    std::size_t m_errorPos = 0;
};

Error formatError(std::string detail)
{
    return makeError(ErrorCode::InvalidFormat, std::move(detail));
}

Status validateEntries(SafetensorsHeader &header, std::uint64_t bufferSize)
{
    for (const SafetensorsEntry &e : header.entries) {
        const auto bytes = e.info.byteSize();
        if (!bytes) {
            return formatError(fmt::format("shape {} of dtype {} is not a whole number of bytes "
                                           "or overflows",
                                           fmt::join(e.info.shape, "x"), dtypeName(e.info.dtype)))
                    .withTensor(e.info.name);
        }
        if (e.end < e.begin || e.end - e.begin != *bytes) {
            return formatError(fmt::format("data_offsets [{}, {}] span {} bytes but shape [{}] of "
                                           "{} needs {}",
                                           e.begin, e.end, e.end - e.begin,
                                           fmt::join(e.info.shape, ", "), dtypeName(e.info.dtype),
                                           *bytes))
                    .withTensor(e.info.name);
        }
    }
    std::sort(header.entries.begin(), header.entries.end(),
              [](const SafetensorsEntry &a, const SafetensorsEntry &b) {
                  return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
              });
    std::uint64_t expected = 0;
    for (const SafetensorsEntry &e : header.entries) {
        if (e.begin != expected) {
            Error err =
                    formatError(e.begin < expected ? "tensor overlaps the previous one"
                                                   : "hole in the data buffer before this tensor");
            err.byteOffset = header.dataOffset + e.begin;
            return std::move(err).withTensor(e.info.name);
        }
        expected = e.end;
    }
    if (expected != bufferSize) {
        Error err = formatError(
                expected > bufferSize
                        ? fmt::format("file is truncated: tensors need {} data bytes, file has {}",
                                      expected, bufferSize)
                        : fmt::format("{} trailing bytes after the last tensor",
                                      bufferSize - expected));
        err.byteOffset = header.dataOffset + std::min(expected, bufferSize);
        return err;
    }
    return {};
}

}  // namespace

Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const std::byte> prefix,
                                                 std::uint64_t fileSize)
{
    if (fileSize < 8 || prefix.size() < 8) {
        return formatError(
                fmt::format("file is {} bytes, too short for a safetensors header", fileSize));
    }
    std::uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i) {
        headerLen = (headerLen << 8U) | std::to_integer<std::uint64_t>(prefix[i]);
    }
    if (headerLen > MAX_SAFETENSORS_HEADER_BYTES) {
        return formatError(fmt::format("header length {} exceeds the limit of {} bytes", headerLen,
                                       MAX_SAFETENSORS_HEADER_BYTES));
    }
    if (headerLen > fileSize - 8 || headerLen > prefix.size() - 8) {
        return formatError(fmt::format("header length {} runs past the end of the file ({} bytes)",
                                       headerLen, fileSize));
    }
    const char *text = reinterpret_cast<const char *>(prefix.data() + 8);
    std::size_t skip = 0;
    while (skip < headerLen &&
           (text[skip] == ' ' || text[skip] == '\n' || text[skip] == '\r' || text[skip] == '\t')) {
        ++skip;
    }
    if (skip == headerLen || text[skip] != '{') {
        Error e = formatError("header is not a JSON object (must start with '{')");
        e.byteOffset = 8 + skip;
        return e;
    }
    HeaderSax sax;
    sax.header.dataOffset = 8 + headerLen;
    const bool ok = nlohmann::json::sax_parse(text + skip, text + headerLen, &sax,
                                              nlohmann::json::input_format_t::json, true, false);
    if (!ok || !sax.error.empty()) {
        Error e = formatError(sax.error.empty() ? std::string("invalid header") : sax.error);
        if (sax.errorPosition() > 0) {
            e.byteOffset = 8 + skip + sax.errorPosition() - 1;
        }
        return std::move(e).withTensor(sax.errorTensor);
    }
    PQ_TRY_STATUS(validateEntries(sax.header, fileSize - sax.header.dataOffset));
    return std::move(sax.header);
}

std::string buildSafetensorsHeader(const std::vector<TensorInfo> &tensors,
                                   const std::map<std::string, std::string> &metadata)
{
    nlohmann::ordered_json root = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        root["__metadata__"] = metadata;
    }
    std::uint64_t offset = 0;
    for (const TensorInfo &t : tensors) {
        const std::uint64_t bytes = t.byteSize().value_or(0);
        root[t.name] = {{"dtype", dtypeName(t.dtype)},
                        {"shape", t.shape},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string json = root.dump();
    json.append((8 - json.size() % 8) % 8, ' ');
    std::string out(8, '\0');
    std::uint64_t n = json.size();
    for (std::size_t i = 0; i < 8; ++i) {
        out[i] = static_cast<char>(n & 0xFFU);
        n >>= 8U;
    }
    return out + json;
}

}  // namespace pq::core
