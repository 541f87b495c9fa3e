// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/weight_histogram_view.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <QFontMetrics>
#include <QLocale>
#include <QPainter>

#include "core/quant/format_spec.h"
#include "widgets/jobs/error_text.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/display_text.h"
#include "widgets/sensitivity/heatmap_legend.h"

namespace pq::widgets {
namespace {

constexpr int MARGIN = 4;
constexpr int MARK_HEIGHT = 7;              ///< the representable-value ticks under the plot
constexpr std::size_t MAX_GRID_LINES = 64;  ///< denser grids (FP8, INT8) get ticks only

QString formatName(core::quant::FormatId id)
{
    const std::string_view n = core::quant::formatInfo(id).name;
    return QString::fromUtf8(n.data(), static_cast<qsizetype>(n.size()));
}

/** The height of `text` wrapped to `width` (0 for no text). */
int wrappedHeight(const QFontMetrics &fm, int width, const QString &text)
{
    if (text.isEmpty()) {
        return 0;
    }
    return fm
            .boundingRect(QRect(0, 0, std::max(1, width), 100 * fm.height()), Qt::TextWordWrap,
                          text)
            .height();
}

bool sameLinear(const WeightHistogramRequest &a, const WeightHistogramRequest &b)
{
    return a.modelDir == b.modelDir && a.inventory == b.inventory && a.linear == b.linear &&
           a.format == b.format;
}

}  // namespace

WeightHistogramView::WeightHistogramView(QWidget *parent)
    : QWidget(parent)
{
    m_pool.setMaxThreadCount(1);  // one Linear at a time: a newer request cancels the older
    setAccessibleName(tr("Histogram of the selected Linear's weights"));
    setMinimumHeight(120);
    clear();
}

WeightHistogramView::~WeightHistogramView()
{
    abandon();
    m_pool.waitForDone();
}

void WeightHistogramView::abandon()
{
    if (m_job == nullptr) {
        return;
    }
    // Disconnected first: whatever the old job still delivers can no longer reach this view.
    disconnect(m_job, nullptr, this, nullptr);
    m_job->requestCancel();
    m_job = nullptr;
}

void WeightHistogramView::request(const WeightHistogramRequest &request)
{
    if (m_hasRequest && sameLinear(request, m_request)) {
        return;
    }
    std::shared_ptr<const core::Checkpoint> cached;
    if (m_checkpointFor.lock() == request.inventory && request.inventory != nullptr) {
        cached = m_checkpoint;
    }
    const std::string modelDir = request.modelDir;
    const std::shared_ptr<const core::ModelInventory> inventory = request.inventory;
    const std::size_t linear = request.linear;
    const core::quant::FormatId format = request.format;
    start(request.title, [=](core::JobContext &ctx) -> core::Result<WeightHistogramResult> {
        WeightHistogramResult out;
        out.checkpoint = cached;
        if (out.checkpoint == nullptr) {
            auto cp = core::Checkpoint::open(modelDir);
            if (!cp) {
                return std::move(cp).error();
            }
            out.checkpoint = std::make_shared<const core::Checkpoint>(std::move(*cp));
        }
        auto h = readWeightHistogram(*out.checkpoint, *inventory, linear, format, BINS, &ctx);
        if (!h) {
            return std::move(h).error();
        }
        out.histogram = std::move(*h);
        return out;
    });
    m_request = request;
    m_hasRequest = true;
}

void WeightHistogramView::start(const QString &title, Job job)
{
    abandon();
    m_hasRequest = false;
    m_job = JobRunner::withResult<WeightHistogramResult>(std::move(job), this);
    JobRunner *runner = m_job;
    connect(runner, &JobRunner::succeeded, this, [this, runner] { onSucceeded(runner); });
    connect(runner, &JobRunner::failed, this,
            [this, runner](const QString &message, int code) { onFailed(runner, message, code); });
    connect(runner, &JobRunner::finished, runner, &QObject::deleteLater);
    m_state = State::Loading;
    m_message = tr("Reading the weights of %1…").arg(title);
    m_pendingTitle = title;
    update();
    runner->start(m_pool);
}

void WeightHistogramView::onSucceeded(JobRunner *runner)
{
    if (runner != m_job) {
        return;  // cut loose by abandon(), which also disconnects it: a second guard
    }
    const auto result = runner->result<WeightHistogramResult>();
    m_job = nullptr;
    if (result->checkpoint != nullptr && m_hasRequest) {
        m_checkpoint = result->checkpoint;
        m_checkpointFor = m_request.inventory;
    }
    // Shares the result's counts: the runner that owns them is deleted soon.
    m_histogram = std::shared_ptr<const WeightHistogram>(result, &result->histogram);
    m_title = m_pendingTitle;
    m_state = State::Ready;
    m_message.clear();
    setAccessibleDescription(m_title + QLatin1Char('\n') + axisText() + QLatin1Char('\n') +
                             summaryText());
    update();
    Q_EMIT histogramShown(m_title);
}

void WeightHistogramView::onFailed(JobRunner *runner, const QString &message, int code)
{
    if (runner != m_job) {
        return;
    }
    m_job = nullptr;
    m_histogram.reset();
    m_title = m_pendingTitle;
    m_state = State::Failed;
    m_message = tr("Could not read the weights of %1. %2 %3")
                        .arg(m_title, ErrorText::summary(code), message);
    setAccessibleDescription(m_message);
    update();
    Q_EMIT histogramFailed(m_message);
}

void WeightHistogramView::clear(const QString &message)
{
    abandon();
    m_hasRequest = false;
    m_request = {};
    m_histogram.reset();
    m_title.clear();
    m_state = State::Empty;
    m_message =
            message.isEmpty() ? tr("Select a Linear to see a histogram of its weights.") : message;
    setAccessibleDescription(m_message);
    update();
}

QString WeightHistogramView::heading() const
{
    return m_state == State::Loading ? m_message : m_title;
}

QString WeightHistogramView::axisText() const
{
    if (m_histogram == nullptr) {
        return {};
    }
    const WeightHistogram &h = *m_histogram;
    const QString format = formatName(h.format);
    if (!h.scaled) {
        return tr("Across: each weight's value. %1 stores weights unchanged, so nothing is "
                  "rounded. Up: how many weights (log scale).")
                .arg(format);
    }
    const QString unit =
            h.groupSize == 0
                    ? tr("the scale of its output row (%1 keeps one scale per row)").arg(format)
                    : tr("the scale of its group (%1 keeps one scale per %2 weights)")
                              .arg(format)
                              .arg(h.groupSize);
    return tr("Across: each weight divided by %1. The marks below are the only values %2 can "
              "store; every weight is rounded to the nearest mark, and weights past the end "
              "marks are cut to them. Up: how many weights (log scale).")
            .arg(unit, format);
}

QString WeightHistogramView::summaryText() const
{
    if (m_histogram == nullptr) {
        return {};
    }
    const WeightHistogram &h = *m_histogram;
    const QString largest = locale().toString(h.maxAbs, 'g', 3);
    if (!h.scaled) {
        return tr("%1 weights · largest |weight| %2").arg(DisplayText::count(h.total), largest);
    }
    return tr("%1 weights · largest |value| %2 · %3 beyond the end marks")
            .arg(DisplayText::count(h.total), largest, DisplayText::count(h.beyondGrid));
}

QSize WeightHistogramView::sizeHint() const
{
    return {420, 240};
}

QSize WeightHistogramView::minimumSizeHint() const
{
    return {200, 120};
}

// --- painting ----------------------------------------------------------------------------------

QRectF WeightHistogramView::plotArea() const
{
    const QFontMetrics fm(font());
    const int line = fm.height();
    const int axisLabel = fm.horizontalAdvance(HeatmapLegend::powerOfTen(88)) + MARGIN;
    const int text = width() - 2 * MARGIN;
    const double top = MARGIN + wrappedHeight(fm, text, heading()) + MARGIN +
                       wrappedHeight(fm, text, axisText()) + MARGIN;
    const double bottom = height() - MARGIN - line - MARGIN - line - MARK_HEIGHT;
    return {static_cast<double>(MARGIN + axisLabel), top,
            std::max(1.0, width() - 2.0 * MARGIN - axisLabel), std::max(1.0, bottom - top)};
}

double WeightHistogramView::xAt(double value) const
{
    const QRectF plot = plotArea();
    if (m_histogram == nullptr || !(m_histogram->hi > m_histogram->lo)) {
        return plot.center().x();
    }
    const WeightHistogram &h = *m_histogram;
    return plot.left() + (value - h.lo) / (h.hi - h.lo) * plot.width();
}

void WeightHistogramView::paintEvent(QPaintEvent * /*event*/)
{
    QPainter p(this);
    const QFontMetrics fm(font());
    const int text = width() - 2 * MARGIN;
    const QRectF header(MARGIN, MARGIN, text, wrappedHeight(fm, text, heading()));
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(header, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, heading());
    if (m_histogram == nullptr) {
        if (m_state != State::Loading) {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(rect().adjusted(MARGIN, static_cast<int>(header.bottom()) + MARGIN, -MARGIN,
                                       -MARGIN),
                       Qt::AlignCenter | Qt::TextWordWrap, m_message);
        }
        return;
    }
    p.drawText(QRectF(MARGIN, header.bottom() + MARGIN, text, wrappedHeight(fm, text, axisText())),
               Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, axisText());
    const QRectF plot = plotArea();
    paintGrid(p, plot);
    paintBars(p, plot);
    paintAxis(p, plot);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRectF(MARGIN, height() - MARGIN - fm.height(), width() - 2 * MARGIN, fm.height()),
               Qt::AlignLeft | Qt::AlignVCenter, summaryText());
}

