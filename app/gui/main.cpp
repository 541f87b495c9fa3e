// SPDX-License-Identifier: MIT
// prismaquant-studio: the desktop application. Parses the command line, installs translations
// and shows the main window; everything else lives in widgets/.
#include <QApplication>
#include <QCommandLineParser>

#include "app/gui/language.h"
#include "app/gui/main_window.h"
#include "widgets/common/app_icon.h"

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
            QCoreApplication::translate("main", "Model folder to open (the one with config.json)."),
            QStringLiteral("[model-dir]"));
    parser.process(app);

    pq::gui::MainWindow window;
    window.show();
    const QStringList args = parser.positionalArguments();
    if (!args.isEmpty()) {
        window.openModelDirectory(args.first());
    }
    return QApplication::exec();
}
