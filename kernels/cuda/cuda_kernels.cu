// SPDX-License-Identifier: MIT
// CUDA quantizer kernels. Every element function is the one the CPU reference uses
// (core/quant/row_quant.h, compiled for the device), and the build passes --fmad=false, so the
// values and codes are bit-identical to the CPU backends.
//
// Launch layout. A row is cut into chunks of CHUNK = 16 consecutive elements, and thread k of a
// row owns chunk k: grid.x × blockDim.x threads cover one row, blockIdx.y strides over the rows
// (no index division per element). When the rows and the output buffers are 16-byte aligned and
// cols is a multiple of 16 (Layout::vector), a chunk moves with 16-byte loads and 8/16-byte
// stores; otherwise element by element, and the last chunk of a row may be short. A group always
// starts at a chunk boundary (groupSize is a multiple of 16, or the whole row), so the elements
// of a thread share one group and its scale is computed once per chunk.
//
//   groupAmax   groups of at most 32 chunks, a power of two: max over the chunk, xor-shuffle
//               reduction over the group's aligned lanes, the group's first lane stores the bits
//   blockAmax   other groups (per-row groups): one block per group loops over it, block
//               reduction, thread 0 stores the bits
//   fakeQuant   quantizedValue per element; per-row error sums: block reduction, then one double
//               atomicAdd pair per block and row
//   encode      elementCode per element; the group's first chunk stores the scale code
//
// Both amax kernels write every group's entry (no atomics, no zeroing beforehand).
#include <algorithm>
#include <initializer_list>

#include "kernels/cuda/cuda_kernels.h"

