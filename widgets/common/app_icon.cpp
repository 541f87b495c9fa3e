// SPDX-License-Identifier: MIT
#include "widgets/common/app_icon.h"

#include <QString>

namespace pq::widgets {

QIcon appIcon()
{
    QIcon icon(QStringLiteral(":/icons/prismaquant.svg"));
    for (const int size : {16, 24, 32, 48, 64, 128, 256}) {
        icon.addFile(QStringLiteral(":/icons/png/prismaquant-%1.png").arg(size), QSize(size, size));
    }
    return icon;
}

}  // namespace pq::widgets
