// SPDX-License-Identifier: MIT
#pragma once

#include <QMenu>
#include <QString>
#include <QStringList>

namespace pq::gui {

/**
 * File ▸ Open Recent: the last MAX_ENTRIES folders (model folders or run directories) opened
 * successfully, newest first, kept in QSettings under SETTINGS_KEY. Disabled while empty. The
 * welcome page lists the same folders (directoriesChanged()).
 */
class RecentMenu : public QMenu
{
    Q_OBJECT

public:
    static constexpr int MAX_ENTRIES = 5;
    static constexpr const char *SETTINGS_KEY = "recent/modelDirectories";

    explicit RecentMenu(QWidget *parent = nullptr);

    /** Puts `dir` first (removing an older entry for it), trims the list and saves it. */
    void addDirectory(const QString &dir);

    const QStringList &directories() const { return m_dirs; }

Q_SIGNALS:
    void directoryTriggered(const QString &dir);
    /** directories() changed: a folder was added, or the list was cleared. */
    void directoriesChanged();

private:
    void rebuild();
    void clearDirectories();
    void save() const;

    QStringList m_dirs;
};

}  // namespace pq::gui
