// SPDX-License-Identifier: MIT
#include "app/gui/recent_menu.h"

#include <QAction>
#include <QDir>
#include <QSettings>

namespace pq::gui {

RecentMenu::RecentMenu(QWidget *parent)
    : QMenu(tr("Open &Recent"), parent)
{
    m_dirs = QSettings().value(QLatin1String(SETTINGS_KEY)).toStringList();
    while (m_dirs.size() > MAX_ENTRIES) {
        m_dirs.removeLast();
    }
    rebuild();
}

void RecentMenu::addDirectory(const QString &dir)
{
    m_dirs.removeAll(dir);
    m_dirs.prepend(dir);
    while (m_dirs.size() > MAX_ENTRIES) {
        m_dirs.removeLast();
    }
    save();
    rebuild();
    Q_EMIT directoriesChanged();
}

void RecentMenu::rebuild()
{
    clear();
    for (int i = 0; i < m_dirs.size(); ++i) {
        const QString dir = m_dirs[i];
        QString shown = QDir::toNativeSeparators(dir);
        shown.replace(QLatin1Char('&'), QLatin1String("&&"));
        QAction *action = addAction(tr("&%1 %2").arg(i + 1).arg(shown));
        connect(action, &QAction::triggered, this, [this, dir] { Q_EMIT directoryTriggered(dir); });
    }
    addSeparator();
    QAction *clearAction = addAction(tr("&Clear Menu"));
    connect(clearAction, &QAction::triggered, this, &RecentMenu::clearDirectories);
    menuAction()->setEnabled(!m_dirs.isEmpty());
}

void RecentMenu::clearDirectories()
{
    m_dirs.clear();
    save();
    rebuild();
    Q_EMIT directoriesChanged();
}

void RecentMenu::save() const
{
    QSettings().setValue(QLatin1String(SETTINGS_KEY), m_dirs);
}

}  // namespace pq::gui
