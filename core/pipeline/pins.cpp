// SPDX-License-Identifier: MIT
#include "core/pipeline/pins.h"

#include <filesystem>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/quant/format_spec.h"
#include "core/util/atomic_file.h"

namespace pq::core::pipeline {
namespace {

constexpr const char *FILE_NAME = "pins.json";
constexpr const char *SCHEMA = "prismaquant.pins/1";

std::string pinsPath(const std::string &runDir)
{
    return (std::filesystem::path(runDir) / FILE_NAME).string();
}

}  // namespace

std::string exactPattern(const std::string &name)
{
    std::string out = "^";
    for (const char c : name) {
        if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c;
    }
    return out + "$";
}

bool pinMatches(const std::string &pattern, const std::string &name)
{
    try {
        return std::regex_search(name, std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::regex_error &) {
        return false;
    }
}

Result<std::vector<Pin>> readPins(const std::string &runDir)
{
    const std::string path = pinsPath(runDir);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return std::vector<Pin>{};
    }
    auto text = readSmallFile(path, 16ULL << 20U);
    if (!text) {
        return std::move(text).error();
    }
    const auto bad = [&path](const std::string &what) {
        return makeError(ErrorCode::InvalidFormat, fmt::format("pins.json: {}", what))
                .withPath(path);
    };
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("schema", std::string()) != SCHEMA ||
        !j.contains("pins") || !j["pins"].is_array()) {
        return bad(fmt::format("not a '{}' object with a 'pins' array", SCHEMA));
    }
    std::vector<Pin> pins;
    for (const auto &p : j["pins"]) {
        if (!p.is_object() || !p.contains("pattern") || !p["pattern"].is_string() ||
            !p.contains("format") || !p["format"].is_string()) {
            return bad("a pin without a 'pattern' and a 'format'");
        }
        const auto id = quant::parseFormatName(p["format"].get<std::string>());
        if (!id) {
            return bad(fmt::format("unknown format '{}'", p["format"].get<std::string>()));
        }
        pins.push_back({p["pattern"].get<std::string>(), *id});
    }
    return pins;
}

Status writePins(const std::string &runDir, const std::vector<Pin> &pins)
{
    const std::string path = pinsPath(runDir);
    if (pins.empty()) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        if (ec) {
            return makeError(ErrorCode::Io, ec.message()).withPath(path);
        }
        return {};
    }
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Pin &p : pins) {
        list.push_back({{"pattern", p.pattern},
                        {"format", std::string(quant::formatInfo(p.format).name)}});
    }
    const nlohmann::ordered_json j = {{"schema", SCHEMA}, {"pins", list}};
    return writeFileAtomically(path, j.dump(1) + "\n");
}

}  // namespace pq::core::pipeline
