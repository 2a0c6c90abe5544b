// The window's claim on its data directory: a free folder is taken, a folder
// in use asks (another folder, read-only, quit), and the dialog that asks
// says which folder and which process. The question is injected here; the
// app shows DataDirDialog::ask.
#include "core/finance/datadir.h"
#include "ui/window/datadirdialog.h"

#include <QCoreApplication>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using sc::ui::DataDirChoice;
using sc::ui::DataDirClaim;
using sc::ui::DataDirDialog;
using sc::ui::DataDirProblem;
using Kind = sc::ui::DataDirChoice::Kind;

namespace {

std::string str(const QString& path)
{
    return QFile::encodeName(path).toStdString();
}

/// An injected question: answers in turn, and notes what it was asked.
struct Script {
    std::vector<DataDirChoice> answers;
    std::vector<DataDirProblem> asked;

    sc::ui::AskAboutDataDir ask()
    {
        return [this](const DataDirProblem& problem) {
            asked.push_back(problem);
            if (asked.size() > answers.size()) return DataDirChoice {Kind::Quit, {}}; // a loop would end here
            return answers[asked.size() - 1];
        };
    }
};

} // namespace

class TestDataDirDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aFreeFolderIsTakenWithoutAsking()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        Script script;
        auto claim = sc::ui::claimDataDir(str(data), script.ask());
        QVERIFY(claim.ok());
        QCOMPARE(claim->mode, DataDirClaim::Mode::Owner);
        QVERIFY(claim->lock.held());
        QCOMPARE(claim->dataDir, str(data));
        QVERIFY(script.asked.empty());
        // Held for as long as the claim lives: another claim is asked about it.
        Script second {{{Kind::Quit, {}}}, {}};
        auto again = sc::ui::claimDataDir(str(data), second.ask());
        QVERIFY(again.ok());
        QCOMPARE(again->mode, DataDirClaim::Mode::Quit);
        QCOMPARE(second.asked.size(), std::size_t(1));
        // The owner, as its lock file names it.
        QCOMPARE(second.asked.front().owner, QCoreApplication::applicationPid());
    }

    void aFolderInUseAsks_data()
    {
        QTest::addColumn<int>("answer");
        QTest::addColumn<int>("mode");
        QTest::newRow("read-only") << int(Kind::ReadOnly) << int(DataDirClaim::Mode::ReadOnly);
        QTest::newRow("quit") << int(Kind::Quit) << int(DataDirClaim::Mode::Quit);
    }
    void aFolderInUseAsks()
    {
        QFETCH(int, answer);
        QFETCH(int, mode);
        QTemporaryDir dir;
        auto owner = sc::DataDirLock::acquire(str(dir.path()));
        QVERIFY(owner.ok());
        Script script {{{Kind(answer), {}}}, {}};
        auto claim = sc::ui::claimDataDir(str(dir.path()), script.ask());
        QVERIFY(claim.ok());
        QCOMPARE(int(claim->mode), mode);
        QVERIFY(!claim->lock.held());
        QCOMPARE(script.asked.size(), std::size_t(1));
        const DataDirProblem& asked = script.asked.front();
        QVERIFY(asked.inUse);
        QCOMPARE(asked.dataDir, dir.path());
        QCOMPARE(asked.owner, QCoreApplication::applicationPid()); // the lock's holder: this test
        QCOMPARE(claim->problem.owner, asked.owner);
        if (claim->mode == DataDirClaim::Mode::ReadOnly) {
            QCOMPARE(claim->dataDir, str(dir.path()));
            const QString reason = sc::ui::readOnlyReason(claim->problem);
            QVERIFY2(reason.contains(dir.path()) && reason.contains(QStringLiteral("(process %1)").arg(asked.owner))
                    && reason.contains(QStringLiteral("read-only")),
                qPrintable(reason));
        }
        QVERIFY(owner->held()); // asking took nothing from the owner
    }

    /// Another folder is tried in turn; one in use too, or none picked, asks again.
    void anotherFolderIsTriedInTurn()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a"));
        const QString b = dir.filePath(QStringLiteral("b"));
        const QString c = dir.filePath(QStringLiteral("c"));
        auto lockA = sc::DataDirLock::acquire(str(a));
        auto lockB = sc::DataDirLock::acquire(str(b));
        QVERIFY(lockA.ok() && lockB.ok());
        Script script {{{Kind::OtherFolder, b}, {Kind::OtherFolder, {}}, {Kind::OtherFolder, c}}, {}};
        auto claim = sc::ui::claimDataDir(str(a), script.ask());
        QVERIFY(claim.ok());
        QCOMPARE(claim->mode, DataDirClaim::Mode::Owner);
        QCOMPARE(claim->dataDir, str(c));
        QVERIFY(claim->lock.held());
        QCOMPARE(script.asked.size(), std::size_t(3));
        QCOMPARE(script.asked[0].dataDir, a);
        QCOMPARE(script.asked[1].dataDir, b);
        QCOMPARE(script.asked[2].dataDir, b); // no folder picked: the same question
    }

    /// A folder picked that cannot be used asks again, without read-only (there is nothing to read).
    void anUnusablePickedFolderAsksAgain()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a"));
        auto lockA = sc::DataDirLock::acquire(str(a));
        QVERIFY(lockA.ok());
        const QString file = dir.filePath(QStringLiteral("a-file"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        Script script {{{Kind::OtherFolder, file}, {Kind::ReadOnly, {}}, {Kind::Quit, {}}}, {}};
        auto claim = sc::ui::claimDataDir(str(a), script.ask());
        QVERIFY(claim.ok());
        QCOMPARE(claim->mode, DataDirClaim::Mode::Quit);
        QCOMPARE(script.asked.size(), std::size_t(3));
        QVERIFY(!script.asked[1].inUse);
        QCOMPARE(script.asked[1].dataDir, file);
        QVERIFY2(script.asked[1].detail.contains(QStringLiteral("cannot create the data directory")),
            qPrintable(script.asked[1].detail));
    }

    /// The folder given cannot be used at all: an error, as before the dialog existed.
    void anUnusableGivenFolderIsAnError()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("a-file"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        Script script;
        auto claim = sc::ui::claimDataDir(str(file), script.ask());
        QVERIFY(!claim.ok());
        QCOMPARE(claim.error().code, sc::Errc::Storage);
        QVERIFY(script.asked.empty());
    }

    void dialogSaysWhichFolderAndProcess()
    {
        const DataDirProblem problem {QStringLiteral("/srv/class/data"), true, 4242, {}};
        DataDirDialog dialog(problem);
        QVERIFY2(dialog.text().contains(QStringLiteral("/srv/class/data")), qPrintable(dialog.text()));
        QVERIFY2(dialog.text().contains(QStringLiteral("process 4242")), qPrintable(dialog.text()));
        QVERIFY(dialog.windowTitle().contains(QStringLiteral("in use")));
        for (Kind kind : {Kind::OtherFolder, Kind::ReadOnly, Kind::Quit})
            QVERIFY(dialog.button(kind)->isVisibleTo(&dialog));
        QCOMPARE(dialog.button(Kind::OtherFolder)->text(), QStringLiteral("Open Another Folder…"));
        QCOMPARE(dialog.button(Kind::ReadOnly)->text(), QStringLiteral("Open Read-Only"));
        QCOMPARE(dialog.button(Kind::Quit)->text(), QStringLiteral("Quit"));
        QVERIFY(dialog.button(Kind::ReadOnly)->isDefault()); // Enter changes nothing anywhere
    }

    void dialogButtonsAnswer_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("another folder") << int(Kind::OtherFolder);
        QTest::newRow("read-only") << int(Kind::ReadOnly);
        QTest::newRow("quit") << int(Kind::Quit);
    }
    void dialogButtonsAnswer()
    {
        QFETCH(int, kind);
        DataDirDialog dialog(DataDirProblem {QStringLiteral("/srv/class/data"), true, 4242, {}});
        dialog.show();
        dialog.button(Kind(kind))->click();
        QCOMPARE(int(dialog.choice()), kind);
        QVERIFY(!dialog.isVisible());
    }

    void dialogClosedIsQuit()
    {
        DataDirDialog dialog(DataDirProblem {QStringLiteral("/srv/class/data"), true, 0, {}});
        dialog.show();
        QVERIFY(!dialog.text().contains(QStringLiteral("process"))); // owner unknown: not made up
        dialog.reject(); // Escape, or the title bar's close button
        QCOMPARE(dialog.choice(), Kind::Quit);
    }

    void dialogForAnUnusableFolderOffersNoReadOnly()
    {
        const DataDirProblem problem {
            QStringLiteral("/srv/class/file"), false, 0, QStringLiteral("/srv/class/file: not a directory")};
        DataDirDialog dialog(problem);
        QVERIFY(!dialog.button(Kind::ReadOnly)->isVisibleTo(&dialog));
        QVERIFY(dialog.button(Kind::OtherFolder)->isDefault());
        QVERIFY(dialog.text().contains(QStringLiteral("not a directory")));
    }
};

QTEST_MAIN(TestDataDirDialog)
#include "tst_datadirdialog.moc"
