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
#include "widgets/sensitivity/weight_histogram_view.h"

namespace {

/**
 * --screenshots DIR: once the run is shown, saves every tab of the window as DIR/<n>-<tab>.png
 * and quits (scripts/screenshots renders the demo run this way for the docs). The welcome page,
 * shown before anything is opened, is saved first as DIR/0-welcome.png.
 */
void saveTabs(pq::gui::MainWindow &window, const QString &dir)
{
    auto *tabs = window.findChild<QTabWidget *>();
    QDir().mkpath(dir);
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        if (QLayout *layout = tabs->currentWidget()->layout()) {
            layout->activate();  // lay the page out now, not on the next event
        }
        const QString name = tabs->tabText(i).remove(QLatin1Char('&')).toLower();
        window.grab().save(QStringLiteral("%1/%2-%3.png").arg(dir).arg(i + 1).arg(name));
    }
    QCoreApplication::quit();
}

void saveScreenshotsWhenReady(pq::gui::MainWindow &window, const QString &dir)
{
    QObject::connect(
            window.document(), &pq::widgets::RunDocument::allocationChanged, &window,
            [&window, dir] {
                // a selected cell, so that the Sensitivity tab shows its detail panel; its
                // weight histogram is read in the background: the pictures wait for it
                auto *histogram = window.findChild<pq::widgets::WeightHistogramView *>();
                if (histogram != nullptr) {
                    const auto save = [&window, dir] { saveTabs(window, dir); };
                    QObject::connect(histogram, &pq::widgets::WeightHistogramView::histogramShown,
                                     &window, save, Qt::SingleShotConnection);
                    QObject::connect(histogram, &pq::widgets::WeightHistogramView::histogramFailed,
                                     &window, save, Qt::SingleShotConnection);
                }
                if (auto *heatmap = window.findChild<pq::widgets::SensitivityHeatmap *>()) {
                    heatmap->setSelectedCell(0, heatmap->data().columnCount() - 1);
                }
                if (histogram == nullptr) {
                    saveTabs(window, dir);
                }
            },
            static_cast<Qt::ConnectionType>(Qt::QueuedConnection | Qt::SingleShotConnection));
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
    QApplication::setDesktopFileName(QStringLiteral("org.prismaquant.Studio"));  // packaging/linux
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
    if (parser.isSet(screenshots)) {
        // the welcome page once the window is laid out, then the run
        const QString dir = parser.value(screenshots);
        QTimer::singleShot(0, &window, [&window, dir, args] {
            QDir().mkpath(dir);
            window.grab().save(dir + QStringLiteral("/0-welcome.png"));
            if (!args.isEmpty()) {
                window.openModelDirectory(args.first());
            }
        });
    } else if (!args.isEmpty()) {
        window.openModelDirectory(args.first());
    }
    return QApplication::exec();
}
