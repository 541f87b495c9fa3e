// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/linear_detail.h"

#include <algorithm>
#include <cmath>

#include <QPainter>
#include <QPainterPath>

#include "core/quant/format_spec.h"
#include "widgets/model/display_text.h"

namespace pq::widgets {
namespace {

constexpr int ROW_HEIGHT = 18;
constexpr int LABEL_WIDTH = 96;
constexpr int VALUE_WIDTH = 170;

QString formatName(core::quant::FormatId id)
{
    const std::string_view n = core::quant::formatInfo(id).name;
    return QString::fromUtf8(n.data(), static_cast<qsizetype>(n.size()));
}

}  // namespace

LinearDetail::LinearDetail(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("The selected Linear: predicted loss increase per format"));
    setMinimumHeight(ROW_HEIGHT * 4);
}

void LinearDetail::setData(LinearDetailData data)
{
    m_data = std::move(data);
    const QString chosen = m_data.chosen ? formatName(*m_data.chosen) : QString();
    setAccessibleDescription(m_data.title +
                             (chosen.isEmpty() ? QString() : QStringLiteral(": ") + chosen));
    updateGeometry();
    update();
}

void LinearDetail::clear()
{
    setData({});
}

QSize LinearDetail::sizeHint() const
{
    const int rows = static_cast<int>(m_data.deltaLoss.size()) + 2;
    return {640, std::max(ROW_HEIGHT * rows, ROW_HEIGHT * 4) + 8};
}

QRectF LinearDetail::barsArea() const
{
    const double width = m_data.channelProfile.empty() ? this->width() : this->width() * 0.6;
    return QRectF(0, ROW_HEIGHT + 4, width, height() - ROW_HEIGHT - 4);
}

QRectF LinearDetail::profileArea() const
{
    const QRectF bars = barsArea();
    return QRectF(bars.right() + 12, bars.top() + ROW_HEIGHT, width() - bars.right() - 16,
                  bars.height() - ROW_HEIGHT - 4);
}

QRectF LinearDetail::barRect(core::quant::FormatId format) const
{
    double lo = 0.0;
    double hi = 0.0;
    bool any = false;
    for (const auto &[f, d] : m_data.deltaLoss) {
        if (d > 0.0) {
            lo = any ? std::min(lo, std::log10(d)) : std::log10(d);
            hi = any ? std::max(hi, std::log10(d)) : std::log10(d);
            any = true;
        }
    }
    const auto it = m_data.deltaLoss.find(format);
    if (it == m_data.deltaLoss.end()) {
        return {};
    }
    const QRectF area = barsArea();
    const double span = std::max(hi - lo, 1.0);
    const double floor = lo - 0.15 * span;  // the smallest still gets a visible bar
    const double length = area.width() - LABEL_WIDTH - VALUE_WIDTH;
    const double t = it->second > 0.0 ? (std::log10(it->second) - floor) / (hi - floor) : 0.0;
    const auto row = static_cast<double>(std::distance(m_data.deltaLoss.begin(), it));
    return QRectF(area.left() + LABEL_WIDTH, area.top() + row * ROW_HEIGHT + 3,
                  std::max(1.0, t * length), ROW_HEIGHT - 6);
}

void LinearDetail::paintEvent(QPaintEvent * /*event*/)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor text = palette().color(QPalette::Text);
    if (m_data.deltaLoss.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   tr("Select a cell to see its predicted loss per format."));
        return;
    }
    p.setPen(text);
    p.drawText(QRectF(0, 0, width(), ROW_HEIGHT), Qt::AlignLeft | Qt::AlignVCenter, m_data.title);
    const QRectF area = barsArea();
    int row = 0;
    for (const auto &[format, d] : m_data.deltaLoss) {
        const double y = area.top() + row * ROW_HEIGHT;
        const bool chosen = m_data.chosen == format;
        QFont f = font();
        f.setBold(chosen);
        p.setFont(f);
        p.setPen(text);
        p.drawText(QRectF(area.left(), y, LABEL_WIDTH - 6, ROW_HEIGHT),
                   Qt::AlignRight | Qt::AlignVCenter, formatName(format));
        const QRectF bar = barRect(format);
        p.fillRect(bar,
                   chosen ? palette().color(QPalette::Highlight) : palette().color(QPalette::Mid));
        const auto b = m_data.bytes.find(format);
        const QString value = QStringLiteral("%1 · %2").arg(
                QString::number(d, 'g', 3),
                b != m_data.bytes.end() ? DisplayText::bytes(b->second) : QString());
        p.drawText(QRectF(bar.right() + 6, y, VALUE_WIDTH, ROW_HEIGHT),
                   Qt::AlignLeft | Qt::AlignVCenter, value);
        ++row;
    }
    p.setFont(font());
    if (m_data.channelProfile.empty()) {
        return;
    }
    const QRectF prof = profileArea();
    p.setPen(text);
    p.drawText(QRectF(prof.left(), area.top(), prof.width(), ROW_HEIGHT),
               Qt::AlignLeft | Qt::AlignVCenter, tr("Fisher per output channel"));
    const double top =
            *std::max_element(m_data.channelProfile.begin(), m_data.channelProfile.end());
    if (top <= 0.0 || prof.width() < 10 || prof.height() < 10) {
        return;
    }
    QPainterPath path;
    const auto n = static_cast<double>(m_data.channelProfile.size());
    for (std::size_t i = 0; i < m_data.channelProfile.size(); ++i) {
        const QPointF at(prof.left() + (static_cast<double>(i) + 0.5) / n * prof.width(),
                         prof.bottom() - m_data.channelProfile[i] / top * prof.height());
        i == 0 ? path.moveTo(at) : path.lineTo(at);
    }
    p.setPen(QPen(palette().color(QPalette::Highlight), 1.2));
    p.drawPath(path);
    QColor frame = palette().color(QPalette::Mid);
    p.setPen(frame);
    p.drawRect(prof);
}

}  // namespace pq::widgets
