// Threading: GUI thread only. The view reads a ProcessTreeModel and the
// events the main window hands it; it never calls the runtime.
#pragma once

#include "core/runtime/events.h"
#include "core/runtime/snapshot.h"
#include "ui/tree/intindex.h"

#include <QAbstractScrollArea>
#include <QElapsedTimer>
#include <QFontMetricsF>
#include <QHash>
#include <QSet>
#include <QTimer>
#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace sc::ui {

class ProcessTreeModel;

/// The live supervision tree drawn as a tree, top down, for a projector:
/// supervisors are rounded boxes that show their strategy and restart
/// budget, dynamic supervisors square boxes with a double border and a
/// diamond, workers pills. Each node shows its status colour, name, mailbox
/// and restart count; a restart flashes the node, a supervisor that gave up
/// is crossed out.
///
/// Layout: children in the model's row order (start order), each parent
/// centred over its first and last child (more than 12 leaf children wrap
/// into rows, centred over the first), packed level by level so no two nodes
/// overlap. A restarted child keeps its row, so it keeps its place; a process
/// that leaves the model stays a moment as a grey ghost, so the tree does not
/// shift while a child is between two lives.
/// Model changes are coalesced: the layout is rebuilt at most once per batch
/// (a zero-time timer, or earlier when something asks for a position), and
/// only the subtrees under parents whose children changed are built again
/// from the model (the rest keep their items; placing them all is cheap);
/// dataChanged repaints only the nodes it names, and painting draws only what
/// the viewport shows, so 10,000 processes stay smooth.
///
/// A tree too wide to read when fitted is laid out again in blocks
/// (TreeLayout): each family wrapped into rows, near the viewport's shape.
/// A supervisor with more than autoCollapseAbove children starts collapsed
/// into a summary node (counts by status, the worst status's colour); a
/// click expands it, and it is not collapsed again by itself.
///
/// The view fits the tree on open and follows its growth and the window's
/// size until the user zooms or pans by hand; then a "Press F to fit" hint
/// shows under the tree. Fit never goes past 100% nor below the zoom that
/// keeps names readable (minReadablePixels); what does not fit then is
/// scrolled to. The legend and the hint sit in a strip under the viewport,
/// the give-up banner in a strip over it, so neither ever covers a node.
///
/// Input: Ctrl+wheel, +/- zoom; drag or scroll bars pan; F fits; arrows move
/// the selection (Up parent, Down first child, Left/Right neighbours); Enter,
/// a double-click or the +/- button under a supervisor collapses its subtree.
class TreeGraphView : public QAbstractScrollArea {
    Q_OBJECT
    Q_PROPERTY(bool killPreviewEnabled READ killPreviewEnabled WRITE setKillPreviewEnabled)
    Q_PROPERTY(double zoom READ zoom WRITE setZoom)

public:
    explicit TreeGraphView(QWidget* parent = nullptr);
    ~TreeGraphView() override;

    void setModel(ProcessTreeModel* model);
    ProcessTreeModel* model() const { return m_model; }

    // -- selection --
    sc::Pid selectedPid() const { return m_selected; }
    /// Selects the process (0 clears) and scrolls it into view; false if it is not in the tree.
    bool selectPid(sc::Pid pid);

    // -- kill preview --
    /// Which processes a kill of `pid` takes down (the policy: killset.h), in row order.
    std::vector<sc::Pid> killSet(sc::Pid pid) const;
    bool killPreviewEnabled() const { return m_killPreviewEnabled; }
    /// With the Kill action armed, hovering a node previews its kill set.
    void setKillPreviewEnabled(bool on);
    /// Shows `pid`'s kill set (0 clears), whatever the hover does.
    void setKillPreview(sc::Pid pid);
    sc::Pid killPreview() const { return m_killPreview; }
    /// What the view says while there is no process ("No processes" by default).
    void setEmptyText(const QString& text);
    QString emptyText() const { return m_emptyText; }

    // -- subtrees --
    bool isCollapsed(sc::Pid pid) const;
    /// Collapses or expands the subtree under `pid`; kept across restarts (by path).
    void setCollapsed(sc::Pid pid, bool collapsed);
    void expandAll();

