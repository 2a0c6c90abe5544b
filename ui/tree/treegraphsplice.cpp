// TreeGraphView's incremental build: only the subtrees under parents whose
// children changed are built again from the model and spliced into the items
// in place; when it cannot tell, it leaves the work to buildAll.
#include "ui/tree/processtreemodel.h"
#include "ui/tree/treegraphview.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

namespace sc::ui {

/// A subtree built again: its root stays, (some of) its descendants are new.
struct TreeGraphView::Region {
    int at = 0; ///< the subtree's root, which stays
    int from = 0; ///< the first descendant built again: at + 1, or a later child's subtree
    int end = 0; ///< one past the last descendant built again
    /// A big family where only some children changed: the children in
    /// front of `from` and from `end` on (old positions) stay as they are.
    bool partial = false;
    std::vector<int> prefix;
    std::vector<int> suffix;
    /// The model's children of the root (partial regions).
    std::vector<std::tuple<const sc::ProcessInfo*, const QString*, const QString*>> now;
    std::vector<Item> tree; ///< the descendants, as buildAll's `tree`; parent -1: the root
    std::vector<int> top; ///< the root's children, ids into `tree`
    IntIndex byPath; ///< path id -> id in `tree`, the newest process
    std::vector<Item> flat; ///< the descendants depth first, parent -1: the root
    int newAt = 0; ///< where the root is once spliced
    int newFrom = 0; ///< where the descendants begin once spliced
};

/// What the steps of one incremental build share.
struct TreeGraphView::Splice {
    std::vector<Region> regions; ///< by position
    std::size_t oldLive = 0; ///< live items in the regions before
    std::size_t live = 0; ///< live processes in the regions now
    IntIndex newLive; ///< path id -> 1: a live process in a region has it
    std::vector<Ghost> kept; ///< the ghosts after the build
    int shift = 0; ///< how far the items after the last region move
    std::vector<int> shiftAfter; ///< how far the items after each region's end move

