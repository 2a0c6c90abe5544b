#include "core/finance/finance.h"
#include "ui/finance/financeconsole.h"
#include "ui/bridge/runtimebridge.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <memory>

using sc::ui::FinanceConsole;
using sc::ui::MoneyValidator;
using Action = FinanceConsole::Action;

namespace {

// A call answers within the client's timeout (5 s); this is only the bound
// after which a test gives up on an answer that never comes.
constexpr int answerTimeoutMs = 20'000;

// A text of the request table, as the console shows it.
QString fromTable(std::string_view utf8)
{
    return QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
}

struct Answered {
    QString action;
    bool ok = false;
    QString text;
};

} // namespace

class TestFinanceConsole : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_runtime = std::make_unique<sc::Runtime>(sc::RuntimeOptions {.workers = 2});
        m_config.dataDir = m_dir->path().toStdString();
        const auto root = sc::finance::startFinanceTree(*m_runtime, m_config);
        QVERIFY2(root.ok(), root.ok() ? "" : root.error().toString().c_str());
        m_root = *root;
        m_bridge = std::make_unique<sc::ui::RuntimeBridge>(*m_runtime);
        m_console = std::make_unique<FinanceConsole>(m_bridge->finance());
        m_console->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_console.get()));
    }

    void cleanup()
    {
        m_console.reset();
        m_bridge.reset(); // waits for the console's calls, before the runtime goes
        m_runtime.reset();
        m_dir.reset();
    }

    // -- MoneyValidator --

    void moneyValidator_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QValidator::State>("state");
        const auto row = [](const char* name, const QString& input, QValidator::State state) {
            QTest::newRow(name) << input << state;
        };
        row("whole", QStringLiteral("100"), QValidator::Acceptable);
        row("one decimal", QStringLiteral("100.5"), QValidator::Acceptable);
        row("two decimals", QStringLiteral("100.50"), QValidator::Acceptable);
        row("zero", QStringLiteral("0"), QValidator::Acceptable);
        row("cents", QStringLiteral("0.05"), QValidator::Acceptable);
        row("max", QStringLiteral("92233720368547758.07"), QValidator::Acceptable);
        row("empty", QString(), QValidator::Intermediate);
        row("point last", QStringLiteral("100."), QValidator::Intermediate);
        row("zero point", QStringLiteral("0."), QValidator::Intermediate);
        row("max point", QStringLiteral("92233720368547758."), QValidator::Intermediate);
        row("word", QStringLiteral("abc"), QValidator::Invalid);
        row("exponent", QStringLiteral("1e3"), QValidator::Invalid);
        row("negative", QStringLiteral("-5"), QValidator::Invalid);
        row("minus alone", QStringLiteral("-"), QValidator::Invalid);
        row("plus", QStringLiteral("+5"), QValidator::Invalid);
        row("three decimals", QStringLiteral("0.001"), QValidator::Invalid);
        row("leading space", QStringLiteral(" 5"), QValidator::Invalid);
        row("trailing space", QStringLiteral("5 "), QValidator::Invalid);
        row("arabic-indic digits", QStringLiteral("١٠٠"), QValidator::Invalid);
        row("leading zero", QStringLiteral("007"), QValidator::Invalid);
        row("point first", QStringLiteral(".5"), QValidator::Invalid);
        row("two points", QStringLiteral("1.5."), QValidator::Invalid);
        row("grouping", QStringLiteral("1,000"), QValidator::Invalid);
        row("beyond max", QStringLiteral("92233720368547758.08"), QValidator::Invalid);
        row("whole beyond max", QStringLiteral("922337203685477581"), QValidator::Invalid);
    }

    void moneyValidator()
    {
        QFETCH(QString, input);
        QFETCH(QValidator::State, state);
        MoneyValidator validator;
        int pos = int(input.size());
        QString text = input;
        QCOMPARE(validator.validate(text, pos), state);
        QCOMPARE(text, input); // it never rewrites what was typed
        QCOMPARE(validator.check(input), state);
        // A problem in words exactly when parse refuses the text.
        QCOMPARE(MoneyValidator::problem(input).isEmpty(), state == QValidator::Acceptable);
    }

    void moneyValidatorSaysWhy()
    {
        QCOMPARE(MoneyValidator::problem(QStringLiteral("abc")), QStringLiteral("\"abc\": not a number"));
        QCOMPARE(MoneyValidator::problem(QStringLiteral("100.")), QStringLiteral("\"100.\": no digits after '.'"));
        QVERIFY(MoneyValidator::problem(QStringLiteral("-5")).contains(QStringLiteral("sign")));
    }

    void signedValidator_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QValidator::State>("state");
        const auto row = [](const char* name, const QString& input, QValidator::State state) {
            QTest::newRow(name) << input << state;
        };
        row("seed: -1000", QStringLiteral("-1000"), QValidator::Acceptable);
        row("-0.01", QStringLiteral("-0.01"), QValidator::Acceptable);
        row("positive", QStringLiteral("10000"), QValidator::Acceptable);
        row("smallest", QStringLiteral("-92233720368547758.08"), QValidator::Acceptable);
        row("minus alone", QStringLiteral("-"), QValidator::Intermediate);
        row("empty", QString(), QValidator::Intermediate);
        row("minus, point last", QStringLiteral("-100."), QValidator::Intermediate);
        row("plus", QStringLiteral("+5"), QValidator::Invalid);
        row("two minuses", QStringLiteral("--5"), QValidator::Invalid);
        row("minus point", QStringLiteral("-.5"), QValidator::Invalid);
        row("below the smallest", QStringLiteral("-92233720368547758.09"), QValidator::Invalid);
    }

    void signedValidator()
    {
        QFETCH(QString, input);
        QFETCH(QValidator::State, state);
        const MoneyValidator validator(MoneyValidator::Signed);
        QCOMPARE(validator.check(input), state);
        QCOMPARE(MoneyValidator::problem(input, MoneyValidator::Signed).isEmpty(), state == QValidator::Acceptable);
        // Magnitudes stay magnitudes: every signed spelling is refused there.
        if (input.startsWith(QLatin1Char('-'))) QCOMPARE(MoneyValidator().check(input), QValidator::Invalid);
    }

    void userRule_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("problem"); // a part of it; empty: valid
        QTest::newRow("name") << QStringLiteral("alice") << QString();
        QTest::newRow("64 bytes") << QString(64, QLatin1Char('x')) << QString();
        QTest::newRow("with a space") << QStringLiteral("abu bakr") << QString();
        QTest::newRow("empty") << QString() << QStringLiteral("enter a user name");
        QTest::newRow("65 bytes") << QString(65, QLatin1Char('x')) << QStringLiteral("65 bytes");
        // 33 two-byte characters: 33 characters, 66 bytes.
        QTest::newRow("66 bytes in 33 characters") << QString(33, QChar(0xe9)) << QStringLiteral("66 bytes");
        QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("'/'");
        QTest::newRow("tab") << QStringLiteral("a\tb") << QStringLiteral("control");
    }

    void userRule()
    {
        QFETCH(QString, user);
        QFETCH(QString, problem);
        const QString said = sc::ui::userProblem(user);
        if (problem.isEmpty())
            QVERIFY2(said.isEmpty(), qPrintable(said));
        else
            QVERIFY2(said.contains(problem), qPrintable(said));
    }

    void userRuleInWords_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("problem"); // all of it
        // One row per finance::UserNameProblem::Kind, as the console words it.
        QTest::newRow("empty") << QString() << QStringLiteral("enter a user name");
        QTest::newRow("too long") << QString(70, QLatin1Char('x')) << QStringLiteral("too long: 70 bytes (max 64)");
        QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("'/' is not allowed");
        QTest::newRow("bidirectional") << QStringLiteral("a") + QChar(0x202e)
                                       << QStringLiteral("a bidirectional control character is not allowed: "
                                                         "U+202E RIGHT-TO-LEFT OVERRIDE at byte 2");
    }

    void userRuleInWords()
    {
        QFETCH(QString, user);
        QFETCH(QString, problem);
        QCOMPARE(sc::ui::userProblem(user), problem);
    }

    // -- the console --

    void formsFollowTheRequestTable()
    {
        QCOMPARE(FinanceConsole::ActionCount, sc::finance::kRequests.size());
        QStringList groups;
        for (const sc::finance::RequestInfo& info : sc::finance::kRequests) {
            const Action action = info.request;
            const QString title = fromTable(info.title);
            QCOMPARE(FinanceConsole::actionName(action), fromTable(info.method));
            QCOMPARE(FinanceConsole::actionTitle(action), title);
            QCOMPARE(m_console->userField(action) != nullptr, info.user);
            QCOMPARE(m_console->amountField(action) != nullptr, info.amount.has_value());
            const QString group = fromTable(info.group);
            if (groups.isEmpty() || groups.last() != group) groups << group;

            // The title says what the request does on hover.
            QLabel* titleLabel = nullptr;
            for (QLabel* label : m_console->findChildren<QLabel*>())
                if (label->text() == title && !label->font().bold()) titleLabel = label;
            QVERIFY2(titleLabel, qPrintable(title));
            QCOMPARE(titleLabel->toolTip(), fromTable(info.help));

            // The amount is named by the table's label, and takes a sign only where the table says so.
            if (QLineEdit* amount = m_console->amountField(action)) {
                const QString label = fromTable(info.amount->label);
                QVERIFY2(amount->toolTip().startsWith(label), qPrintable(amount->toolTip()));
                QTest::keyClicks(amount, QStringLiteral("-5"));
                QCOMPARE(m_console->amountProblemLabel(action)->isVisible(), !info.amount->isSigned);
            }
        }
        // One section per group, in the table's order, each headed by its name in bold.
        QList<QLabel*> headers;
        for (QLabel* label : m_console->findChildren<QLabel*>())
            if (label->font().bold()) headers << label;
        std::sort(headers.begin(), headers.end(), [](QLabel* a, QLabel* b) { return a->y() < b->y(); });
        QStringList shown;
        for (QLabel* header : headers)
            shown << header->text();
        QCOMPARE(shown, groups);
        QCOMPARE(groups.size(), 6);
    }

    void hasAFormForEveryAction()
    {
        for (std::size_t i = 0; i < FinanceConsole::ActionCount; ++i) {
            const auto action = Action(i);
            const QString name = FinanceConsole::actionName(action);
            QVERIFY(m_console->button(action));
            QCOMPARE(m_console->button(action)->objectName(), name + QStringLiteral("Button"));
            QCOMPARE(m_console->findChild<QLabel*>(name + QStringLiteral("Answer")), m_console->answerLabel(action));
            // The answer row takes no room until there is an answer.
            QVERIFY(m_console->answerLabel(action)->isHidden());
        }
        QCOMPARE(FinanceConsole::actionName(Action::StartTransaction), QStringLiteral("startTransaction"));
        QVERIFY(m_console->userField(Action::Withdraw) && m_console->amountField(Action::Withdraw));
        QVERIFY(!m_console->userField(Action::Zakat) && m_console->amountField(Action::Zakat));
        QVERIFY(!m_console->userField(Action::Report) && !m_console->amountField(Action::Report));
        QVERIFY(m_console->font().pointSizeF() >= 12);
        // Forms without fields can run at once; the others wait for their fields.
        QVERIFY(m_console->button(Action::PoolTotal)->isEnabled());
        QVERIFY(!m_console->button(Action::Donate)->isEnabled());
        // Nothing typed yet, nothing to complain about.
        QVERIFY(!m_console->amountProblemLabel(Action::Donate)->isVisible());
        QVERIFY(!m_console->userProblemLabel(Action::Donate)->isVisible());
    }

    void openTrackerThenDonate()
    {
        bool onGuiThread = true;
        connect(m_console.get(), &FinanceConsole::answered, this, [&onGuiThread] {
            onGuiThread = onGuiThread && QThread::currentThread() == QCoreApplication::instance()->thread();
        });

        type(Action::OpenTracker, QStringLiteral("alice"), {});
        QTest::mouseClick(m_console->button(Action::OpenTracker), Qt::LeftButton);
        // The click returned before the runtime answered: the GUI thread does not wait.
        QCOMPARE(m_console->answerLabel(Action::OpenTracker)->text(), QStringLiteral("waiting…"));
        QCOMPARE(m_console->callsRunning(), 1);
        Answered a = waitForAnswer();
        QCOMPARE(a.action, QStringLiteral("openTracker"));
        QVERIFY2(a.ok, qPrintable(a.text));
        QCOMPARE(a.text, QStringLiteral("opened alice's tracker: total 0.00"));
        QCOMPARE(m_console->answerLabel(Action::OpenTracker)->text(), a.text);
        QCOMPARE(m_console->callsRunning(), 0);

        // Enter in the amount field submits the form.
        type(Action::Donate, QStringLiteral("alice"), QStringLiteral("100.5"));
        QVERIFY(m_console->button(Action::Donate)->isEnabled());
        a = enter(m_console->amountField(Action::Donate));
        QVERIFY2(a.ok, qPrintable(a.text));
        QCOMPARE(a.action, QStringLiteral("donate"));
        QVERIFY2(
            QRegularExpression(QStringLiteral("^alice's total: 100\\.50 \\(ledger #\\d+\\)$")).match(a.text).hasMatch(),
            qPrintable(a.text));

        type(Action::Donate, QStringLiteral("alice"), QStringLiteral("200"));
        a = click(Action::Donate);
        QVERIFY2(
            QRegularExpression(QStringLiteral("^alice's total: 300\\.50 \\(ledger #\\d+\\)$")).match(a.text).hasMatch(),
            qPrintable(a.text));
        QCOMPARE(m_console->answerLabel(Action::Donate)->text(), a.text);

        type(Action::Total, QStringLiteral("alice"), {});
        a = enter(m_console->userField(Action::Total));
        QCOMPARE(a.text, QStringLiteral("alice's total: 300.50"));
        QVERIFY(onGuiThread);
    }

    void donateWithoutATracker()
    {
        type(Action::Donate, QStringLiteral("carol"), QStringLiteral("5"));
        const Answered a = click(Action::Donate);
        QVERIFY(!a.ok);
        QCOMPARE(a.text, QStringLiteral("not found: no tracker for carol (open one first)"));
        QCOMPARE(m_console->answerLabel(Action::Donate)->text(), a.text);
    }

    void withdrawMoreThanTheBalance()
    {
        type(Action::Deposit, QStringLiteral("bob"), QStringLiteral("70"));
        Answered a = click(Action::Deposit);
        QVERIFY2(a.ok, qPrintable(a.text));
        QVERIFY2(a.text.startsWith(QStringLiteral("bob's balance: 70.00 (ledger #")), qPrintable(a.text));

        type(Action::Withdraw, QStringLiteral("bob"), QStringLiteral("300"));
        a = click(Action::Withdraw);
        QCOMPARE(a.action, QStringLiteral("withdraw"));
        QVERIFY(!a.ok);
        QCOMPARE(a.text, QStringLiteral("insufficient funds: the balance of bob is 70.00, less than 300.00"));
        QCOMPARE(m_console->answerLabel(Action::Withdraw)->text(), a.text);

        type(Action::Balance, QStringLiteral("bob"), {});
        a = click(Action::Balance);
        QCOMPARE(a.text, QStringLiteral("bob's balance: 70.00"));
    }

    void malformedAmountMakesNoCall_data()
    {
        QTest::addColumn<QString>("amount");
        QTest::addColumn<QString>("problem");
        QTest::newRow("word") << QStringLiteral("abc") << QStringLiteral("\"abc\": not a number");
        QTest::newRow("sign") << QStringLiteral("-5") << QStringLiteral("\"-5\": a sign is not allowed");
        QTest::newRow("exponent") << QStringLiteral("1e3") << QStringLiteral("\"1e3\": exponent notation");
        QTest::newRow("three decimals") << QStringLiteral("0.001") << QStringLiteral("\"0.001\": more than two");
        QTest::newRow("space") << QStringLiteral(" 5") << QStringLiteral("\" 5\": whitespace");
        QTest::newRow("unfinished") << QStringLiteral("100.") << QStringLiteral("\"100.\": no digits after '.'");
    }

    void malformedAmountMakesNoCall()
    {
        QFETCH(QString, amount);
        QFETCH(QString, problem);
        QSignalSpy spy(m_console.get(), &FinanceConsole::answered);
        type(Action::Donate, QStringLiteral("alice"), amount);

        QPushButton* button = m_console->button(Action::Donate);
        QLabel* message = m_console->amountProblemLabel(Action::Donate);
        QVERIFY(!button->isEnabled());
        QVERIFY(message->isVisible());
        QVERIFY2(message->text().startsWith(problem), qPrintable(message->text()));
        QVERIFY(!m_console->userProblemLabel(Action::Donate)->isVisible());

        QTest::mouseClick(button, Qt::LeftButton);
        QTest::keyClick(m_console->amountField(Action::Donate), Qt::Key_Return);
        QVERIFY(!m_console->submit(Action::Donate));
        QCOMPARE(m_console->callsStarted(), 0u);
        QVERIFY(m_console->answerLabel(Action::Donate)->text().isEmpty());
        QVERIFY(message->isVisible());

        // Fixed, the problem goes and the form can run.
        type(Action::Donate, QStringLiteral("alice"), QStringLiteral("5"));
        QVERIFY(!message->isVisible());
        QVERIFY(button->isEnabled());
        QCOMPARE(spy.count(), 0);
    }

    void enterOnAnUnfinishedFormSaysWhatIsMissing()
    {
        type(Action::Donate, QStringLiteral("alice"), {});
        QVERIFY(!m_console->amountProblemLabel(Action::Donate)->isVisible()); // not touched yet
        m_console->userField(Action::Donate)->setFocus();
        QTest::keyClick(m_console->userField(Action::Donate), Qt::Key_Return);
        QCOMPARE(m_console->callsStarted(), 0u);
        QVERIFY(m_console->amountProblemLabel(Action::Donate)->isVisible());
        QCOMPARE(m_console->amountProblemLabel(Action::Donate)->text(), QStringLiteral("enter an amount"));
        // The focus goes to what is missing (whether or not the window is active).
        QCOMPARE(m_console->focusWidget(), m_console->amountField(Action::Donate));
    }

    void badUserNameMakesNoCall_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("problem");
        QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("'/' is not allowed");
        QTest::newRow("too long") << QString(65, QLatin1Char('u')) << QStringLiteral("too long: 65 bytes (max 64)");
    }

    void badUserNameMakesNoCall()
    {
        QFETCH(QString, user);
        QFETCH(QString, problem);
        type(Action::Balance, user, {});
        QVERIFY(!m_console->button(Action::Balance)->isEnabled());
        QVERIFY(m_console->userProblemLabel(Action::Balance)->isVisible());
        QCOMPARE(m_console->userProblemLabel(Action::Balance)->text(), problem);
        QTest::keyClick(m_console->userField(Action::Balance), Qt::Key_Return);
        QCOMPARE(m_console->callsStarted(), 0u);

        // Typed and then erased: the field says it needs a name.
        type(Action::Balance, QStringLiteral("x"), {});
        QTest::keyClick(m_console->userField(Action::Balance), Qt::Key_Backspace);
        QVERIFY(m_console->userProblemLabel(Action::Balance)->isVisible());
        QCOMPARE(m_console->userProblemLabel(Action::Balance)->text(), QStringLiteral("enter a user name"));
    }

    void zakatOnTenThousand()
    {
        type(Action::Zakat, {}, QStringLiteral("10000"));
        const Answered a = enter(m_console->amountField(Action::Zakat));
        QCOMPARE(a.action, QStringLiteral("zakat"));
        QVERIFY(a.ok);
        QCOMPARE(a.text, QStringLiteral("zakat on 10000.00: 250.00"));
        QCOMPARE(m_console->answerLabel(Action::Zakat)->text(), a.text);
    }

    /// The Elixir guide's test in the form: a negative wealth is typed, sent
    /// and refused by the calculator as invalid_wealth (issue 16, C.11).
    void zakatOfANegativeWealth()
    {
        type(Action::Zakat, {}, QStringLiteral("-"));
        QVERIFY(!m_console->button(Action::Zakat)->isEnabled());
        QVERIFY(m_console->amountProblemLabel(Action::Zakat)->isVisible()); // more typing can fix it: a warning
        type(Action::Zakat, {}, QStringLiteral("-1000"));
        QVERIFY(!m_console->amountProblemLabel(Action::Zakat)->isVisible());
        QVERIFY(m_console->button(Action::Zakat)->isEnabled());
        const Answered a = enter(m_console->amountField(Action::Zakat));
        QCOMPARE(a.action, QStringLiteral("zakat"));
        QVERIFY(!a.ok);
        QCOMPARE(a.text, QStringLiteral("invalid wealth: -1000.00 is negative"));
        QCOMPARE(m_console->answerLabel(Action::Zakat)->text(), a.text);

        // Every other amount is still a magnitude: "-5" is refused before any call.
        const std::uint64_t started = m_console->callsStarted();
        for (const Action action : {Action::Withdraw, Action::Donate, Action::SetNisab}) {
            type(action, QStringLiteral("bob"), QStringLiteral("-5"));
            QVERIFY(!m_console->button(action)->isEnabled());
            QVERIFY2(m_console->amountProblemLabel(action)->text().contains(QStringLiteral("sign")),
                qPrintable(m_console->amountProblemLabel(action)->text()));
            QVERIFY(!m_console->submit(action));
        }
        QCOMPARE(m_console->callsStarted(), started);
    }

    /// Run is disabled from the click until the answer, whatever it is, and
    /// says "waiting…"; Enter makes no second call meanwhile (issue 16, B.10).
    void runWaitsForItsAnswer_data()
    {
        QTest::addColumn<int>("action");
        QTest::addColumn<QString>("amount");
        QTest::addColumn<bool>("ok");
        QTest::newRow("success") << int(Action::Zakat) << QStringLiteral("10000") << true;
        QTest::newRow("refusal") << int(Action::Zakat) << QStringLiteral("-1000") << false;
        QTest::newRow("crash (exit)") << int(Action::Transaction) << QStringLiteral("0") << false;
    }
    void runWaitsForItsAnswer()
    {
        QFETCH(int, action);
        QFETCH(QString, amount);
        QFETCH(bool, ok);
        const auto a = Action(action);
        type(a, {}, amount);
        QPushButton* run = m_console->button(a);
        QVERIFY(run->isEnabled());
        QSignalSpy spy(m_console.get(), &FinanceConsole::answered);
        QTest::mouseClick(run, Qt::LeftButton);
        // The answer comes back as a queued call: until the event loop runs, the call is pending.
        QVERIFY(!run->isEnabled());
        QCOMPARE(m_console->answerLabel(a)->text(), QStringLiteral("waiting…"));
        QVERIFY(m_console->answerLabel(a)->isVisible());
        QTest::keyClick(m_console->amountField(a), Qt::Key_Return);
        QVERIFY(!m_console->submit(a));
        QCOMPARE(m_console->callsStarted(), 1u);
        const Answered answer = waitForAnswer(spy);
        QCOMPARE(answer.ok, ok);
        QVERIFY(run->isEnabled());
        QCOMPARE(m_console->callsStarted(), 1u);
        QCOMPARE(m_console->answerLabel(a)->text(), answer.text);
    }

    void runComesBackAfterATimeout()
    {
        // A hung pool never answers: the client's timeout (5 s) ends the call.
        const sc::Pid pool = m_runtime->whereis(sc::finance::kPoolName);
        m_runtime->hang(pool);
        QPushButton* run = m_console->button(Action::PoolTotal);
        QSignalSpy spy(m_console.get(), &FinanceConsole::answered);
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(!run->isEnabled());
        const Answered answer = waitForAnswer(spy);
        QVERIFY(!answer.ok);
        QVERIFY2(answer.text.startsWith(QStringLiteral("timeout")), qPrintable(answer.text));
        QVERIFY(run->isEnabled());
        m_runtime->kill(pool); // its supervisor starts a new one
    }

    /// Each form's note shows the latest news only, at a fixed height: an
    /// error replaces a success and the other way round, and no form, field
    /// or button moves while answers and problems come and go (issue 16, B.10).
    void answersReplaceEachOtherAndNothingMoves()
    {
        m_console->resize(m_console->sizeHint());
        const auto positions = [this] {
            QList<QRect> list;
            for (std::size_t i = 0; i < FinanceConsole::ActionCount; ++i) {
                const auto action = Action(i);
                for (QWidget* w : {static_cast<QWidget*>(m_console->button(action)), m_console->noteArea(action)})
                    list << QRect(w->mapTo(m_console.get(), QPoint(0, 0)), w->size());
            }
            return list;
        };
        QCoreApplication::processEvents();
        const QList<QRect> before = positions();
        const int noteHeight = m_console->noteArea(Action::Zakat)->height();
        QVERIFY(noteHeight >= 2 * QFontMetrics(m_console->font()).lineSpacing());
        QLabel* answer = m_console->answerLabel(Action::Zakat);
        QLabel* problem = m_console->amountProblemLabel(Action::Zakat);

        type(Action::Zakat, {}, QStringLiteral("10000"));
        QCOMPARE(click(Action::Zakat).text, QStringLiteral("zakat on 10000.00: 250.00"));
        QCOMPARE(positions(), before);
        QVERIFY(answer->isVisible());

        // A refusal replaces the success.
        type(Action::Zakat, {}, QStringLiteral("-1000"));
        QCOMPARE(click(Action::Zakat).text, QStringLiteral("invalid wealth: -1000.00 is negative"));
        QCOMPARE(answer->text(), QStringLiteral("invalid wealth: -1000.00 is negative"));
        QCOMPARE(positions(), before);

        // A problem typed after it replaces the answer, which does not come back.
        type(Action::Zakat, {}, QStringLiteral("abc"));
        QVERIFY(problem->isVisible());
        QVERIFY(!answer->isVisible());
        QVERIFY(answer->text().isEmpty());
        QCOMPARE(positions(), before);
        type(Action::Zakat, {}, QStringLiteral("100.01"));
        QVERIFY(!problem->isVisible());
        QVERIFY(!answer->isVisible());

        // And a success replaces the problem.
        QCOMPARE(click(Action::Zakat).text, QStringLiteral("zakat on 100.01: 2.51"));
        QVERIFY(answer->isVisible());
        QVERIFY(!problem->isVisible());

        // Two problems at once, and a long answer (wider than the console), still in the same room.
        type(Action::Donate, QStringLiteral("a/b"), QStringLiteral("92233720368547758.08"));
        QVERIFY(m_console->userProblemLabel(Action::Donate)->isVisible());
        QVERIFY(m_console->amountProblemLabel(Action::Donate)->isVisible());
        type(Action::Deposit, QStringLiteral("bob"), QStringLiteral("70"));
        QVERIFY(click(Action::Deposit).ok);
        type(Action::Withdraw, QStringLiteral("bob"), QStringLiteral("300"));
        QVERIFY(!click(Action::Withdraw).ok);
        QCOMPARE(positions(), before);
        QCOMPARE(m_console->noteArea(Action::Zakat)->height(), noteHeight);
    }

    void notesFollowTheFont()
    {
        QFont large = m_console->font();
        large.setPointSizeF(large.pointSizeF() * 1.6);
        m_console->setFont(large);
        const int lineSpacing = QFontMetrics(large).lineSpacing();
        for (std::size_t i = 0; i < FinanceConsole::ActionCount; ++i)
            QCOMPARE(m_console->noteArea(Action(i))->height(), 2 * lineSpacing + lineSpacing / 3);
        // With room, the fields grow with the type.
        m_console->resize(m_console->sizeHint());
        QCoreApplication::processEvents();
        QVERIFY(m_console->amountField(Action::Donate)->width()
            >= QFontMetrics(large).horizontalAdvance(QStringLiteral("e.g. 100.50")));
        // Narrowed to its minimum (presenter type in a dock sized for normal type), every Run button stays in view.
        QVERIFY(m_console->minimumSizeHint().width() < m_console->sizeHint().width());
        m_console->resize(m_console->minimumSizeHint().width(), m_console->sizeHint().height());
        QCoreApplication::processEvents();
        for (std::size_t i = 0; i < FinanceConsole::ActionCount; ++i) {
            QPushButton* run = m_console->button(Action(i));
            QVERIFY(run->mapTo(m_console.get(), QPoint(run->width(), 0)).x() <= m_console->width());
        }
        // The notice too (a style sheet would keep it at the size it was polished with).
        QCOMPARE(m_console->treeNotice()->font().pointSizeF(), large.pointSizeF());
    }

    /// With no finance tree (stopped, or replaced by a demo), the console says
    /// so above the forms and disables them, and comes back by itself when the
    /// tree runs again (issue 16, A.4).
    void saysWhenTheFinanceTreeIsNotRunning()
    {
        QLabel* notice = m_console->treeNotice();
        QVERIFY(notice);
        QVERIFY(!notice->isVisible());
        QVERIFY(m_console->financeTreeRunning());
        QSignalSpy changed(m_console.get(), &FinanceConsole::financeTreeRunningChanged);
        QCOMPARE(click(Action::PoolTotal).text, QStringLiteral("pool total: 0.00"));

        QVERIFY(m_runtime->stop(m_root, sc::ExitReason::shutdown()).ok());
        QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible(), answerTimeoutMs);
        QVERIFY(!m_console->financeTreeRunning());
        QVERIFY2(notice->text().contains(QStringLiteral("not running")), qPrintable(notice->text()));
        QCOMPARE(changed.count(), 1);
        for (std::size_t i = 0; i < FinanceConsole::ActionCount; ++i) {
            const auto action = Action(i);
            QVERIFY(!m_console->button(action)->isEnabled());
            if (QLineEdit* field = m_console->amountField(action)) QVERIFY(!field->isEnabled());
            if (QLineEdit* field = m_console->userField(action)) QVERIFY(!field->isEnabled());
        }
        // No call goes out, so no noproc comes back.
        const std::uint64_t started = m_console->callsStarted();
        QVERIFY(!m_console->submit(Action::PoolTotal));
        QCOMPARE(m_console->callsStarted(), started);

        // The same runtime starts the tree again: the forms come back, and the old answers go.
        const auto root = sc::finance::startFinanceTree(*m_runtime, m_config);
        QVERIFY2(root.ok(), root.ok() ? "" : root.error().toString().c_str());
        QTRY_VERIFY_WITH_TIMEOUT(!notice->isVisible(), answerTimeoutMs);
        QVERIFY(m_console->financeTreeRunning());
        QCOMPARE(changed.count(), 2);
        QVERIFY(m_console->answerLabel(Action::PoolTotal)->text().isEmpty());
        QVERIFY(m_console->button(Action::PoolTotal)->isEnabled());
        QVERIFY(m_console->amountField(Action::Donate)->isEnabled());
        QCOMPARE(click(Action::PoolTotal).text, QStringLiteral("pool total: 0.00"));
    }

    void noTreeNoticeWhileTheWindowDisablesTheConsole()
    {
        // A read-only window disables the console and explains it itself.
        m_console->setEnabled(false);
        QVERIFY(m_runtime->stop(m_root, sc::ExitReason::shutdown()).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!m_console->financeTreeRunning(), answerTimeoutMs);
        QVERIFY(!m_console->treeNotice()->isVisible());
        m_console->setEnabled(true);
        QVERIFY(m_console->treeNotice()->isVisible());
    }

    void everyOtherActionAnswers()
    {
        type(Action::PoolAdd, QStringLiteral("dina"), QStringLiteral("5"));
        Answered a = click(Action::PoolAdd);
        QVERIFY2(a.text.startsWith(QStringLiteral("pool total: 5.00 (ledger #")), qPrintable(a.text));
        QCOMPARE(click(Action::PoolTotal).text, QStringLiteral("pool total: 5.00"));

        type(Action::SetNisab, {}, QStringLiteral("5000"));
        a = click(Action::SetNisab);
        QVERIFY2(a.text.startsWith(QStringLiteral("nisab: 5000.00 (ledger #")), qPrintable(a.text));
        QCOMPARE(click(Action::GetNisab).text, QStringLiteral("nisab: 5000.00"));
        type(Action::Zakat, {}, QStringLiteral("4999.99"));
        QCOMPARE(click(Action::Zakat).text, QStringLiteral("zakat on 4999.99: 0.00"));

        type(Action::Transaction, {}, QStringLiteral("12.5"));
        QCOMPARE(click(Action::Transaction).text, QStringLiteral("processed 12.50"));
        type(Action::StartTransaction, {}, QStringLiteral("7"));
        a = click(Action::StartTransaction);
        QVERIFY2(QRegularExpression(QStringLiteral("^started finance/core/transactions/tx-\\d+ for 7\\.00$"))
                     .match(a.text)
                     .hasMatch(),
            qPrintable(a.text));

        // The report generator loads in a continue step; until then it answers not_ready.
        QTRY_VERIFY_WITH_TIMEOUT(
            [this] {
                const Answered r = click(Action::Report);
                return r.ok && r.text.startsWith(QStringLiteral("donations 0.00, pool 5.00, deposits 0.00"));
            }(),
            answerTimeoutMs);
    }

    void transactionOfZeroCrashesTheProcessor()
    {
        // "0" is an amount; the processor's contract is not, and it crashes on it.
        type(Action::Transaction, {}, QStringLiteral("0"));
        QVERIFY(m_console->button(Action::Transaction)->isEnabled());
        const Answered a = click(Action::Transaction);
        QVERIFY(!a.ok);
        QVERIFY2(a.text.startsWith(QStringLiteral("exit")), qPrintable(a.text));
    }

    /// The finance part of the window's "Start a child": the trackers' and the transactions'
    /// children start through their forms, which check the input and answer beside the form.
    void startsChildrenThroughItsForms()
    {
        QCOMPARE(FinanceConsole::childForm(QString::fromLatin1(sc::finance::kTrackersPath)), Action::OpenTracker);
        QCOMPARE(
            FinanceConsole::childForm(QString::fromLatin1(sc::finance::kTransactionsPath)), Action::StartTransaction);
        QCOMPARE(FinanceConsole::childForm(QStringLiteral("root/pool")), std::nullopt);

        QSignalSpy spy(m_console.get(), &FinanceConsole::answered);
        m_console->startChild(Action::OpenTracker, QStringLiteral("carol"));
        Answered a = waitForAnswer(spy);
        QVERIFY2(a.ok, qPrintable(a.text));
        QCOMPARE(m_console->userField(Action::OpenTracker)->text(), QStringLiteral("carol"));
        QCOMPARE(a.text, QStringLiteral("opened carol's tracker: total 0.00"));

        m_console->startChild(Action::StartTransaction, QStringLiteral("12.50"));
        a = waitForAnswer(spy);
        QVERIFY2(a.ok, qPrintable(a.text));
        QVERIFY2(a.text.startsWith(QStringLiteral("started ")) && a.text.endsWith(QStringLiteral(" for 12.50")),
            qPrintable(a.text));

        // Input the form refuses is not sent: the button stays disabled, and nothing is answered.
        const std::uint64_t started = m_console->callsStarted();
        m_console->startChild(Action::StartTransaction, QStringLiteral("abc"));
        QCOMPARE(m_console->callsStarted(), started);
        QVERIFY(!m_console->button(Action::StartTransaction)->isEnabled());
    }

    void destructorWaitsForRunningCalls()
    {
        for (const Action action : {Action::PoolTotal, Action::GetNisab, Action::Report})
            QVERIFY(m_console->submit(action));
        QVERIFY(m_console->callsRunning() > 0);
        m_console.reset(); // must neither crash nor leave a job touching a dead console
        QCOMPARE(m_runtime->isAlive(m_runtime->whereis(sc::finance::kPoolName)), true);
    }

