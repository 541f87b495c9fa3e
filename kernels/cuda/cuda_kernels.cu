// SPDX-License-Identifier: MIT
// CUDA quantizer kernels. Every element function is the one the CPU reference uses
// (core/quant/row_quant.h, compiled for the device), and the build passes --fmad=false, so the
// values and codes are bit-identical to the CPU backends.
//
// Kernels (one thread per element, grid-stride over rows × cols):
//   groupAmax   warp-segmented max of |w| over groups of ≤ 32 lanes, then one atomicMax per
//               segment on the group's amax bits (exact and independent of order)
//   fakeQuant   eff from the group amax (same scale rules), q = quantizedValue(w, eff); optional
//               per-row error sums: warp reduction, then one double atomicAdd per warp and row
//   encode      element codes and, from the first element of each group, its scale code
#include "kernels/cuda/cuda_kernels.h"

namespace pq::kernels::cuda {
namespace {

using core::quant::RowFormat;

constexpr int THREADS = 256;

__device__ inline float loadElement(const DeviceWeight &w, std::uint64_t r, std::uint64_t c)
{
    const std::uint64_t i = r * w.stride + c;
    if (w.type == ElemType::F32) {
        return static_cast<const float *>(w.data)[i];
    }
    const std::uint32_t h = static_cast<const std::uint16_t *>(w.data)[i];
    if (w.type == ElemType::BF16) {
        return core::quant::bitsFloat(h << 16U);
    }
    const std::uint32_t sign = (h & 0x8000U) << 16U;
    const std::uint32_t exp = (h >> 10U) & 0x1FU;
    const std::uint32_t man = h & 0x3FFU;
    float v = 0.0F;
    if (exp == 0) {
        v = static_cast<float>(man) * 5.9604644775390625e-08F;
    } else if (exp == 31) {
        v = core::quant::bitsFloat(0x7F800000U | (man << 13U));
    } else {
        v = core::quant::bitsFloat(((exp + 112U) << 23U) | (man << 13U));
    }
    return core::quant::bitsFloat(core::quant::floatBits(v) | sign);
}

__device__ inline float groupEffective(const RowFormat &f, float amax, float g)
{
    if (f.scale == core::quant::ScaleKind::Float32) {
        return amax > 0.0F ? amax / f.divisor : 1.0F;
    }
    return core::quant::effectiveScale(f, core::quant::scaleCode(f, amax, g), g);
}

__global__ void groupAmaxKernel(DeviceWeight w, std::uint64_t groupSize, std::uint32_t *amaxBits)
{
    const std::uint64_t n = w.rows * w.cols;
    const std::uint64_t len = groupSize == 0 ? w.cols : groupSize;
    const std::uint64_t groupsPerRow = w.cols / len;
    // Lanes that share a group form aligned segments of `seg` lanes when cols is a multiple of
    // the segment (groups of 16/32/128 always are; a per-row group may not be).
    // The xor-shuffle reduction needs a power-of-two segment; other shapes (a per-row group of
    // 12 or 100 columns) take the per-lane atomicMax path.
    const unsigned seg = len < 32 ? static_cast<unsigned>(len) : 32U;
    const bool aligned = (seg & (seg - 1U)) == 0 && w.cols % seg == 0;
    // Whole blocks step together so that every lane of a warp reaches the shuffles.
    for (std::uint64_t base = blockIdx.x * std::uint64_t{blockDim.x}; base < n;
         base += std::uint64_t{gridDim.x} * blockDim.x) {
        const std::uint64_t i = base + threadIdx.x;
        const bool active = i < n;
        const std::uint64_t r = active ? i / w.cols : 0;
        const std::uint64_t c = active ? i % w.cols : 0;
        std::uint32_t b =
                active ? (core::quant::floatBits(loadElement(w, r, c)) & 0x7FFFFFFFU) : 0U;
        if (aligned) {
            for (unsigned off = seg / 2; off > 0; off /= 2) {
                const std::uint32_t o = __shfl_xor_sync(0xFFFFFFFFU, b, off);
                b = o > b ? o : b;
            }
        }
        if (active && (!aligned || threadIdx.x % seg == 0)) {
            atomicMax(amaxBits + r * groupsPerRow + c / len, b);
        }
    }
}

/** Adds (a, b) of every lane to rowSums of its row: one atomicAdd pair per warp and row. */
__device__ inline void
warpAddRow(double *rowSums, std::uint64_t r, double a, double b, bool warpIsOneRow)
{
    if (warpIsOneRow) {
        for (unsigned off = 16; off > 0; off /= 2) {
            a += __shfl_xor_sync(0xFFFFFFFFU, a, off);
            b += __shfl_xor_sync(0xFFFFFFFFU, b, off);
        }
        if (threadIdx.x % 32 == 0) {
            atomicAdd(rowSums + 2 * r, a);
            atomicAdd(rowSums + 2 * r + 1, b);
        }
        return;
    }
    const unsigned mask = __match_any_sync(0xFFFFFFFFU, static_cast<unsigned long long>(r));
    double sa = 0.0;
    double sb = 0.0;
    for (int l = 0; l < 32; ++l) {
        const double va = __shfl_sync(0xFFFFFFFFU, a, l);
        const double vb = __shfl_sync(0xFFFFFFFFU, b, l);
        if (((mask >> l) & 1U) != 0) {
            sa += va;
            sb += vb;
        }
    }
    if (static_cast<int>(threadIdx.x % 32) == __ffs(mask) - 1) {
        atomicAdd(rowSums + 2 * r, sa);
        atomicAdd(rowSums + 2 * r + 1, sb);
    }
}

__global__ void fakeQuantKernel(DeviceWeight w,
                                RowFormat f,
                                float g,
                                const std::uint32_t *amaxBits,
                                float *out,
                                const float *fisher,
                                double *rowSums)
{
    const std::uint64_t n = w.rows * w.cols;
    const std::uint64_t len = f.groupSize == 0 ? w.cols : f.groupSize;
    const std::uint64_t groupsPerRow = w.cols / len;
    const bool warpIsOneRow = w.cols % 32 == 0;
    for (std::uint64_t base = blockIdx.x * std::uint64_t{blockDim.x}; base < n;
         base += std::uint64_t{gridDim.x} * blockDim.x) {
        const std::uint64_t i = base + threadIdx.x;
        const bool active = i < n;
        const std::uint64_t r = active ? i / w.cols : (n - 1) / w.cols;
        const std::uint64_t c = active ? i % w.cols : 0;
        double e2 = 0.0;
        double fe2 = 0.0;
        if (active) {
            const float x = loadElement(w, r, c);
            const float amax = core::quant::bitsFloat(amaxBits[r * groupsPerRow + c / len]);
            const float q = core::quant::quantizedValue(f, x, groupEffective(f, amax, g));
            if (out != nullptr) {
                out[i] = q;
            }
            const double d = static_cast<double>(x) - static_cast<double>(q);
            e2 = d * d;
            fe2 = fisher != nullptr ? static_cast<double>(fisher[i]) * d * d : 0.0;
        }
        if (rowSums != nullptr) {
            warpAddRow(rowSums, r, e2, fe2, warpIsOneRow && base + blockDim.x <= n);
        }
    }
}

__global__ void encodeKernel(DeviceWeight w,
                             RowFormat f,
                             float g,
                             const std::uint32_t *amaxBits,
                             std::uint8_t *codes,
                             std::uint16_t *scales)
{
    const std::uint64_t n = w.rows * w.cols;
    const std::uint64_t len = f.groupSize == 0 ? w.cols : f.groupSize;
    const std::uint64_t groupsPerRow = w.cols / len;
    for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < n;
         i += std::uint64_t{gridDim.x} * blockDim.x) {
        const std::uint64_t r = i / w.cols;
        const std::uint64_t c = i % w.cols;
        const std::uint64_t group = r * groupsPerRow + c / len;
        const float amax = core::quant::bitsFloat(amaxBits[group]);
        const std::uint16_t sc = core::quant::scaleCode(f, amax, g);
        const float eff = core::quant::effectiveScale(f, sc, g);
        codes[i] = core::quant::elementCode(f, loadElement(w, r, c), eff);
        if (c % len == 0) {
            scales[group] = sc;
        }
    }
}

unsigned blocksFor(std::uint64_t n)
{
    const std::uint64_t blocks = (n + THREADS - 1) / THREADS;
    return static_cast<unsigned>(blocks < 65535ULL * 32ULL ? blocks : 65535ULL * 32ULL);
}

}  // namespace

cudaError_t launchGroupAmax(const DeviceWeight &w,
                            std::uint64_t groupSize,
                            std::uint32_t *amaxBits,
                            cudaStream_t stream)
{
    groupAmaxKernel<<<blocksFor(w.rows * w.cols), THREADS, 0, stream>>>(w, groupSize, amaxBits);
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
    fakeQuantKernel<<<blocksFor(w.rows * w.cols), THREADS, 0, stream>>>(w, f, g, amaxBits, out,
                                                                        fisher, rowSums);
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
    encodeKernel<<<blocksFor(w.rows * w.cols), THREADS, 0, stream>>>(w, f, g, amaxBits, codes,
                                                                     scales);
    return cudaGetLastError();
}

}  // namespace pq::kernels::cuda
