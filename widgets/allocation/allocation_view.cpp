// SPDX-License-Identifier: MIT
#include "widgets/allocation/allocation_view.h"

#include <algorithm>
#include <map>
#include <regex>

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "core/pipeline/pins.h"
#include "core/quant/format_spec.h"
#include "widgets/allocation/allocation_table_model.h"
#include "widgets/allocation/pin_pattern_dialog.h"
#include "widgets/model/display_text.h"
#include "widgets/run/run_document.h"

namespace pq::widgets {
namespace {

/** Rows whose name, role or format holds every typed word; sorted on the model's SORT_ROLE. */
class AllocationFilterProxy : public QSortFilterProxyModel
{
public:
    explicit AllocationFilterProxy(QObject *parent)
        : QSortFilterProxyModel(parent)
    {
        setSortRole(AllocationTableModel::SORT_ROLE);
    }

    void setWords(const QString &text)
    {
        m_terms = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex & /*parent*/) const override
    {
        const auto *model = static_cast<const AllocationTableModel *>(sourceModel());
        return m_terms.isEmpty() || model->rowMatches(row, m_terms);
    }

private:
    QStringList m_terms;
};

}  // namespace

AllocationView::AllocationView(RunDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter by name, role or format (e.g. \"down NVFP4\")"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter the Linears"));
    m_model = new AllocationTableModel(this);
    auto *proxy = new AllocationFilterProxy(this);
    proxy->setSourceModel(m_model);
    m_proxy = proxy;
    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);  // inventory order until a header is clicked
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(
            AllocationTableModel::columnIndex(AllocationTableModel::Column::Name),
            QHeaderView::Stretch);
    m_table->setAccessibleName(tr("Linears with their formats"));
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &AllocationView::showContextMenu);
    auto *layout = new QVBoxLayout(this);
    m_refusal = new QLabel(this);
    m_refusal->setWordWrap(true);
    m_refusal->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_refusal->setAccessibleName(tr("Why the last pin was not made"));
    m_refusal->hide();
    layout->addWidget(m_summary);
    layout->addWidget(m_refusal);
    layout->addWidget(m_filter);
    layout->addWidget(m_table, 1);

    connect(m_filter, &QLineEdit::textChanged, this,
            [proxy](const QString &text) { proxy->setWords(text); });
    connect(m_document, &RunDocument::loaded, this, &AllocationView::onLoaded);
    // a pin the allocator refuses changes nothing: say why, here where it was asked for
    connect(m_document, &RunDocument::allocationFailed, this, [this](const QString &message) {
        m_refusal->setText(tr("Not pinned: %1").arg(message));
        m_refusal->show();
    });
    connect(m_document, &RunDocument::loaded, m_refusal, &QWidget::hide);
    connect(m_document, &RunDocument::allocationChanged, this,
            &AllocationView::onAllocationChanged);
}

void AllocationView::onLoaded()
{
    const auto run = m_document->run();
    m_model->setRun(std::shared_ptr<const core::ModelInventory>(run, &run->costs.inventory),
                    std::shared_ptr<const core::alloc::LinearCosts>(run, &run->costs.costs));
    m_table->resizeColumnsToContents();
}

void AllocationView::onAllocationChanged()
{
    const auto allocation = m_document->allocation();
    m_model->setAllocation(allocation);
    m_table->resizeColumnToContents(
            AllocationTableModel::columnIndex(AllocationTableModel::Column::Format));
    const std::map<core::quant::FormatId, std::uint64_t> bytes = allocation->bytesByFormat();
    QStringList parts;
    for (const auto &[format, count] : allocation->counts()) {
        const std::string_view name = core::quant::formatInfo(format).name;
        const auto b = bytes.find(format);
        parts << tr("%1: %2 Linears, %3")
                         .arg(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())),
                              DisplayText::count(count),
                              DisplayText::bytes(b != bytes.end() ? b->second : 0));
    }
    m_summary->setText(tr("%1 · predicted loss increase %2 nats per token\n%3")
                               .arg(QString::fromStdString(allocation->summary()),
                                    QString::number(allocation->cost, 'g', 3),
                                    parts.join(QStringLiteral(" · "))));
}