    // -- live state --
    /// The node flashes for about a second after a Restart event names its path.
    bool isFlashing(sc::Pid pid) const;
    bool hasGivenUp(sc::Pid pid) const;
    /// Paths of supervisors that gave up in the last few seconds, oldest first:
    /// a banner names them after their nodes are gone.
    QStringList recentGiveUps() const;
    /// An Exit event named it, or it is a ghost.
    bool isDead(sc::Pid pid) const;
    /// A process that left the model stays a moment as a ghost in its place
    /// (the dead look), so the tree does not shift while a child restarts;
    /// a new process at its path replaces it at once.
    bool isGhost(sc::Pid pid) const;
    /// How long a ghost stays (1.5 s). Ghosts already shown stay at most
    /// that long from now.
    void setGhostLifetime(std::chrono::milliseconds lifetime);
    /// While held, no ghost goes, neither those shown now nor those to come
    /// (a new process at a ghost's path still replaces it): the end of a
    /// scenario stays on screen until the teacher moves on. Released, they
    /// go the usual lifetime from then (a lifetime set meanwhile counts from then).
    void setGhostsHeld(bool held);
    bool ghostsHeld() const { return m_heldGhostMs >= 0; }

    // -- geometry, for tests and tools --
    double zoom() const { return m_zoom; }
    void setZoom(double zoom);
    /// The node's box in scene coordinates (zoom 1); empty if hidden or unknown.
    QRectF nodeRect(sc::Pid pid) const;
    QPointF mapToViewport(const QPointF& scene) const;
    QPointF mapToScene(const QPointF& viewportPos) const;
    /// The node under a viewport position, or 0.
    sc::Pid pidAt(const QPoint& viewportPos) const;
    int nodeCount() const;
    /// Nodes not hidden inside a collapsed subtree.
    int visibleNodeCount() const;
    /// Nodes the last paint drew (culled by the viewport).
    int lastPaintedCount() const { return m_lastPainted; }
    std::chrono::microseconds lastLayoutTime() const { return m_lastLayoutTime; }
    /// The font of a node's name at zoom 1: at least 14 pt, for the back of the room.
    QFont nameFont(sc::ProcessKind kind) const;
    /// What zoom 1 is drawn at: 1, or theme::presenterScale in presenter mode.
    double presenterScale() const { return m_presenterScale; }
    /// Presenter mode draws nodes and their text larger (theme::presenterScale).
    void setPresenterMode(bool on);
    /// Names are never drawn smaller than this many pixels (font size) by Fit.
    static constexpr double minReadablePixels = 12;
    /// A supervisor with more children than this starts collapsed into a summary.
    static constexpr int autoCollapseAbove = 40;
    /// The pixel size of a worker's name as drawn now.
    double namePixels() const;
    /// The collapsed group's summary under `pid`, in scene coordinates; empty if none.
    QRectF summaryRect(sc::Pid pid) const;
    /// What the summary says under its count ("998 running · 2 restarting"),
    /// and the status it is coloured by: the worst of the group's.
    QString summaryText(sc::Pid pid) const;
    sc::ProcessStatus summaryStatus(sc::Pid pid) const;
    /// True while the layout wraps families into rows (the tree is too wide to read in one).
    bool isWrapped() const { return m_wrapAspect > 0; }
    /// The scene's bounds (zoom 1), margins included.
    QRectF sceneRect() const;
    /// The user zoomed or panned by hand: the view stops following the tree and offers Fit.
    bool fitHintVisible() const;
    /// Where the hint, the legend and the give-up banner are, in viewport
    /// coordinates (outside the viewport, so they never cover a node); empty if not shown.
    QRect fitHintRect() const;
    QRect legendRect() const;
    QRect bannerRect() const;
    /// Rebuilds the layout now if a model change is pending.
    void layoutNow() const { ensureLayout(); }
    /// Rebuilds the whole layout from the model now, as the first layout does
    /// (a model change otherwise rebuilds only the subtrees whose children changed).
    void relayoutFromScratch();
    /// The nodes, live and ghosts, depth first in row order.
    std::vector<sc::Pid> nodePids() const;

public Q_SLOTS:
    /// Restart, GiveUp and Exit events drive the flash, given-up and dead looks.
    void noteEvents(const std::vector<sc::Event>& events);
    void fitToWindow();
    void zoomIn();
    void zoomOut();
    /// Selects and centres the first process whose name or path contains
    /// `text` (case-insensitive), expanding what hides it, and marks the
    /// others; returns how many match. Empty text clears the marks.
    int search(const QString& text);

Q_SIGNALS:
    void selectionChanged(sc::Pid pid);
    void contextMenuRequested(sc::Pid pid, const QPoint& globalPos);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Item {
        sc::Pid pid = 0;
        int parent = -1;
        std::vector<int> children; ///< in row order
        int depth = 0;
        sc::ProcessKind kind = sc::ProcessKind::Worker;
        QString name;
        QString path;
        int pathId = 0; ///< the path interned (m_pathIds): equal ids, equal paths
        bool visible = true; ///< not inside a collapsed subtree
        bool collapsed = false; ///< has children and its path is in m_collapsed
        int hidden = 0; ///< descendants hidden by collapsing this node
        bool ghost = false; ///< gone from the model, kept in place for a moment
        double width = 0; ///< fits the name; 0: to be measured again
        int columns = 0; ///< >0: its many leaf children are wrapped into a grid this wide
        double cellWidth = 0; ///< the grid's column width
        double spine = 0; ///< x of a wrapped family's spine (columns > 0)
        QRectF rect; ///< scene coordinates, valid when visible
        QRectF summary; ///< a collapsed group's summary node under it (hidden > 0)
        int was = -1; ///< its index in the layout before, while a relayout compares the two (see m_unmovedPrefix)
    };

