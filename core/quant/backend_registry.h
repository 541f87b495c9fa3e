// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/quant/quant_backend.h"

namespace pq::core::quant {

/**
 * The quantizer implementations available to a process. It always holds the reference backend;
 * the executables add faster ones (kernels::registerBackends) and pipelines in core take
 * preferred() without naming a concrete kernel. Not thread-safe to modify; use after set-up.
 */
class BackendRegistry
{
public:
    BackendRegistry();

    /** Adds a backend; later additions are preferred over earlier ones. */
    void add(std::unique_ptr<QuantBackend> backend);

    /** The most recently added backend (the reference when nothing else was added). */
    QuantBackend &preferred() const;

    /** The backend called `name`, or nullptr. */
    QuantBackend *find(std::string_view name) const;

    std::vector<std::string> names() const;

private:
    std::vector<std::unique_ptr<QuantBackend>> m_backends;
};

}  // namespace pq::core::quant
