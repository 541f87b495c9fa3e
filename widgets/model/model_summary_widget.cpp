// SPDX-License-Identifier: MIT
#include "widgets/model/model_summary_widget.h"

#include <map>

#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QVBoxLayout>

#include "core/io/dtype.h"
#include "widgets/model/display_text.h"

namespace pq::widgets {
namespace {

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QLabel *valueLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QFont scaledFont(QFont font, double factor, bool bold)
{
    font.setPointSizeF(font.pointSizeF() * factor);
    font.setBold(bold);
    return font;
}

}  // namespace

ModelSummaryWidget::ModelSummaryWidget(QWidget *parent)
    : QWidget(parent)
{
    setupUi();
    clear();
}

void ModelSummaryWidget::setupUi()
{
    setAccessibleName(tr("Model summary"));
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setFont(scaledFont(font(), 1.4, true));
    m_title->setTextFormat(Qt::PlainText);
    m_path = valueLabel(this);
    m_path->setAccessibleName(tr("Model folder"));
    m_fallback = valueLabel(this);
    m_fallback->setAccessibleName(tr("Profile warning"));
    m_fallback->setFrameShape(QFrame::StyledPanel);
    m_fallback->setMargin(6);
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    addField(m_form, Field::Architecture, tr("Architecture:"));
    addField(m_form, Field::Layers, tr("Layers:"));
    addField(m_form, Field::Profile, tr("Profile:"));
    addField(m_form, Field::Source, tr("Tensors from:"));
    addField(m_form, Field::Parameters, tr("Parameters:"));
    addField(m_form, Field::Linears, tr("Linears:"));
    addField(m_form, Field::Experts, tr("Experts (MoE):"));
    addField(m_form, Field::Mtp, tr("MTP:"));
    addField(m_form, Field::Passthrough, tr("Vision and audio:"));
    m_form->addRow(tr("Status:"), createStatusField());
    layout->addWidget(m_title);
    layout->addWidget(m_path);
    layout->addWidget(m_fallback);
    layout->addLayout(m_form);
    layout->addWidget(createKindsBox());
    layout->addWidget(createWarningsBox());
    layout->addStretch(1);
}

void ModelSummaryWidget::addField(QFormLayout *form, Field field, const QString &label)
{
    QLabel *value = valueLabel(this);
    value->setAccessibleName(QString(label).remove(QLatin1Char(':')));
    m_values[static_cast<std::size_t>(field)] = value;
    form->addRow(label, value);
}

QWidget *ModelSummaryWidget::createStatusField()
{
    auto *box = new QWidget(this);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    m_statusIcon = new QLabel(box);
    m_statusIcon->setAlignment(Qt::AlignTop);
    QLabel *value = valueLabel(box);
    value->setAccessibleName(tr("Status"));
    m_values[static_cast<std::size_t>(Field::Status)] = value;
    row->addWidget(m_statusIcon);
    row->addWidget(value, 1);
    return box;
}

QGroupBox *ModelSummaryWidget::createKindsBox()
{
    m_kindsBox = new QGroupBox(tr("Parameters and bytes by kind"), this);
    m_kinds = new QGridLayout(m_kindsBox);
    m_kinds->setColumnStretch(0, 1);
    m_kinds->setHorizontalSpacing(12);
    return m_kindsBox;
}

QGroupBox *ModelSummaryWidget::createWarningsBox()
{
    m_warningsBox = new QGroupBox(tr("Warnings"), this);
    auto *layout = new QVBoxLayout(m_warningsBox);
    m_warnings = valueLabel(m_warningsBox);
    m_warnings->setAccessibleName(tr("Warnings"));
    layout->addWidget(m_warnings);
    return m_warningsBox;
}

void ModelSummaryWidget::setField(Field field, const QString &text)
{
    m_values[static_cast<std::size_t>(field)]->setText(text);
}

QString ModelSummaryWidget::text(Field field) const
{
    return m_values[static_cast<std::size_t>(field)]->text();
}

void ModelSummaryWidget::clear()
{
    m_title->setText(tr("No model"));
    m_path->clear();
    m_fallback->hide();
    for (QLabel *value : m_values) {
        value->clear();
    }
    m_statusIcon->clear();
    m_kindsBox->hide();
    m_warningsBox->hide();
    m_warningList.clear();
    m_verdict = Verdict::Ready;
}

void ModelSummaryWidget::setInventory(const core::ModelInventory &inventory,
                                      const QString &modelDir)
{
    clear();
    const QString name = QFileInfo(modelDir).fileName();
    m_title->setText(name.isEmpty() ? modelDir : name);
    m_path->setText(modelDir);
    showIdentity(inventory);
    showSizes(inventory);
    showStructure(inventory);
    showStatus(inventory);
    showKinds(inventory);
    showWarnings(inventory);
}

void ModelSummaryWidget::showIdentity(const core::ModelInventory &inventory)
{
    const core::ModelConfig &config = inventory.config;
    const QString arch =
            config.architectures.empty() ? tr("unknown") : fromStd(config.architectures.front());
    QString identity = tr("%1 (model type %2)").arg(arch, fromStd(config.modelType));
    if (config.multimodal) {
        identity += QLatin1Char('\n') +
                    tr("Multimodal; language model type %1").arg(fromStd(config.textModelType));
    }
    setField(Field::Architecture, identity);
    setField(Field::Layers, layersText(config));
    const QString probe = inventory.profile->hasForward ? tr("sensitivity probe available")
                                                        : tr("sensitivity probe not available yet");
    setField(Field::Profile, tr("%1 (%2)").arg(fromStd(inventory.profile->name), probe));
    m_fallback->setVisible(inventory.genericFallback);
    m_fallback->setText(
            tr("Generic fallback: no profile knows this architecture, so Llama-style tensor names "
               "are assumed. Check the status and the warnings before relying on this model."));
    setField(Field::Source, DisplayText::tensorSource(inventory.source));
}

void ModelSummaryWidget::showSizes(const core::ModelInventory &inventory)
{
    const core::RoleTotals all = inventory.totals();
    setField(Field::Parameters,
             tr("%1 in %2 tensors · %3 · Linears stored as %4")
                     .arg(DisplayText::params(all.params), DisplayText::count(all.tensors),
                          DisplayText::bytes(all.bytes), fromStd(inventory.sourceDtypeName())));
    setField(Field::Linears, tr("%1 (fused groups: %2) · %3 parameters · %4")
                                     .arg(DisplayText::count(inventory.linears.size()),
                                          DisplayText::count(inventory.groups.size()),
                                          DisplayText::params(inventory.linearParams()),
                                          DisplayText::bytes(inventory.linearSourceBytes())));
}

void ModelSummaryWidget::showStructure(const core::ModelInventory &inventory)
{
    setField(Field::Experts, expertsText(inventory.config));
    setField(Field::Mtp, mtpText(inventory));
    setField(Field::Passthrough, passthroughText(inventory));
}

void ModelSummaryWidget::showStatus(const core::ModelInventory &inventory)
{
    const StatusText status = statusText(inventory);
    m_verdict = status.verdict;
    setField(Field::Status, status.text);
    const QStyle::StandardPixmap pixmap =
            status.verdict == Verdict::Ready     ? QStyle::SP_DialogApplyButton
            : status.verdict == Verdict::Blocked ? QStyle::SP_MessageBoxWarning
                                                 : QStyle::SP_MessageBoxCritical;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_statusIcon->setPixmap(style()->standardIcon(pixmap, nullptr, this).pixmap(size, size));
}

void ModelSummaryWidget::showKinds(const core::ModelInventory &inventory)
{
    while (QLayoutItem *item = m_kinds->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    std::map<core::TensorKind, quint64> shapeless;
    for (const core::ClassifiedTensor &t : inventory.tensors) {
        shapeless[t.kind] += t.shapeKnown ? 0 : 1;
    }
    addKindRow(0, tr("Kind"), {tr("Tensors"), tr("Params"), tr("Bytes")}, true);
    int row = 1;
    for (const auto &[kind, totals] : inventory.totalsByKind()) {
        const bool unknown = shapeless[kind] == totals.tensors;
        const QString unknownText = tr("unknown", "size not known without weights");
        addKindRow(row++, DisplayText::kindName(kind),
                   {DisplayText::count(totals.tensors),
                    unknown ? unknownText : DisplayText::params(totals.params),
                    unknown ? unknownText : DisplayText::bytes(totals.bytes)},
                   false);
    }
    const core::RoleTotals all = inventory.totals();
    addKindRow(row, tr("Total"),
               {DisplayText::count(all.tensors), DisplayText::params(all.params),
                DisplayText::bytes(all.bytes)},
               true);
    m_kindsBox->show();
}

void ModelSummaryWidget::addKindRow(int row,
                                    const QString &kind,
                                    const QStringList &cells,
                                    bool bold)
{
    auto *name = new QLabel(kind, m_kindsBox);
    name->setFont(scaledFont(font(), 1.0, bold));
    m_kinds->addWidget(name, row, 0);
    for (int column = 0; column < cells.size(); ++column) {
        auto *cell = new QLabel(cells[column], m_kindsBox);
        cell->setFont(scaledFont(font(), 1.0, bold));
        cell->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_kinds->addWidget(cell, row, column + 1);
    }
}

void ModelSummaryWidget::showWarnings(const core::ModelInventory &inventory)
{
    // The engine's warnings are English sentences, not codes; they are shown as they come.
    for (const std::string &warning : inventory.warnings) {
        m_warningList.append(fromStd(warning));
    }
    QStringList bullets;
    for (const QString &warning : m_warningList) {
        bullets.append(QStringLiteral("\u2022 ") + warning);
    }
    m_warnings->setText(bullets.join(QLatin1Char('\n')));
    m_warningsBox->setVisible(!m_warningList.isEmpty());
}

QString ModelSummaryWidget::layersText(const core::ModelConfig &config)
{
    QString text = tr("%1 decoder layers · hidden size %2 · "
                      "%3 attention heads, %4 key/value heads")
                           .arg(config.numLayers)
                           .arg(config.hiddenSize)
                           .arg(config.numHeads)
                           .arg(config.numKvHeads);
    if (config.mla) {
        text += QLatin1Char('\n') + tr("Multi-head latent attention (MLA)");
    } else if (config.linearAttention) {
        std::int64_t linear = 0;
        for (std::int64_t layer = 0; layer < config.numLayers; ++layer) {
            linear += config.layerType(layer) == "linear_attention" ? 1 : 0;
        }
        text += QLatin1Char('\n') +
                tr("Hybrid attention: %1 linear-attention and %2 full-attention layers")
                        .arg(linear)
                        .arg(config.numLayers - linear);
    }
    return text;
}

QString ModelSummaryWidget::expertsText(const core::ModelConfig &config)
{
    if (!config.moe) {
        return tr("None (dense model)");
    }
    const core::MoeConfig &moe = *config.moe;
    std::int64_t moeLayers = 0;
    for (std::int64_t layer = 0; layer < config.numLayers; ++layer) {
        moeLayers += config.isMoeLayer(layer) ? 1 : 0;
    }
    QString text = tr("%1 routed experts, %2 active per token, expert width %3")
                           .arg(moe.numExperts)
                           .arg(moe.expertsPerToken)
                           .arg(moe.expertIntermediateSize);
    if (moe.numSharedExperts > 0) {
        text += QStringLiteral(" · ") + tr("shared experts: %1").arg(moe.numSharedExperts);
    }
    text += QLatin1Char('\n') +
            tr("Experts in %1 of %2 layers").arg(moeLayers).arg(config.numLayers);
    return text;
}

QString ModelSummaryWidget::mtpText(const core::ModelInventory &inventory)
{
    const auto blocks = inventory.config.mtpLayers;
    const auto tensors = static_cast<qulonglong>(inventory.mtpTensors());
    if (blocks == 0 && tensors == 0) {
        return tr("None");
    }
    if (tensors == 0) {
        return tr("Declared in config.json (blocks: %1), but the checkpoint has no MTP tensors")
                .arg(blocks);
    }
    return tr("blocks: %1 · tensors: %2").arg(blocks).arg(tensors);
}

QString ModelSummaryWidget::passthroughText(const core::ModelInventory &inventory)
{
    using core::Section;
    QStringList parts;
    const auto add = [&](Section section, const QString &text) {
        const auto n = static_cast<int>(inventory.passthroughTensors(section));
        if (n > 0) {
            parts.append(text.arg(n));
        }
    };
    add(Section::Vision, tr("vision tower: %1 tensors"));
    add(Section::Audio, tr("audio tower: %1 tensors"));
    add(Section::Projector, tr("multimodal projector: %1 tensors"));
    if (parts.isEmpty() && (inventory.config.hasVision || inventory.config.hasAudio)) {
        return tr("A vision or audio tower is declared in config.json, but its tensors are only "
                  "listed when the weights or the index are present.");
    }
    if (parts.isEmpty()) {
        return tr("None (text-only model)");
    }
    return parts.join(QStringLiteral(" · ")) + QLatin1Char('\n') +
           tr("These stay in their source precision.");
}

ModelSummaryWidget::StatusText ModelSummaryWidget::statusText(const core::ModelInventory &inventory)
{
    const auto companions = inventory.quantCompanions();
    if (!inventory.config.quantMethod.empty() || !companions.empty()) {
        const QString found = !inventory.config.quantMethod.empty()
                                      ? tr("quantization_config \"%1\"")
                                                .arg(fromStd(inventory.config.quantMethod))
                                      : tr("quantization tensors such as %1 (%2 in all)")
                                                .arg(fromStd(companions.front()),
                                                     DisplayText::count(companions.size()));
        return {Verdict::Refused,
                tr("Refused: this checkpoint is already quantized (found %1). Quantizing it again "
                   "would compound the rounding errors; start from the original BF16 or FP16 "
                   "release of the model instead.")
                        .arg(found)};
    }
    const auto unknown = inventory.unclassified();
    if (!unknown.empty()) {
        return {Verdict::Blocked,
                tr("Tensors not recognised by the profile %1: %2 (the first is %3). The model "
                   "cannot be quantized until every tensor is classified.")
                        .arg(fromStd(inventory.profile->name), DisplayText::count(unknown.size()),
                             fromStd(unknown.front()))};
    }
    for (const core::LinearInfo &linear : inventory.linears) {
        if (!core::isDenseFloat(linear.sourceDtype)) {
            return {Verdict::Blocked,
                    tr("The Linear weights are stored as %1; only F32, F16 and BF16 weights can "
                       "be quantized.")
                            .arg(fromStd(core::dtypeName(linear.sourceDtype)))};
        }
    }
    return {Verdict::Ready, tr("Ready: every tensor is classified.")};
}

QString ModelSummaryWidget::toPlainText() const
{
    QStringList lines{m_title->text(), m_path->text()};
    for (std::size_t i = 0; i < m_values.size(); ++i) {
        // The status value sits in a row widget together with its icon.
        QWidget *field = i == static_cast<std::size_t>(Field::Status) ? m_values[i]->parentWidget()
                                                                      : m_values[i];
        if (const auto *label = qobject_cast<QLabel *>(m_form->labelForField(field))) {
            lines.append(label->text() + QLatin1Char(' ') + m_values[i]->text());
        }
    }
    if (m_fallback->isVisibleTo(this)) {
        lines.append(m_fallback->text());
    }
    lines.append(m_warningList);
    return lines.join(QLatin1Char('\n'));
}

}  // namespace pq::widgets
