// detail::Chain, the queue a process's mailbox and inbox are made of: order
// across its blocks of storage, taking one at the front (a continue), the
// selective receive's erase, handing a whole mailbox over (append, swap),
// and that every element and block it held is freed.
// clang-format off
// First: the headers under test stand on their own, before any Qt header.
#include "core/runtime/detail/chain.h"
#include "core/runtime/detail/envelope.h"
// clang-format on

#include "coretest.h"

#include <QTest>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <new>
#include <string>

using namespace sc;
using namespace sctest;
using detail::Chain;

// Counts the blocks of memory this binary holds and the allocations it
// made, so that a test can say a drained chain gave its blocks back, an
// empty one took none, and steady traffic takes none. Only the difference
// across a stretch of single-threaded test code is read.
namespace {
std::atomic<long> g_allocations {0}; ///< held now
std::atomic<long> g_allocationCalls {0}; ///< ever made
} // namespace

void* operator new(std::size_t size)
{
    void* p = std::malloc(size ? size : 1);
    if (!p) throw std::bad_alloc();
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    g_allocationCalls.fetch_add(1, std::memory_order_relaxed);
    return p;
}
void operator delete(void* p) noexcept
{
    if (!p) return;
    g_allocations.fetch_sub(1, std::memory_order_relaxed);
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    operator delete(p);
}

namespace {

/// An element that counts how many of it are alive (constructed and not yet
/// destroyed, moved-from ones included), about the size of an Envelope so
/// that a block holds about ten of it.
struct Counted {
    static inline long live = 0;
    int value = -1;
    std::string text; ///< owns memory of its own when long: a leak shows
    char pad[56] {};

    explicit Counted(int v)
        : value(v)
        , text("element number " + std::to_string(v) + " with a payload past the small-string buffer")
    {
        ++live;
    }
    Counted(Counted&& o) noexcept
        : value(o.value)
        , text(std::move(o.text))
    {
        ++live;
    }
    Counted& operator=(Counted&& o) noexcept
    {
        value = o.value;
        text = std::move(o.text);
        return *this;
    }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;
    ~Counted() { --live; }
};

/// Elements per block as Chain sizes them (960 bytes' worth): the tests walk
/// every position around these boundaries.
constexpr int kPerBlock = int(std::max<std::size_t>(1, 960 / sizeof(Counted)));

/// Drains the chain into a list of values, front first.
std::deque<int> drain(Chain<Counted>& c)
{
    std::deque<int> out;
    while (!c.empty()) {
        out.push_back(c.front().value);
        c.pop_front();
    }
    return out;
}

std::deque<int> range(int from, int to)
{
    std::deque<int> out;
    for (int i = from; i < to; ++i)
        out.push_back(i);
    return out;
}

QString show(const std::deque<int>& v)
{
    QStringList parts;
    for (int i : v)
        parts << QString::number(i);
    return parts.join(QLatin1Char(' '));
}

/// A chain of `n` elements 0..n-1 whose front sits `skipped` places into its
/// first block (that many were pushed and popped first).
void fill(Chain<Counted>& c, int n, int skipped = 0)
{
    for (int i = 0; i < skipped; ++i)
        c.push_back(Counted(-1));
    for (int i = 0; i < n; ++i)
        c.push_back(Counted(i));
    for (int i = 0; i < skipped; ++i)
        c.pop_front();
}

} // namespace

class TestChain : public QObject {
    Q_OBJECT

private slots:
    void init() { Counted::live = 0; }
    void cleanup() { QCOMPARE(Counted::live, 0L); }

    void sizedSoBlocksAreCrossed()
    {
        QVERIFY2(kPerBlock >= 5 && kPerBlock <= 20, "pick a Counted size near an Envelope's");
    }

    void emptyHoldsNoMemory()
    {
        const long before = g_allocations.load();
        {
            Chain<Counted> c;
            const bool empty = c.empty();
            const auto size = c.size();
            c.clear();
            Chain<Counted> other;
            c.append(other);
            c.swap(other);
            const long during = g_allocations.load();
            QVERIFY(empty);
            QCOMPARE(size, std::size_t(0));
            QCOMPARE(during, before);
        }
        QCOMPARE(g_allocations.load(), before);
    }

    void fifoAcrossBlocks()
    {
        Chain<Counted> c;
        constexpr int kCount = 1000;
        for (int i = 0; i < kCount; ++i) {
            c.push_back(Counted(i));
            QCOMPARE(c.size(), std::size_t(i + 1));
        }
        QCOMPARE(Counted::live, long(kCount));
        for (int i = 0; i < kCount; ++i) {
            QCOMPARE(c.front().value, i);
            QCOMPARE(c.front().text, Counted(i).text); // moved in whole
            c.pop_front();
        }
        QVERIFY(c.empty());
        QCOMPARE(Counted::live, 0L);
    }

