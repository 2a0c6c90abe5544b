// TreeGraphView's items built from the model from scratch (buildAll), with
// the ghosts slotted in, and what that rests on: path ids, name widths.
#include "ui/tree/processtreemodel.h"
#include "ui/tree/treegraphmetrics.h"
#include "ui/tree/treegraphview.h"

#include <algorithm>

namespace sc::ui {

using namespace treegraph;

TreeGraphView::Item TreeGraphView::ghostItem(const Ghost& g, int parent, int was)
{
    Item item;
    item.pid = g.pid;
    item.parent = parent;
    item.kind = g.kind;
    item.name = g.name;
    item.path = g.path;
    item.pathId = internPath(g.path);
    item.width = g.width;
    item.ghost = true;
    item.was = was;
    return item;
}

TreeGraphView::Ghost TreeGraphView::ghostOf(
    const std::vector<Item>& items, const std::vector<int>& roots, std::size_t i, qint64 until)
{
    const Item& item = items[i];
    const std::vector<int>& siblings = item.parent >= 0 ? items[std::size_t(item.parent)].children : roots;
    const auto at
        = std::find_if(siblings.begin(), siblings.end(), [&](int s) { return items[std::size_t(s)].pid == item.pid; });
    Ghost g;
    g.pid = item.pid;
    g.kind = item.kind;
    g.name = item.name;
    g.path = item.path;
    g.parentPath = item.parent >= 0 ? items[std::size_t(item.parent)].path : QString();
    g.afterPath = at != siblings.begin() && at != siblings.end() ? items[std::size_t(*(at - 1))].path : QString();
    g.width = item.width;
    g.depth = item.depth;
    g.until = until;
    return g;
}

double TreeGraphView::measureWidth(const QString& name, bool worker)
{
    // Measuring text is most of a relayout's time; names rarely change, and
    // most are short enough for the smallest node whatever their exact width:
    // an upper bound from per-character advances (with room for kerning)
    // settles those without shaping the text.
    if (!m_workerMetrics) {
        m_workerMetrics.emplace(nameFont(sc::ProcessKind::Worker), viewport());
        m_supervisorMetrics.emplace(nameFont(sc::ProcessKind::Supervisor), viewport());
    }
    const QFontMetricsF& metrics = worker ? *m_workerMetrics : *m_supervisorMetrics;
    if (m_charAdvances.empty()) m_charAdvances.assign(256, -1.0);
    double sum = 0;
    bool ascii = true;
    for (const QChar c : name) {
        if (c.unicode() >= 128) {
            ascii = false;
            break;
        }
        double& advance = m_charAdvances[(worker ? 0 : 128) + c.unicode()];
        if (advance < 0) advance = metrics.horizontalAdvance(c);
        sum += advance;
    }
    if (ascii) {
        const double bound = sum * 1.25 + 4;
        if (worker ? bound + workerHeight * 2 / 3 + 12 <= workerWidth : bound + 22 + 32 + 8 <= supervisorWidth)
            return worker ? workerWidth : supervisorWidth;
    }
    auto& cache = worker ? m_workerWidths : m_supervisorWidths;
    if (const auto it = cache.constFind(name); it != cache.cend()) return it.value();
    const double w = worker
        ? std::clamp(metrics.horizontalAdvance(name) + workerHeight * 2 / 3 + 12, workerWidth, workerMaxWidth)
        : std::clamp(metrics.horizontalAdvance(name) + 22 + 32 + 8, supervisorWidth, supervisorMaxWidth);
    if (cache.size() > 100'000) cache.clear();
    cache.insert(name, w);
    return w;
}

void TreeGraphView::identify(Item& item, const Item* was)
{
    if (was && !was->ghost && was->kind == item.kind && was->width > 0 && was->path.constData() == item.path.constData()
        && was->name.constData() == item.name.constData()) {
        item.pathId = was->pathId;
        item.width = was->width;
    } else {
        item.pathId = internPath(item.path);
        // Room for the whole name: the pill's ends (a third of its height each), or badge and padding.
        item.width = measureWidth(item.name, item.kind == sc::ProcessKind::Worker);
    }
}

void TreeGraphView::buildAll(qint64 now)
{
    // What the old layout knew: for processes that have just gone, and for
    // the ones still here (their path id and width carry over, unhashed).
    std::vector<Item> old = std::move(m_items);
    const std::vector<int> oldRoots = std::move(m_roots);
    // The indexes' memory is reused from one layout to the next.
    const auto takeIndex = [this] {
        if (m_spareIndexes.empty()) return IntIndex();
        IntIndex index = std::move(m_spareIndexes.back());
        m_spareIndexes.pop_back();
        return index;
    };
    const auto recycle = [this](IntIndex& index) {
        if (index.hasMemory() && m_spareIndexes.size() < 4) m_spareIndexes.push_back(std::move(index));
        index = IntIndex();
    };
    IntIndex oldByPid = std::move(m_byPid);
    recycle(m_byPath);
    m_unmovedPrefix = 0; // every item says where it was
    m_items = std::move(m_spareItems);
    m_items.clear();
    m_roots.clear();
    m_byPid = IntIndex();
    if (m_pathIds.size() > 2 * static_cast<qsizetype>(old.size()) + 4096) {
        // Paths of processes long gone: number the current ones afresh.
        m_pathIds.clear();
        m_nextPathId = 1;
        for (Item& item : old)
            item.pathId = internPath(item.path);
    }

    // 1. The live tree, from the model (ids into `tree`, depth first).
    std::vector<Item> tree;
    std::vector<int> roots;
    IntIndex byPath = takeIndex(); // path id -> id in `tree`, the newest process
    IntIndex livePids = takeIndex(); // pid -> id in `tree`
    bool sharedPaths = false; // two live processes at one path
    std::vector<char> seen(old.size(), 0); // the old item is still in the model
    if (m_model) {
        const auto count = static_cast<std::size_t>(m_model->processCount());
        tree.reserve(count + m_ghosts.size());
        livePids.reset(count);
        byPath.reset(count + m_ghosts.size());
        std::vector<int> ancestors;
        std::size_t cursor = 0; // the walk mostly meets the old items in their old order
        m_model->forEachDepthFirst(
            [&, this](const sc::ProcessInfo& info, const QString& name, const QString& path, int depth) {
                ancestors.resize(static_cast<std::size_t>(depth));
                const int parent = depth > 0 ? ancestors.back() : -1;
                const int id = static_cast<int>(tree.size());
                Item item;
                item.pid = info.pid;
                item.parent = parent;
                item.depth = depth;
                item.kind = info.kind;
                item.name = name;
                item.path = path;
                // The model's strings are shared until they change: an unchanged
                // process keeps its path id and width without hashing its path.
                const int before = cursor < old.size() && old[cursor].pid == info.pid ? static_cast<int>(cursor)
                                                                                      : oldByPid.find(info.pid);
                const Item* was = nullptr;
                item.was = before;
                if (before >= 0) {
                    was = &old[static_cast<std::size_t>(before)];
                    seen[static_cast<std::size_t>(before)] = 1;
                    cursor = static_cast<std::size_t>(before) + 1;
                }
                identify(item, was);
                livePids.insert(info.pid, id);
                int& newest = byPath.at(static_cast<std::uint64_t>(item.pathId));
                if (newest >= 0) sharedPaths = true;
                if (newest < 0 || tree[static_cast<std::size_t>(newest)].pid < info.pid) newest = id;
                tree.push_back(std::move(item));
                if (parent >= 0)
                    tree[static_cast<std::size_t>(parent)].children.push_back(id);
                else
                    roots.push_back(id);
                ancestors.push_back(id);
            });
    }

    // 2. Ghosts: what left the model stays in its place for a moment, unless a
    // new process took its path (a restarted child) or its place is gone.
    std::erase_if(m_ghosts, [&](const Ghost& g) { return g.until <= now || byPath.find(pathIdOf(g.path)) >= 0; });
    for (std::size_t i = 0; i < old.size(); ++i) {
        const Item& item = old[i];
        if (item.ghost || seen[i] || byPath.find(item.pathId) >= 0) continue;
        m_ghosts.push_back(ghostOf(old, oldRoots, i, now + m_ghostMs));
    }
    std::stable_sort(
        m_ghosts.begin(), m_ghosts.end(), [](const Ghost& a, const Ghost& b) { return a.depth < b.depth; });
    std::vector<Ghost> kept;
    for (const Ghost& g : m_ghosts) {
        int parent = -1;
        if (!g.parentPath.isEmpty()) {
            parent = byPath.find(pathIdOf(g.parentPath));
            if (parent < 0) continue; // its parent is gone without a trace
        }
        const int id = static_cast<int>(tree.size());
        Item item = ghostItem(g, parent, oldByPid.find(g.pid));
        byPath.insert(item.pathId, id);
        tree.push_back(std::move(item));
        std::vector<int>& siblings = parent >= 0 ? tree[static_cast<std::size_t>(parent)].children : roots;
        auto at = siblings.begin();
        if (!g.afterPath.isEmpty()) {
            const int after = pathIdOf(g.afterPath);
            at = std::find_if(siblings.begin(), siblings.end(), [&](int s) { return tree[s].pathId == after; });
            if (at != siblings.end()) ++at;
        }
        siblings.insert(at, id);
        kept.push_back(g);
    }
    m_ghosts = std::move(kept);
    if (!m_ghosts.empty() && !m_animation.isActive()) m_animation.start();

    // 3. Depth first into m_items, so a subtree's items are contiguous. The
    // walk already is, unless ghosts were slotted in.
    if (m_ghosts.empty()) {
        m_items = std::move(tree);
        m_roots = std::move(roots);
        m_byPid = std::move(livePids);
        if (!sharedPaths) {
            m_byPath = std::move(byPath);
        } else {
            // The last in depth-first order, as the general case below.
            m_byPath = takeIndex();
            m_byPath.reset(m_items.size());
            for (int id = 0; id < static_cast<int>(m_items.size()); ++id)
                m_byPath.insert(static_cast<std::uint64_t>(m_items[id].pathId), id);
        }
    } else {
        m_byPid = takeIndex();
        m_byPath = takeIndex();
        m_byPid.reset(tree.size());
        m_byPath.reset(tree.size());
        m_items.reserve(tree.size());
        const auto flatten = [&, this](auto&& self, int from, int parent, int depth) -> void {
            const int id = static_cast<int>(m_items.size());
            Item item = std::move(tree[from]);
            std::vector<int> children = std::move(item.children);
            item.children.clear();
            item.parent = parent;
            item.depth = depth;
            m_byPid.insert(item.pid, id);
            if (!item.ghost) m_byPath.insert(item.pathId, id);
            m_items.push_back(std::move(item));
            if (parent >= 0)
                m_items[parent].children.push_back(id);
            else
                m_roots.push_back(id);
            for (int child : children)
                self(self, child, id, depth + 1);
        };
        for (int root : roots)
            flatten(flatten, root, -1, 0);
        for (const Ghost& g : m_ghosts) {
            const int pathId = pathIdOf(g.path);
            if (const int id = m_byPid.find(g.pid); id >= 0 && m_byPath.find(pathId) < 0) m_byPath.insert(pathId, id);
        }
    }

    recycle(oldByPid);
    recycle(livePids);
    recycle(byPath);
    m_pathCount.reset(m_items.size());
    for (const Item& item : m_items)
        countPath(item.pathId, 1);
    old.clear(); // its memory serves the next relayout
    if (old.capacity() >= m_spareItems.capacity()) m_spareItems = std::move(old);
}

void TreeGraphView::countPath(int pathId, int delta)
{
    const auto key = static_cast<std::uint64_t>(pathId);
    int& count = m_pathCount.at(key);
    count = std::max(count, 0) + delta;
    if (count <= 0) m_pathCount.erase(key);
}

int TreeGraphView::internPath(const QString& path)
{
    const auto it = m_pathIds.constFind(path);
    if (it != m_pathIds.cend()) return it.value();
    const int id = m_nextPathId++;
    m_pathIds.insert(path, id);
    return id;
}

int TreeGraphView::pathIdOf(const QString& path) const
{
    return m_pathIds.value(path, 0);
}

int TreeGraphView::itemOfPath(const QString& path) const
{
    const int pathId = pathIdOf(path);
    return pathId ? m_byPath.find(pathId) : -1;
}

} // namespace sc::ui
