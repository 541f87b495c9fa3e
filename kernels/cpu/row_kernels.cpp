// SPDX-License-Identifier: MIT
// Run-time choice among the compiled instruction-set variants.
#include "kernels/cpu/row_kernels.h"

#include <array>

namespace pq::kernels::cpu {
namespace generic {
const RowKernels &kernels();
}

namespace avx2 {
const RowKernels &kernels();
}

namespace avx512 {
const RowKernels &kernels();
}

namespace {

bool cpuHasAvx2()
{
    return __builtin_cpu_supports("avx2") != 0;
}

bool cpuHasAvx512()
{
    return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
           __builtin_cpu_supports("avx512dq") != 0 && __builtin_cpu_supports("avx512vl") != 0;
}

struct Variants
{
    std::array<const RowKernels *, 3> list{};
    std::size_t count = 0;

    Variants()
    {
        list[count++] = &generic::kernels();
        if (cpuHasAvx2()) {
            list[count++] = &avx2::kernels();
        }
        if (cpuHasAvx512()) {
            list[count++] = &avx512::kernels();
        }
    }
};

const Variants &variants()
{
    static const Variants v;
    return v;
}

}  // namespace

const RowKernels &rowKernels()
{
    const Variants &v = variants();
    return *v.list[v.count - 1];
}

const RowKernels *const *availableRowKernels(std::size_t &count)
{
    count = variants().count;
    return variants().list.data();
}

}  // namespace pq::kernels::cpu
