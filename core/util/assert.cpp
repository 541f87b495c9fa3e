// SPDX-License-Identifier: MIT
#include "core/util/assert.h"

#include <cstdio>
#include <cstdlib>

namespace pq::core::detail {

void assertFailed(const char *cond, const char *file, int line)
{
    std::fprintf(stderr, "PQ_ASSERT failed: %s at %s:%d\n", cond, file, line);
    std::abort();
}

}  // namespace pq::core::detail
