// SPDX-License-Identifier: MIT
// The examples PrismaQuant ships (examples/ in the source tree): the demo model and its
// calibration text, so that a newcomer can go from the welcome page to an exported checkpoint
// without looking for files.
#pragma once

#include <QString>

namespace pq::widgets {

/**
 * examples/`relative` as this Studio finds it: beside an installed executable in
 * <prefix>/share/prismaquant/examples (the install rule in app/gui/CMakeLists.txt), else in the
 * source tree of a build tree. Empty when neither holds it.
 */
QString bundledExample(const QString &relative);

/** The demo model (examples/demo-llama, a folder with config.json); empty when absent. */
QString demoModelDirectory();

/** The demo's calibration text (examples/calibration/kjv.txt.gz); empty when absent. */
QString bundledCalibrationText();

}  // namespace pq::widgets
