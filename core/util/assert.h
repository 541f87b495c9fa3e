// SPDX-License-Identifier: MIT
#pragma once

/**
 * PQ_ASSERT(cond): an internal invariant. On failure it prints file:line and the condition to
 * stderr and aborts. Never use it for input validation: bad input returns a core::Error.
 */

namespace pq::core::detail {
[[noreturn]] void assertFailed(const char *cond, const char *file, int line);
}  // namespace pq::core::detail

#define PQ_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ::pq::core::detail::assertFailed(#cond, __FILE__, __LINE__);                           \
        }                                                                                          \
    } while (false)