    /// What a relayout compares with: an item as the layout before had it.
    struct OldItem {
        sc::Pid pid = 0;
        int parent = -1;
        int depth = 0;
        sc::ProcessKind kind = sc::ProcessKind::Worker;
        bool visible = true;
        bool ghost = false;
        int hidden = 0;
        int childCount = 0;
        int columns = 0;
        int pathId = 0;
        double width = 0;
        double cellWidth = 0;
        double spine = 0;
        QRectF rect;
        QRectF summary;
        const void* name = nullptr; ///< the name's data: the same pointer, the same name
    };

    /// What a process that left the model leaves in its place for a moment.
    struct Ghost {
        sc::Pid pid = 0;
        sc::ProcessKind kind = sc::ProcessKind::Worker;
        QString name;
        QString path;
        QString parentPath; ///< empty: a top-level process
        QString afterPath; ///< the sibling it followed; empty: the first
        double width = 0;
        int depth = 0;
        qint64 until = 0; ///< m_clock ms
    };

    // -- layout --
    /// A change the layout must see: `full` rebuilds everything, else only
    /// what m_dirtyParents names (and ghosts that expired).
    void scheduleLayout(bool full = true);
    /// The model changed the children of `parent` (nullptr-index: the top level).
    void noteStructure(const QModelIndex& parent);
    void ensureLayout() const;
    void rebuild();
    /// Steps 1 to 3 of a relayout from scratch: every item from the model, ghosts slotted in.
    void buildAll(qint64 now);
    /// The same for the subtrees under m_dirtyParents only, spliced into the
    /// items in place; false (nothing changed) when it cannot, e.g. the top level changed.
    bool buildChanged(qint64 now);
    // The steps of buildChanged (treegraphsplice.cpp); false: ask buildAll.
    struct Region;
    struct Splice;
    /// The items whose subtrees to build again: the topmost (`tops`) and all (`allDirty`).
    bool dirtySubtrees(qint64 now, std::vector<int>& tops, std::vector<int>& allDirty) const;
    /// One past the last descendant of the item at `at`.
    int subtreeEnd(int at) const;
    /// A region under each of `tops`, and under dirty parents inside what a partial region keeps.
    void findRegions(Splice& splice, const std::vector<int>& tops, const std::vector<int>& allDirty);
    /// In a big family only the children from the first changed one to the last are built again.
    void narrowToChangedChildren(Region& region, const std::vector<int>& allDirty, std::vector<int>& extra);
    /// Step 1: the live processes under each region's root, from the model.
    bool buildRegions(Splice& splice);
    /// Whether a live process has the path once the regions are built; nullopt: cannot tell.
    std::optional<bool> pathTaken(const Splice& splice, int pathId) const;
    /// Step 2: what left the regions stays as a ghost in its place, as buildAll.
    bool collectGhosts(const Splice& splice, qint64 now, std::vector<Ghost>& ghosts) const;
    bool slotGhosts(Splice& splice, qint64 now);
    /// Step 3: each region's items depth first, then spliced in place of the old descendants:
    void flattenRegions(Splice& splice);
    std::vector<int> forgetRegions(Splice& splice);
    void moveRegions(Splice& splice);
    void learnRegions(Splice& splice, std::vector<int>& touchedPaths);
    void snapshotItems(std::vector<OldItem>& old) const;
    /// A node's width for its name (measured text is cached).
    double measureWidth(const QString& name, bool worker);
    /// Sets a new item's path id and width: `was`'s (the process in the layout
    /// before) while its strings are the same, else interned and measured.
    void identify(Item& item, const Item* was);
    void countPath(int pathId, int delta);
    void place(int item, std::vector<double>& nextFree);
    /// Places every visible item: level by level, or in wrapped blocks when
    /// that would be too small to read in the viewport; sets m_sceneRect.
    void placeAll(int maxDepth);
    void placeBlocks();
    /// Collapses supervisors that have just grown past autoCollapseAbove children; true if any.
    bool autoCollapse();
    double scale() const { return m_zoom * m_presenterScale; }
    /// The zoom below which Fit would draw names under minReadablePixels.
    double minReadableZoom() const;
    /// The zoom that shows the whole scene in the viewport (unclamped).
    double fitZoom() const;
    /// Fits (or, for a tree too big to read whole, shows its top at a readable zoom).
    void applyFit();
    /// Places the strips around the viewport and sets the viewport's margins for them.
    void layoutStrips();
    void paintFooter(QPainter& p, const QRect& rect) const;
    void paintSummary(QPainter& p, const Item& item, bool detailed) const;
    struct Summary {
        QString text;
        sc::ProcessStatus worst = sc::ProcessStatus::Running;
    };
    /// The statuses of what `item` hides, counted.
    Summary summaryOf(const Item& item) const;
    void placeGrid(int item, std::vector<double>& nextFree);
    void shiftSubtree(int item, double dx, std::vector<double>& nextFree);
    void updateScrollBars();
    /// After a relayout that left the viewport's mapping as it was: repaints
    /// the nodes and edges that moved, appeared or went, not the whole view.
    void updateMoved(const std::vector<OldItem>& old);
    int itemOf(sc::Pid pid) const;
    /// The newest live process at `path` (else its ghost), or -1.
    int itemOfPath(const QString& path) const;
    int internPath(const QString& path);
    /// 0 if the path was never interned.
    int pathIdOf(const QString& path) const;
    QPointF origin() const;
    void centreOn(const QPointF& scene);
    void ensureVisible(const QRectF& scene);
    void zoomAround(double zoom, const QPointF& viewportAnchor);
    void showFirstView();
    void expandAncestors(int item);
    void toggle(int item);
    QRectF toggleRect(const Item& item) const;

