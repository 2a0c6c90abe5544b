// CellDelegate: the table cells' painting shared by the event log and the process table.
// Threading: GUI thread only.
#pragma once

#include <QStyledItemDelegate>

namespace sc::ui {

/// Item painting for a room full of people: cells get horizontal padding and
/// taller rows, and one numeric column can show its value as a bar behind
/// the number (on a log scale, full at `fullScale`), so a growing mailbox
/// stands out from across the room.
class CellDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    explicit CellDelegate(QObject* parent = nullptr);

    /// The column whose `valueRole` (a number) is drawn as a bar; -1 for none.
    void setBarColumn(int column, int valueRole, double fullScale);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int m_barColumn = -1;
    int m_valueRole = Qt::DisplayRole;
    double m_fullScale = 1.0;
};

} // namespace sc::ui
