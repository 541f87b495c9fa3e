// SPDX-License-Identifier: MIT
#include "core/io/safetensors_file.h"

#include <algorithm>

namespace pq::core {

Result<SafetensorsFile> SafetensorsFile::open(const std::string &path)
{
    auto mapped = MappedFile::open(path);
    if (!mapped) {
        return std::move(mapped).error();
    }
    auto header = parseSafetensorsHeader(mapped->bytes(), mapped->size());
    if (!header) {
        return std::move(header).error().withPath(path);
    }
    SafetensorsFile f;
    f.m_file = std::move(*mapped);
    f.m_header = std::move(*header);
    f.m_byName.reserve(f.m_header.entries.size());
    for (std::size_t i = 0; i < f.m_header.entries.size(); ++i) {
        f.m_byName.emplace(f.m_header.entries[i].info.name, i);
    }
    return f;
}

std::optional<std::size_t> SafetensorsFile::find(std::string_view name) const
{
    const auto it = m_byName.find(name);
    if (it == m_byName.end()) {
        return std::nullopt;
    }
    return it->second;
}

TensorView SafetensorsFile::view(std::size_t index) const
{
    const SafetensorsEntry &e = m_header.entries.at(index);
    return {&e.info, m_file.bytes().subspan(m_header.dataOffset + e.begin, e.end - e.begin)};
}

void SafetensorsFile::prefetch(std::size_t index) const
{
    const SafetensorsEntry &e = m_header.entries.at(index);
    m_file.adviseSequential(m_header.dataOffset + e.begin, e.end - e.begin);
}

void SafetensorsFile::releasePages(std::size_t index, std::uint64_t offset, std::uint64_t len) const
{
    const SafetensorsEntry &e = m_header.entries.at(index);
    const std::uint64_t size = e.end - e.begin;
    if (offset >= size) {
        return;
    }
    m_file.releasePages(m_header.dataOffset + e.begin + offset, std::min(len, size - offset));
}

}  // namespace pq::core
