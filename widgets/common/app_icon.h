// SPDX-License-Identifier: MIT
#pragma once

#include <QIcon>

namespace pq::widgets {

/**
 * The PrismaQuant icon from the resources (":/icons/prismaquant.svg"), with PNG renderings of
 * the same picture so that it shows even where Qt's SVG plugin (qt6-svg) is not installed.
 */
QIcon appIcon();

}  // namespace pq::widgets