    /// The region whose descendants hold an old position, or -1.
    int regionOf(int position) const
    {
        auto it = std::upper_bound(
            regions.begin(), regions.end(), position, [](int p, const Region& r) { return p < r.from; });
        if (it == regions.begin()) return -1;
        --it;
        return position >= it->from && position < it->end ? static_cast<int>(it - regions.begin()) : -1;
    }
    /// The position now of an old position outside the regions' descendants.
    int moved(int old) const
    {
        if (old < regions.front().end) return old;
        if (regions.size() == 1) return old + shift;
        auto it
            = std::upper_bound(regions.begin(), regions.end(), old, [](int p, const Region& r) { return p < r.end; });
        return old + shiftAfter[static_cast<std::size_t>(it - regions.begin()) - 1];
    }
};

bool TreeGraphView::buildChanged(qint64 now)
{
    if (!m_model || m_items.empty()) return false;
    if (m_pathIds.size() > 2 * static_cast<qsizetype>(m_items.size()) + 4096) return false; // time to renumber
    std::vector<int> tops;
    std::vector<int> allDirty;
    if (!dirtySubtrees(now, tops, allDirty)) return false;
    if (tops.empty()) return m_items.size() - m_ghosts.size() == static_cast<std::size_t>(m_model->processCount());

    Splice splice;
    findRegions(splice, tops, allDirty);
    // Building most of the tree again in pieces costs more than building it whole.
    std::size_t rebuilt = 0;
    for (const Region& region : splice.regions)
        rebuilt += static_cast<std::size_t>(region.end - region.from);
    if (4 * rebuilt > m_items.size() && m_items.size() > 256) return false;

    if (!buildRegions(splice)) return false;
    if (!slotGhosts(splice, now)) return false;
    flattenRegions(splice);
    std::vector<int> touchedPaths = forgetRegions(splice);
    moveRegions(splice);
    learnRegions(splice, touchedPaths);
    if (!m_ghosts.empty() && !m_animation.isActive()) m_animation.start();
    return true;
}

bool TreeGraphView::dirtySubtrees(qint64 now, std::vector<int>& tops, std::vector<int>& allDirty) const
{
    // Under each parent whose children changed (an expired ghost's parent too).
    std::vector<sc::Pid> dirty = m_dirtyParents;
    for (const Ghost& g : m_ghosts) {
        if (g.until > now) continue;
        const int id = m_byPid.find(g.pid);
        if (id < 0 || m_items[id].parent < 0) return false;
        dirty.push_back(m_items[m_items[id].parent].pid);
    }
    for (const sc::Pid pid : dirty) {
        if (pid == 0) return false;
        if (const int id = m_byPid.find(pid); id >= 0) tops.push_back(id);
    }
    std::sort(tops.begin(), tops.end());
    tops.erase(std::unique(tops.begin(), tops.end()), tops.end());
    allDirty = tops;
    // The topmost of them only.
    std::vector<int> topmost;
    for (const int id : tops) {
        bool inner = false;
        for (int p = m_items[id].parent; p >= 0 && !inner; p = m_items[p].parent)
            inner = std::binary_search(tops.begin(), tops.end(), p);
        if (!inner) topmost.push_back(id);
    }
    tops = std::move(topmost);
    return true;
}

int TreeGraphView::subtreeEnd(int at) const
{
    int end = at + 1;
    while (end < static_cast<int>(m_items.size()) && m_items[end].depth > m_items[static_cast<std::size_t>(at)].depth)
        ++end;
    return end;
}

void TreeGraphView::findRegions(Splice& splice, const std::vector<int>& tops, const std::vector<int>& allDirty)
{
    std::vector<Region>& regions = splice.regions;
    regions.resize(tops.size());
    std::vector<int> extra; // dirty parents inside the children a partial region keeps
    for (std::size_t r = 0; r < tops.size(); ++r) {
        Region& region = regions[r];
        region.at = tops[r];
        region.from = region.at + 1;
        region.end = subtreeEnd(region.at);
        narrowToChangedChildren(region, allDirty, extra);
    }
    for (const int at : extra) {
        bool inner = false; // under another of them
        for (int p = m_items[static_cast<std::size_t>(at)].parent; p >= 0 && !inner; p = m_items[p].parent)
            inner = std::binary_search(extra.begin(), extra.end(), p);
        if (inner) continue;
        Region region;
        region.at = at;
        region.from = at + 1;
        region.end = subtreeEnd(at);
        regions.push_back(std::move(region));
    }
    std::sort(regions.begin(), regions.end(), [](const Region& a, const Region& b) { return a.from < b.from; });
    for (const Region& region : regions) {
        for (int i = region.from; i < region.end; ++i) {
            Item& item = m_items[static_cast<std::size_t>(i)];
            item.was = -1; // not seen in the model yet
            if (!item.ghost) ++splice.oldLive;
        }
    }
}

void TreeGraphView::narrowToChangedChildren(Region& region, const std::vector<int>& allDirty, std::vector<int>& extra)
{
    // Many children, a few of them new or gone (a restart in a big pool):
    // the unchanged ones in front and behind stay.
    const Item& root = m_items[static_cast<std::size_t>(region.at)];
    const int wholeEnd = region.end;
    if (root.ghost || root.children.size() <= 32) return;
    m_model->forEachDepthFirstUnder(
        root.pid, [&](const sc::ProcessInfo& info, const QString& name, const QString& path, int depth) {
            if (depth == 0) region.now.emplace_back(&info, &name, &path);
        });
    const auto& now = region.now;
    const std::size_t was = root.children.size();
    const std::size_t both = std::min(was, now.size());
    std::size_t front = 0;
    while (front < both && m_items[root.children[front]].pid == std::get<0>(now[front])->pid)
        ++front;
    std::size_t back = 0;
    while (back < both - front
        && m_items[root.children[was - 1 - back]].pid == std::get<0>(now[now.size() - 1 - back])->pid)
        ++back;
    if (front + back > 0) {
        region.partial = true;
        region.prefix.assign(root.children.begin(), root.children.begin() + static_cast<std::ptrdiff_t>(front));
        region.suffix.assign(root.children.end() - static_cast<std::ptrdiff_t>(back), root.children.end());
        if (front < was)
            region.from = root.children[front];
        else
            region.from = region.end;
        if (back > 0) region.end = root.children[was - back];
        if (region.from > region.end) region.from = region.end;
        // Changes under the children it keeps are regions of their own.
        for (auto it = std::upper_bound(allDirty.begin(), allDirty.end(), region.at);
             it != allDirty.end() && *it < wholeEnd; ++it)
            if (*it < region.from || *it >= region.end) extra.push_back(*it);
    }
}

bool TreeGraphView::buildRegions(Splice& splice)
{
    // The live subtrees, from the model.
    std::vector<Region>& regions = splice.regions;
    IntIndex& newLive = splice.newLive;
    std::size_t& live = splice.live;
    newLive.reset(64);
    bool misplaced = false;
    for (std::size_t r = 0; r < regions.size(); ++r) {
        Region& region = regions[r];
        const Item& root = m_items[region.at];
        if (root.ghost) continue;
        region.byPath.reset(16);
        std::vector<int> ancestors;
        const auto add = [&, this](const sc::ProcessInfo& info, const QString& name, const QString& path, int depth) {
            ancestors.resize(static_cast<std::size_t>(depth));
            const int parent = depth > 0 ? ancestors.back() : -1;
            const int id = static_cast<int>(region.tree.size());
            Item item;
            item.pid = info.pid;
            item.parent = parent;
            item.depth = root.depth + 1 + depth;
            item.kind = info.kind;
            item.name = name;
            item.path = path;
            const int before = m_byPid.find(info.pid);
            Item* was
                = before >= 0 && splice.regionOf(before) >= 0 ? &m_items[static_cast<std::size_t>(before)] : nullptr;
            if (!was && before >= 0) misplaced = true; // it moved here from outside the regions
            item.was = before;
            if (was) was->was = -2; // seen
            identify(item, was);
            newLive.insert(static_cast<std::uint64_t>(item.pathId), 1);
            int& newest = region.byPath.at(static_cast<std::uint64_t>(item.pathId));
            if (newest < 0 || region.tree[static_cast<std::size_t>(newest)].pid < info.pid) newest = id;
            region.tree.push_back(std::move(item));
            if (parent >= 0)
                region.tree[static_cast<std::size_t>(parent)].children.push_back(id);
            else
                region.top.push_back(id);
            ancestors.push_back(id);
            ++live;
        };
        bool found = true;
        if (!region.partial) {
            found = m_model->forEachDepthFirstUnder(root.pid, add);
        } else {
            const auto& now = region.now;
            for (std::size_t k = region.prefix.size(); k < now.size() - region.suffix.size(); ++k) {
                const auto& [info, name, path] = now[k];
                add(*info, *name, *path, 0);
                m_model->forEachDepthFirstUnder(
                    info->pid, [&](const sc::ProcessInfo& i, const QString& n, const QString& p, int depth) {
                        add(i, n, p, depth + 1);
                    });
            }
        }
        if (!found || misplaced) return false; // the root is gone, yet its parent did not change
    }
    // Every live process is in the layout once: the rest of the items are as they were.
    const std::size_t liveBefore = m_items.size() - m_ghosts.size();
    return liveBefore - splice.oldLive + live == static_cast<std::size_t>(m_model->processCount());
}

std::optional<bool> TreeGraphView::pathTaken(const Splice& splice, int pathId) const
{
    if (splice.newLive.find(static_cast<std::uint64_t>(pathId)) >= 0) return true;
    const int id = m_byPath.find(static_cast<std::uint64_t>(pathId));
    if (id < 0) return false;
    if (splice.regionOf(id) < 0) return !m_items[id].ghost;
    // Another process outside the regions may share the path: ask buildAll.
    if (m_pathCount.find(static_cast<std::uint64_t>(pathId)) > 1) return std::nullopt;
    return false;
}

bool TreeGraphView::collectGhosts(const Splice& splice, qint64 now, std::vector<Ghost>& ghosts) const
{
    // As buildAll: the ghosts that stay, and what left the regions' subtrees.
    const std::vector<Region>& regions = splice.regions;
    for (const Ghost& g : m_ghosts) {
        const int at = m_byPid.find(g.pid);
        const int region = at >= 0 ? splice.regionOf(at) : -1;
        const auto taken = pathTaken(splice, pathIdOf(g.path));
        if (!taken) return false;
        const bool drop = g.until <= now || *taken;
        if (drop && region < 0) return false;
        if (!drop) ghosts.push_back(g);
    }
    for (const Region& region : regions) {
        for (int i = region.from; i < region.end; ++i) {
            const Item& item = m_items[i];
            if (item.ghost || item.was == -2) continue;
            const auto taken = pathTaken(splice, item.pathId);
            if (!taken) return false;
            if (*taken) continue;
            ghosts.push_back(ghostOf(m_items, m_roots, std::size_t(i), now + m_ghostMs));
        }
    }
    return true;
}

bool TreeGraphView::slotGhosts(Splice& splice, qint64 now)
{
    // As buildAll: those outside the regions stay as they are.
    std::vector<Ghost> ghosts;
    if (!collectGhosts(splice, now, ghosts)) return false;
    std::stable_sort(ghosts.begin(), ghosts.end(), [](const Ghost& a, const Ghost& b) { return a.depth < b.depth; });
    for (const Ghost& g : ghosts) {
        const int at = m_byPid.find(g.pid);
        const int r = at >= 0 ? splice.regionOf(at) : -1;
        if (r < 0) {
            splice.kept.push_back(g);
            continue;
        }
        Region& region = splice.regions[static_cast<std::size_t>(r)];
        if (g.parentPath.isEmpty()) return false;
        const int parentPathId = pathIdOf(g.parentPath);
        if (m_pathCount.find(static_cast<std::uint64_t>(parentPathId)) > 1) return false; // which one: ask buildAll
        int parent = region.byPath.find(static_cast<std::uint64_t>(parentPathId));
        if (parent < 0) {
            if (m_items[region.at].pathId != parentPathId) {
                // Its parent is elsewhere (ask buildAll) or gone without a trace.
                const int elsewhere = m_byPath.find(static_cast<std::uint64_t>(parentPathId));
                if (elsewhere >= 0 && splice.regionOf(elsewhere) < 0) return false;
                if (splice.newLive.find(static_cast<std::uint64_t>(parentPathId)) >= 0) return false;
                continue;
            }
            parent = -1; // the region's root
        }
        const int id = static_cast<int>(region.tree.size());
        Item item = ghostItem(g, parent, at);
        region.byPath.insert(static_cast<std::uint64_t>(item.pathId), id);
        region.tree.push_back(std::move(item));
        std::vector<int>& siblings = parent >= 0 ? region.tree[static_cast<std::size_t>(parent)].children : region.top;
        auto pos = siblings.begin();
        if (!g.afterPath.isEmpty()) {
            const int after = pathIdOf(g.afterPath);
            const auto follows = [&](int s) { return region.tree[s].pathId == after; };
            pos = std::find_if(siblings.begin(), siblings.end(), follows);
            if (pos != siblings.end()) ++pos;
            if (parent < 0 && region.partial) {
                // After the first sibling with that path among all the root's
                // children: the last one kept in front, one built again, or
                // none (at the end), as buildAll; else ask buildAll.
                const auto keptHere = [&](int c) { return m_items[static_cast<std::size_t>(c)].pathId == after; };
                const auto inFront = std::find_if(region.prefix.begin(), region.prefix.end(), keptHere);
                if (inFront != region.prefix.end()) {
                    if (inFront + 1 != region.prefix.end()) return false;
                    pos = siblings.begin();
                } else if (pos == siblings.end()) {
                    if (!region.suffix.empty()) return false;
                }
            }
        } else if (parent < 0 && region.partial && !region.prefix.empty()) {
            return false; // the first of all the root's children
        }
        siblings.insert(pos, id);
        splice.kept.push_back(g);
    }
    return true;
}

void TreeGraphView::flattenRegions(Splice& splice)
{
    // Depth first, as buildAll's items.
    std::vector<Region>& regions = splice.regions;
    for (Region& region : regions) {
        const int rootDepth = m_items[region.at].depth;
        region.flat.reserve(region.tree.size());
        const auto flatten = [&](auto&& self, int from, int parent, int depth) -> void {
            const int id = static_cast<int>(region.flat.size());
            Item item = std::move(region.tree[from]);
            std::vector<int> children = std::move(item.children);
            item.children.clear();
            item.parent = parent;
            item.depth = depth;
            region.flat.push_back(std::move(item));
            if (parent >= 0) region.flat[parent].children.push_back(id);
            for (int child : children)
                self(self, child, id, depth + 1);
        };
        for (int child : region.top)
            flatten(flatten, child, -1, rootDepth + 1);
    }
}

std::vector<int> TreeGraphView::forgetRegions(Splice& splice)
{
    // The indexes forget the old descendants; returns the paths they indexed.
    const std::vector<Region>& regions = splice.regions;
    std::vector<int> touchedPaths;
    for (const Region& region : regions) {
        for (int i = region.from; i < region.end; ++i) {
            const Item& item = m_items[i];
            m_byPid.erase(item.pid);
            const auto key = static_cast<std::uint64_t>(item.pathId);
            countPath(item.pathId, -1);
            if (m_byPath.find(key) == i) {
                m_byPath.erase(key);
                touchedPaths.push_back(item.pathId);
            }
        }
    }
    return touchedPaths;
}

void TreeGraphView::moveRegions(Splice& splice)
{
    // The new descendants take the old ones' place, and the items after them move.
    std::vector<Region>& regions = splice.regions;
    splice.shiftAfter.resize(regions.size());
    for (std::size_t r = 0; r < regions.size(); ++r) {
        splice.shift += static_cast<int>(regions[r].flat.size()) - (regions[r].end - regions[r].from);
        splice.shiftAfter[r] = splice.shift;
    }
    for (std::size_t r = 0; r < regions.size(); ++r) {
        regions[r].newAt = splice.moved(regions[r].at);
        regions[r].newFrom = regions[r].from + (r == 0 ? 0 : splice.shiftAfter[r - 1]);
    }
    std::vector<int> prefixAncestors; // the regions' ancestors in front of the first region
    for (const Region& region : regions) {
        for (int p = m_items[static_cast<std::size_t>(region.at)].parent; p >= 0;
             p = m_items[static_cast<std::size_t>(p)].parent)
            if (p < regions.front().from) prefixAncestors.push_back(p);
    }
    std::sort(prefixAncestors.begin(), prefixAncestors.end());
    prefixAncestors.erase(std::unique(prefixAncestors.begin(), prefixAncestors.end()), prefixAncestors.end());
    for (std::size_t r = regions.size(); r-- > 0;) {
        Region& region = regions[r];
        const auto first = m_items.begin() + region.from;
        const auto oldCount = static_cast<std::size_t>(region.end - region.from);
        if (oldCount == region.flat.size()) {
            std::move(region.flat.begin(), region.flat.end(), first);
        } else {
            m_items.erase(first, first + static_cast<std::ptrdiff_t>(oldCount));
            m_items.insert(m_items.begin() + region.from, std::make_move_iterator(region.flat.begin()),
                std::make_move_iterator(region.flat.end()));
        }
    }
    // Every reference to a position follows. In front of the first
    // region nothing moved: there only the regions' ancestors have children
    // behind it, and their old positions are their positions.
    m_unmovedPrefix = regions.front().from;
    for (std::size_t r = 0; r < regions.size(); ++r) {
        m_changed.push_back({regions[r].from, regions[r].end - regions[r].from, regions[r].newFrom,
            static_cast<int>(regions[r].flat.size()), regions[r].newAt});
    }
    if (splice.shift != 0 || regions.size() > 1) {
        std::vector<int> roots;
        for (const Region& region : regions)
            roots.push_back(region.at);
        std::sort(roots.begin(), roots.end());
        for (const int p : prefixAncestors) {
            if (std::binary_search(roots.begin(), roots.end(), p)) continue; // its children come with the region
            for (int& child : m_items[static_cast<std::size_t>(p)].children)
                child = splice.moved(child);
        }
    }
    int position = m_unmovedPrefix;
    for (std::size_t r = 0; r <= regions.size(); ++r) {
        const int oldFrom = r == 0 ? m_unmovedPrefix : regions[r - 1].end;
        const int oldTo = r < regions.size() ? regions[r].from : static_cast<int>(m_items.size()) - splice.shift;
        for (int old = oldFrom; old < oldTo; ++old, ++position) {
            Item& item = m_items[static_cast<std::size_t>(position)];
            item.was = old;
            if (item.parent >= regions.front().end) item.parent = splice.moved(item.parent);
            if (r < regions.size() && old == regions[r].at) continue; // its children come with the region
            if (splice.shift == 0 && regions.size() == 1) continue; // nothing after the region moved
            for (int& child : item.children)
                child = splice.moved(child);
        }
        if (r == regions.size()) break;
        Item& root = m_items[static_cast<std::size_t>(regions[r].newAt)];
        root.children.clear();
        for (const int child : regions[r].prefix)
            root.children.push_back(splice.moved(child));
        const int base = regions[r].newFrom;
        for (std::size_t k = 0; k < regions[r].flat.size(); ++k, ++position) {
            Item& item = m_items[static_cast<std::size_t>(position)];
            item.parent = item.parent >= 0 ? base + item.parent : regions[r].newAt;
            if (item.parent == regions[r].newAt) root.children.push_back(position);
            for (int& child : item.children)
                child += base;
        }
        for (const int child : regions[r].suffix)
            root.children.push_back(splice.moved(child));
    }
    for (int& root : m_roots)
        root = splice.moved(root);
    if (splice.shift != 0 || regions.size() > 1) {
        m_byPid.forEachValue([&](int& value) { value = splice.moved(value); });
        m_byPath.forEachValue([&](int& value) { value = splice.moved(value); });
    }
}

void TreeGraphView::learnRegions(Splice& splice, std::vector<int>& touchedPaths)
{
    // The indexes learn the new descendants: by path the last live process
    // in depth-first order, else the first ghost, as buildAll.
    const std::vector<Region>& regions = splice.regions;
    bool rebuildPaths = false;
    for (std::size_t r = 0; r < regions.size(); ++r) {
        for (int i = regions[r].newFrom; i < regions[r].newFrom + static_cast<int>(regions[r].flat.size()); ++i) {
            const Item& item = m_items[static_cast<std::size_t>(i)];
            m_byPid.insert(item.pid, i);
            countPath(item.pathId, 1);
            touchedPaths.push_back(item.pathId);
        }
    }
    m_ghosts = std::move(splice.kept);
    std::sort(touchedPaths.begin(), touchedPaths.end());
    touchedPaths.erase(std::unique(touchedPaths.begin(), touchedPaths.end()), touchedPaths.end());
    {
        std::unordered_map<int, int> inside; // path id -> new descendants that have it
        for (std::size_t r = 0; r < regions.size(); ++r) {
            for (int i = regions[r].newFrom; i < regions[r].newFrom + static_cast<int>(regions[r].flat.size()); ++i)
                ++inside[m_items[static_cast<std::size_t>(i)].pathId];
        }
        for (const int pathId : touchedPaths) {
            const auto key = static_cast<std::uint64_t>(pathId);
            const int count = m_pathCount.find(key);
            const auto it = inside.find(pathId);
            const int in = it == inside.end() ? 0 : it->second;
            if (count > in) {
                rebuildPaths = true; // shared with items outside the regions
                break;
            }
            m_byPath.erase(key);
        }
        if (!rebuildPaths) {
            for (std::size_t r = 0; r < regions.size(); ++r) {
                for (int i = regions[r].newFrom; i < regions[r].newFrom + static_cast<int>(regions[r].flat.size());
                     ++i) {
                    const Item& item = m_items[static_cast<std::size_t>(i)];
                    if (!item.ghost) m_byPath.insert(static_cast<std::uint64_t>(item.pathId), i);
                }
            }
            for (const Ghost& g : m_ghosts) {
                const int id = m_byPid.find(g.pid);
                if (id < 0 || !inside.contains(m_items[id].pathId)) continue;
                const auto key = static_cast<std::uint64_t>(m_items[id].pathId);
                if (m_byPath.find(key) < 0) m_byPath.insert(key, id);
            }
        }
    }
    if (rebuildPaths) {
        m_byPath.reset(m_items.size());
        for (int id = 0; id < static_cast<int>(m_items.size()); ++id) {
            if (!m_items[id].ghost) m_byPath.insert(static_cast<std::uint64_t>(m_items[id].pathId), id);
        }
        for (const Ghost& g : m_ghosts) {
            const int pathId = pathIdOf(g.path);
            if (const int id = m_byPid.find(g.pid); id >= 0 && m_byPath.find(pathId) < 0) m_byPath.insert(pathId, id);
        }
    }
}

} // namespace sc::ui
