// SPDX-License-Identifier: MIT
#include "widgets/common/bundled_examples.h"

#include <utility>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>

namespace pq::widgets {

QString bundledExample(const QString &relative)
{
    // installed: <prefix>/bin/prismaquant-studio beside <prefix>/share/prismaquant/examples
    QStringList roots{QCoreApplication::applicationDirPath() +
                      QLatin1String("/../share/prismaquant/examples")};
#ifdef PQ_SOURCE_DIR
    roots.append(QStringLiteral(PQ_SOURCE_DIR "/examples"));  // a build tree
#endif
    for (const QString &root : std::as_const(roots)) {
        const QString path = root + QLatin1Char('/') + relative;
        if (QFileInfo::exists(path)) {
            return QDir::cleanPath(path);
        }
    }
    return {};
}

QString demoModelDirectory()
{
    const QString dir = bundledExample(QStringLiteral("demo-llama"));
    return !dir.isEmpty() && QFileInfo(dir + QLatin1String("/config.json")).isFile() ? dir
                                                                                     : QString();
}

QString bundledCalibrationText()
{
    const QString file = bundledExample(QStringLiteral("calibration/kjv.txt.gz"));
    return QFileInfo(file).isFile() ? file : QString();
}

}  // namespace pq::widgets
