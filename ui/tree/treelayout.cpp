// TreeLayout's placing of a family (treelayout.h).
#include "ui/tree/treelayout.h"

#include <algorithm>
#include <cmath>

namespace sc::ui {

namespace {

/// One node's block, relative to the block's top left corner.
struct Block {
    QSizeF size;
    QRectF rect;
    QRectF below;
    int columns = 0;
    double spine = 0;
    std::vector<QPointF> offsets; ///< each child's block, relative to this block
};

class Builder {
public:
    Builder(const std::vector<TreeLayout::Node>& nodes, double aspect, const TreeLayout::Gaps& gaps, int minWrapped)
        : m_nodes(nodes)
        , m_aspect(aspect)
        , m_gaps(gaps)
        , m_minWrapped(minWrapped)
        , m_blocks(nodes.size())
    {
    }

    void measure(int id)
    {
        const TreeLayout::Node& node = m_nodes[static_cast<std::size_t>(id)];
        Block& block = m_blocks[static_cast<std::size_t>(id)];
        const double w = node.size.width();
        const double h = node.size.height();
        if (!node.children || node.children->empty()) {
            const double width = std::max(w, node.below.width());
            block.rect = QRectF((width - w) / 2, 0, w, h);
            if (!node.below.isEmpty())
                block.below = QRectF(QPointF((width - node.below.width()) / 2, h + m_gaps.vertical), node.below);
            block.size = QSizeF(width, block.below.isEmpty() ? h : block.below.bottom());
            return;
        }
        const std::vector<int>& children = *node.children;
        for (int child : children)
            measure(child);
        std::vector<QSizeF> sizes;
        sizes.reserve(children.size());
        bool leaves = true;
        for (int child : children) {
            sizes.push_back(m_blocks[static_cast<std::size_t>(child)].size);
            const TreeLayout::Node& c = m_nodes[static_cast<std::size_t>(child)];
            leaves = leaves && (!c.children || c.children->empty()) && c.below.isEmpty();
        }
        // Leaves line up in a grid of equal cells.
        if (leaves) {
            double cell = 0;
            for (const QSizeF& s : sizes)
                cell = std::max(cell, s.width());
            for (QSizeF& s : sizes)
                s.setWidth(cell);
        }
        const int n = static_cast<int>(children.size());
        const int columns = chooseColumns(sizes, w, h);
        const bool wrapped = columns < n;
        // Rows, from the left edge (the spine's room when wrapped).
        block.offsets.assign(children.size(), QPointF());
        const double left = wrapped ? m_gaps.horizontal : 0;
        double y = h + m_gaps.vertical;
        double right = left;
        for (int begin = 0; begin < n; begin += columns) {
            const int end = std::min(n, begin + columns);
            double x = left;
            double rowHeight = 0;
            for (int k = begin; k < end; ++k) {
                const QSizeF& s = sizes[static_cast<std::size_t>(k)];
                const Block& child = m_blocks[static_cast<std::size_t>(children[static_cast<std::size_t>(k)])];
                // A leaf in a wider cell sits in its middle.
                block.offsets[static_cast<std::size_t>(k)] = QPointF(x + (s.width() - child.size.width()) / 2, y);
                x += s.width() + m_gaps.horizontal;
                rowHeight = std::max(rowHeight, s.height());
            }
            right = std::max(right, x - m_gaps.horizontal);
            y += rowHeight + m_gaps.row;
        }
        const double bottom = y - m_gaps.row;
        // The node over its first row, as a parent over its children.
        const auto centreOf = [&](int k) {
            const Block& child = m_blocks[static_cast<std::size_t>(children[static_cast<std::size_t>(k)])];
            return block.offsets[static_cast<std::size_t>(k)].x() + child.rect.center().x();
        };
        double nodeLeft = (centreOf(0) + centreOf(std::min(n, columns) - 1)) / 2 - w / 2;
        double shift = 0;
        if (nodeLeft < 0) {
            shift = -nodeLeft;
            nodeLeft = 0;
        }
        for (QPointF& offset : block.offsets)
            offset.rx() += shift;
        block.rect = QRectF(nodeLeft, 0, w, h);
        block.columns = wrapped ? columns : 0;
        block.spine = shift + m_gaps.horizontal / 2;
        block.size = QSizeF(std::max(right + shift, nodeLeft + w), bottom);
    }

