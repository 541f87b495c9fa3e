// SPDX-License-Identifier: MIT
#include "core/quant/weight_rows.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/quant/group_quant.h"
#include "core/quant/row_quant.h"
#include "core/util/bf16.h"
#include "core/util/parallel.h"

namespace pq::core::quant {
namespace {

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = (h >> 15U) & 1U;
    const std::uint32_t exp = (h >> 10U) & 0x1FU;
    const std::uint32_t man = h & 0x3FFU;
    float v = 0.0F;
    if (exp == 0) {
        v = std::ldexp(static_cast<float>(man), -24);
    } else if (exp == 31) {
        v = man == 0 ? INFINITY : NAN;
    } else {
        v = std::ldexp(static_cast<float>(man | 0x400U), static_cast<int>(exp) - 25);
    }
    return sign != 0 ? -v : v;
}

}  // namespace

WeightView
viewOf(std::span<const float> data, std::uint64_t rows, std::uint64_t cols, std::string name)
{
    WeightView v;
    v.dtype = DType::F32;
    v.data = reinterpret_cast<const std::byte *>(data.data());
    v.rows = rows;
    v.cols = cols;
    v.name = std::move(name);
    return v;
}

void loadRow(const WeightView &w, std::uint64_t r, std::span<float> out)
{
    const std::uint64_t first = r * w.stride();
    switch (w.dtype) {
    case DType::F32:
        std::memcpy(out.data(), w.data + first * 4, w.cols * 4);
        return;
    case DType::BF16:
        for (std::uint64_t c = 0; c < w.cols; ++c) {
            std::uint16_t b = 0;
            std::memcpy(&b, w.data + (first + c) * 2, 2);
            out[c] = bf16ToFloat(b);
        }
        return;
    case DType::F16:
        for (std::uint64_t c = 0; c < w.cols; ++c) {
            std::uint16_t h = 0;
            std::memcpy(&h, w.data + (first + c) * 2, 2);
            out[c] = halfToFloat(h);
        }
        return;
    default:
        break;
    }
}

Status checkView(const WeightView &w)
{
    if (w.dtype != DType::F32 && w.dtype != DType::BF16 && w.dtype != DType::F16) {
        return makeError(ErrorCode::Unsupported,
                         fmt::format("weights stored as {} cannot be quantized (F32, BF16 or F16 "
                                     "expected)",
                                     dtypeName(w.dtype)))
                .withTensor(w.name);
    }
    if (w.rows == 0 || w.cols == 0 || w.data == nullptr || w.stride() < w.cols) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("empty or malformed weight view [{}, {}]", w.rows, w.cols))
                .withTensor(w.name);
    }
    return {};
}

Error nonFiniteError(const WeightView &w, std::uint64_t row, std::uint64_t col, float value)
{
    return makeError(ErrorCode::InvalidFormat,  // bad input data, not a bad argument
                     fmt::format("weight is {} at [{}, {}]; the checkpoint is corrupt or was "
                                 "saved after a diverged step",
                                 std::isnan(value) ? "NaN" : "infinite", row, col))
            .withTensor(w.name);
}

Status checkShapeFor(FormatId id, const WeightView &w)
{
    Status st = checkShape(id, w.rows, w.cols);
    if (!st) {
        return std::move(st).error().withTensor(w.name);
    }
    return {};
}

Result<float> weightMaxAbs(const WeightView &w)
{
    PQ_TRY_STATUS(checkView(w));
    // Row blocks in parallel; the first non-finite element in row order is the one reported.
    constexpr std::uint64_t ROWS_PER_CHUNK = 64;
    const std::uint64_t chunks = (w.rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
    std::vector<float> chunkMax(chunks, 0.0F);
    std::vector<std::uint64_t> badRow(chunks, w.rows);
    std::vector<std::uint64_t> badCol(chunks, 0);
    parallelFor(chunks, 1, [&](std::uint64_t begin, std::uint64_t end) {
        std::vector<float> row(w.cols);
        for (std::uint64_t c = begin; c < end; ++c) {
            for (std::uint64_t r = c * ROWS_PER_CHUNK;
                 r < std::min(w.rows, (c + 1) * ROWS_PER_CHUNK); ++r) {
                loadRow(w, r, row);
                float m = 0.0F;
                if (!rowAmax(row, m, badCol[c])) {
                    badRow[c] = r;
                    break;
                }
                chunkMax[c] = std::max(chunkMax[c], m);
            }
        }
    });
    float amax = 0.0F;
    for (std::uint64_t c = 0; c < chunks; ++c) {
        if (badRow[c] < w.rows) {
            std::vector<float> row(w.cols);
            loadRow(w, badRow[c], row);
            return nonFiniteError(w, badRow[c], badCol[c], row[badCol[c]]);
        }
        amax = std::max(amax, chunkMax[c]);
    }
    return amax;
}

Status checkActivations(ActivationQuant a, std::span<const float> rows, std::uint64_t rowLen)
{
    const RowFormat f = activationRowFormat(a);
    if (rowLen == 0 || rows.size() % rowLen != 0 ||
        (f.groupSize != 0 && rowLen % f.groupSize != 0)) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("activation rows of {} values cannot be split into groups "
                                     "of {}",
                                     rowLen, f.groupSize));
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!isFiniteFloat(rows[i])) {
            WeightView v;
            v.name = "activations";
            return nonFiniteError(v, i / rowLen, i % rowLen, rows[i]);
        }
    }
    return {};
}

bool rowAmax(std::span<const float> row, float &amax, std::uint64_t &badCol)
{
    float m = 0.0F;
    for (std::size_t c = 0; c < row.size(); ++c) {
        if (!isFiniteFloat(row[c])) {
            badCol = c;
            return false;
        }
        const float a = absf(row[c]);
        m = a > m ? a : m;
    }
    amax = m;
    return true;
}

}  // namespace pq::core::quant