void WeightHistogramView::paintBars(QPainter &painter, const QRectF &plot) const
{
    const WeightHistogram &h = *m_histogram;
    const std::uint64_t top = *std::max_element(h.counts.begin(), h.counts.end());
    const double scale = std::log10(1.0 + static_cast<double>(top));
    if (!(scale > 0.0)) {
        return;
    }
    const QColor bar = palette().color(QPalette::Highlight);
    const double width = std::max(1.0, plot.width() / static_cast<double>(h.counts.size()));
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        if (h.counts[i] == 0) {
            continue;
        }
        // log10(1 + n): a single weight still gets a visible bar, an empty bin none.
        const double t = std::log10(1.0 + static_cast<double>(h.counts[i])) / scale;
        const double x = xAt(h.binCentre(i) - h.binWidth() / 2);
        painter.fillRect(QRectF(x, plot.bottom() - t * plot.height(), width, t * plot.height()),
                         bar);
    }
}

void WeightHistogramView::paintGrid(QPainter &painter, const QRectF &plot) const
{
    const WeightHistogram &h = *m_histogram;
    QColor faint = palette().color(QPalette::WindowText);
    faint.setAlpha(60);
    const QColor mark = palette().color(QPalette::WindowText);
    for (const double v : h.grid) {
        const double x = std::floor(xAt(v));
        if (h.grid.size() <= MAX_GRID_LINES) {
            painter.fillRect(QRectF(x, plot.top(), 1, plot.height()), faint);
        }
        painter.fillRect(QRectF(x, plot.bottom() + 1, 1, MARK_HEIGHT), mark);
    }
}