namespace pq::kernels::cuda {
namespace {

using core::quant::bitsFloat;
using core::quant::floatBits;
using core::quant::RowFormat;

constexpr unsigned CHUNK = 16;  ///< elements per thread
constexpr unsigned WARP = 32;
constexpr unsigned MAX_THREADS = 256;
constexpr unsigned FULL_MASK = 0xFFFFFFFFU;

/** How the groups of a row map onto chunks. */
struct Layout
{
    std::uint64_t groupLen;        ///< elements per group (cols for per-row groups)
    std::uint64_t groupsPerRow;    ///< groups in a row
    std::uint32_t chunksPerGroup;  ///< chunks per group (per-row groups: all chunks of a row)
    bool vector;                   ///< chunks of full rows are 16-byte aligned in every buffer
};

__device__ inline float halfToFloat(std::uint32_t h)
{
    const std::uint32_t sign = (h & 0x8000U) << 16U;
    const std::uint32_t exp = (h >> 10U) & 0x1FU;
    const std::uint32_t man = h & 0x3FFU;
    float v = 0.0F;
    if (exp == 0) {
        v = static_cast<float>(man) * 5.9604644775390625e-08F;
    } else if (exp == 31) {
        v = bitsFloat(0x7F800000U | (man << 13U));
    } else {
        v = bitsFloat(((exp + 112U) << 23U) | (man << 13U));
    }
    return bitsFloat(floatBits(v) | sign);
}

/** The value of 16-bit element bits h (BF16 or F16). */
__device__ inline float from16(std::uint32_t h, ElemType type)
{
    return type == ElemType::BF16 ? bitsFloat(h << 16U) : halfToFloat(h);
}

__device__ inline float loadElement(const DeviceWeight &w, std::uint64_t i)
{
    if (w.type == ElemType::F32) {
        return static_cast<const float *>(w.data)[i];
    }
    return from16(static_cast<const std::uint16_t *>(w.data)[i], w.type);
}

/** Elements i … i+n−1 of w into x (n ≤ CHUNK; the rest of x is 0). */
__device__ inline void
loadChunk(const DeviceWeight &w, std::uint64_t i, unsigned n, bool vector, float (&x)[CHUNK])
{
    if (vector && n == CHUNK && w.type == ElemType::F32) {
        const auto *p = reinterpret_cast<const float4 *>(static_cast<const float *>(w.data) + i);
#pragma unroll
        for (unsigned v = 0; v < CHUNK / 4; ++v) {
            const float4 a = p[v];
            x[4 * v] = a.x;
            x[4 * v + 1] = a.y;
            x[4 * v + 2] = a.z;
            x[4 * v + 3] = a.w;
        }
    } else if (vector && n == CHUNK) {
        const auto *p =
                reinterpret_cast<const uint4 *>(static_cast<const std::uint16_t *>(w.data) + i);
#pragma unroll
        for (unsigned v = 0; v < CHUNK / 8; ++v) {
            const uint4 u = p[v];
            const std::uint32_t words[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
            for (unsigned j = 0; j < 4; ++j) {
                x[8 * v + 2 * j] = from16(words[j] & 0xFFFFU, w.type);  // little-endian: low first
                x[8 * v + 2 * j + 1] = from16(words[j] >> 16U, w.type);
            }
        }
    } else {
#pragma unroll
        for (unsigned j = 0; j < CHUNK; ++j) {
            x[j] = j < n ? loadElement(w, i + j) : 0.0F;
        }
    }
}

/** Floats p[0 … n−1] into x (the rest 0); with `vector`, a full chunk in 16-byte loads. */
__device__ inline void loadFloats(const float *p, unsigned n, bool vector, float (&x)[CHUNK])
{
    if (vector && n == CHUNK) {
#pragma unroll
        for (unsigned v = 0; v < CHUNK / 4; ++v) {
            const float4 a = reinterpret_cast<const float4 *>(p)[v];
            x[4 * v] = a.x;
            x[4 * v + 1] = a.y;
            x[4 * v + 2] = a.z;
            x[4 * v + 3] = a.w;
        }
        return;
    }
#pragma unroll
    for (unsigned j = 0; j < CHUNK; ++j) {
        x[j] = j < n ? p[j] : 0.0F;
    }
}

/** Elements of the chunk at column c of a row of `len` elements (0 past the end). */
__device__ inline unsigned chunkLength(std::uint64_t len, std::uint64_t c)
{
    return c < len ? static_cast<unsigned>(len - c < CHUNK ? len - c : CHUNK) : 0U;
}

/** max |x| as float bits (non-negative floats order like their bits; NaN sorts above inf). */
__device__ inline std::uint32_t absMaxBits(const float (&x)[CHUNK])
{
    std::uint32_t b = 0;
#pragma unroll
    for (unsigned j = 0; j < CHUNK; ++j) {
        const std::uint32_t a = floatBits(x[j]) & 0x7FFFFFFFU;
        b = a > b ? a : b;
    }
    return b;
}

struct MaxOp
{
    __device__ std::uint32_t operator()(std::uint32_t a, std::uint32_t b) const
    {
        return a > b ? a : b;
    }
};

struct SumOp
{
    __device__ double operator()(double a, double b) const { return a + b; }
};

/** Reduces v over aligned groups of `lanes` lanes (a power of two ≤ 32; all lanes call it). */
template <typename T, typename Op>
__device__ inline T warpReduce(T v, unsigned lanes, Op op)
{
    for (unsigned off = lanes / 2; off > 0; off /= 2) {
        v = op(v, __shfl_xor_sync(FULL_MASK, v, off));
    }
    return v;
}

/** Reduces v over the block; the result is valid in thread 0. Every thread must call it. */
template <typename T, typename Op>
__device__ inline T blockReduce(T v, Op op)
{
    __shared__ T part[MAX_THREADS / WARP];
    v = warpReduce(v, WARP, op);
    if (threadIdx.x % WARP == 0) {
        part[threadIdx.x / WARP] = v;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        for (unsigned i = 1; i < blockDim.x / WARP; ++i) {
            v = op(v, part[i]);
        }
    }
    __syncthreads();  // part is reused by the next call
    return v;
}

__device__ inline float groupEffective(const RowFormat &f, float amax, float g)
{
    if (f.scale == core::quant::ScaleKind::Float32) {
        return amax > 0.0F ? amax / f.divisor : 1.0F;
    }
    return core::quant::effectiveScale(f, core::quant::scaleCode(f, amax, g), g);
}

__global__ void __launch_bounds__(MAX_THREADS)
        groupAmaxKernel(DeviceWeight w, Layout l, std::uint32_t *amaxBits)
{
    const std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x;
    const std::uint64_t c = std::uint64_t{k} * CHUNK;
    const unsigned n = chunkLength(w.cols, c);
    const std::uint64_t group = k / l.chunksPerGroup;
    const bool first = n > 0 && k % l.chunksPerGroup == 0;
    // Whole blocks step over the rows together, so every lane reaches the shuffles.
    for (std::uint64_t r = blockIdx.y; r < w.rows; r += gridDim.y) {
        float x[CHUNK];
        loadChunk(w, r * w.stride + c, n, l.vector, x);
        const std::uint32_t b = warpReduce(absMaxBits(x), l.chunksPerGroup, MaxOp{});
        if (first) {
            amaxBits[r * l.groupsPerRow + group] = b;
        }
    }
}

__global__ void __launch_bounds__(MAX_THREADS)
        blockAmaxKernel(DeviceWeight w, Layout l, std::uint32_t *amaxBits)
{
    const std::uint64_t groups = w.rows * l.groupsPerRow;
    for (std::uint64_t gi = blockIdx.x; gi < groups; gi += gridDim.x) {
        const std::uint64_t r = gi / l.groupsPerRow;
        const std::uint64_t begin = r * w.stride + (gi - r * l.groupsPerRow) * l.groupLen;
        std::uint32_t b = 0;
        for (std::uint64_t c = std::uint64_t{threadIdx.x} * CHUNK; c < l.groupLen;
             c += std::uint64_t{blockDim.x} * CHUNK) {
            float x[CHUNK];
            loadChunk(w, begin + c, chunkLength(l.groupLen, c), l.vector, x);
            const std::uint32_t a = absMaxBits(x);
            b = a > b ? a : b;
        }
        b = blockReduce(b, MaxOp{});
        if (threadIdx.x == 0) {
            amaxBits[gi] = b;
        }
    }
}

__global__ void __launch_bounds__(MAX_THREADS) fakeQuantKernel(DeviceWeight w,
                                                               RowFormat f,
                                                               float g,
                                                               Layout l,
                                                               const std::uint32_t *amaxBits,
                                                               float *out,
                                                               const float *fisher,
                                                               double *rowSums)
{
    const std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x;
    const std::uint64_t c = std::uint64_t{k} * CHUNK;
    const unsigned n = chunkLength(w.cols, c);
    const std::uint64_t group = k / l.chunksPerGroup;
    for (std::uint64_t r = blockIdx.y; r < w.rows; r += gridDim.y) {
        double e2 = 0.0;
        double fe2 = 0.0;
        if (n > 0) {
            float x[CHUNK];
            loadChunk(w, r * w.stride + c, n, l.vector, x);
            const std::uint64_t i = r * w.cols + c;
            float fw[CHUNK] = {};
            if (rowSums != nullptr && fisher != nullptr) {
                loadFloats(fisher + i, n, l.vector, fw);
            }
            const float eff = groupEffective(f, bitsFloat(amaxBits[r * l.groupsPerRow + group]), g);
#pragma unroll
            for (unsigned j = 0; j < CHUNK; ++j) {
                const float q = core::quant::quantizedValue(f, x[j], eff);
                if (rowSums != nullptr && j < n) {
                    const double d = static_cast<double>(x[j]) - static_cast<double>(q);
                    e2 += d * d;
                    fe2 += fisher != nullptr ? static_cast<double>(fw[j]) * d * d : 0.0;
                }
                x[j] = q;  // x now holds the values
            }
            if (out != nullptr) {
                if (l.vector && n == CHUNK) {
#pragma unroll
                    for (unsigned v = 0; v < CHUNK / 4; ++v) {
                        reinterpret_cast<float4 *>(out + i)[v] = {x[4 * v], x[4 * v + 1],
                                                                  x[4 * v + 2], x[4 * v + 3]};
                    }
                } else {
                    for (unsigned j = 0; j < n; ++j) {
                        out[i + j] = x[j];
                    }
                }
            }
        }
        if (rowSums != nullptr) {
            e2 = blockReduce(e2, SumOp{});
            fe2 = blockReduce(fe2, SumOp{});
            if (threadIdx.x == 0) {
                atomicAdd(rowSums + 2 * r, e2);
                atomicAdd(rowSums + 2 * r + 1, fe2);
            }
        }
    }
}

__global__ void __launch_bounds__(MAX_THREADS) encodeKernel(DeviceWeight w,
                                                            RowFormat f,
                                                            float g,
                                                            Layout l,
                                                            const std::uint32_t *amaxBits,
                                                            std::uint8_t *codes,
                                                            std::uint16_t *scales)
{
    const std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x;
    const std::uint64_t c = std::uint64_t{k} * CHUNK;
    const unsigned n = chunkLength(w.cols, c);
    if (n == 0) {
        return;  // no block-wide synchronisation below
    }
    const std::uint64_t group = k / l.chunksPerGroup;
    const bool first = k % l.chunksPerGroup == 0;
    for (std::uint64_t r = blockIdx.y; r < w.rows; r += gridDim.y) {
        float x[CHUNK];
        loadChunk(w, r * w.stride + c, n, l.vector, x);
        const std::uint64_t gi = r * l.groupsPerRow + group;
        const std::uint16_t sc = core::quant::scaleCode(f, bitsFloat(amaxBits[gi]), g);
        const float eff = core::quant::effectiveScale(f, sc, g);
        std::uint8_t e[CHUNK];
#pragma unroll
        for (unsigned j = 0; j < CHUNK; ++j) {
            e[j] = core::quant::elementCode(f, x[j], eff);
        }
        const std::uint64_t i = r * w.cols + c;
        if (l.vector && n == CHUNK) {
#pragma unroll
            for (unsigned v = 0; v < CHUNK / 8; ++v) {
                uint2 packed{};
#pragma unroll
                for (unsigned j = 0; j < 4; ++j) {
                    packed.x |= static_cast<std::uint32_t>(e[8 * v + j]) << (8U * j);
                    packed.y |= static_cast<std::uint32_t>(e[8 * v + j + 4]) << (8U * j);
                }
                reinterpret_cast<uint2 *>(codes + i)[v] = packed;
            }
        } else {
            for (unsigned j = 0; j < n; ++j) {
                codes[i + j] = e[j];
            }
        }
        if (first) {
            scales[gi] = sc;
        }
    }
}

/** The layout of w's groups; `vector` when w's rows and every buffer allow 16-byte access. */
Layout layoutFor(const DeviceWeight &w,
                 std::uint64_t groupSize,
                 std::initializer_list<const void *> buffers)
{
    const std::uint64_t len = groupSize == 0 ? w.cols : groupSize;
    bool vector = w.cols % CHUNK == 0 && len % CHUNK == 0 && w.stride % CHUNK == 0;
    for (const void *p : buffers) {
        vector = vector && reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
    }
    return {len, w.cols / len, static_cast<std::uint32_t>((len + CHUNK - 1) / CHUNK), vector};
}

/** Threads per block for `chunks` chunks: whole warps, at most MAX_THREADS. */
unsigned threadsFor(std::uint64_t chunks)
{
    return static_cast<unsigned>(
            std::min<std::uint64_t>(MAX_THREADS, (chunks + WARP - 1) / WARP * WARP));
}

/** grid.x × threads cover a row's chunks, grid.y strides over the rows. */
dim3 rowGrid(const DeviceWeight &w, unsigned threads)
{
    const std::uint64_t chunks = (w.cols + CHUNK - 1) / CHUNK;
    return {static_cast<unsigned>((chunks + threads - 1) / threads),
            static_cast<unsigned>(std::min<std::uint64_t>(w.rows, 65535))};
}

}  // namespace

cudaError_t launchGroupAmax(const DeviceWeight &w,
                            std::uint64_t groupSize,
                            std::uint32_t *amaxBits,
                            cudaStream_t stream)
{
    if (w.rows == 0 || w.cols == 0) {
        return cudaSuccess;
    }
    const Layout l = layoutFor(w, groupSize, {w.data});
    const unsigned cpg = l.chunksPerGroup;
    if (l.groupLen % CHUNK == 0 || groupSize == 0) {
        if (cpg <= WARP && (cpg & (cpg - 1)) == 0) {
            const unsigned threads = threadsFor((w.cols + CHUNK - 1) / CHUNK);
            groupAmaxKernel<<<rowGrid(w, threads), threads, 0, stream>>>(w, l, amaxBits);
            return cudaGetLastError();
        }
    }
    const std::uint64_t groups = w.rows * l.groupsPerRow;
    const auto blocks = static_cast<unsigned>(std::min<std::uint64_t>(groups, 1U << 20U));
    blockAmaxKernel<<<blocks, threadsFor(cpg), 0, stream>>>(w, l, amaxBits);
    return cudaGetLastError();
}

cudaError_t launchFakeQuant(const DeviceWeight &w,
                            const RowFormat &f,
                            float g,
                            const std::uint32_t *amaxBits,
                            float *out,
                            const float *fisher,
                            double *rowSums,
                            cudaStream_t stream)
{
    if (f.groupSize % CHUNK != 0) {
        return cudaErrorInvalidValue;  // a chunk would straddle two groups
    }
    if (w.rows == 0 || w.cols == 0) {
        return cudaSuccess;
    }
    const Layout l = layoutFor(w, f.groupSize, {w.data, out, fisher});
    const unsigned threads = threadsFor((w.cols + CHUNK - 1) / CHUNK);
    fakeQuantKernel<<<rowGrid(w, threads), threads, 0, stream>>>(w, f, g, l, amaxBits, out, fisher,
                                                                 rowSums);
    return cudaGetLastError();
}

cudaError_t launchEncode(const DeviceWeight &w,
                         const RowFormat &f,
                         float g,
                         const std::uint32_t *amaxBits,
                         std::uint8_t *codes,
                         std::uint16_t *scales,
                         cudaStream_t stream)
{
    if (f.groupSize % CHUNK != 0) {
        return cudaErrorInvalidValue;  // a chunk would straddle two groups
    }
    if (w.rows == 0 || w.cols == 0) {
        return cudaSuccess;
    }
    const Layout l = layoutFor(w, f.groupSize, {w.data, codes});
    const unsigned threads = threadsFor((w.cols + CHUNK - 1) / CHUNK);
    encodeKernel<<<rowGrid(w, threads), threads, 0, stream>>>(w, f, g, l, amaxBits, codes, scales);
    return cudaGetLastError();
}

}  // namespace pq::kernels::cuda
