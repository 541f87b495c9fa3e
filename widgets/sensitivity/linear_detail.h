// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <QString>
#include <QWidget>

#include "core/quant/formats.h"

namespace pq::widgets {

/** What the detail panel shows for one heatmap cell (a Linear, or a layer's experts). */
struct LinearDetailData
{
    QString title;                                         ///< the module
    std::map<core::quant::FormatId, double> deltaLoss;     ///< predicted Δloss per format
    std::map<core::quant::FormatId, std::uint64_t> bytes;  ///< stored bytes per format
    std::optional<core::quant::FormatId> chosen;           ///< the format at the budget
    std::vector<double> channelProfile;  ///< Fisher per output channel (empty: none)
};

/**
 * Why a Linear is (in)sensitive, drawn by hand: its predicted Δloss per format as bars on a log
 * scale with each format's bytes (the chosen one highlighted), and its per-output-channel
 * Fisher profile, where outlier channels stand out. GUI thread only.
 */
class LinearDetail : public QWidget
{
    Q_OBJECT

public:
    explicit LinearDetail(QWidget *parent = nullptr);

    void setData(LinearDetailData data);
    void clear();

    const LinearDetailData &data() const { return m_data; }

    /** The bar of `format` (widget coordinates); empty when the format has no bar. */
    QRectF barRect(core::quant::FormatId format) const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QRectF barsArea() const;
    QRectF profileArea() const;

    LinearDetailData m_data;
};

}  // namespace pq::widgets
