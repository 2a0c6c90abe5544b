// The audit log panel: the model (newest first, duplicates ignored), the
// filters, live reading from a ledger being written (the LedgerFeed's typed
// records), loading in batches, and the CSV export.
#include "ui/bridge/ledgerfeed.h"
#include "ui/finance/auditlog.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <future>

using sc::LedgerRecord;
using sc::Money;
using sc::ui::AuditLogFilter;
using sc::ui::AuditLogModel;
using sc::ui::AuditLogPanel;
using sc::ui::LedgerFeed;

namespace {

LedgerRecord record(std::int64_t id, std::string kind, std::string user, std::int64_t cents,
    std::optional<std::string> error = std::nullopt)
{
    LedgerRecord r;
    r.id = id;
    r.time = "2026-11-21T12:00:00.000Z";
    r.kind = std::move(kind);
    r.user = std::move(user);
    r.amount = Money::fromMinorUnits(cents);
    if (error)
        r.error = std::move(error);
    else
        r.result = Money::fromMinorUnits(cents * 2);
    return r;
}

QStringList column(const QAbstractItemModel& model, int column)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, column).data().toString();
    return out;
}

std::unique_ptr<sc::Ledger> openLedger(const QTemporaryDir& dir)
{
    auto ledger = sc::Ledger::open(dir.path().toStdString());
    return ledger ? std::move(*ledger) : nullptr;
}

} // namespace

