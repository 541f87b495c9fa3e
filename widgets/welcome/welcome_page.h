// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

class QCommandLinkButton;
class QLabel;
class QVBoxLayout;

namespace pq::widgets {

/**
 * The Studio's first page, shown while no model or run is open (UI.md): what the Studio does,
 * in one paragraph for newcomers, then the ways in — the bundled demo model, a model folder, a
 * run folder of the command line, and the folders opened recently. The page only asks (its
 * signals); the main window opens. GUI thread only.
 */
class WelcomePage : public QWidget
{
    Q_OBJECT

public:
    explicit WelcomePage(QWidget *parent = nullptr);

    /**
     * The bundled demo model's folder. Empty when this installation has none: the button is
     * then disabled and says why.
     */
    void setDemoDirectory(const QString &dir);

    QString demoDirectory() const { return m_demoDir; }

    /** The recent folders (model folders or run directories), newest first, one button each. */
    void setRecentDirectories(const QStringList &dirs);

    QCommandLinkButton *demoButton() const { return m_demoButton; }

    QCommandLinkButton *openModelButton() const { return m_openModelButton; }

    QCommandLinkButton *openRunButton() const { return m_openRunButton; }

    /** The recent folders' buttons, in the order of setRecentDirectories(). */
    QList<QCommandLinkButton *> recentButtons() const { return m_recentButtons; }

Q_SIGNALS:
    /** Open this folder: the demo model, or a recent model folder or run directory. */
    void directoryRequested(const QString &dir);
    /** The user wants to choose a model folder. */
    void openModelRequested();
    /** The user wants to choose a run directory. */
    void openRunRequested();

private:
    void setupUi();
    QWidget *createIntro(QWidget *parent);
    QWidget *createActions(QWidget *parent);
    QWidget *createRecent(QWidget *parent);

    QString m_demoDir;
    QCommandLinkButton *m_demoButton = nullptr;
    QCommandLinkButton *m_openModelButton = nullptr;
    QCommandLinkButton *m_openRunButton = nullptr;
    QVBoxLayout *m_recentLayout = nullptr;
    QLabel *m_noRecent = nullptr;
    QList<QCommandLinkButton *> m_recentButtons;
};

}  // namespace pq::widgets
