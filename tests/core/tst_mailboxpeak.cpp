// A mailbox's peak between two snapshots: a flood that arrives and drains
// between two frames of the window must still be seen (issue 16, A.7).
#include "coretest.h"

#include <QTest>

using namespace sc;
using namespace sctest;

namespace {

/// Blocks in its first message until the gate opens, then handles the rest.
class Held : public GenServer {
public:
    explicit Held(std::shared_ptr<Gate> gate)
        : m_gate(std::move(gate))
    {
    }
    Next handleInfo(const Info&) override
    {
        m_gate->wait();
        return Next::noreply();
    }

private:
    std::shared_ptr<Gate> m_gate;
};

std::optional<ProcessInfo> taken(Runtime& rt, Pid pid)
{
    Snapshot s;
    rt.snapshot(s, PeakRead::Take);
    const ProcessInfo* p = s.find(pid);
    return p ? std::optional<ProcessInfo>(*p) : std::nullopt;
}

} // namespace

class TestMailboxPeak : public QObject {
    Q_OBJECT

private Q_SLOTS:
    /// 1,000 messages wait behind a blocked handler, then drain: the next
    /// snapshot that takes the peaks says 1,000 although the mailbox is
    /// empty, and the one after says 0.
    void peakOfAFloodThatDrainedBetweenTwoReads()
    {
        Runtime rt({.workers = 2});
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto pid = rt.spawn(std::make_unique<Held>(gate));
        QVERIFY(pid);
        QCOMPARE(taken(rt, *pid)->mailboxPeak, 0u);

        rt.send(*pid, msg("block"));
        QTRY_COMPARE_WITH_TIMEOUT(rowOf(rt, *pid)->mailbox, 0u, int(kLong.count())); // taken: it blocks
        QCOMPARE(taken(rt, *pid)->mailboxPeak, 1u); // the block itself, before it was taken
        constexpr std::uint32_t flood = 1000;
        for (std::uint32_t i = 0; i < flood; ++i)
            rt.send(*pid, msg("m"));
        QCOMPARE(rowOf(rt, *pid)->mailbox, flood);
        gate->open();
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(rowOf(rt, *pid)->mailbox, 0u);

        // Keep (rowOf reads one process that way) leaves the peak for the frame.
        QCOMPARE(rowOf(rt, *pid)->mailboxPeak, flood);
        QCOMPARE(rowOf(rt, *pid)->mailboxPeak, flood);
        const auto frame = taken(rt, *pid);
        QCOMPARE(frame->mailbox, 0u);
        QCOMPARE(frame->mailboxPeak, flood);
        // Taken: the next frame starts from what is queued then.
        QCOMPARE(taken(rt, *pid)->mailboxPeak, 0u);
        rt.send(*pid, msg("m"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(taken(rt, *pid)->mailboxPeak, 1u);
        QCOMPARE(taken(rt, *pid)->mailboxPeak, 0u);
    }

    /// Never below the mailbox: a snapshot right after another still shows
    /// what waits.
    void peakIsAtLeastTheMailbox()
    {
        Runtime rt({.workers = 2});
        rt.setPaused(true);
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto pid = rt.spawn(std::make_unique<Held>(gate));
        QVERIFY(pid);
        for (int i = 0; i < 7; ++i)
            rt.send(*pid, msg("m"));
        QCOMPARE(taken(rt, *pid)->mailboxPeak, 7u);
        const auto again = taken(rt, *pid);
        QCOMPARE(again->mailbox, 7u);
        QCOMPARE(again->mailboxPeak, 7u);
        rt.setPaused(false);
        gate->open();
        QVERIFY(rt.waitQuiescent(kLong));
    }
};

QTEST_GUILESS_MAIN(TestMailboxPeak)
#include "tst_mailboxpeak.moc"
