// Threading: GUI thread only. A submitted form hands its request to the
// bridge's FinanceRequests, which runs it off the GUI thread and brings the
// answer back to the GUI thread; no slot here waits for the runtime. Whether
// the finance tree runs is asked of the bridge on a timer (a look at the
// registry: a short lock, never a wait for a process). The FinanceRequests
// must outlive the console; an answer that comes after the console is gone
// is dropped.
#pragma once

#include "core/finance/requests.h"
#include "ui/bridge/financerequests.h"

#include <QString>
#include <QTimer>
#include <QValidator>
#include <QWidget>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace sc::ui {

/// Classifies typed text by sc::Money::parse: Acceptable for an amount parse
/// takes, Intermediate for a prefix that more typing can make one ("" and
/// "100."), Invalid for text that no typing at the end can fix ("abc", "-5",
/// "0.001", "007"). With Signed, by sc::Money::parseSigned instead (the
/// zakat's wealth): "-1000" is Acceptable and "-" Intermediate. The console
/// does not install it on its fields, because a validator there would swallow
/// the refused keystrokes without a word; it asks it instead and says what is
/// wrong next to the field.
class MoneyValidator : public QValidator {
    Q_OBJECT

public:
    /// Which amounts it takes: magnitudes only, or a '-' too.
    enum Sign { Magnitude, Signed };

    explicit MoneyValidator(QObject* parent = nullptr);
    explicit MoneyValidator(Sign sign, QObject* parent = nullptr);

    State validate(QString& input, int& pos) const override;
    /// The same, for text that is not being edited.
    State check(const QString& text) const;
    /// The parser's detail for `text` ("\"abc\": not a number"), empty if it parses.
    static QString problem(const QString& text, Sign sign = Magnitude);
    Sign sign() const { return m_sign; }

private:
    Sign m_sign = Magnitude;
};

/// Forms for every request of the finance services, built from the request
/// table (finance::kRequests: each form's title, tooltip, fields and section),
/// in its order and in sections by its groups (Donations, Pool, Withdrawals,
/// Zakat, Transactions, Report). Each form is a row (the
/// action, its fields, a Run button) over a note of a fixed height (two
/// lines, whether or not it has anything to say, so that no row moves when
/// answers come and go). The note shows the latest news only: the answer of
/// the form's last call ("waiting…" until it comes), or what is wrong with
/// its fields; whichever came last replaces the other.
/// Fields are checked as they are typed: once a field has been typed in, a
/// problem is spelled out in the note (the amount parser's detail; the
/// zakat's wealth may be negative, see finance::takesSignedAmount), and the
/// button stays disabled until every field of the form is valid, and while
/// the form's call is waiting for its answer. Enter in a field submits its
/// form; submitting a form with a bad or empty field puts the focus there
/// and says why, it never calls with bad input.
/// While no finance service is registered (a demo replaced the finance tree,
/// or it stopped), a notice above the forms says so and the forms are
/// disabled; they come back by themselves when the tree runs again. The
/// notice stays hidden while the console as a whole is disabled (the window
/// explains a read-only data folder itself).
class FinanceConsole : public QWidget {
    Q_OBJECT

public:
    /// One form per finance request, one per row of finance::kRequests.
    using Action = sc::finance::Request;
    static constexpr std::size_t ActionCount = sc::finance::kRequests.size();

    explicit FinanceConsole(FinanceRequests& finance, QWidget* parent = nullptr);
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
    /// The fixed-height area under the form that holds its answer and problems ("<name>Note").
    QWidget* noteArea(Action action) const;
    /// "The finance tree is not running ...", above the forms ("financeTreeNotice").
    QLabel* treeNotice() const { return m_treeNotice; }

    /// Whether the finance tree runs, as the registry said: false once no
    /// finance service was registered on two looks in a row (a look every
    /// 250 ms), true again at the first look that finds one.
    bool financeTreeRunning() const { return m_treeRunning; }

    /// Calls started since construction, and those not answered yet.
    std::uint64_t callsStarted() const { return m_started; }
    int callsRunning() const { return m_running; }

    // -- the finance part of "Start a child" --
    /// The form that starts a child of the finance tree's dynamic supervisor
    /// at `supervisorPath`: OpenTracker under the trackers, StartTransaction
    /// under the transactions (a child starts the way a client starts one,
    /// through its service); none for any other supervisor.
    static std::optional<Action> childForm(const QString& supervisorPath);
    /// What that form asks for ("Open a tracker for the user:").
    static QString childPrompt(Action action);
    /// Puts `input` in the form's field (the user, or the amount) and submits
    /// it if the form takes it: the console checks the input and shows its
    /// answer, or what is wrong, beside the form.
    void startChild(Action action, const QString& input);

public Q_SLOTS:
    /// Submits the form as its button or Enter does. With a field that is not
    /// valid it makes no call, shows the problem and focuses the field, and
    /// returns false.
    bool submit(sc::ui::FinanceConsole::Action action);

Q_SIGNALS:
    /// The finance tree stopped (false) or runs again (true).
    void financeTreeRunningChanged(bool running);
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
        QWidget* note = nullptr; ///< holds the answer and the problems, at a fixed height
        const MoneyValidator* validator = nullptr; ///< for the amount field
        bool userTouched = false;
        bool amountTouched = false;
        bool pending = false; ///< a call is out; Run stays disabled until it answers
        bool answerOnTop = false; ///< the answer (or "waiting…") is newer than the last edit
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
    /// Sends the request of the form's (valid) fields; its answer, in words, comes to showAnswer.
    void send(const Form& form, std::uint64_t serial);
    /// A reply to `action` in words ("alice's total: 300.00 (ledger #17)"); empty for Report.
    static std::function<QString(const sc::finance::Reply&)> replyWords(
        Action action, const QString& who, sc::Money amount);
    void showAnswer(Action action, std::uint64_t serial, const Answer& answer);
    /// The user changed a field: a problem it has now is newer than the answer.
    void edited(Action action, bool user);
    /// Sizes that follow the font (the fields' widths, the notes' height).
    void applyMetrics();
    /// Looks up the finance services' names; enables or disables the forms.
    void updateTreeState();
    void showTreeNotice();
    void changeEvent(QEvent* event) override;

    FinanceRequests& m_finance;
    MoneyValidator m_validator;
    MoneyValidator m_wealthValidator {MoneyValidator::Signed};
    std::array<Form, ActionCount> m_forms;
    QLabel* m_treeNotice = nullptr;
    QTimer m_treeWatch;
    bool m_treeRunning = true;
    int m_absentLooks = 0; ///< looks in a row that found no finance service (counted up to 2)
    std::uint64_t m_started = 0;
    int m_running = 0;
};

/// The user-name rule of FinanceClient (finance::findUserNameProblem), in
/// words: empty if `user` is valid.
QString userProblem(const QString& user);

} // namespace sc::ui
