// SPDX-License-Identifier: MIT
// prismaquant-studio: the desktop application. Parses the command line, installs translations
// and shows the main window; everything else lives in widgets/.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLayout>
#include <QTabWidget>
#include <QTimer>

#include "app/gui/language.h"
#include "app/gui/main_window.h"
#include "widgets/common/app_icon.h"
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"

namespace {

/**
 * --screenshots DIR: once the run is shown, saves every tab of the window as DIR/<n>-<tab>.png
 * and quits (scripts/screenshots renders the demo run this way for the docs).
 */
void saveScreenshotsWhenReady(pq::gui::MainWindow &window, const QString &dir)
{
    QObject::connect(
            window.document(), &pq::widgets::RunDocument::allocationChanged, &window,
            [&window, dir] {
                auto *tabs = window.findChild<QTabWidget *>();
                QDir().mkpath(dir);
                // a selected cell, so that the Sensitivity tab shows its detail panel
                if (auto *heatmap = window.findChild<pq::widgets::SensitivityHeatmap *>()) {
                    heatmap->setSelectedCell(0, heatmap->data().columnCount() - 1);
                }
                for (int i = 0; i < tabs->count(); ++i) {
                    tabs->setCurrentIndex(i);
                    if (QLayout *layout = tabs->currentWidget()->layout()) {
                        layout->activate();  // lay the page out now, not on the next event
                    }
                    const QString name = tabs->tabText(i).remove(QLatin1Char('&')).toLower();
                    window.grab().save(
                            QStringLiteral("%1/%2-%3.png").arg(dir).arg(i + 1).arg(name));
                }
                QCoreApplication::quit();
            },
            Qt::QueuedConnection);
    QObject::connect(window.document(), &pq::widgets::RunDocument::loadFailed, &window,
                     [] { QCoreApplication::exit(2); });
}

}  // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("PrismaQuant"));
    QApplication::setApplicationName(QStringLiteral("PrismaQuant Studio"));
    QApplication::setApplicationVersion(QStringLiteral(PQ_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("prismaquant-studio"));
    QApplication::setWindowIcon(pq::widgets::appIcon());
    pq::gui::installTranslators(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
            "main", "PrismaQuant Studio: mixed-precision quantization of large language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
            QStringLiteral("model-dir"),
            QCoreApplication::translate("main", "Model folder to open (the one with config.json), "
                                                "or a run directory of the prismaquant command "
                                                "line."),
            QStringLiteral("[model-dir]"));
    const QCommandLineOption screenshots(
            QStringLiteral("screenshots"),
            QCoreApplication::translate("main", "Save every view of the run as PNG into the "
                                                "folder, then quit."),
            QStringLiteral("folder"));
    parser.addOption(screenshots);
    parser.process(app);

    pq::gui::MainWindow window;
    if (parser.isSet(screenshots)) {
        window.resize(1280, 800);
        saveScreenshotsWhenReady(window, parser.value(screenshots));
    }
    window.show();
    const QStringList args = parser.positionalArguments();
    if (!args.isEmpty()) {
        window.openModelDirectory(args.first());
    }
    return QApplication::exec();
}
