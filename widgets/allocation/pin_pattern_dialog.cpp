// SPDX-License-Identifier: MIT
#include "widgets/allocation/pin_pattern_dialog.h"

#include <regex>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/pipeline/pins.h"
#include "core/quant/format_spec.h"

namespace pq::widgets {
namespace {

constexpr int EXAMPLES = 3;  ///< matched names shown under the pattern

QString formatName(core::quant::FormatId f)
{
    const std::string_view name = core::quant::formatInfo(f).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

}  // namespace

PinPatternDialog::PinPatternDialog(std::shared_ptr<const RunDocument::Run> run,
                                   const QString &pattern,
                                   QWidget *parent)
    : QDialog(parent)
    , m_run(std::move(run))
{
    setWindowTitle(tr("Pin Matching Linears"));
    auto *intro = new QLabel(
            tr("Every Linear whose name contains a match of the pattern gets the format, "
               "whatever the budget. The pattern is a regular expression: <code>down_proj</code> "
               "matches every down projection, <code>layers\\.(0|1)\\.</code> the first two "
               "layers."),
            this);
    intro->setWordWrap(true);
    m_pattern = new QLineEdit(pattern, this);
    m_pattern->setAccessibleName(tr("Pattern of Linear names"));
    m_format = new QComboBox(this);
    m_format->setAccessibleName(tr("Format to pin to"));
    m_format->addItem(formatName(core::quant::FormatId::BF16),
                      static_cast<int>(core::quant::FormatId::BF16));
    for (const core::quant::FormatId f : m_run->costs.report.formats) {
        if (m_format->findData(static_cast<int>(f)) < 0) {
            m_format->addItem(formatName(f), static_cast<int>(f));
        }
    }
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Pin"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("&Pattern:"), m_pattern);
    form->addRow(tr("&Format:"), m_format);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    connect(m_pattern, &QLineEdit::textChanged, this, &PinPatternDialog::update);
    connect(m_format, &QComboBox::currentIndexChanged, this, &PinPatternDialog::update);
    update();
}

QString PinPatternDialog::pattern() const
{
    return m_pattern->text();
}

core::quant::FormatId PinPatternDialog::format() const
{
    return static_cast<core::quant::FormatId>(m_format->currentData().toInt());
}

bool PinPatternDialog::isAcceptable() const
{
    return m_buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

QString PinPatternDialog::statusText() const
{
    return m_status->text();
}

void PinPatternDialog::update()
{
    m_matches = 0;
    bool ok = false;
    const std::string text = m_pattern->text().toStdString();
    std::regex re;
    try {
        re = std::regex(text, std::regex::ECMAScript);  // as the allocator reads pins
        ok = !text.empty();
    } catch (const std::regex_error &e) {
        m_status->setText(tr("Not a valid pattern: %1").arg(QString::fromLocal8Bit(e.what())));
    }
    if (!ok) {
        if (text.empty()) {
            m_status->setText(tr("Type a pattern."));
        }
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
        return;
    }
    const core::quant::FormatId f = format();
    const core::ModelInventory &inv = m_run->costs.inventory;
    QStringList examples;
    std::vector<bool> groups(inv.groups.size(), false);  // the fused groups the pin holds
    for (const core::LinearInfo &l : inv.linears) {
        if (!std::regex_search(l.name, re)) {
            continue;
        }
        ++m_matches;
        groups[l.group] = true;
        if (examples.size() < EXAMPLES) {
            examples << QString::fromStdString(l.name);
        }
    }
    m_status->setText(refusal(f, groups));
    if (m_matches == 0) {
        m_status->setText(tr("Matches no Linear."));
    } else if (m_status->text().isEmpty()) {
        m_status->setText(
                tr("Matches %n Linear(s): %1", "", m_matches)
                        .arg(examples.join(QStringLiteral(", ")) +
                             (m_matches > EXAMPLES ? QStringLiteral(", \u2026") : QString())));
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
        return;
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
}

QString PinPatternDialog::refusal(core::quant::FormatId f, const std::vector<bool> &groups) const
{
    const core::quant::FormatInfo &info = core::quant::formatInfo(f);
    if (!info.servable) {
        return tr("%1 cannot be exported: vLLM has no loader for it.").arg(formatName(f));
    }
    const core::ModelInventory &inv = m_run->costs.inventory;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        if (!groups[g]) {
            continue;
        }
        // a pin holds the whole fused group: every member must take the format
        for (const std::size_t i : inv.groups[g].linears) {
            const core::LinearInfo &l = inv.linears[i];
            if (!core::quant::checkShape(f, l.outFeatures, l.inFeatures)) {
                return tr("%1 cannot store %2 (its shape does not fit the format's groups): "
                          "narrow the pattern or pick another format.")
                        .arg(formatName(f), QString::fromStdString(l.name));
            }
            // another pin on the same group with another format: the allocator would refuse
            for (const core::pipeline::Pin &p : m_run->pins) {
                if (p.format != f && p.pattern != m_pattern->text().toStdString() &&
                    core::pipeline::pinMatches(p.pattern, l.name)) {
                    return tr("%1 is pinned to %2 already (pin %3): remove that pin first.")
                            .arg(QString::fromStdString(l.name), formatName(p.format),
                                 QString::fromStdString(p.pattern));
                }
            }
        }
    }
    return {};
}

}  // namespace pq::widgets
