// SPDX-License-Identifier: MIT
// `prismaquant validate`: structural checks of a model against its profile, each derived from
// the inventory and the actual tensors (docs/validate.md). The checks of the fused groups, the
// expert layout and the vLLM names are in validate_groups.cpp.
#include "core/model/validate.h"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "core/model/validate_internal.h"
#include "core/quant/format_spec.h"

namespace pq::core {
namespace detail {

ValidationCheck makeCheck(std::string id, std::string title)
{
    ValidationCheck c;
    c.id = std::move(id);
    c.title = std::move(title);
    return c;
}

void pass(ValidationCheck &c, std::string reason)
{
    c.ok = true;
    c.reason = std::move(reason);
}

void fail(ValidationCheck &c, std::string reason)
{
    c.ok = false;
    c.details = {reason};
    c.reason = std::move(reason);
}

std::string shapeOf(const LinearInfo &l)
{
    return fmt::format("[{}, {}]", l.outFeatures, l.inFeatures);
}

}  // namespace detail

namespace {

using detail::checkExpertLayout;
using detail::checkFusedGroups;
using detail::checkVllmNames;
using detail::fail;
using detail::makeCheck;
using detail::pass;
using detail::Problems;
using detail::shapeOf;

bool isAttentionRole(LinearRole r)
{
    return r <= LinearRole::LinAttnOut;
}

// ---- profile ----------------------------------------------------------------------------------

ValidationCheck checkProfile(const ModelInventory &inv)
{
    ValidationCheck c = makeCheck("profile", "a profile serves this architecture");
    if (inv.genericFallback) {
        const auto it =
                std::find_if(inv.warnings.begin(), inv.warnings.end(),
                             [](const std::string &w) { return w.starts_with("no profile"); });
        fail(c, it != inv.warnings.end()
                        ? *it
                        : fmt::format("no profile for model_type '{}'", inv.config.modelType));
        return c;
    }
    const std::string &type =
            inv.config.textModelType.empty() ? inv.config.modelType : inv.config.textModelType;
    pass(c, type == inv.config.modelType
                    ? fmt::format("profile '{}' serves model_type '{}'", inv.profile->name, type)
                    : fmt::format("profile '{}' serves model_type '{}' (text model '{}')",
                                  inv.profile->name, inv.config.modelType, type));
    return c;
}

// ---- classification and source precision ------------------------------------------------------

ValidationCheck checkClassified(const ModelInventory &inv, const Status &quantizable)
{
    ValidationCheck c = makeCheck("classified", "every tensor is classified");
    const auto unknown = inv.unclassified();
    if (unknown.empty()) {
        pass(c, fmt::format("all {} tensors classified by profile '{}'", inv.tensors.size(),
                            inv.profile->name));
        return c;
    }
    Problems p;
    for (const ClassifiedTensor &t : inv.tensors) {
        if (t.kind == TensorKind::Unknown) {
            p.add(fmt::format("'{}': {}", t.info.name, t.note.empty() ? "unknown" : t.note));
        }
    }
    p.failInto(c);
    // The inventory's own message when it reports these (an already-quantized model reports
    // that first; then the count and the first name).
    c.reason = !quantizable && quantizable.error().code == ErrorCode::Unsupported
                       ? quantizable.error().message()
                       : fmt::format("{} tensors are not recognised by profile '{}' (first: {})",
                                     unknown.size(), inv.profile->name, c.details.front());
    return c;
}

ValidationCheck checkSource(const ModelInventory &inv, const Status &quantizable)
{
    ValidationCheck c =
            makeCheck("source", "not already quantized; Linears in a dense float dtype");
    if (quantizable) {
        pass(c, fmt::format("Linear weights in {}; no quantization_config, no quantized tensors",
                            inv.sourceDtypeName()));
        return c;
    }
    if (quantizable.error().code == ErrorCode::AlreadyQuantized || inv.unclassified().empty()) {
        fail(c, quantizable.error().message());
        return c;
    }
    // checkQuantizable stopped at unclassified tensors (reported by `classified`): dtypes here.
    for (const LinearInfo &l : inv.linears) {
        if (!isDenseFloat(l.sourceDtype)) {
            fail(c, fmt::format("{}: Linear weights are stored as {}; only F32, F16 and BF16 "
                                "sources can be quantized",
                                inv.tensors[l.source.tensor].info.name, dtypeName(l.sourceDtype)));
            return c;
        }
    }
    pass(c, fmt::format("Linear weights in {}; no quantization_config, no quantized tensors",
                        inv.sourceDtypeName()));
    return c;
}

// ---- passthrough ------------------------------------------------------------------------------

bool sectionImplied(const ModelConfig &c, Section s)
{
    switch (s) {
    case Section::Vision:
        return c.hasVision;
    case Section::Audio:
        return c.hasAudio;
    case Section::Projector:
        return c.hasVision || c.hasAudio;
    case Section::Text:
    case Section::Mtp:
        return true;
    }
    return false;
}

ValidationCheck checkPassthrough(const ModelInventory &inv)
{
    ValidationCheck c = makeCheck("passthrough", "passthrough prefixes match real tensors");
    Problems p;
    std::size_t matched = 0;
    std::size_t checked = 0;
    std::vector<std::string> skipped;
    for (const auto &[prefix, section] : inv.profile->passthroughPrefixes) {
        std::size_t n = 0;
        for (const ClassifiedTensor &t : inv.tensors) {
            n += t.info.name.starts_with(prefix) ? 1 : 0;
        }
        if (sectionImplied(inv.config, section)) {
            if (inv.source == TensorSource::ConfigOnly) {
                skipped.emplace_back(prefix);
            } else if (n == 0) {
                p.add(fmt::format("config.json declares a {} tower but no tensor starts with '{}'",
                                  sectionName(section), prefix));
            }
            ++checked;
        }
        matched += n;
    }
    // No tensor passthrough by accident: a tower the config does not declare, or a prefix that
    // swallows the language model's layers.
    for (const ClassifiedTensor &t : inv.tensors) {
        if (t.kind != TensorKind::Passthrough) {
            continue;
        }
        if (!sectionImplied(inv.config, t.section)) {
            p.add(fmt::format("'{}' is kept as a {} tensor, but config.json declares no such tower",
                              t.info.name, sectionName(t.section)));
        } else if (t.section != Section::Text && t.section != Section::Mtp &&
                   t.info.name.starts_with(std::string(inv.profile->textPrefix) + "layers.")) {
            p.add(fmt::format("'{}' is a decoder-layer tensor kept as passthrough", t.info.name));
        }
    }
    if (!p.empty()) {
        p.failInto(c);
        return c;
    }
    if (checked == 0) {
        pass(c, fmt::format("not applicable: config.json declares no vision or audio tower ({} "
                            "passthrough tensors in the language model)",
                            inv.countKind(TensorKind::Passthrough)));
        return c;
    }
    if (!skipped.empty()) {
        pass(c, fmt::format("not checked: tensors derived from config.json alone, which lists no "
                            "tower tensors (prefixes {})",
                            fmt::join(skipped, ", ")));
        return c;
    }
    pass(c, fmt::format("{} prefix(es) implied by config.json match {} tensors", checked, matched));
    return c;
}

// ---- MTP --------------------------------------------------------------------------------------

ValidationCheck checkMtp(const ModelInventory &inv)
{
    ValidationCheck c = makeCheck("mtp", "multi-token-prediction block complete");
    const std::int64_t declared = inv.config.mtpLayers;
    const std::size_t present = inv.mtpTensors();
    if (declared == 0 && present == 0) {
        pass(c, "not applicable: config.json declares no MTP layers");
        return c;
    }
    if (declared == 0) {
        fail(c,
             fmt::format("{} MTP tensors found but config.json declares no MTP layers", present));
        return c;
    }
    if (inv.profile->mtp == MtpStyle::None) {
        fail(c, fmt::format("config.json declares {} MTP layer(s) but profile '{}' has no MTP "
                            "layout",
                            declared, inv.profile->name));
        return c;
    }
    if (present == 0) {
        const auto it = std::find_if(inv.warnings.begin(), inv.warnings.end(),
                                     [](const std::string &w) { return w.find("MTP") != w.npos; });
        fail(c, it != inv.warnings.end()
                        ? *it
                        : fmt::format("config.json declares {} MTP layer(s) but the checkpoint "
                                      "has no MTP tensors",
                                      declared));
        return c;
    }
    Problems p;
    std::map<std::int64_t, std::array<bool, 2>> parts;  // attention, MLP
    bool proj = false;
    std::size_t linears = 0;
    for (const LinearInfo &l : inv.linears) {
        if (l.section != Section::Mtp) {
            continue;
        }
        ++linears;
        if (l.role == LinearRole::MtpProj) {
            proj = true;
            continue;
        }
        if (l.layer >= declared) {
            p.add(fmt::format("{}: MTP layer {} beyond the {} config.json declares", l.name,
                              l.layer, declared));
        }
        parts[l.layer][isAttentionRole(l.role) ? 0 : 1] = true;
    }
    if (!proj) {
        p.add("the MTP block has no input projection (mtp.fc / eh_proj)");
    }
    for (std::int64_t k = 0; k < declared; ++k) {
        const auto it = parts.find(k);
        if (it == parts.end() || !it->second[0]) {
            p.add(fmt::format("MTP layer {} has no attention Linears", k));
        }
        if (it == parts.end() || !it->second[1]) {
            p.add(fmt::format("MTP layer {} has no MLP or expert Linears", k));
        }
    }
    const bool norms = std::any_of(inv.tensors.begin(), inv.tensors.end(), [](const auto &t) {
        return t.section == Section::Mtp && t.kind == TensorKind::Norm;
    });
    if (!norms) {
        p.add("the MTP block has no norm weights");
    }
    if (!p.empty()) {
        p.failInto(c);
        return c;
    }
    pass(c, fmt::format("{} MTP layer(s): {} tensors, {} Linears, input projection and norms "
                        "present",
                        declared, present, linears));
    return c;
}

// ---- menu formats -----------------------------------------------------------------------------

ValidationCheck checkMenuFormats(const ModelInventory &inv)
{
    ValidationCheck c =
            makeCheck("menu_formats", "every Linear can take at least one quantized format");
    std::vector<const quant::FormatInfo *> menu;
    for (const quant::FormatInfo &f : quant::allFormats()) {
        if (f.servable && f.id != quant::FormatId::BF16) {
            menu.push_back(&f);
        }
    }
    // Shapes repeat across layers and experts: decide each distinct shape once.
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::pair<std::size_t, std::string>> byShape;
    Problems p;
    std::size_t restricted = 0;
    for (const LinearInfo &l : inv.linears) {
        const auto key = std::pair{l.outFeatures, l.inFeatures};
        auto it = byShape.find(key);
        if (it == byShape.end()) {
            std::size_t fits = 0;
            std::string firstError;
            for (const quant::FormatInfo *f : menu) {
                const Status st = quant::checkShape(f->id, l.outFeatures, l.inFeatures);
                if (st) {
                    ++fits;
                } else if (firstError.empty()) {
                    firstError = st.error().message();
                }
            }
            it = byShape.emplace(key, std::pair{fits, firstError}).first;
        }
        if (it->second.first == 0) {
            p.add(fmt::format("{} {} fits no quantized format ({})", l.name, shapeOf(l),
                              it->second.second));
        } else if (it->second.first < menu.size()) {
            ++restricted;
        }
    }
    if (!p.empty()) {
        p.failInto(c);
        return c;
    }
    pass(c, fmt::format("all {} Linears fit at least one of {} servable formats{}",
                        inv.linears.size(), menu.size(),
                        restricted == 0 ? std::string(" (every one fits all)")
                                        : fmt::format("; {} fit only some", restricted)));
    return c;
}

// ---- forward ----------------------------------------------------------------------------------

ValidationCheck checkForward(const ModelInventory &inv)
{
    ValidationCheck c = makeCheck("forward", "the probe has this family's forward pass");
    if (inv.profile->hasForward && !inv.genericFallback) {
        pass(c, fmt::format("the probe runs profile '{}' (sensitivity can be measured)",
                            inv.profile->name));
        return c;
    }
    fail(c, fmt::format("the probe has no forward pass for profile '{}': only a data-free "
                        "allocation (`prismaquant allocate --data-free --model MODEL_DIR`) can "
                        "be tried, which prices formats by plain weight error (it refuses "
                        "interleaved, transposed expert tensors)",
                        inv.profile->name));
    return c;
}

}  // namespace

std::vector<ValidationCheck> validateModel(const ModelInventory &inv)
{
    const Status quantizable = inv.checkQuantizable();
    return {checkProfile(inv),
            checkClassified(inv, quantizable),
            checkSource(inv, quantizable),
            checkFusedGroups(inv),
            checkExpertLayout(inv),
            checkVllmNames(inv),
            checkPassthrough(inv),
            checkMtp(inv),
            checkMenuFormats(inv),
            checkForward(inv)};
}

bool allPassed(const std::vector<ValidationCheck> &checks)
{
    return std::all_of(checks.begin(), checks.end(), [](const ValidationCheck &c) { return c.ok; });
}

}  // namespace pq::core
