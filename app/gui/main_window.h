// SPDX-License-Identifier: MIT
#pragma once

#include <QMainWindow>
#include <QString>

class QAction;
class QLabel;

namespace pq::widgets {
class ModelView;
}

namespace pq::gui {

class RecentMenu;

/**
 * PrismaQuant Studio's main window. For now it hosts the Model view; the File menu opens model
 * folders (dialog or recent list), and the window's geometry is kept in QSettings.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    /** Opens `dir` in the Model view (asynchronously; errors are shown in the view). */
    void openModelDirectory(const QString &dir);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setupCentralView();
    void setupActions();
    void setupMenus();
    void setupStatusBar();
    void restoreWindowState();
    void saveWindowState() const;

    void chooseModelDirectory();
    void showAbout();
    void onLoadStarted(const QString &dir);
    void onModelLoaded(const QString &dir);
    void onLoadFailed(const QString &dir);

    widgets::ModelView *m_view = nullptr;
    RecentMenu *m_recent = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QLabel *m_modelStatus = nullptr;
};

}  // namespace pq::gui
