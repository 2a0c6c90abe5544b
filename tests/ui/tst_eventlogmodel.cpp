#include "ui/events/eventlogmodel.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <memory>

using sc::ui::EventLogModel;

namespace {

sc::Event makeEvent(
    std::uint64_t seq, sc::EventKind kind = sc::EventKind::Start, std::string path = {}, std::string reason = {})
{
    sc::Event e;
    e.seq = seq;
    e.kind = kind;
    e.timeNs = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    e.pid = seq + 100;
    e.path = path.empty() ? "root/p" + std::to_string(seq) : std::move(path);
    e.reason = std::move(reason);
    return e;
}

std::vector<sc::Event> events(std::uint64_t first, std::uint64_t last)
{
    std::vector<sc::Event> list;
    for (std::uint64_t seq = first; seq <= last; ++seq)
        list.push_back(makeEvent(seq));
    return list;
}

QList<std::uint64_t> seqs(const EventLogModel& model)
{
    QList<std::uint64_t> list;
    for (int row = 0; row < model.rowCount(); ++row)
        list << model.index(row, EventLogModel::Seq).data(EventLogModel::SeqRole).toULongLong();
    return list;
}

QList<std::uint64_t> range(std::uint64_t from, std::uint64_t downTo)
{
    QList<std::uint64_t> list;
    for (std::uint64_t seq = from; seq >= downTo; --seq)
        list << seq;
    return list;
}

} // namespace

class TestEventLogModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_model = std::make_unique<EventLogModel>(nullptr, 10);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_resets = std::make_unique<QSignalSpy>(m_model.get(), &QAbstractItemModel::modelReset);
    }

    void cleanup()
    {
        QCOMPARE(m_resets->count(), 0);
        m_tester.reset();
        m_resets.reset();
        m_model.reset();
    }

    void newestFirst()
    {
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->append(events(1, 3));
        m_model->append(events(4, 5));
        QCOMPARE(seqs(*m_model), range(5, 1));
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 0);
        QCOMPARE(inserted.at(1).at(2).toInt(), 1);
        QCOMPARE(m_model->lastSeq(), 5u);
    }

    void showsTheColumns()
    {
        m_model->append({makeEvent(7, sc::EventKind::Exit, "root/tracker", "killed")});
        const auto cell
            = [this](int column, int role = Qt::DisplayRole) { return m_model->index(0, column).data(role); };
        QCOMPARE(cell(EventLogModel::Seq).toString(), QStringLiteral("7"));
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d$"))
                     .match(cell(EventLogModel::Time).toString())
                     .hasMatch(),
            qPrintable(cell(EventLogModel::Time).toString()));
        QCOMPARE(cell(EventLogModel::Kind).toString(), QStringLiteral("exit"));
        QCOMPARE(cell(EventLogModel::Path).toString(), QStringLiteral("root/tracker"));
        QCOMPARE(cell(EventLogModel::Reason).toString(), QStringLiteral("killed"));
        QCOMPARE(cell(EventLogModel::Seq, EventLogModel::PidRole).toULongLong(), 107ull);
        QCOMPARE(cell(EventLogModel::Seq, EventLogModel::KindRole).toInt(), static_cast<int>(sc::EventKind::Exit));
    }

    void dropsTheOldestPastCapacity()
    {
        m_model->append(events(1, 7));
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        m_model->append(events(8, 13));

        QCOMPARE(m_model->rowCount(), 10);
        QCOMPARE(seqs(*m_model), range(13, 4));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 4);
        QCOMPARE(removed.at(0).at(2).toInt(), 6);
    }

    void burstLargerThanCapacity()
    {
        m_model->append(events(1, 4));
        m_model->append(events(5, 30));
        QCOMPARE(m_model->rowCount(), 10);
        QCOMPARE(seqs(*m_model), range(30, 21));
    }

    void emptyAppendSignalsNothing()
    {
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->append({});
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(m_model->rowCount(), 0);
    }

    void highlightsFailures_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("red");
        QTest::addColumn<bool>("bold");
        QTest::newRow("exit normal") << int(sc::EventKind::Exit) << "normal" << false << false;
        QTest::newRow("exit shutdown") << int(sc::EventKind::Exit) << "shutdown" << false << false;
        QTest::newRow("exit killed") << int(sc::EventKind::Exit) << "killed" << true << false;
        QTest::newRow("exit crash") << int(sc::EventKind::Exit) << "error:boom" << true << false;
        QTest::newRow("give up") << int(sc::EventKind::GiveUp) << "" << true << true;
        QTest::newRow("start") << int(sc::EventKind::Start) << "" << false << false;
    }

    void highlightsFailures()
    {
        QFETCH(int, kind);
        QFETCH(QString, reason);
        QFETCH(bool, red);
        QFETCH(bool, bold);

        m_model->append({makeEvent(1, static_cast<sc::EventKind>(kind), "root/a", reason.toStdString())});
        const QModelIndex cell = m_model->index(0, EventLogModel::Kind);
        const QColor colour = cell.data(Qt::ForegroundRole).value<QColor>();
        const bool isRed = colour.isValid() && (colour.hsvHue() <= 10 || colour.hsvHue() >= 345);
        QCOMPARE(isRed, red);
        QCOMPARE(cell.data(Qt::FontRole).value<QFont>().bold(), bold);
    }

private:
    std::unique_ptr<EventLogModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QSignalSpy> m_resets;
};

QTEST_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
