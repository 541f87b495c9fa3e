// SPDX-License-Identifier: MIT
#pragma once

#include <array>

#include <QLocale>
#include <QSettings>
#include <QString>

class QCoreApplication;

namespace pq::gui {

/**
 * QSettings key of the language chosen in View ▸ Language: a locale name of UI_LANGUAGES, or
 * empty (or absent) for the system's language.
 */
inline constexpr const char *LANGUAGE_KEY = "ui/language";

/** A language the Studio can be shown in. */
struct UiLanguage
{
    const char *code;        ///< the locale name stored under LANGUAGE_KEY
    const char *nativeName;  ///< UTF-8, in the language itself, so that its speakers find it
};

/** The languages of View ▸ Language: English (the source strings) and those with a catalogue. */
inline constexpr std::array<UiLanguage, 3> UI_LANGUAGES{{
        {"en", "English"},
        {"de", "Deutsch"},
        {"zh_CN", "\xE7\xAE\x80\xE4\xBD\x93\xE4\xB8\xAD\xE6\x96\x87"},  // 简体中文
}};

/**
 * The language stored under LANGUAGE_KEY when it is one of UI_LANGUAGES, else empty (the
 * system's; a hand-edited setting is ignored the same way).
 */
inline QString chosenLanguage()
{
    const QString code = QSettings().value(QLatin1String(LANGUAGE_KEY)).toString();
    for (const UiLanguage &language : UI_LANGUAGES) {
        if (code == QLatin1String(language.code)) {
            return code;
        }
    }
    return {};
}

/**
 * The locale whose catalogues installTranslators() loads: chosenLanguage(), else the system
 * locale (LANG/LC_*). Inline, like the two above, so that the main window and its test need
 * nothing but this header.
 */
inline QLocale translationLocale()
{
    const QString code = chosenLanguage();
    return code.isEmpty() ? QLocale::system() : QLocale(code);
}

/**
 * Installs the translations for translationLocale(): Qt's own qtbase_<lang> catalogue from Qt's
 * translations folder first, then PrismaQuant's from the resources (":/i18n",
 * prismaquant_<lang>.qm). A language without a catalogue leaves the English source strings.
 * The translators are children of `app`. Call once, after the application's organisation and
 * name are set (they locate QSettings) and before any window is created: the widgets translate
 * their texts once, when they are built.
 */
void installTranslators(QCoreApplication &app);

}  // namespace pq::gui