    void drainedChainReturnsItsBlocks()
    {
        // A flood's blocks go back as it is drained (all but the one kept
        // for the next message), in steps that end anywhere in a block; the
        // destructor frees the last.
        const long before = g_allocations.load();
        bool ordered = true;
        long heldWhenDrained = -1;
        {
            Chain<Counted> c;
            int next = 0;
            int expect = 0;
            for (int round = 0; round < 50; ++round) {
                for (int k = 0; k < 7 + round % 13; ++k)
                    c.push_back(Counted(next++));
                for (int k = 0; k < 5 + round % 11 && !c.empty(); ++k) {
                    ordered = ordered && c.front().value == expect++;
                    c.pop_front();
                }
            }
            while (!c.empty()) {
                ordered = ordered && c.front().value == expect++;
                c.pop_front();
            }
            ordered = ordered && expect == next;
            heldWhenDrained = g_allocations.load() - before;
        }
        const long after = g_allocations.load();
        QVERIFY(ordered);
        QVERIFY2(heldWhenDrained <= 1, qPrintable(QString::number(heldWhenDrained) + " blocks held when drained"));
        QCOMPARE(after, before);
    }

    void steadyTrafficAllocatesNothing()
    {
        // A process that gets a message, handles it, and gets the next (or a
        // few at a time) reuses its block: nothing is allocated per message.
        // int elements, so that only the chain's own allocations count.
        Chain<int> c;
        c.push_back(0);
        c.pop_front();
        const long before = g_allocationCalls.load();
        bool ordered = true;
        for (int i = 0; i < 1000; ++i) {
            c.push_back(int(i));
            ordered = ordered && c.front() == i;
            c.pop_front();
        }
        for (int burst = 1; burst < 50; ++burst) {
            for (int k = 0; k < burst; ++k)
                c.push_back(int(k));
            while (!c.empty())
                c.pop_front();
        }
        const long during = g_allocationCalls.load() - before;
        QVERIFY(ordered);
        QCOMPARE(during, 0L);
    }

