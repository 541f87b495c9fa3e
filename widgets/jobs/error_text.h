// SPDX-License-Identifier: MIT
#pragma once

#include <QCoreApplication>
#include <QString>

#include "core/util/error.h"

namespace pq::widgets {

/**
 * The one place where engine error codes become words (house style 7.3): core keeps English
 * detail for logs, the GUI shows a translated sentence per code with that detail beside it.
 */
class ErrorText
{
    Q_DECLARE_TR_FUNCTIONS(pq::widgets::ErrorText)

public:
    /** One plain sentence saying what kind of problem happened. */
    static QString summary(core::ErrorCode code);
    /** As above for a code carried as int through a signal; unknown values get a generic text. */
    static QString summary(int code);
};

}  // namespace pq::widgets
