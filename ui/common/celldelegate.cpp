// CellDelegate's padding and mailbox bars (celldelegate.h).
#include "ui/common/celldelegate.h"

#include <QApplication>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace sc::ui {

namespace {
constexpr int horizontalPadding = 8;
constexpr int verticalPadding = 6;
} // namespace

CellDelegate::CellDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
{
}

void CellDelegate::setBarColumn(int column, int valueRole, double fullScale)
{
    m_barColumn = column;
    m_valueRole = valueRole;
    m_fullScale = std::max(1.0, fullScale);
}

void CellDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();

    // The background (and selection) spans the whole cell; the content is inset.
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    if (index.column() == m_barColumn) {
        const double value = index.data(m_valueRole).toDouble();
        if (value > 0) {
            const double fraction = std::min(1.0, std::log10(1.0 + value) / std::log10(1.0 + m_fullScale));
            QRectF bar = QRectF(opt.rect).adjusted(3, 3, -3, -3);
            bar.setLeft(bar.right() - bar.width() * fraction);
            QColor fill = opt.palette.color(QPalette::Highlight);
            fill.setAlpha(70);
            painter->fillRect(bar, fill);
        }
    }

    // Now the content alone: no second background over the bar.
    opt.rect.adjust(horizontalPadding, 0, -horizontalPadding, 0);
    opt.backgroundBrush = Qt::NoBrush;
    opt.features &= ~QStyleOptionViewItem::Alternate;
    if (opt.state & QStyle::State_Selected) {
        opt.palette.setColor(QPalette::Text, opt.palette.color(QPalette::HighlightedText));
        opt.state &= ~QStyle::State_Selected;
    }
    opt.state &= ~QStyle::State_HasFocus;
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
}

QSize CellDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    return QStyledItemDelegate::sizeHint(option, index) + QSize(2 * horizontalPadding, verticalPadding);
}

} // namespace sc::ui