void WeightHistogramView::paintAxis(QPainter &painter, const QRectF &plot) const
{
    const WeightHistogram &h = *m_histogram;
    const QFontMetrics fm(font());
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    painter.setPen(palette().color(QPalette::WindowText));
    // Count axis: powers of ten on the log scale, as far as the tallest bin.
    const std::uint64_t top = *std::max_element(h.counts.begin(), h.counts.end());
    const double scale = std::log10(1.0 + static_cast<double>(top));
    const int decades =
            static_cast<int>(std::floor(std::log10(std::max(1.0, static_cast<double>(top)))));
    const int step = std::max(1, (decades + 1) * fm.height() / std::max(1, plot.toRect().height()));
    for (int e = 0; scale > 0.0 && e <= decades; e += step) {
        const double y =
                plot.bottom() - std::log10(1.0 + std::pow(10.0, e)) / scale * plot.height();
        painter.drawText(
                QRectF(MARGIN, y - fm.height() / 2.0, plot.left() - 2 * MARGIN, fm.height()),
                Qt::AlignRight | Qt::AlignVCenter,
                e == 0 ? QStringLiteral("1") : HeatmapLegend::powerOfTen(e));
    }
    // Value axis: the grid's ends and 0, or the range's for BF16.
    const double lo = h.scaled ? h.grid.front() : h.lo;
    const double hi = h.scaled ? h.grid.back() : h.hi;
    const double y = plot.bottom() + MARK_HEIGHT + 1;
    for (const double v : {lo, 0.0, hi}) {
        const QString text = locale().toString(v, 'g', 3);
        const double w = fm.horizontalAdvance(text);
        const double x = std::clamp(xAt(v) - w / 2, 0.0, width() - w);
        painter.drawText(QRectF(x, y, w, fm.height()), Qt::AlignCenter, text);
    }
}

}  // namespace pq::widgets