private:
    /// Replaces the form's fields' text by typing; a null string leaves a field alone.
    void type(Action action, const QString& user, const QString& amount)
    {
        if (QLineEdit* field = m_console->userField(action); field && !user.isNull()) {
            field->clear();
            QTest::keyClicks(field, user);
        }
        if (QLineEdit* field = m_console->amountField(action); field && !amount.isNull()) {
            field->clear();
            QTest::keyClicks(field, amount);
        }
    }

    Answered waitForAnswer(QSignalSpy& spy)
    {
        if (spy.isEmpty() && !spy.wait(answerTimeoutMs)) return {QString(), false, QStringLiteral("(no answer)")};
        const QList<QVariant> args = spy.takeFirst();
        return {args.at(0).toString(), args.at(1).toBool(), args.at(2).toString()};
    }
    Answered waitForAnswer()
    {
        QSignalSpy spy(m_console.get(), &FinanceConsole::answered);
        return waitForAnswer(spy);
    }
    Answered click(Action action)
    {
        QSignalSpy spy(m_console.get(), &FinanceConsole::answered);
        QTest::mouseClick(m_console->button(action), Qt::LeftButton);
        return waitForAnswer(spy);
    }
    Answered enter(QLineEdit* field)
    {
        QSignalSpy spy(m_console.get(), &FinanceConsole::answered);
        QTest::keyClick(field, Qt::Key_Return);
        return waitForAnswer(spy);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    sc::finance::Config m_config;
    sc::Pid m_root = 0;
    std::unique_ptr<sc::Runtime> m_runtime;
    std::unique_ptr<sc::ui::RuntimeBridge> m_bridge;
    std::unique_ptr<FinanceConsole> m_console;
};

QTEST_MAIN(TestFinanceConsole)
#include "tst_financeconsole.moc"