    void place(int id, const QPointF& at, std::vector<TreeLayout::Placed>& out) const
    {
        const Block& block = m_blocks[static_cast<std::size_t>(id)];
        TreeLayout::Placed& placed = out[static_cast<std::size_t>(id)];
        placed.rect = block.rect.translated(at);
        placed.below = block.below.isEmpty() ? QRectF() : block.below.translated(at);
        placed.columns = block.columns;
        placed.spine = block.spine + at.x();
        const TreeLayout::Node& node = m_nodes[static_cast<std::size_t>(id)];
        if (!node.children) return;
        for (std::size_t k = 0; k < block.offsets.size(); ++k)
            place((*node.children)[k], at + block.offsets[k], out);
    }

    QSizeF size(int id) const { return m_blocks[static_cast<std::size_t>(id)].size; }

private:
    /// How many children a row holds: all of them while the block is not
    /// wider than the aspect asks, else the count that brings it nearest.
    int chooseColumns(const std::vector<QSizeF>& sizes, double w, double h) const
    {
        const int n = static_cast<int>(sizes.size());
        const auto shape = [&](int columns) {
            double width = 0;
            double height = h + m_gaps.vertical;
            for (int begin = 0; begin < n; begin += columns) {
                const int end = std::min(n, begin + columns);
                double rowWidth = -m_gaps.horizontal;
                double rowHeight = 0;
                for (int k = begin; k < end; ++k) {
                    rowWidth += sizes[static_cast<std::size_t>(k)].width() + m_gaps.horizontal;
                    rowHeight = std::max(rowHeight, sizes[static_cast<std::size_t>(k)].height());
                }
                width = std::max(width, rowWidth);
                height += rowHeight + (begin > 0 ? m_gaps.row : 0);
            }
            if (columns < n) width += m_gaps.horizontal;
            return std::max(width, w) / height;
        };
        const double oneRow = shape(n);
        // A small family reads best as a family in one row.
        if (n < m_minWrapped || n < 2 || oneRow <= m_aspect) return n;
        const auto distance = [this](double aspect) { return std::abs(std::log(aspect / m_aspect)); };
        // The average child's shape says about where the best count is; look around it.
        double sumWidth = 0;
        double sumHeight = 0;
        for (const QSizeF& s : sizes) {
            sumWidth += s.width() + m_gaps.horizontal;
            sumHeight += s.height() + m_gaps.row;
        }
        const double cellW = sumWidth / n;
        const double cellH = sumHeight / n;
        const int guess = std::clamp(static_cast<int>(std::lround(std::sqrt(m_aspect * n * cellH / cellW))), 1, n);
        int best = n;
        double bestDistance = distance(oneRow);
        for (int columns = std::max(1, guess / 2); columns <= std::min(n - 1, guess * 2 + 1); ++columns) {
            const double d = distance(shape(columns));
            if (d < bestDistance) {
                best = columns;
                bestDistance = d;
            }
        }
        return best;
    }

    const std::vector<TreeLayout::Node>& m_nodes;
    double m_aspect;
    TreeLayout::Gaps m_gaps;
    int m_minWrapped;
    std::vector<Block> m_blocks;
};

} // namespace

std::vector<TreeLayout::Placed> TreeLayout::layout(
    const std::vector<Node>& nodes, const std::vector<int>& roots, double aspect, const Gaps& gaps, int minWrapped)
{
    Builder builder(nodes, aspect, gaps, minWrapped);
    std::vector<Placed> out(nodes.size());
    double x = 0;
    for (int root : roots) {
        builder.measure(root);
        builder.place(root, QPointF(x, 0), out);
        x += builder.size(root).width() + 2 * gaps.horizontal;
    }
    return out;
}

} // namespace sc::ui
