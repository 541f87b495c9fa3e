// SPDX-License-Identifier: MIT
#include <QCoreApplication>
#include <QFile>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

#include "widgets/jobs/error_text.h"
#include "widgets/model/display_text.h"
#include "widgets/model/inventory_table_model.h"

using pq::widgets::DisplayText;
using pq::widgets::ErrorText;
using pq::widgets::InventoryTableModel;
namespace core = pq::core;

namespace {

const char *const SUMMARY_CONTEXT = "pq::widgets::ModelSummaryWidget";
const char *const LINEARS_SOURCE = "%1 (fused groups: %2) · %3 parameters · %4";

struct Message
{
    QString source;
    QStringList translations;  // one, or one per plural form
    QString type;              // "unfinished", "vanished", "obsolete" or empty
};

/** Reads one <translation>: its type and either its text or its <numerusform> children. */
void readTranslation(QXmlStreamReader &xml, Message &message)
{
    message.type = xml.attributes().value(QLatin1String("type")).toString();
    QString text;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isEndElement() && xml.name() == QLatin1String("translation")) {
            break;
        }
        if (xml.isCharacters()) {
            text += xml.text();
        } else if (xml.isStartElement() && xml.name() == QLatin1String("numerusform")) {
            message.translations.append(xml.readElementText());
        }
    }
    if (message.translations.isEmpty()) {
        message.translations.append(text);
    }
}

QList<Message> readCatalogue(const QString &path)
{
    QFile file(path);
    QList<Message> messages;
    if (!file.open(QIODevice::ReadOnly)) {
        return messages;
    }
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) {
            continue;
        }
        if (xml.name() == QLatin1String("message")) {
            messages.append(Message{});
        } else if (!messages.isEmpty() && xml.name() == QLatin1String("source")) {
            messages.last().source = xml.readElementText();
        } else if (!messages.isEmpty() && xml.name() == QLatin1String("translation")) {
            readTranslation(xml, messages.last());
        }
    }
    return messages;
}

QSet<QString> placeholders(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("%L?(\\d|n)"));
    QSet<QString> found;
    for (const QRegularExpressionMatch &match : pattern.globalMatch(text)) {
        found.insert(match.captured(1));
    }
    return found;
}

}  // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsFromResources_data();
    void loadsFromResources();
    void cataloguesAreComplete_data();
    void cataloguesAreComplete();
};

void TestTranslations::loadsFromResources_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QString>("layer");
    QTest::addColumn<QString>("cancelled");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("linears");
    QTest::newRow("de") << QStringLiteral("de_DE") << QStringLiteral("Schicht")
                        << QStringLiteral("Der Auftrag wurde abgebrochen.")
                        << QStringLiteral("Attention: Query-Projektion")
                        << QStringLiteral("14 (fusionierte Gruppen: 8) · P Parameter · B");
    QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QStringLiteral("层")
                           << QStringLiteral("任务已取消。") << QStringLiteral("注意力查询投影")
                           << QStringLiteral("14 个（融合组：8 个）· 参数 P · B");
}

void TestTranslations::loadsFromResources()
{
    QFETCH(QString, locale);
    QTranslator translator;
    QVERIFY(translator.load(QLocale(locale), QStringLiteral("prismaquant"), QStringLiteral("_"),
                            QStringLiteral(":/i18n")));
    QVERIFY(QCoreApplication::installTranslator(&translator));

    // Through the classes themselves, so that a wrong translation context would show.
    InventoryTableModel model;
    const int layer = InventoryTableModel::columnIndex(InventoryTableModel::Column::Layer);
    QTEST(model.headerData(layer, Qt::Horizontal).toString(), "layer");
    QTEST(ErrorText::summary(core::ErrorCode::Cancelled), "cancelled");
    QTEST(DisplayText::roleDescription(core::LinearRole::AttnQ), "query");
    QTEST(QCoreApplication::translate(SUMMARY_CONTEXT, LINEARS_SOURCE)
                  .arg(QStringLiteral("14"), QStringLiteral("8"), QStringLiteral("P"),
                       QStringLiteral("B")),
          "linears");

    QVERIFY(QCoreApplication::removeTranslator(&translator));
    QCOMPARE(ErrorText::summary(core::ErrorCode::Cancelled),
             QStringLiteral("The job was cancelled."));
}

void TestTranslations::cataloguesAreComplete_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("de") << QStringLiteral(PQ_SOURCE_DIR "/translations/prismaquant_de.ts");
    QTest::newRow("zh_CN") << QStringLiteral(PQ_SOURCE_DIR "/translations/prismaquant_zh_CN.ts");
}

void TestTranslations::cataloguesAreComplete()
{
    QFETCH(QString, path);
    const QList<Message> messages = readCatalogue(path);
    QVERIFY2(messages.size() > 100, qPrintable(QString::number(messages.size())));
    for (const Message &m : messages) {
        QVERIFY2(m.type.isEmpty(), qPrintable(m.type + QStringLiteral(": ") + m.source));
        QVERIFY2(!m.translations.isEmpty(), qPrintable(m.source));
        for (const QString &translation : m.translations) {
            QVERIFY2(!translation.trimmed().isEmpty(), qPrintable(m.source));
            QVERIFY2(placeholders(translation) == placeholders(m.source),
                     qPrintable(m.source + QStringLiteral(" → ") + translation));
        }
    }
}

QTEST_MAIN(TestTranslations)
#include "test_translations.moc"