class TestAuditLog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modelShowsNewestFirstAndIgnoresWhatItHas()
    {
        AuditLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy kinds(&model, &AuditLogModel::kindsChanged);

        model.append(
            {record(1, "donation", "alice", 10000), record(2, "withdrawal", "bob", 500, "insufficient_funds")});
        model.append({record(2, "withdrawal", "bob", 500), record(3, "donation", "carol", 1)});
        QCOMPARE(column(model, AuditLogModel::Id), (QStringList {"3", "2", "1"}));
        QCOMPARE(model.lastId(), 3);
        QCOMPARE(model.kinds(), (QStringList {"donation", "withdrawal"}));
        QCOMPARE(kinds.count(), 1);

        const QModelIndex refused = model.index(1, AuditLogModel::Error);
        QCOMPARE(refused.data().toString(), QStringLiteral("insufficient funds"));
        QVERIFY(refused.data(AuditLogModel::RejectedRole).toBool());
        QCOMPARE(model.index(1, AuditLogModel::Result).data().toString(), QString());
        QCOMPARE(model.index(2, AuditLogModel::Amount).data().toString(), QStringLiteral("100.00"));
        QCOMPARE(model.index(2, AuditLogModel::Result).data().toString(), QStringLiteral("200.00"));
    }

    void filtersByUserAndKind()
    {
        AuditLogModel model;
        AuditLogFilter filter;
        filter.setSourceModel(&model);
        model.append({record(1, "donation", "alice", 1), record(2, "deposit", "Alina", 2),
            record(3, "donation", "bob", 3), record(4, "deposit", "bob", 4)});

        filter.setUserFilter(QStringLiteral(" ali "));
        QCOMPARE(column(filter, AuditLogModel::Id), (QStringList {"2", "1"}));
        filter.setKindFilter(QStringLiteral("deposit"));
        QCOMPARE(column(filter, AuditLogModel::Id), (QStringList {"2"}));
        filter.setUserFilter({});
        QCOMPARE(column(filter, AuditLogModel::Id), (QStringList {"4", "2"}));
        filter.setKindFilter({});
        QCOMPARE(filter.rowCount(), 4);
    }

    void feedEmitsEachRecordOnceAsItWasCommitted()
    {
        QTemporaryDir dir;
        LedgerFeed feed(dir.path());
        QSignalSpy caughtUp(&feed, &LedgerFeed::caughtUp);
        std::vector<LedgerRecord> seen;
        connect(&feed, &LedgerFeed::recordsArrived, this,
            [&seen](const std::vector<LedgerRecord>& records) { seen.insert(seen.end(), records.begin(), records.end()); });
        QVERIFY(caughtUp.wait(10000));
        QVERIFY(!feed.ledgerFound());

        auto ledger = openLedger(dir);
        QVERIFY(ledger);
        const LedgerRecord given = record(0, "donation", "alice", 10000);
        const LedgerRecord refused = record(0, "withdrawal", "bob", 500, "insufficient_funds");
        QVERIFY(ledger->append(given));
        QVERIFY(ledger->append(refused));
        QTRY_COMPARE_WITH_TIMEOUT(seen.size(), std::size_t(2), 10000);
        QCOMPARE(seen[0].id, 1);
        QCOMPARE(seen[0].amount, given.amount);
        QCOMPARE(seen[0].result, given.result);
        QCOMPARE(seen[1].id, 2);
        QCOMPARE(seen[1].kind, refused.kind);
        QCOMPARE(seen[1].error, refused.error);
        QCOMPARE(feed.lastId(), 2);
        QVERIFY(feed.ledgerFound());

        caughtUp.clear();
        QVERIFY(caughtUp.wait(10000)); // read again: nothing twice
        QCOMPARE(seen.size(), std::size_t(2));
    }

    void panelFollowsALedgerThatAppearsLater()
    {
        QTemporaryDir dir;
        AuditLogPanel panel(dir.path());
        QCOMPARE(panel.model()->rowCount(), 0);

        auto ledger = openLedger(dir);
        QVERIFY(ledger);
        QVERIFY(ledger->append(record(0, "donation", "alice", 10000)));
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 1, 10000);
        QVERIFY(ledger->append(record(0, "withdrawal", "bob", 500, "insufficient_funds")));
        QVERIFY(ledger->append(record(0, "donation", "bob", 700)));
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 3, 10000);
        QCOMPARE(column(*panel.model(), AuditLogModel::Id), (QStringList {"3", "2", "1"}));

        // The widgets drive the filter; the kind box lists what has been seen.
        QTRY_COMPARE(panel.kindFilterBox()->count(), 3); // all, donation, withdrawal
        panel.kindFilterBox()->setCurrentIndex(panel.kindFilterBox()->findData(QStringLiteral("donation")));
        QCOMPARE(column(*panel.filter(), AuditLogModel::Id), (QStringList {"3", "1"}));
        panel.userFilterEdit()->setText(QStringLiteral("bob"));
        QCOMPARE(column(*panel.filter(), AuditLogModel::Id), (QStringList {"3"}));
    }

    void longLedgerLoadsInBatches()
    {
        QTemporaryDir dir;
        auto ledger = openLedger(dir);
        QVERIFY(ledger);
        std::vector<LedgerRecord> many;
        for (int i = 0; i < 12001; ++i)
            many.push_back(record(0, "donation", "u" + std::to_string(i % 7), i + 1));
        std::promise<sc::Result<std::vector<std::int64_t>>> done;
        ledger->appendBatchAsync(many, [&done](auto ids) { done.set_value(std::move(ids)); });
        QVERIFY(done.get_future().get().ok());

        AuditLogPanel panel(dir.path());
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 12001, 30000);
        QCOMPARE(panel.model()->index(0, AuditLogModel::Id).data().toString(), QStringLiteral("12001"));
    }

    void exportWritesTheWholeLedgerOrSaysWhyNot()
    {
        QTemporaryDir dir;
        auto ledger = openLedger(dir);
        QVERIFY(ledger);
        QVERIFY(ledger->append(record(0, "donation", "alice", 12345)));
        QVERIFY(ledger->append(record(0, "withdrawal", "bob", 5, "insufficient_funds")));

        AuditLogPanel panel(dir.path());
        QSignalSpy exported(&panel, &AuditLogPanel::exported);
        const QString file = dir.filePath(QStringLiteral("audit.csv"));
        panel.exportTo(file);
        QVERIFY(exported.wait(10000));
        QVERIFY2(exported.last().at(0).toBool(), qPrintable(exported.last().at(1).toString()));
        QFile csv(file);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines.value(0), QByteArray("id,time,kind,user,amount,result,error"));
        QVERIFY2(lines.value(1).startsWith("1,") && lines.value(1).endsWith(",donation,alice,123.45,246.90,"),
            lines.value(1).constData());
        QVERIFY2(lines.value(2).endsWith(",withdrawal,bob,0.05,,insufficient_funds"), lines.value(2).constData());

        panel.exportTo(dir.filePath(QStringLiteral("no/such/dir/audit.csv")));
        QVERIFY(exported.wait(10000));
        QVERIFY(!exported.last().at(0).toBool());
        QVERIFY2(exported.last().at(1).toString().contains(QStringLiteral("no/such/dir")),
            qPrintable(exported.last().at(1).toString()));
    }
};

QTEST_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
