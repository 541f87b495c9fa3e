// SPDX-License-Identifier: MIT
#include "core/quant/backend_registry.h"

namespace pq::core::quant {

BackendRegistry::BackendRegistry()
{
    m_backends.push_back(makeReferenceBackend());
}

void BackendRegistry::add(std::unique_ptr<QuantBackend> backend)
{
    m_backends.push_back(std::move(backend));
}

QuantBackend &BackendRegistry::preferred() const
{
    return *m_backends.back();
}

QuantBackend *BackendRegistry::find(std::string_view name) const
{
    for (const auto &b : m_backends) {
        if (b->name() == name) {
            return b.get();
        }
    }
    return nullptr;
}

std::vector<std::string> BackendRegistry::names() const
{
    std::vector<std::string> out;
    for (const auto &b : m_backends) {
        out.emplace_back(b->name());
    }
    return out;
}

}  // namespace pq::core::quant
