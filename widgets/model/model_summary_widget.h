// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>

#include <QString>
#include <QStringList>
#include <QWidget>

#include "core/model/inventory.h"

class QFormLayout;
class QGridLayout;
class QGroupBox;
class QLabel;

namespace pq::widgets {

/**
 * What the engine found in a model folder, in plain words: architecture, profile, where the
 * tensor list came from, sizes by kind, Linears and fused groups, MoE, MTP, the parts kept as they
 * are, whether the model can be quantized (and why not) and the engine's warnings.
 * GUI thread only; it copies what it shows and keeps no reference to the inventory.
 */
class ModelSummaryWidget : public QWidget
{
    Q_OBJECT

public:
    enum class Field : std::uint8_t
    {
        Architecture,
        Layers,
        Profile,
        Source,
        Parameters,
        Linears,
        Experts,
        Mtp,
        Passthrough,
        Status,
    };
    static constexpr int FIELD_COUNT = 10;

    /** How the model stands with respect to quantization. */
    enum class Verdict : std::uint8_t
    {
        Ready,    ///< every tensor classified, dense float Linears
        Blocked,  ///< tensors the profile does not know, or Linears in an unusable dtype
        Refused,  ///< already quantized
    };

    explicit ModelSummaryWidget(QWidget *parent = nullptr);

    void setInventory(const core::ModelInventory &inventory, const QString &modelDir);
    void clear();

    /** The text shown for `field` (empty before setInventory()). */
    QString text(Field field) const;

    Verdict verdict() const { return m_verdict; }

    /** The engine's warnings, as shown. */
    const QStringList &warnings() const { return m_warningList; }

    /** Everything shown, as "Label: value" lines, for copying into a bug report. */
    QString toPlainText() const;

private:
    struct StatusText
    {
        Verdict verdict = Verdict::Ready;
        QString text;
    };

    void setupUi();
    QWidget *createStatusField();
    QGroupBox *createKindsBox();
    QGroupBox *createWarningsBox();
    void addField(QFormLayout *form, Field field, const QString &label);
    void setField(Field field, const QString &text);

    void showIdentity(const core::ModelInventory &inventory);
    void showSizes(const core::ModelInventory &inventory);
    void showStructure(const core::ModelInventory &inventory);
    void showStatus(const core::ModelInventory &inventory);
    void showKinds(const core::ModelInventory &inventory);
    void showWarnings(const core::ModelInventory &inventory);
    void addKindRow(int row, const QString &kind, const QStringList &cells, bool bold);

    static QString layersText(const core::ModelConfig &config);
    static QString expertsText(const core::ModelConfig &config);
    static QString mtpText(const core::ModelInventory &inventory);
    static QString passthroughText(const core::ModelInventory &inventory);
    static StatusText statusText(const core::ModelInventory &inventory);

    QLabel *m_title = nullptr;
    QLabel *m_path = nullptr;
    QLabel *m_fallback = nullptr;
    QLabel *m_statusIcon = nullptr;
    QFormLayout *m_form = nullptr;
    std::array<QLabel *, FIELD_COUNT> m_values{};
    QGroupBox *m_kindsBox = nullptr;
    QGridLayout *m_kinds = nullptr;
    QGroupBox *m_warningsBox = nullptr;
    QLabel *m_warnings = nullptr;
    QStringList m_warningList;
    Verdict m_verdict = Verdict::Ready;
};

}  // namespace pq::widgets
