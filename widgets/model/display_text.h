// SPDX-License-Identifier: MIT
#pragma once

#include <QCoreApplication>
#include <QString>

#include "core/model/inventory.h"
#include "core/model/tensor_role.h"

namespace pq::widgets {

/**
 * Translated names and locale-aware numbers for the model views. Core's names (linearRoleName,
 * tensorKindName) are stable identifiers for JSON and stay untranslated where they serve as
 * identifiers (the Role column); these are the words shown around them.
 */
class DisplayText
{
    Q_DECLARE_TR_FUNCTIONS(pq::widgets::DisplayText)

public:
    /** One sentence describing a Linear role, e.g. "Attention query projection". */
    static QString roleDescription(core::LinearRole role);
    /** A tensor kind in plain words, e.g. "Norm" or "Kept as is". */
    static QString kindName(core::TensorKind kind);
    /** Where the tensor list came from, in plain words. */
    static QString tensorSource(core::TensorSource source);
    /** A parameter count, abbreviated: "34.47 B", "612.4 M", "92.2 k", "640". */
    static QString params(quint64 n);
    /** A byte size in decimal units, as disks and model cards count: "68.9 GB". */
    static QString bytes(quint64 n);
    /** An exact count with the locale's digit grouping: "31,806". */
    static QString count(quint64 n);
    /** A duration, rounded to the second: "1 min 20 s", "45 s". */
    static QString duration(qint64 ms);

private:
    static QString attentionRoleDescription(core::LinearRole role);
    static QString feedForwardRoleDescription(core::LinearRole role);
};

}  // namespace pq::widgets
