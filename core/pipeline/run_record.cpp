// SPDX-License-Identifier: MIT
#include "core/pipeline/run_record.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "core/util/atomic_file.h"
#include "core/util/file_hash.h"

namespace pq::core::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char *FILE_NAME = "run.json";
constexpr int SCHEMA_VERSION = 2;

Error badRecord(const std::string &path, const std::string &why)
{
    return makeError(ErrorCode::InvalidFormat,
                     fmt::format("{} is not a PrismaQuant run record ({}); delete it to run every "
                                 "stage again",
                                 path, why));
}

}  // namespace

std::string stageKey(const std::vector<std::string> &parts)
{
    std::string text;
    for (const std::string &p : parts) {
        text += fmt::format("{}:", p.size());
        text += p;
        text += '\n';
    }
    return sha256Hex(text);
}

Result<RunRecord> RunRecord::load(const std::string &runDir)
{
    RunRecord r;
    r.m_dir = runDir;
    const std::string path = (fs::path(runDir) / FILE_NAME).string();
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        return r;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return makeError(ErrorCode::Io, fmt::format("cannot read {}", path));
    }
    std::stringstream text;
    text << in.rdbuf();
    const json j = json::parse(text.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return badRecord(path, "not a JSON object");
    }
    if (!j.contains("schema_version") || !j["schema_version"].is_number_integer() ||
        j["schema_version"].get<int>() != SCHEMA_VERSION) {
        return badRecord(path, fmt::format("schema_version must be {}", SCHEMA_VERSION));
    }
    if (!j.contains("stages") || !j["stages"].is_object()) {
        return badRecord(path, "no 'stages' object");
    }
    if (j.contains("model_dir")) {
        if (!j["model_dir"].is_string()) {
            return badRecord(path, "'model_dir' is not a string");
        }
        r.m_modelDir = j["model_dir"].get<std::string>();
    }
    for (const auto &[name, s] : j["stages"].items()) {
        if (!s.is_object() || !s.contains("key") || !s["key"].is_string() ||
            !s.contains("outputs") || !s["outputs"].is_array()) {
            return badRecord(path, fmt::format("stage '{}' lacks key or outputs", name));
        }
        StageRecord rec;
        rec.key = s["key"].get<std::string>();
        rec.finishedUtc = s.value("finished_utc", std::string());
        rec.seconds = s.contains("seconds") && s["seconds"].is_number() ? s["seconds"].get<double>()
                                                                        : 0.0;
        for (const json &o : s["outputs"]) {
            if (!o.is_object() || !o.contains("path") || !o["path"].is_string() ||
                !o.contains("bytes") || !o["bytes"].is_number_unsigned() ||
                !o.contains("mtime_ns") || !o["mtime_ns"].is_number_integer()) {
                return badRecord(path, fmt::format("stage '{}' has a malformed output", name));
            }
            rec.outputs.push_back({o["path"].get<std::string>(), o["bytes"].get<std::uint64_t>(),
                                   o["mtime_ns"].get<std::int64_t>()});
        }
        r.m_stages.emplace(name, std::move(rec));
    }
    return r;
}

const StageRecord *RunRecord::find(const std::string &stage) const
{
    const auto it = m_stages.find(stage);
    return it == m_stages.end() ? nullptr : &it->second;
}

std::string RunRecord::resolve(const std::string &output) const
{
    const fs::path p(output);
    return p.is_absolute() ? output : (fs::path(m_dir) / p).string();
}

namespace {

std::optional<OutputStamp> stampOf(const std::string &output, const std::string &resolved)
{
    struct stat st
    {};

    if (::stat(resolved.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    return OutputStamp{output, static_cast<std::uint64_t>(st.st_size),
                       static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                               st.st_mtim.tv_nsec};
}

}  // namespace

bool RunRecord::unchanged(const OutputStamp &stamp) const
{
    const auto now = stampOf(stamp.path, resolve(stamp.path));
    return now && now->bytes == stamp.bytes && now->mtimeNs == stamp.mtimeNs;
}

Result<std::vector<OutputStamp>> RunRecord::stamp(const std::vector<std::string> &files) const
{
    std::vector<OutputStamp> out;
    for (const std::string &f : files) {
        auto s = stampOf(f, resolve(f));
        if (!s) {
            return makeError(ErrorCode::NotFound, "a stage's output is missing after it finished")
                    .withPath(resolve(f));
        }
        out.push_back(std::move(*s));
    }
    return out;
}

bool RunRecord::upToDate(const std::string &stage, const std::string &key) const
{
    const StageRecord *rec = find(stage);
    if (rec == nullptr || rec->key != key || rec->outputs.empty()) {
        return false;
    }
    return std::all_of(rec->outputs.begin(), rec->outputs.end(),
                       [this](const OutputStamp &o) { return unchanged(o); });
}

Status RunRecord::setModelDir(std::string dir)
{
    if (dir == m_modelDir) {
        return {};
    }
    m_modelDir = std::move(dir);
    return save();
}

Status RunRecord::markDone(const std::string &stage, StageRecord record)
{
    m_stages[stage] = std::move(record);
    return save();
}

Status RunRecord::save() const
{
    json stages = json::object();
    for (const auto &[name, s] : m_stages) {
        json outputs = json::array();
        for (const OutputStamp &o : s.outputs) {
            outputs.push_back({{"path", o.path}, {"bytes", o.bytes}, {"mtime_ns", o.mtimeNs}});
        }
        stages[name] = {{"key", s.key},
                        {"finished_utc", s.finishedUtc},
                        {"seconds", s.seconds},
                        {"outputs", outputs}};
    }
    json j = {{"schema_version", SCHEMA_VERSION}};
    if (!m_modelDir.empty()) {
        j["model_dir"] = m_modelDir;
    }
    j["stages"] = stages;
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    if (ec) {
        return makeError(ErrorCode::Io,
                         fmt::format("cannot create run directory {}: {}", m_dir, ec.message()));
    }
    return writeFileAtomically((fs::path(m_dir) / FILE_NAME).string(), j.dump(2) + "\n");
}

}  // namespace pq::core::pipeline
