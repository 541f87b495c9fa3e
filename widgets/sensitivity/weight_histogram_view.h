// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <QPointer>
#include <QRectF>
#include <QString>
#include <QThreadPool>
#include <QWidget>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/util/job_context.h"
#include "core/util/result.h"
#include "widgets/sensitivity/weight_histogram.h"

namespace pq::widgets {

class JobRunner;

/** What a histogram job hands back: the counts, and the checkpoint it read them from. */
struct WeightHistogramResult
{
    WeightHistogram histogram;
    /** Kept by the view for the next Linear of the same run (opening maps every shard). */
    std::shared_ptr<const core::Checkpoint> checkpoint;
};

/** Which Linear's weights to count, and where they live. */
struct WeightHistogramRequest
{
    std::string modelDir;  ///< the checkpoint (RunCosts::modelDir)
    std::shared_ptr<const core::ModelInventory> inventory;
    std::size_t linear = 0;  ///< index into inventory->linears
    core::quant::FormatId format = core::quant::FormatId::BF16;
    QString title;  ///< how the panel names it
};

/**
 * The histogram of a Linear's weights against the values its format can store (UI.md "Details
 * dock"), read from the model's checkpoint in the background.
 *
 * request() reads the weight on the view's own worker (a JobRunner on a one-thread pool), never
 * on the GUI thread; what was shown stays until the new histogram arrives. A request made while
 * another runs abandons it: the old job is cancelled and disconnected, so a result for a
 * Linear that is no longer selected is dropped, never shown. The bars are drawn on a log count
 * scale (tails and outliers matter, and they are rare); the format's representable values are
 * marked under the plot, and the axis is said in plain words. GUI thread only.
 */
class WeightHistogramView : public QWidget
{
    Q_OBJECT

public:
    enum class State : std::uint8_t
    {
        Empty,    ///< nothing selected (message() says why)
        Loading,  ///< a job runs; an earlier histogram may still be shown
        Ready,    ///< histogram() is the latest request's
        Failed,   ///< message() is the engine's error, in words
    };

    using Job = std::function<core::Result<WeightHistogramResult>(core::JobContext &)>;

    static constexpr int BINS = 161;  ///< odd, so 0 is the centre of a bin

    explicit WeightHistogramView(QWidget *parent = nullptr);
    /** Cancels the running job and waits for it to return. */
    ~WeightHistogramView() override;

    Q_DISABLE_COPY_MOVE(WeightHistogramView)

    /**
     * Shows the histogram of `request` once read; ignored when the same Linear of the same
     * inventory in the same format is already shown or being read.
     */
    void request(const WeightHistogramRequest &request);

    /**
     * Runs `job` on the view's worker and shows its histogram under `title`, unless start(),
     * request() or clear() is called again first (then its result is dropped). request() is
     * built on this.
     */
    void start(const QString &title, Job job);

    /** Abandons any job and shows `message` (a default hint when empty). */
    void clear(const QString &message = {});

    State state() const { return m_state; }

    /** The histogram shown (null when there is none). */
    const WeightHistogram *histogram() const { return m_histogram.get(); }

    /** The name of the Linear whose histogram is shown (or whose read failed). */
    QString title() const { return m_title; }

    /** The hint of the Empty state, the error of the Failed one. */
    QString message() const { return m_message; }

    /** What the x axis means, in plain words, for the histogram shown. */
    QString axisText() const;

    /** The summary under the plot: weights, largest value, how many lie beyond the grid. */
    QString summaryText() const;

    /** Where the bars are drawn (widget coordinates). */
    QRectF plotArea() const;

    /** The widget x of `value` on the plot's axis (the shown histogram's range). */
    double xAt(double value) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    /** A histogram arrived and is shown. */
    void histogramShown(const QString &title);
    /** The latest job failed; `message` is shown. */
    void histogramFailed(const QString &message);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void abandon();
    /** The line above the plot: the Linear shown, or what is being read. */
    QString heading() const;
    void onSucceeded(JobRunner *runner);
    void onFailed(JobRunner *runner, const QString &message, int code);
    void paintBars(QPainter &painter, const QRectF &plot) const;
    void paintGrid(QPainter &painter, const QRectF &plot) const;
    void paintAxis(QPainter &painter, const QRectF &plot) const;

    QThreadPool m_pool;
    QPointer<JobRunner> m_job;
    State m_state = State::Empty;
    std::shared_ptr<const WeightHistogram> m_histogram;
    QString m_title;         ///< the shown histogram's
    QString m_pendingTitle;  ///< the running job's
    QString m_message;
    /** The latest request (what is shown or being read), to skip repeats. */
    WeightHistogramRequest m_request;
    bool m_hasRequest = false;
    /** The checkpoint of m_checkpointFor's run, opened by an earlier job. */
    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    std::weak_ptr<const core::ModelInventory> m_checkpointFor;
};

}  // namespace pq::widgets
