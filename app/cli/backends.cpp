// SPDX-License-Identifier: MIT
#include "app/cli/backends.h"

#include "kernels/cpu/register.h"
#ifdef PQ_HAVE_CUDA
#include "kernels/cuda/cuda_backend.h"
#endif

namespace pq::cli {

core::quant::BackendRegistry &backends()
{
    static core::quant::BackendRegistry registry = [] {
        core::quant::BackendRegistry r;
        kernels::registerBackends(r);
#ifdef PQ_HAVE_CUDA
        kernels::cuda::registerCudaBackend(r);
#endif
        return r;
    }();
    return registry;
}

}  // namespace pq::cli