    void pushFront_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("skipped");
        QTest::newRow("onto empty") << 0 << 0;
        QTest::newRow("onto one") << 1 << 0;
        QTest::newRow("front at a block's start") << 3 * kPerBlock << 0;
        QTest::newRow("front in the middle of a block") << 3 * kPerBlock << 4;
        QTest::newRow("front one before a block's end") << 3 * kPerBlock << kPerBlock - 1;
        QTest::newRow("front at the second block's start") << 3 * kPerBlock << kPerBlock;
        QTest::newRow("hundreds") << 500 << 7;
    }
    void pushFront()
    {
        QFETCH(int, size);
        QFETCH(int, skipped);
        Chain<Counted> c;
        fill(c, size, skipped);
        c.push_front(Counted(-10));
        QCOMPARE(c.size(), std::size_t(size + 1));
        QCOMPARE(c.front().value, -10);
        // Several in a row cross back over a block's start.
        for (int k = 11; k < 11 + 2 * kPerBlock + 3; ++k)
            c.push_front(Counted(-k));
        c.push_back(Counted(size));
        std::deque<int> expected;
        for (int k = 11 + 2 * kPerBlock + 2; k >= 11; --k)
            expected.push_back(-k);
        expected.push_back(-10);
        for (int v : range(0, size + 1))
            expected.push_back(v);
        const auto got = drain(c);
        QCOMPARE(show(got), show(expected));
    }

    void pushFrontEveryAlignment()
    {
        // Every place the front can be in a block, for a front pushed onto a
        // chain of one, two and several blocks.
        for (int size : {1, kPerBlock, 2 * kPerBlock + 1}) {
            for (int skipped = 0; skipped <= kPerBlock + 1; ++skipped) {
                Chain<Counted> c;
                fill(c, size, skipped);
                c.push_front(Counted(-1));
                std::deque<int> expected = range(0, size);
                expected.push_front(-1);
                QCOMPARE(show(drain(c)), show(expected));
            }
        }
    }

    void pushFrontOnlyIsLifo()
    {
        Chain<Counted> c;
        for (int i = 0; i < 300; ++i)
            c.push_front(Counted(i));
        std::deque<int> expected;
        for (int i = 299; i >= 0; --i)
            expected.push_back(i);
        QCOMPARE(show(drain(c)), show(expected));
    }

    void eraseFirst_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("skipped");
        QTest::addColumn<int>("target"); ///< the value to erase; -1: none matches
        const int n = 3 * kPerBlock + 2; // the last block holds two
        QTest::newRow("first") << n << 0 << 0;
        QTest::newRow("middle of the first block") << n << 0 << kPerBlock / 2;
        QTest::newRow("last of the first block") << n << 0 << kPerBlock - 1;
        QTest::newRow("first of the second block") << n << 0 << kPerBlock;
        QTest::newRow("middle of a later block") << n << 0 << 2 * kPerBlock + 3;
        QTest::newRow("last") << n << 0 << n - 1;
        QTest::newRow("second to last") << n << 0 << n - 2;
        QTest::newRow("none") << n << 0 << -1;
        QTest::newRow("only element") << 1 << 0 << 0;
        QTest::newRow("front not at a block's start, first") << n << 3 << 0;
        QTest::newRow("front not at a block's start, middle") << n << 3 << kPerBlock;
        QTest::newRow("front not at a block's start, last") << n << 3 << n - 1;
        QTest::newRow("last block holds one, erase it") << 2 * kPerBlock + 1 << 0 << 2 * kPerBlock;
        QTest::newRow("last block holds one, erase the first") << 2 * kPerBlock + 1 << 0 << 0;
        QTest::newRow("hundreds, near the end") << 400 << 0 << 390;
    }
    void eraseFirst()
    {
        QFETCH(int, size);
        QFETCH(int, skipped);
        QFETCH(int, target);
        Chain<Counted> c;
        fill(c, size, skipped);
        int looked = 0;
        const bool erased = c.eraseFirst([&](const Counted& e) {
            ++looked;
            return e.value == target;
        });
        QCOMPARE(erased, target >= 0);
        // Looks at each one once, oldest first, and stops at the match.
        QCOMPARE(looked, target >= 0 ? target + 1 : size);
        QCOMPARE(c.size(), std::size_t(erased ? size - 1 : size));
        QCOMPARE(Counted::live, long(c.size()));
        std::deque<int> expected = range(0, size);
        if (erased) expected.erase(expected.begin() + target);
        // The chain still works at both ends after the erase.
        c.push_back(Counted(size));
        c.push_front(Counted(-1));
        expected.push_back(size);
        expected.push_front(-1);
        QCOMPARE(show(drain(c)), show(expected));
    }

    void eraseFirstTakesOnlyTheOldestMatch()
    {
        Chain<Counted> c;
        fill(c, 100);
        // Even values from 30 on match: only 30 goes.
        QVERIFY(c.eraseFirst([](const Counted& e) { return e.value >= 30 && e.value % 2 == 0; }));
        std::deque<int> expected = range(0, 100);
        expected.erase(expected.begin() + 30);
        QCOMPARE(show(drain(c)), show(expected));
    }

    void eraseFirstEveryPosition()
    {
        // Every position in chains of a few blocks, with the front anywhere
        // in its block; erasing down to empty, too.
        for (int size : {kPerBlock, kPerBlock + 1, 3 * kPerBlock - 1}) {
            for (int skipped : {0, 1, kPerBlock - 1}) {
                for (int target = 0; target < size; ++target) {
                    Chain<Counted> c;
                    fill(c, size, skipped);
                    QVERIFY(c.eraseFirst([&](const Counted& e) { return e.value == target; }));
                    std::deque<int> expected = range(0, size);
                    expected.erase(expected.begin() + target);
                    QCOMPARE(show(drain(c)), show(expected));
                }
            }
        }
        const long before = g_allocations.load();
        bool fine = true;
        {
            Chain<Counted> c;
            fill(c, 5 * kPerBlock);
            for (int v = 5 * kPerBlock - 1; v >= 0; --v) // from the back: each erase frees at the tail
                fine = fine && c.eraseFirst([&](const Counted& e) { return e.value == v; });
            fine = fine && c.empty();
            c.push_back(Counted(7)); // usable again once emptied by erases
            fine = fine && c.size() == 1 && c.front().value == 7;
        }
        QVERIFY(fine);
        QCOMPARE(g_allocations.load(), before);
    }

    void append_data()
    {
        QTest::addColumn<int>("mine");
        QTest::addColumn<int>("theirs");
        QTest::newRow("empty onto empty") << 0 << 0;
        QTest::newRow("empty onto some") << 5 << 0;
        QTest::newRow("some onto empty") << 0 << 5;
        QTest::newRow("blocks onto blocks") << 2 * kPerBlock + 3 << 3 * kPerBlock + 1;
        QTest::newRow("hundreds onto a full block") << kPerBlock << 400;
    }
    void append()
    {
        QFETCH(int, mine);
        QFETCH(int, theirs);
        Chain<Counted> a;
        Chain<Counted> b;
        for (int i = 0; i < mine; ++i)
            a.push_back(Counted(i));
        for (int i = 0; i < theirs; ++i)
            b.push_back(Counted(mine + i));
        a.append(b);
        QVERIFY(b.empty());
        QCOMPARE(b.size(), std::size_t(0));
        QCOMPARE(a.size(), std::size_t(mine + theirs));
        QCOMPARE(Counted::live, long(mine + theirs));
        // The emptied one is usable again.
        b.push_back(Counted(-5));
        QCOMPARE(b.front().value, -5);
        QCOMPARE(show(drain(a)), show(range(0, mine + theirs)));
    }

    void swap()
    {
        Chain<Counted> a;
        Chain<Counted> b;
        fill(a, 3 * kPerBlock + 4, 2);
        for (int i = 0; i < 3; ++i)
            b.push_back(Counted(100 + i));
        a.swap(b);
        QCOMPARE(a.size(), std::size_t(3));
        QCOMPARE(b.size(), std::size_t(3 * kPerBlock + 4));
        // Each keeps working at both ends with the other's blocks.
        a.push_front(Counted(99));
        b.push_back(Counted(3 * kPerBlock + 4));
        QCOMPARE(show(drain(a)), show(range(99, 103)));
        QCOMPARE(show(drain(b)), show(range(0, 3 * kPerBlock + 5)));

        // With an empty one, both ways (a mailbox handed to an empty inbox).
        Chain<Counted> empty;
        fill(a, 25);
        empty.swap(a);
        QVERIFY(a.empty());
        QCOMPARE(empty.size(), std::size_t(25));
        a.swap(empty);
        QVERIFY(empty.empty());
        QCOMPARE(show(drain(a)), show(range(0, 25)));
    }

    void destructionFreesEverything_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("skipped");
        QTest::addColumn<int>("fronts");
        QTest::newRow("one") << 1 << 0 << 0;
        QTest::newRow("a partial block") << kPerBlock / 2 << 1 << 0;
        QTest::newRow("exactly full blocks") << 4 * kPerBlock << 0 << 0;
        QTest::newRow("hundreds, front mid-block") << 503 << 3 << 0;
        QTest::newRow("with blocks made by push_front") << 50 << 0 << 3 * kPerBlock + 1;
    }
    void destructionFreesEverything()
    {
        QFETCH(int, size);
        QFETCH(int, skipped);
        QFETCH(int, fronts);
        const long before = g_allocations.load();
        long liveInside = 0;
        {
            Chain<Counted> c;
            fill(c, size, skipped);
            for (int i = 0; i < fronts; ++i)
                c.push_front(Counted(-i));
            liveInside = Counted::live;
        }
        const long after = g_allocations.load();
        QCOMPARE(liveInside, long(size + fronts));
        QCOMPARE(Counted::live, 0L);
        QCOMPARE(after, before);

        // clear() too, and the chain is usable after it.
        Chain<Counted> c;
        fill(c, size, skipped);
        c.clear();
        QVERIFY(c.empty());
        QCOMPARE(Counted::live, 0L);
        c.push_back(Counted(1));
        QCOMPARE(c.front().value, 1);
    }

    void envelopesKeepTheirPayloads()
    {
        // The element type the runtime uses: a move-only mix of std::any,
        // strings and shared pointers.
        auto slot = std::make_shared<detail::CallSlot>();
        {
            Chain<detail::Envelope> c;
            for (int i = 0; i < 300; ++i) {
                detail::Envelope e;
                e.kind = i % 2 ? detail::Envelope::Kind::Cast : detail::Envelope::Kind::Message;
                e.payload = Term(std::to_string(i));
                e.from = Pid(i);
                e.reason = std::make_unique<ExitReason>(ExitReason::error("reason " + std::to_string(i)));
                e.slot = slot;
                c.push_back(std::move(e));
            }
            QCOMPARE(slot.use_count(), 301L);
            QVERIFY(c.eraseFirst([](const detail::Envelope& e) { return e.from == 150; }));
            QCOMPARE(slot.use_count(), 300L);
            detail::Envelope cont;
            cont.kind = detail::Envelope::Kind::Continue;
            cont.payload = Term(std::string("continue"));
            c.push_front(std::move(cont));
            QCOMPARE(textOf(c.front().payload), std::string("continue"));
            c.pop_front();
            for (int i = 0; i < 300; ++i) {
                if (i == 150) continue;
                QCOMPARE(c.front().from, Pid(i));
                QCOMPARE(textOf(c.front().payload), std::to_string(i));
                QCOMPARE(c.front().reason->detail(), "reason " + std::to_string(i));
                c.pop_front();
                if (i == 200) break; // the rest go with the chain
            }
        }
        QCOMPARE(slot.use_count(), 1L);
    }
};

QTEST_GUILESS_MAIN(TestChain)
#include "tst_chain.moc"