QMenu *AllocationView::contextMenuFor(int proxyRow)
{
    const int row = m_proxy->mapToSource(m_proxy->index(proxyRow, 0)).row();
    if (row < 0 || m_document->run() == nullptr) {
        return nullptr;
    }
    auto *menu = new QMenu(this);
    const std::string name = m_model->nameAt(row);
    QMenu *pinTo = menu->addMenu(tr("Pin to"));
    for (const core::quant::FormatId f : m_model->formatsFor(row)) {
        const std::string_view label = core::quant::formatInfo(f).name;
        QAction *action = pinTo->addAction(
                QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size())));
        connect(action, &QAction::triggered, this,
                [this, name, f] { m_document->setPin(name, f); });
    }
    QAction *unpin = menu->addAction(tr("Unpin"));
    const std::string pattern = core::pipeline::exactPattern(name);
    const auto &pins = m_document->run()->pins;
    unpin->setEnabled(std::any_of(pins.begin(), pins.end(),
                                  [&pattern](const auto &p) { return p.pattern == pattern; }));
    connect(unpin, &QAction::triggered, this,
            [this, name] { m_document->setPin(name, std::nullopt); });
    menu->addSeparator();
    QAction *matching = menu->addAction(tr("Pin Matching\u2026"));
    connect(matching, &QAction::triggered, this, [this, proxyRow] { openPinDialog(proxyRow); });
    // the pattern pins that hold this Linear, each removable here
    QMenu *patterns = nullptr;
    for (const core::pipeline::Pin &p : pins) {
        if (p.pattern == pattern || !core::pipeline::pinMatches(p.pattern, name)) {
            continue;
        }
        if (patterns == nullptr) {
            patterns = menu->addMenu(tr("Remove Pattern Pin"));
        }
        const std::string_view format = core::quant::formatInfo(p.format).name;
        QAction *remove = patterns->addAction(
                tr("%1 \u2192 %2")
                        .arg(QString::fromStdString(p.pattern),
                             QString::fromUtf8(format.data(),
                                               static_cast<qsizetype>(format.size()))));
        connect(remove, &QAction::triggered, this,
                [this, p] { m_document->setPinPattern(p.pattern, std::nullopt); });
    }
    return menu;
}

QString AllocationView::proposedPattern(const std::string &name)
{
    static const std::regex layer(R"(^.*?\.layers\.[0-9]+(\..+)$)");
    std::smatch m;
    const std::string exact = core::pipeline::exactPattern(name);
    if (!std::regex_match(name, m, layer)) {
        return QString::fromStdString(exact);
    }
    // the escaped tail of the exact pattern: everything after the layer index, anchored at the end
    const std::string tail = core::pipeline::exactPattern(m[1].str());
    return QString::fromStdString(tail.substr(1));  // without the leading "^"
}

PinPatternDialog *AllocationView::openPinDialog(int proxyRow)
{
    const int row = m_proxy->mapToSource(m_proxy->index(proxyRow, 0)).row();
    const auto run = m_document->run();
    if (row < 0 || run == nullptr) {
        return nullptr;
    }
    auto *dialog = new PinPatternDialog(run, proposedPattern(m_model->nameAt(row)), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_document->setPinPattern(dialog->pattern().toStdString(), dialog->format());
    });
    dialog->open();
    return dialog;
}

void AllocationView::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_table->indexAt(pos);
    if (!index.isValid()) {
        return;
    }
    QMenu *menu = contextMenuFor(index.row());
    if (menu != nullptr) {
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(m_table->viewport()->mapToGlobal(pos));
    }
}

QString AllocationView::summaryText() const
{
    return m_summary->text();
}

QString AllocationView::refusalText() const
{
    return m_refusal->isHidden() ? QString() : m_refusal->text();
}

}  // namespace pq::widgets
