// SPDX-License-Identifier: MIT
#pragma once

class QCoreApplication;

namespace pq::gui {

/**
 * Installs the translations for the system locale (LANG/LC_*): Qt's own qtbase_<lang> catalogue
 * from Qt's translations folder first, then PrismaQuant's from the resources (":/i18n",
 * prismaquant_<lang>.qm). A language without a catalogue leaves the English source strings.
 * The translators are children of `app`. Call once, before any window is created.
 */
void installTranslators(QCoreApplication &app);

}  // namespace pq::gui
