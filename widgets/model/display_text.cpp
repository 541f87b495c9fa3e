// SPDX-License-Identifier: MIT
#include "widgets/model/display_text.h"

#include <QLocale>

namespace pq::widgets {

QString DisplayText::roleDescription(core::LinearRole role)
{
    const QString attention = attentionRoleDescription(role);
    return attention.isEmpty() ? feedForwardRoleDescription(role) : attention;
}

QString DisplayText::attentionRoleDescription(core::LinearRole role)
{
    using core::LinearRole;
    switch (role) {
    case LinearRole::AttnQ:
        return tr("Attention query projection");
    case LinearRole::AttnK:
        return tr("Attention key projection");
    case LinearRole::AttnV:
        return tr("Attention value projection");
    case LinearRole::AttnO:
        return tr("Attention output projection");
    case LinearRole::AttnQA:
        return tr("Attention query down-projection (latent attention)");
    case LinearRole::AttnQB:
        return tr("Attention query up-projection (latent attention)");
    case LinearRole::AttnKvA:
        return tr("Attention key/value down-projection (latent attention)");
    case LinearRole::AttnKvB:
        return tr("Attention key/value up-projection (latent attention)");
    case LinearRole::LinAttnQkv:
        return tr("Linear attention query/key/value input projection");
    case LinearRole::LinAttnZ:
        return tr("Linear attention output-gate input projection");
    case LinearRole::LinAttnA:
        return tr("Linear attention decay input projection");
    case LinearRole::LinAttnB:
        return tr("Linear attention write-strength input projection");
    case LinearRole::LinAttnOut:
        return tr("Linear attention output projection");
    default:
        return {};
    }
}

QString DisplayText::feedForwardRoleDescription(core::LinearRole role)
{
    using core::LinearRole;
    switch (role) {
    case LinearRole::MlpGate:
        return tr("MLP gate projection");
    case LinearRole::MlpUp:
        return tr("MLP up projection");
    case LinearRole::MlpDown:
        return tr("MLP down projection");
    case LinearRole::ExpertGate:
        return tr("Routed expert gate projection");
    case LinearRole::ExpertUp:
        return tr("Routed expert up projection");
    case LinearRole::ExpertDown:
        return tr("Routed expert down projection");
    case LinearRole::SharedGate:
        return tr("Shared expert gate projection");
    case LinearRole::SharedUp:
        return tr("Shared expert up projection");
    case LinearRole::SharedDown:
        return tr("Shared expert down projection");
    case LinearRole::MtpProj:
        return tr("Multi-token prediction input projection");
    default:
        return {};
    }
}

QString DisplayText::kindName(core::TensorKind kind)
{
    switch (kind) {
    case core::TensorKind::Linear:
        return tr("Linear layers");
    case core::TensorKind::Embedding:
        return tr("Token embeddings");
    case core::TensorKind::LmHead:
        return tr("Output head");
    case core::TensorKind::Norm:
        return tr("Norms");
    case core::TensorKind::Router:
        return tr("Routers");
    case core::TensorKind::Bias:
        return tr("Biases");
    case core::TensorKind::Passthrough:
        return tr("Kept as is");
    case core::TensorKind::QuantCompanion:
        return tr("Quantization data");
    case core::TensorKind::Unknown:
        return tr("Not recognised");
    }
    return {};
}

QString DisplayText::tensorSource(core::TensorSource source)
{
    switch (source) {
    case core::TensorSource::Weights:
        return tr("Weights (read from the safetensors headers)");
    case core::TensorSource::IndexAndConfig:
        return tr("Index and config.json (no weights present; shapes derived from the config)");
    case core::TensorSource::ConfigOnly:
        return tr("config.json only (shapes derived from the config)");
    }
    return {};
}

QString DisplayText::params(quint64 n)
{
    const auto scaled = [n](double unit) { return static_cast<double>(n) / unit; };
    if (n >= 1'000'000'000U) {
        return tr("%L1 B", "billions of parameters").arg(scaled(1e9), 0, 'f', 2);
    }
    if (n >= 1'000'000U) {
        return tr("%L1 M", "millions of parameters").arg(scaled(1e6), 0, 'f', 1);
    }
    if (n >= 10'000U) {
        return tr("%L1 k", "thousands of parameters").arg(scaled(1e3), 0, 'f', 1);
    }
    return count(n);
}

QString DisplayText::bytes(quint64 n)
{
    return QLocale().formattedDataSize(static_cast<qint64>(n), 1, QLocale::DataSizeSIFormat);
}

QString DisplayText::count(quint64 n)
{
    return QLocale().toString(n);
}

QString DisplayText::duration(qint64 ms)
{
    const qint64 s = (ms + 500) / 1000;
    return s >= 60 ? tr("%1 min %2 s").arg(s / 60).arg(s % 60) : tr("%1 s").arg(s);
}

}  // namespace pq::widgets
