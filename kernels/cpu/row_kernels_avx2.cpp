// SPDX-License-Identifier: MIT
// The row kernels compiled for the avx2 instruction set (flags set in CMakeLists.txt).
#include "kernels/cpu/row_kernels.h"

namespace pq::kernels::cpu::avx2 {

#define PQ_KERNEL_ISA_NAME "avx2"
#include "kernels/cpu/row_kernels_impl.h"
#undef PQ_KERNEL_ISA_NAME

const RowKernels &kernels()
{
    return table();
}

}  // namespace pq::kernels::cpu::avx2
