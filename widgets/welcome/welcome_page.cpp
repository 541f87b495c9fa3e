// SPDX-License-Identifier: MIT
#include "widgets/welcome/welcome_page.h"

#include <utility>

#include <QCommandLinkButton>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace pq::widgets {
namespace {

// The page's column stays readable on wide screens.
constexpr int MAX_COLUMN_WIDTH = 680;

QLabel *wrappedLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    return label;
}

QLabel *heading(const QString &text, qreal scale, QWidget *parent)
{
    QLabel *label = wrappedLabel(text, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * scale);
    font.setBold(true);
    label->setFont(font);
    return label;
}

/** A button's text and description take '&' for a mnemonic: a folder "R&D" must show it. */
QString escapedMnemonic(QString text)
{
    return text.replace(QLatin1Char('&'), QLatin1String("&&"));
}

}  // namespace

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent)
{
    setupUi();
    setDemoDirectory(QString());
    setRecentDirectories({});
}

void WelcomePage::setupUi()
{
    setAccessibleName(tr("Welcome page"));
    auto *column = new QWidget;
    column->setMaximumWidth(MAX_COLUMN_WIDTH);
    auto *layout = new QVBoxLayout(column);
    layout->setSpacing(fontMetrics().height());  // air between the sections
    layout->addWidget(createIntro(column));
    layout->addWidget(createActions(column));
    layout->addWidget(createRecent(column));
    layout->addStretch(1);

    // centred, and scrollable when the window is small
    auto *content = new QWidget;
    auto *row = new QHBoxLayout(content);
    row->addStretch(1);
    row->addWidget(column, 4);
    row->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
}

QWidget *WelcomePage::createIntro(QWidget *parent)
{
    auto *intro = new QWidget(parent);
    auto *layout = new QVBoxLayout(intro);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(heading(tr("Welcome to PrismaQuant Studio"), 1.6, intro));
    const QString what =
            tr("PrismaQuant makes a large language model smaller without guessing where it "
               "hurts. It measures how much each layer of the model minds being stored in fewer "
               "bits, then picks a number format for every layer (NVFP4, MXFP8, BF16\u2026) so "
               "that the whole model fits the size you can afford with the least loss of "
               "quality. The Studio shows that trade-off as a curve you can steer, shows which "
               "layers are sensitive and why, and exports the chosen mix as a checkpoint that "
               "vLLM serves.");
#ifdef PQ_HAVE_TORCH
    const QString where = tr("Open a model and measure it on the Probe tab, or open a run folder "
                             "the prismaquant command line wrote (prismaquant run or probe, "
                             "also on another machine).");
#else
    const QString where = tr("This build cannot measure (it has no libtorch): measure with the "
                             "prismaquant command line (prismaquant run or probe) and open the "
                             "run folder it writes to see the results here.");
#endif
    layout->addWidget(wrappedLabel(what + QLatin1Char(' ') + where, intro));
    return intro;
}

QWidget *WelcomePage::createActions(QWidget *parent)
{
    auto *actions = new QWidget(parent);
    auto *layout = new QVBoxLayout(actions);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(heading(tr("Start"), 1.2, actions));
    m_demoButton = new QCommandLinkButton(tr("Open the Demo Model"), actions);
    m_demoButton->setAccessibleName(tr("Open the demo model"));
    connect(m_demoButton, &QCommandLinkButton::clicked, this,
            [this] { Q_EMIT directoryRequested(m_demoDir); });
    m_openModelButton = new QCommandLinkButton(
            tr("Open a Model Folder\u2026"),
            tr("A Hugging Face model folder: the one with config.json and the *.safetensors "
               "weights."),
            actions);
    m_openModelButton->setAccessibleName(tr("Open a model folder"));
    connect(m_openModelButton, &QCommandLinkButton::clicked, this,
            &WelcomePage::openModelRequested);
    m_openRunButton = new QCommandLinkButton(
            tr("Open a Run Folder\u2026"),
            tr("A folder written by prismaquant run or prismaquant probe: its sensitivities, "
               "Pareto curve and allocation."),
            actions);
    m_openRunButton->setAccessibleName(tr("Open a run folder"));
    connect(m_openRunButton, &QCommandLinkButton::clicked, this, &WelcomePage::openRunRequested);
    layout->addWidget(m_demoButton);
    layout->addWidget(m_openModelButton);
    layout->addWidget(m_openRunButton);
    return actions;
}

QWidget *WelcomePage::createRecent(QWidget *parent)
{
    auto *recent = new QWidget(parent);
    m_recentLayout = new QVBoxLayout(recent);
    m_recentLayout->setContentsMargins(0, 0, 0, 0);
    m_recentLayout->addWidget(heading(tr("Recent"), 1.2, recent));
    m_noRecent = wrappedLabel(tr("The folders you open are listed here."), recent);
    m_recentLayout->addWidget(m_noRecent);
    return recent;
}

void WelcomePage::setDemoDirectory(const QString &dir)
{
    m_demoDir = dir;
    m_demoButton->setEnabled(!dir.isEmpty());
    if (dir.isEmpty()) {
        const QString why = tr("The demo model is not part of this installation.");
        m_demoButton->setDescription(why);
        m_demoButton->setToolTip(why);
    } else {
        m_demoButton->setDescription(
                tr("A small Llama (4 million parameters) trained for this project and shipped "
                   "with it: a real model to look around with."));
        m_demoButton->setToolTip(QDir::toNativeSeparators(dir));
    }
}

void WelcomePage::setRecentDirectories(const QStringList &dirs)
{
    // later, not now: the list may change while one of its buttons is still emitting clicked()
    for (QCommandLinkButton *button : std::as_const(m_recentButtons)) {
        button->hide();
        button->deleteLater();
    }
    m_recentButtons.clear();
    for (const QString &dir : dirs) {
        const QString native = QDir::toNativeSeparators(dir);
        auto *button = new QCommandLinkButton(escapedMnemonic(QFileInfo(dir).fileName()),
                                              escapedMnemonic(native), m_noRecent->parentWidget());
        button->setAccessibleName(tr("Open recent folder %1").arg(native));
        connect(button, &QCommandLinkButton::clicked, this,
                [this, dir] { Q_EMIT directoryRequested(dir); });
        m_recentLayout->addWidget(button);
        m_recentButtons.append(button);
    }
    m_noRecent->setVisible(dirs.isEmpty());
}

}  // namespace pq::widgets
