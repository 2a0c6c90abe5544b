// Threading: GUI thread only. A submitted form runs its FinanceClient call on
// the console's own thread pool, never on the GUI thread, and the answer comes
// back to the GUI thread as a queued call; no slot here waits for the runtime.
// The Runtime (and its finance tree, if any) must outlive the console; the
// destructor waits for calls still running (at most the client's timeout).
#pragma once

#include "finance.h"
#include "handoff.h"

#include <QString>
#include <QValidator>
#include <QWidget>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace sc::ui {

/// Classifies typed text by sc::Money::parse: Acceptable for an amount parse
/// takes, Intermediate for a prefix that more typing can make one ("" and
/// "100."), Invalid for text that no typing at the end can fix ("abc", "-5",
/// "0.001", "007"). The console does not install it on its fields, because a
/// validator there would swallow the refused keystrokes without a word; it
/// asks it instead and says what is wrong next to the field.
class MoneyValidator : public QValidator {
    Q_OBJECT

public:
    explicit MoneyValidator(QObject* parent = nullptr);

    State validate(QString& input, int& pos) const override;
    /// The same, for text that is not being edited.
    State check(const QString& text) const;
    /// Money::parse's detail for `text` ("\"abc\": not a number"), empty if it parses.
    static QString problem(const QString& text);
};

/// Forms for every request of the finance services, in sections (Donations,
/// Pool, Withdrawals, Zakat, Transactions, Report). Each form is a row: the
/// action, its fields, a Run button and, at the right, the last answer.
/// Fields are checked as they are typed: once a field has been typed in, a
/// problem is spelled out under it (Money::parse's detail for an amount), and
/// the button stays disabled until every field of the form is valid. Enter in
/// a field submits its form; submitting a form with a bad or empty field puts
/// the focus there and says why, it never calls with bad input.
class FinanceConsole : public QWidget {
    Q_OBJECT

public:
    /// One form per finance request.
    using Action = sc::finance::Request;
    static constexpr std::size_t ActionCount = 14;

    explicit FinanceConsole(sc::Runtime& runtime, QWidget* parent = nullptr);
    ~FinanceConsole() override;

    /// The action's name as the `answered` signal and the object names spell
    /// it: FinanceClient's method ("openTracker", "poolAdd", "report").
    static QString actionName(Action action);
    /// The action as a person reads it ("Open tracker", "Pool donation").
    static QString actionTitle(Action action);

    // -- parts, for tests and the main window --
    // Object names: "<name>User", "<name>Amount", "<name>Button",
    // "<name>Answer", "<name>UserProblem", "<name>AmountProblem".
    /// nullptr for an action without a user (or an amount) field.
    QLineEdit* userField(Action action) const;
    QLineEdit* amountField(Action action) const;
    QPushButton* button(Action action) const;
    QLabel* answerLabel(Action action) const;
    /// What is wrong with the field, in words; hidden while the field is fine.
    QLabel* userProblemLabel(Action action) const;
    QLabel* amountProblemLabel(Action action) const;

    /// Calls started since construction, and those not answered yet.
    std::uint64_t callsStarted() const { return m_started; }
    int callsRunning() const { return m_running; }

public Q_SLOTS:
    /// Submits the form as its button or Enter does. With a field that is not
    /// valid it makes no call, shows the problem and focuses the field, and
    /// returns false.
    bool submit(sc::ui::FinanceConsole::Action action);

Q_SIGNALS:
    /// Every answer, on the GUI thread, just after it is shown next to its
    /// form: `action` is actionName(), `text` the answer in words ("alice's
    /// total: 300.00 (ledger #17)", "insufficient funds: ...").
    void answered(const QString& action, bool ok, const QString& text);

private:
    struct Form {
        Action action {};
        QLineEdit* user = nullptr;
        QLineEdit* amount = nullptr;
        QPushButton* button = nullptr;
        QLabel* answer = nullptr;
        QLabel* userProblem = nullptr;
        QLabel* amountProblem = nullptr;
        bool userTouched = false;
        bool amountTouched = false;
        std::uint64_t lastShown = 0; ///< serial of the call whose answer is on show
    };
    struct Answer {
        bool ok = false;
        QString text;
    };

    void buildForms();
    Form& form(Action action) { return m_forms[static_cast<std::size_t>(action)]; }
    const Form& form(Action action) const { return m_forms[static_cast<std::size_t>(action)]; }
    /// Updates the problem labels, colours and the button; true if every field is valid.
    bool refresh(Form& form);
    /// Builds the request from the form's (valid) fields; runs on the GUI thread.
    std::function<Answer()> request(const Form& form);
    void showAnswer(Action action, std::uint64_t serial, const Answer& answer);

    sc::finance::FinanceClient m_client;
    MoneyValidator m_validator;
    std::array<Form, ActionCount> m_forms;
    std::uint64_t m_started = 0;
    int m_running = 0;
    // A call waits for its service (and its ledger flush); a few threads keep
    // one slow or timed-out call from holding up the others.
    JobPool m_calls {4}; // last: destroyed (and waited for) first
};

/// The user-name rule of FinanceClient, in words: empty if `user` is valid.
QString userProblem(const QString& user);

} // namespace sc::ui