    // -- painting --
    void paintEdges(QPainter& p, const QRectF& exposed) const;
    void paintNode(QPainter& p, const Item& item, bool detailed) const;
    void paintGhost(QPainter& p, const Item& item, bool detailed) const;
    void paintLegend(QPainter& p, const QRectF& area) const;
    void paintGiveUps(QPainter& p, const QRect& rect) const;

    // -- input --
    void setSelected(sc::Pid pid);
    void moveSelection(int key);
    void tick();
    void onDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight);
    /// Repaints one node with its halo and tags.
    void updateItem(int item);

    ProcessTreeModel* m_model = nullptr;
    std::vector<QMetaObject::Connection> m_connections;

    /// What items[i], gone from the model, leaves behind in its place until `until`.
    static Ghost ghostOf(const std::vector<Item>& items, const std::vector<int>& roots, std::size_t i, qint64 until);
    /// The item that stands for ghost `g` under `parent` (was: its index in the previous layout, or -1).
    Item ghostItem(const Ghost& g, int parent, int was);

    std::vector<Item> m_items; ///< depth first, row order
    std::vector<Ghost> m_ghosts;
    std::vector<int> m_roots;
    IntIndex m_byPid;
    IntIndex m_byPath; ///< path id -> the newest process at that path
    std::vector<IntIndex> m_spareIndexes; ///< their memory, for the next layout
    /// Every path seen lately, numbered; a process's id carries over from
    /// one layout to the next while its path is unchanged, so only new
    /// processes are hashed. Numbered afresh when it grows well past the tree.
    QHash<QString, int> m_pathIds;
    int m_nextPathId = 1;
    QRectF m_sceneRect;
    bool m_dirty = true;
    bool m_fullLayout = true; ///< the next relayout starts from scratch
    std::vector<sc::Pid> m_dirtyParents; ///< whose children changed since the last layout; 0: the top level
    IntIndex m_pathCount; ///< path id -> how many items (live or ghosts) have that path
    std::vector<Item> m_spareItems; ///< memory for the next relayout from scratch
    std::vector<OldItem> m_oldItems; ///< a relayout's view of the layout before, kept for its memory
    /// Items in front of this position were there before the last relayout too (their `was` is unset).
    int m_unmovedPrefix = 0;
    /// The ranges of items the last incremental build made again (a subtree's
    /// descendants, or some of its children's subtrees): where they began
    /// before and now, how many there were and are, and the parent's position.
    struct Changed {
        int oldFrom = 0;
        int oldCount = 0;
        int newFrom = 0;
        int newCount = 0;
        int rootAt = 0;
    };
    std::vector<Changed> m_changed;
    int m_maxDepth = 0; ///< the deepest item at the last relayout
    double m_presenterScale = 1.0;
    double m_wrapAspect = 0; ///< >0: the layout wraps families into blocks of about this width to height
    int m_minWrapped = 4; ///< smaller families stay in one row (fewer when squeezed to the viewport's width)
    bool m_placeAgain = false; ///< the next relayout places every item again (the viewport or the mode changed)
    QSet<QString> m_autoCollapsed; ///< paths collapsed once for their size: not again
    QWidget* m_header = nullptr; ///< over the viewport: the give-up banner
    QWidget* m_footer = nullptr; ///< under the viewport: the legend and the Fit hint
    bool m_fittedOnce = false;
    bool m_viewTouched = false; ///< the user zoomed, panned or used the keyboard here
    QTimer m_layoutTimer;
    std::chrono::microseconds m_lastLayoutTime {0};

    double m_zoom = 1.0;
    sc::Pid m_selected = 0;
    QString m_selectedPath;
    QString m_emptyText = tr("No processes");
    sc::Pid m_hover = 0;
    bool m_killPreviewEnabled = false;
    sc::Pid m_killPreview = 0;
    sc::Pid m_killPreviewExplicit = 0;
    QSet<QString> m_collapsed; ///< paths
    QHash<QString, double> m_workerWidths; ///< name -> node width
    QHash<QString, double> m_supervisorWidths;
    std::optional<QFontMetricsF> m_workerMetrics; ///< for one relayout
    std::optional<QFontMetricsF> m_supervisorMetrics;
    std::vector<double> m_charAdvances; ///< ASCII advances of the name fonts (worker, then supervisor); -1 unmeasured
    QSet<sc::Pid> m_matches;

    QPoint m_dragStart;
    QPoint m_dragScroll;
    bool m_dragging = false;

    // -- live state --
    QElapsedTimer m_clock;
    qint64 m_ghostMs = 1500;
    qint64 m_heldGhostMs = -1; ///< while ghosts are held: the lifetime to go back to
    QHash<QString, qint64> m_flashUntil; ///< path -> m_clock ms
    QHash<sc::Pid, QString> m_gaveUp; ///< pid -> reason, while the process lives
    struct GiveUp {
        QString path;
        QString reason;
        qint64 until = 0; ///< m_clock ms
    };
    std::vector<GiveUp> m_recentGiveUps;
    QSet<sc::Pid> m_dead;
    QTimer m_animation;
    mutable int m_lastPainted = 0;
    mutable std::vector<sc::Pid> m_paintKillSet; ///< the kill preview's set during a paint, sorted
};

} // namespace sc::ui
