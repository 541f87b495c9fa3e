// SPDX-License-Identifier: MIT
// Totals and queries over a built ModelInventory.
#include <set>

#include <fmt/format.h>

#include "core/model/inventory.h"

namespace pq::core {

std::map<TensorKind, RoleTotals> ModelInventory::totalsByKind() const
{
    std::map<TensorKind, RoleTotals> out;
    for (const ClassifiedTensor &t : tensors) {
        RoleTotals &r = out[t.kind];
        ++r.tensors;
        r.params += t.shapeKnown ? t.info.numel().value_or(0) : 0;
        r.bytes += t.shapeKnown ? t.info.byteSize().value_or(0) : 0;
    }
    return out;
}

RoleTotals ModelInventory::totals() const
{
    RoleTotals all;
    for (const auto &[kind, r] : totalsByKind()) {
        all.tensors += r.tensors;
        all.params += r.params;
        all.bytes += r.bytes;
    }
    return all;
}

std::uint64_t ModelInventory::linearParams() const
{
    std::uint64_t n = 0;
    for (const LinearInfo &l : linears) {
        n += l.params();
    }
    return n;
}

std::uint64_t ModelInventory::linearSourceBytes() const
{
    std::uint64_t n = 0;
    for (const LinearInfo &l : linears) {
        n += l.sourceBytes();
    }
    return n;
}

std::size_t ModelInventory::countKind(TensorKind kind) const
{
    std::size_t n = 0;
    for (const ClassifiedTensor &t : tensors) {
        n += t.kind == kind ? 1 : 0;
    }
    return n;
}

std::size_t ModelInventory::mtpTensors() const
{
    std::size_t n = 0;
    for (const ClassifiedTensor &t : tensors) {
        n += t.section == Section::Mtp ? 1 : 0;
    }
    return n;
}

std::size_t ModelInventory::passthroughTensors(Section section) const
{
    std::size_t n = 0;
    for (const ClassifiedTensor &t : tensors) {
        n += t.section == section ? 1 : 0;
    }
    return n;
}

std::vector<std::string> ModelInventory::unclassified() const
{
    std::vector<std::string> out;
    for (const ClassifiedTensor &t : tensors) {
        if (t.kind == TensorKind::Unknown) {
            out.push_back(t.info.name);
        }
    }
    return out;
}

std::vector<std::string> ModelInventory::quantCompanions() const
{
    std::vector<std::string> out;
    for (const ClassifiedTensor &t : tensors) {
        if (t.kind == TensorKind::QuantCompanion) {
            out.push_back(t.info.name);
        }
    }
    return out;
}

std::string ModelInventory::sourceDtypeName() const
{
    std::set<DType> seen;
    for (const LinearInfo &l : linears) {
        seen.insert(l.sourceDtype);
    }
    if (seen.empty()) {
        return "none";
    }
    return seen.size() == 1 ? std::string(dtypeName(*seen.begin())) : std::string("mixed");
}

Status ModelInventory::checkQuantizable() const
{
    const auto companions = quantCompanions();
    if (!config.quantMethod.empty() || !companions.empty()) {
        std::string found = config.quantMethod.empty()
                                    ? std::string("quantized tensors")
                                    : fmt::format("quantization_config '{}'", config.quantMethod);
        if (!companions.empty()) {
            found += fmt::format(" ({} companion tensors such as '{}')", companions.size(),
                                 companions.front());
        }
        return makeError(ErrorCode::AlreadyQuantized,
                         fmt::format("this checkpoint is already quantized: found {}. Quantizing "
                                     "it again would compound the errors; start from the original "
                                     "BF16/FP16 release of the model instead",
                                     found));
    }
    const auto unknown = unclassified();
    if (!unknown.empty()) {
        return makeError(ErrorCode::Unsupported,
                         fmt::format("{} tensors are not recognised by profile '{}' (first: '{}'); "
                                     "run `prismaquant inspect --json` to list them",
                                     unknown.size(), profile->name, unknown.front()));
    }
    for (const LinearInfo &l : linears) {
        if (!isDenseFloat(l.sourceDtype)) {
            return makeError(ErrorCode::Unsupported,
                             fmt::format("Linear weights are stored as {}; only F32, F16 and BF16 "
                                         "sources can be quantized",
                                         dtypeName(l.sourceDtype)))
                    .withTensor(tensors[l.source.tensor].info.name);
        }
    }
    return {};
}

}  // namespace pq::core
