// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <vector>

#include <QDialog>

#include "core/quant/formats.h"
#include "widgets/run/run_document.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace pq::widgets {

/**
 * "Pin Matching…": one pin for every Linear whose name a pattern matches — what `prismaquant
 * allocate --pin REGEX=FORMAT` takes (an ECMAScript regex searched in the names). While the
 * pattern is typed, the dialog says how many Linears it matches (with a few of their names), and
 * refuses what the allocator would refuse for this pin: a pattern that is not a valid regex or
 * matches nothing, a format vLLM cannot load, a fused group (the pin holds all of it) with a
 * member whose shape cannot take the format, or one already pinned to another format. (Mixing two
 * 4-bit families is left to the allocator, whose refusal the Allocation tab shows.) GUI thread
 * only.
 */
class PinPatternDialog : public QDialog
{
    Q_OBJECT

public:
    /** `pattern`: the proposal the dialog opens with (e.g. the row's name, escaped). */
    PinPatternDialog(std::shared_ptr<const RunDocument::Run> run,
                     const QString &pattern,
                     QWidget *parent = nullptr);

    QString pattern() const;
    core::quant::FormatId format() const;

    /** Linears the pattern matches (0 while it is not a valid regex). */
    int matchCount() const { return m_matches; }

    /** Whether OK is enabled: a valid pattern matching Linears that can all take the format. */
    bool isAcceptable() const;

    /** The line under the pattern: the matches, or why the pin cannot be made. */
    QString statusText() const;

    QLineEdit *patternEdit() const { return m_pattern; }

    QComboBox *formatBox() const { return m_format; }

private:
    void update();
    /** Why pinning the fused groups marked in `groups` to `f` would be refused (empty: it would
     *  not). */
    QString refusal(core::quant::FormatId f, const std::vector<bool> &groups) const;

    std::shared_ptr<const RunDocument::Run> m_run;
    QLineEdit *m_pattern = nullptr;
    QComboBox *m_format = nullptr;
    QLabel *m_status = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    int m_matches = 0;
};

}  // namespace pq::widgets
