// The Inspector while the runtime is paused: it asks a flooded process for
// its state without that query showing up as one of the process's messages
// or taking a step, and says "paused", never "timeout" (issue 16, A.3).
#include "ui/tree/inspector.h"
#include "ui/bridge/runtimebridge.h"

#include <QSignalSpy>
#include <QTest>
#include <memory>

#include "uitest.h"

namespace {

class Counter : public sc::GenServer {
public:
    sc::Next handleInfo(const sc::Info&) override
    {
        ++m_seen;
        return sc::Next::noreply();
    }
    std::string describeState() const override { return "seen " + std::to_string(m_seen); }

private:
    int m_seen = 0;
};

} // namespace

class TestInspector : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pausedFloodedProcessIsDescribedWithoutBeingCounted()
    {
        sc::Runtime rt(sc::RuntimeOptions {.workers = 2});
        sc::SpawnOptions options;
        options.path = "busy";
        const auto pid = rt.spawn(std::make_unique<Counter>(), options);
        QVERIFY(pid);
        rt.setPaused(true);
        for (int i = 0; i < 5; ++i)
            rt.send(*pid, sc::Term(std::string("m")));

        sc::ui::RuntimeBridge bridge(rt);
        sc::ui::Inspector inspector(&bridge);
        inspector.resize(400, 500);
        inspector.show();
        QVERIFY(QTest::qWaitForWindowExposed(&inspector));
        QSignalSpy described(&bridge, &sc::ui::RuntimeBridge::described);
        bridge.tick();
        inspector.inspect(*pid);

        for (int step = 0; step < 3; ++step) {
            const int expectedMailbox = 5 - step;
            // Each ask is answered while paused, and the mailbox shown stays.
            for (int ask = 0; ask < 2; ++ask) {
                const int before = described.count();
                QVERIFY(described.wait(5000) || described.count() > before);
                QCOMPARE(described.last().at(1).toBool(), true);
                bridge.tick();
                QVERIFY2(inspector.factsText().contains(QStringLiteral("mailbox %1 ").arg(expectedMailbox)),
                    qPrintable(inspector.factsText()));
                QVERIFY(inspector.factsText().contains(QStringLiteral("paused")));
                QVERIFY(!inspector.factsText().contains(QStringLiteral("timeout")));
                QCOMPARE(inspector.stateText(), QStringLiteral("seen %1").arg(step));
            }
            rt.stepOne();
            QTRY_VERIFY(rt.snapshot().find(*pid)->handled == std::uint64_t(step + 1));
        }
        rt.setPaused(false);
        QVERIFY(rt.waitQuiescent(std::chrono::seconds(20)));
        bridge.tick();
        QVERIFY(!inspector.factsText().contains(QStringLiteral("paused")));
    }
};

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
