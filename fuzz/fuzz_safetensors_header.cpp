// SPDX-License-Identifier: MIT
// libFuzzer target for parseSafetensorsHeader: the input is a whole safetensors file.
//
// Besides ASan/UBSan findings, the target checks the parser's contract as an oracle and traps
// when it is broken:
//   - an accepted header describes entries that tile the data buffer exactly, in offset order,
//     each spanning numel × bits / 8 bytes, and the buffer ends at EOF;
//   - buildSafetensorsHeader() of the accepted entries parses back to the same entries;
//   - a rejected header yields ErrorCode::InvalidFormat with a non-empty detail;
//   - handed only a copy of the first bytes (the rest of the file "unread"), the parser never
//     reads past them (ASan sees the exact-size heap copy) and agrees or says "runs past".

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "core/io/safetensors_header.h"

namespace {

using pq::core::SafetensorsEntry;
using pq::core::SafetensorsHeader;

void check(bool cond)
{
    if (!cond) {
        __builtin_trap();
    }
}

void checkTiling(const SafetensorsHeader &h, std::uint64_t fileSize)
{
    std::uint64_t expected = 0;
    for (const SafetensorsEntry &e : h.entries) {
        check(e.begin == expected && e.end >= e.begin);
        check(e.info.byteSize() == e.end - e.begin);
        check(e.info.shape.size() <= pq::core::MAX_TENSOR_RANK);
        expected = e.end;
    }
    check(h.dataOffset >= 8 && h.dataOffset <= fileSize);
    check(h.dataOffset - 8 <= pq::core::MAX_SAFETENSORS_HEADER_BYTES);
    check(h.dataOffset + expected == fileSize);
}

std::vector<SafetensorsEntry> canonical(std::vector<SafetensorsEntry> entries)
{
    // Zero-size tensors may share an offset; their relative order is not part of the contract.
    std::sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
        return std::tie(a.begin, a.end, a.info.name) < std::tie(b.begin, b.end, b.info.name);
    });
    return entries;
}

bool sameEntries(const std::vector<SafetensorsEntry> &a, const std::vector<SafetensorsEntry> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto &x, const auto &y) {
        return x.info.name == y.info.name && x.info.dtype == y.info.dtype &&
               x.info.shape == y.info.shape && x.begin == y.begin && x.end == y.end;
    });
}

void checkRoundTrip(const SafetensorsHeader &h)
{
    std::vector<pq::core::TensorInfo> infos;
    std::uint64_t dataBytes = 0;
    for (const SafetensorsEntry &e : h.entries) {
        infos.push_back(e.info);
        dataBytes = e.end;
    }
    const std::string header = pq::core::buildSafetensorsHeader(infos, h.metadata);
    check(header.size() % 8 == 0);
    // The data bytes are never read by the parser, only counted: pass a short prefix.
    const auto again = pq::core::parseSafetensorsHeader(
            std::as_bytes(std::span(header.data(), header.size())), header.size() + dataBytes);
    check(again.has_value());
    check(again->metadata == h.metadata);
    check(sameEntries(canonical(again->entries), canonical(h.entries)));
}

void checkPrefix(std::span<const std::byte> file, bool fullOk)
{
    if (file.size() < 9) {
        return;
    }
    const std::vector<std::byte> prefix(file.begin(), file.end() - 1);
    const auto r = pq::core::parseSafetensorsHeader(prefix, file.size());
    if (r) {
        check(fullOk);  // the missing last byte can only be data, so the header must be valid
    } else if (fullOk) {
        check(r.error().detail.find("runs past the end") != std::string::npos);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto file = std::as_bytes(std::span(data, size));
    const auto header = pq::core::parseSafetensorsHeader(file, size);
    if (header) {
        checkTiling(*header, size);
        checkRoundTrip(*header);
    } else {
        check(header.error().code == pq::core::ErrorCode::InvalidFormat);
        check(!header.error().detail.empty() && !header.error().message().empty());
    }
    checkPrefix(file, header.has_value());
    return 0;
}
