// TreeLayout: where the tree graph places a family's children (rows, wrapped blocks),
// a plain class without a widget.
// Threading: any thread; pure computation over the values it is given.
#pragma once

#include <QRectF>
#include <QSizeF>
#include <vector>

namespace sc::ui {

/// The tree laid out as nested blocks, for trees too wide to read when drawn
/// level by level: each parent's children are wrapped into rows (a grid of
/// their subtrees) so that every block's width to height is near `aspect`,
/// the viewport's. A wrapped family hangs from a spine down its left side
/// with a bus over each row; a family in one row hangs from one bus.
class TreeLayout {
public:
    struct Node {
        QSizeF size; ///< the node's box
        QSizeF below; ///< a box hung under a childless node (a collapsed group's summary); empty: none
        const std::vector<int>* children = nullptr; ///< shown children, in order; null: none
    };
    struct Placed {
        QRectF rect;
        QRectF below;
        int columns = 0; ///< >0: the children are wrapped into rows of this many
        double spine = 0; ///< the x of the spine of a wrapped family
    };
    struct Gaps {
        double horizontal = 28;
        double vertical = 72; ///< between a node and its first row of children
        double row = 40; ///< between two rows of a wrapped family
    };

    /// Places `nodes` (parents before children not required); `roots` side by
    /// side from (0, 0). Families of fewer than `minWrapped` children stay in one row.
    static std::vector<Placed> layout(const std::vector<Node>& nodes, const std::vector<int>& roots, double aspect,
        const Gaps& gaps, int minWrapped = 4);
};

} // namespace sc::ui
