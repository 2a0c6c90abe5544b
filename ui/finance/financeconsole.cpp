#include "ui/finance/financeconsole.h"

#include "core/base/text.h"
#include "core/finance/requests.h"
#include "ui/common/theme.h"

#include <QCoreApplication>
#include <QEvent>
#include <QFontMetrics>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QTextLayout>
#include <QVBoxLayout>
#include <algorithm>
#include <string>
#include <string_view>

namespace sc::ui {

namespace {

// The main window's size, so the console reads the same on its own.
constexpr qreal basePointSize = 14.0;
// The lines every form's note keeps free for its answer or problems.
constexpr int noteLines = 2;
// How often the console looks for the finance services (FinanceRequests::servicesRegistered).
constexpr int treeWatchMs = 250;

// Columns of the console's one grid.
enum Column { SectionColumn, TitleColumn, UserColumn, AmountColumn, ButtonColumn, ColumnCount };

using A = FinanceConsole::Action;

QString trConsole(const char* text)
{
    return QCoreApplication::translate("sc::ui::FinanceConsole", text);
}

QString money(sc::Money m)
{
    return QString::fromStdString(m.toString());
}

// "insufficient funds: the balance of bob is 70.00, less than 300.00"
QString describe(const sc::Error& error)
{
    QString text = QString::fromLatin1(sc::errcName(error.code)).replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!error.detail.empty()) text += QStringLiteral(": ") + QString::fromStdString(error.detail);
    return text;
}

QString ledgerNote(const sc::finance::Reply& reply)
{
    return reply.id ? trConsole(" (ledger #%1)").arg(*reply.id) : QString();
}

void setTextColour(QLabel* label, const QColor& colour)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, colour);
    label->setPalette(palette);
}

/// A label of a note: wraps its text, and when the note has less room than
/// the text needs, shows the lines that fit and ends the last with "…" (the
/// tooltip has it all), rather than cut a line in half.
class NoteLabel : public QLabel {
public:
    explicit NoteLabel(QWidget* parent)
        : QLabel(parent)
    {
        setWordWrap(true);
        setAlignment(Qt::AlignLeft | Qt::AlignTop);
        // The note's fixed height is shared out; the text never asks for more.
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
    }

protected:
    void paintEvent(QPaintEvent* event) override
    {
        const QRect box = contentsRect();
        if (text().isEmpty() || heightForWidth(width()) <= height()) {
            QLabel::paintEvent(event);
            return;
        }
        const QFontMetrics metrics(font());
        const int lines = std::max(1, box.height() / metrics.lineSpacing());
        QPainter painter(this);
        painter.setPen(palette().color(foregroundRole()));
        QTextLayout layout(text(), font());
        layout.beginLayout();
        for (int i = 0; i < lines; ++i) {
            QTextLine line = layout.createLine();
            if (!line.isValid()) break;
            line.setLineWidth(box.width());
            const bool last = i == lines - 1;
            QString part = text().mid(line.textStart(), last ? -1 : line.textLength());
            if (last) part = metrics.elidedText(part.simplified(), Qt::ElideRight, box.width());
            painter.drawText(box.left(), box.top() + i * metrics.lineSpacing() + metrics.ascent(), part);
        }
        layout.endLayout();
    }
};

} // namespace

// -- MoneyValidator --

MoneyValidator::MoneyValidator(QObject* parent)
    : QValidator(parent)
{
}

MoneyValidator::MoneyValidator(Sign sign, QObject* parent)
    : QValidator(parent)
    , m_sign(sign)
{
}

QValidator::State MoneyValidator::validate(QString& input, int&) const
{
    return check(input);
}

namespace {

sc::Result<sc::Money> parseAs(MoneyValidator::Sign sign, const QByteArray& utf8)
{
    const std::string_view text(utf8.constData(), std::size_t(utf8.size()));
    return sign == MoneyValidator::Signed ? sc::Money::parseSigned(text) : sc::Money::parse(text);
}

} // namespace

QValidator::State MoneyValidator::check(const QString& text) const
{
    const QByteArray utf8 = text.toUtf8();
    if (parseAs(m_sign, utf8)) return Acceptable;
    // The proper prefixes of DIGITS[.D[D]] that parse refuses are "" and
    // "DIGITS." (one point, at the end, after a whole part parse takes),
    // and, signed, "-" too; anything else stays refused however it goes on.
    if (text.isEmpty() || (m_sign == Signed && text == QLatin1String("-"))) return Intermediate;
    if (text.endsWith(QLatin1Char('.')) && text.count(QLatin1Char('.')) == 1) {
        if (parseAs(m_sign, utf8.chopped(1))) return Intermediate;
    }
    return Invalid;
}

QString MoneyValidator::problem(const QString& text, Sign sign)
{
    const auto parsed = parseAs(sign, text.toUtf8());
    return parsed ? QString() : QString::fromStdString(parsed.error().detail);
}

QString userProblem(const QString& user)
{
    // The rule FinanceClient applies (finance/requests.h), so that the button
    // is never enabled for a name the services would refuse.
    using Kind = sc::finance::UserNameProblem::Kind;
    const QByteArray utf8 = user.toUtf8();
    const auto problem = sc::finance::findUserNameProblem(std::string_view(utf8.constData(), std::size_t(utf8.size())));
    if (!problem) return {};
    switch (problem->kind) {
    case Kind::Empty:
        return trConsole("enter a user name");
    case Kind::TooLong:
        return trConsole("too long: %1 bytes (max %2)").arg(utf8.size()).arg(sc::finance::kMaxUserBytes);
    case Kind::Slash:
        return trConsole("'/' is not allowed");
    case Kind::ForbiddenText:
        return trConsole("%1 is not allowed: %2")
            .arg(QString::fromStdString(problem->text->kindName()), QString::fromStdString(problem->text->toString()));
    }
    return {};
}

// -- FinanceConsole --

FinanceConsole::FinanceConsole(FinanceRequests& finance, QWidget* parent)
    : QWidget(parent)
    , m_finance(finance)
{
    setObjectName(QStringLiteral("financeConsole"));
    QFont base = font();
    base.setPointSizeF(std::max(base.pointSizeF(), basePointSize));
    setFont(base);
    buildForms();
    // The first look comes a tick after construction: the window makes the
    // console just before its tree starts (on another thread).
    connect(&m_treeWatch, &QTimer::timeout, this, &FinanceConsole::updateTreeState);
    m_treeWatch.start(treeWatchMs);
}

FinanceConsole::~FinanceConsole() = default;

QString FinanceConsole::actionName(Action action)
{
    const std::string_view method = sc::finance::requestInfo(action).method;
    return QString::fromLatin1(method.data(), qsizetype(method.size()));
}

QString FinanceConsole::actionTitle(Action action)
{
    // The table's texts (title, help, group, label) are whole literals, so
    // their data() ends in a null, as tr() wants.
    return tr(sc::finance::requestInfo(action).title.data());
}

void FinanceConsole::buildForms()
{
    QFont bold = font();
    bold.setBold(true);

    // One grid for the whole console, so every column lines up from top to
    // bottom; each section starts with its name on a row of its own, and a
    // rule separates sections. Fields are named by their placeholder and
    // tooltip rather than a label, so the console fits beside the tree.
    // Each form takes two rows: the form, and its note (its answer, or the
    // problems of its fields) at a fixed height, so that nothing moves when
    // answers come; the note spans the form, so the console stays narrow
    // enough to sit beside the tree.
    auto* grid = new QGridLayout(this);
    grid->setColumnStretch(ColumnCount, 1);

    // Row 0: the notice that the finance tree is not running (hidden while it runs).
    m_treeNotice = new QLabel(this);
    m_treeNotice->setObjectName(QStringLiteral("financeTreeNotice"));
    m_treeNotice->setText(tr("The finance tree is not running: a demo replaced it, or it stopped. "
                             "Scenarios → Finance tree starts it again, and these forms come back."));
    m_treeNotice->setWordWrap(true);
    m_treeNotice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Its own font, kept the console's (changeEvent): a label with a style
    // sheet keeps the font it was polished with and would not grow in presenter mode.
    m_treeNotice->setFont(font());
    // The look of the window's read-only notice: a notice, not an error.
    m_treeNotice->setStyleSheet(theme::noticeStyleSheet());
    m_treeNotice->hide();
    grid->addWidget(m_treeNotice, 0, SectionColumn, 1, ColumnCount - SectionColumn);

    // The forms in the request table's order; a section starts where its group does.
    int row = 1;
    std::string_view group;
    for (const sc::finance::RequestInfo& request : sc::finance::kRequests) {
        if (request.group != group) {
            group = request.group;
            if (row > 1) {
                auto* rule = new QFrame(this);
                rule->setFrameShape(QFrame::HLine);
                rule->setFrameShadow(QFrame::Sunken);
                grid->addWidget(rule, row++, SectionColumn, 1, ColumnCount - SectionColumn);
            }
            auto* name = new QLabel(tr(group.data()), this);
            name->setFont(bold);
            grid->addWidget(name, row++, SectionColumn, 1, ColumnCount - SectionColumn);
        }

        const A action = request.request;
        const QString key = actionName(action);
        const QString actionText = actionTitle(action);
        Form& f = form(action);
        f.action = action;

        auto* title = new QLabel(actionText, this);
        title->setToolTip(tr(request.help.data()));
        title->setWordWrap(true); // "Pool / donation" in presenter type beside the tree, not a cut Run
        grid->addWidget(title, row, TitleColumn);

        if (request.user) {
            f.user = new QLineEdit(this);
            f.user->setObjectName(key + QStringLiteral("User"));
            f.user->setPlaceholderText(tr("user"));
            f.user->setToolTip(tr("User"));
            f.user->setAccessibleName(tr("%1: user").arg(actionText));
            grid->addWidget(f.user, row, UserColumn);
            connect(f.user, &QLineEdit::textEdited, this, [this, action] { edited(action, true); });
            connect(f.user, &QLineEdit::textChanged, this, [this, action] { refresh(form(action)); });
            connect(f.user, &QLineEdit::returnPressed, this, [this, action] { submit(action); });
        }
        if (request.amount) {
            const QString label = tr(request.amount->label.data());
            f.amount = new QLineEdit(this);
            f.amount->setObjectName(key + QStringLiteral("Amount"));
            f.amount->setPlaceholderText(tr("e.g. 100.50"));
            f.amount->setToolTip(label);
            f.amount->setAccessibleName(tr("%1: %2").arg(actionText, label.toLower()));
            f.amount->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            grid->addWidget(f.amount, row, AmountColumn);
            f.validator = request.amount->isSigned ? &m_wealthValidator : &m_validator;
            if (f.validator == &m_wealthValidator)
                f.amount->setToolTip(tr("Wealth; a negative one is sent as typed, and the calculator refuses it "
                                        "(invalid_wealth)"));
            connect(f.amount, &QLineEdit::textEdited, this, [this, action] { edited(action, false); });
            connect(f.amount, &QLineEdit::textChanged, this, [this, action] { refresh(form(action)); });
            connect(f.amount, &QLineEdit::returnPressed, this, [this, action] { submit(action); });
        }

        f.button = new QPushButton(tr("Run"), this);
        f.button->setObjectName(key + QStringLiteral("Button"));
        f.button->setToolTip(tr("%1 (Enter in a field does the same)").arg(actionText));
        f.button->setAutoDefault(false);
        grid->addWidget(f.button, row, ButtonColumn);
        connect(f.button, &QPushButton::clicked, this, [this, action] { submit(action); });

        // The note: the problems of the fields (user first), or the answer.
        f.note = new QWidget(this);
        f.note->setObjectName(key + QStringLiteral("Note"));
        auto* lines = new QVBoxLayout(f.note);
        lines->setContentsMargins(0, 0, 0, 0);
        lines->setSpacing(0);
        const auto noteLabel = [&](QLabel*& label, const QString& name) {
            label = new NoteLabel(f.note);
            label->setObjectName(key + name);
            label->hide();
            lines->addWidget(label);
        };
        if (f.user) noteLabel(f.userProblem, QStringLiteral("UserProblem"));
        if (f.amount) noteLabel(f.amountProblem, QStringLiteral("AmountProblem"));
        noteLabel(f.answer, QStringLiteral("Answer"));
        f.answer->setTextInteractionFlags(Qt::TextSelectableByMouse);
        grid->addWidget(f.note, row + 1, TitleColumn, 1, ColumnCount - TitleColumn);

        refresh(f);
        row += 2;
    }
    grid->setRowStretch(row, 1);
    applyMetrics();
}

void FinanceConsole::applyMetrics()
{
    auto* grid = qobject_cast<QGridLayout*>(layout());
    if (!grid) return;
    const QFontMetrics metrics(font());
    const int em = metrics.horizontalAdvance(QLatin1Char('M'));
    grid->setHorizontalSpacing(em / 2);
    grid->setVerticalSpacing(em / 3);
    grid->setColumnMinimumWidth(SectionColumn, em / 2);
    // Fields as wide as ten letters and "e.g. 100.50" where there is room,
    // and down to four letters and "100.50" where there is not (presenter
    // type in a side column kept narrow for the tree), so that Run stays in view.
    const int userWidth = metrics.horizontalAdvance(QStringLiteral("abcdefghij"));
    const int amountWidth = metrics.horizontalAdvance(QStringLiteral("e.g. 100.50")) + em;
    for (Form& f : m_forms) {
        if (f.user) {
            f.user->setMinimumWidth(metrics.horizontalAdvance(QStringLiteral("abcd")) + em / 2);
            f.user->setMaximumWidth(userWidth);
        }
        if (f.amount) {
            f.amount->setMinimumWidth(metrics.horizontalAdvance(QStringLiteral("100.50")) + em / 2);
            f.amount->setMaximumWidth(amountWidth);
        }
        f.button->setMinimumWidth(f.button->sizeHint().width());
        // A third of a line more, so that a two-line answer does not touch the next form.
        f.note->setFixedHeight(noteLines * metrics.lineSpacing() + metrics.lineSpacing() / 3);
    }
}

// -- accessors --

QLineEdit* FinanceConsole::userField(Action action) const
{
    return form(action).user;
}
QLineEdit* FinanceConsole::amountField(Action action) const
{
    return form(action).amount;
}
QPushButton* FinanceConsole::button(Action action) const
{
    return form(action).button;
}
QLabel* FinanceConsole::answerLabel(Action action) const
{
    return form(action).answer;
}
QLabel* FinanceConsole::userProblemLabel(Action action) const
{
    return form(action).userProblem;
}
QLabel* FinanceConsole::amountProblemLabel(Action action) const
{
    return form(action).amountProblem;
}
QWidget* FinanceConsole::noteArea(Action action) const
{
    return form(action).note;
}

// -- checking --

bool FinanceConsole::refresh(Form& f)
{
    bool valid = true;
    // A problem shown now replaces the answer; an answer that came after the
    // last edit hides the problems until the next edit.
    bool problems = false;
    if (f.user) {
        const QString problem = userProblem(f.user->text());
        valid = valid && problem.isEmpty();
        const bool show = !problem.isEmpty() && f.userTouched && !f.answerOnTop;
        problems = problems || show;
        f.userProblem->setText(problem);
        f.userProblem->setToolTip(problem);
        setTextColour(f.userProblem, theme::errorColor());
        f.userProblem->setVisible(show);
    }
    if (f.amount) {
        const QValidator::State state = f.validator->check(f.amount->text());
        valid = valid && state == QValidator::Acceptable;
        const bool show = state != QValidator::Acceptable && f.amountTouched && !f.answerOnTop;
        problems = problems || show;
        const QString text = f.amount->text();
        f.amountProblem->setText(state == QValidator::Acceptable ? QString()
                : text.isEmpty()                                 ? tr("enter an amount")
                                                                 : MoneyValidator::problem(text, f.validator->sign()));
        f.amountProblem->setToolTip(f.amountProblem->text());
        // Typing may still fix an intermediate amount ("100."): a warning, not an error.
        setTextColour(f.amountProblem, state == QValidator::Invalid ? theme::errorColor() : theme::warnColor());
        f.amountProblem->setVisible(show);
        if (state == QValidator::Invalid) {
            QPalette palette = f.amount->palette();
            palette.setColor(QPalette::Base, QColor(0xfd, 0xe8, 0xe8));
            f.amount->setPalette(palette);
        } else {
            f.amount->setPalette(QPalette());
        }
    }
    if (problems) f.answer->clear();
    f.answer->setVisible(!problems && !f.answer->text().isEmpty());
    for (QWidget* field : {static_cast<QWidget*>(f.user), static_cast<QWidget*>(f.amount)})
        if (field) field->setEnabled(m_treeRunning);
    f.button->setEnabled(valid && !f.pending && m_treeRunning);
    return valid;
}

void FinanceConsole::edited(Action action, bool user)
{
    Form& f = form(action);
    (user ? f.userTouched : f.amountTouched) = true;
    f.answerOnTop = false;
    refresh(f);
}

// -- calls --

bool FinanceConsole::submit(Action action)
{
    Form& f = form(action);
    // One call per form at a time, and none to a tree that is not there
    // (Enter in a field comes here too, past the disabled button).
    if (f.pending || !m_treeRunning) return false;
    if (!refresh(f)) {
        // Say what is wrong with every field, and start where the eye starts.
        f.userTouched = f.user != nullptr;
        f.amountTouched = f.amount != nullptr;
        f.answerOnTop = false;
        refresh(f);
        if (f.user && !f.userProblem->text().isEmpty())
            f.user->setFocus();
        else if (f.amount)
            f.amount->setFocus();
        return false;
    }

    const std::uint64_t serial = ++m_started;
    ++m_running;
    f.pending = true;
    f.answerOnTop = true;
    f.answer->setText(tr("waiting…"));
    f.answer->setToolTip(QString());
    setTextColour(f.answer, palette().color(QPalette::PlaceholderText));
    refresh(f);

    send(f, serial);
    return true;
}

void FinanceConsole::send(const Form& f, std::uint64_t serial)
{
    // Everything the call needs is copied here; the answer is put in words
    // on the GUI thread, and dropped if the console is gone by then.
    const std::string user = f.user ? f.user->text().toStdString() : std::string();
    sc::Money amount;
    if (f.amount) {
        const QByteArray utf8 = f.amount->text().toUtf8();
        amount = *sc::finance::parseAmount(f.action, std::string_view(utf8.constData(), std::size_t(utf8.size())));
    }
    const QString who = QString::fromStdString(user);

    const Action action = f.action;
    const auto show = [this, action, serial](const Answer& answer) { showAnswer(action, serial, answer); };
    if (action == A::Report) {
        m_finance.reportTotals(this, [show](const sc::Result<sc::finance::Report>& r) {
            if (!r) return show(Answer {false, describe(r.error())});
            show(Answer {true,
                tr("donations %1, pool %2, deposits %3, withdrawals %4; %5 records, %6 rejected")
                    .arg(money(r->donations), money(r->pool), money(r->deposits), money(r->withdrawals))
                    .arg(r->records)
                    .arg(r->rejected)});
        });
        return;
    }
    m_finance.perform(action, user, amount, this,
        [show, words = replyWords(action, who, amount)](const sc::Result<sc::finance::Reply>& r) {
            if (!words) return show(Answer {false, tr("unknown action")});
            show(r ? Answer {true, words(*r)} : Answer {false, describe(r.error())});
        });
}

std::function<QString(const sc::finance::Reply&)> FinanceConsole::replyWords(
    Action action, const QString& who, sc::Money amount)
{
    using sc::finance::Reply;
    const auto total = [who](const Reply& r) { return tr("%1's total: %2").arg(who, money(r.value)) + ledgerNote(r); };
    const auto balance
        = [who](const Reply& r) { return tr("%1's balance: %2").arg(who, money(r.value)) + ledgerNote(r); };
    const auto pool = [](const Reply& r) { return tr("pool total: %1").arg(money(r.value)) + ledgerNote(r); };
    const auto nisab = [](const Reply& r) { return tr("nisab: %1").arg(money(r.value)) + ledgerNote(r); };

    switch (action) {
    case A::OpenTracker:
        return [who](const Reply& r) { return tr("opened %1's tracker: total %2").arg(who, money(r.value)); };
    case A::Donate:
    case A::Total:
        return total;
    case A::PoolAdd:
    case A::PoolTotal:
        return pool;
    case A::Deposit:
    case A::Withdraw:
    case A::Balance:
        return balance;
    case A::Zakat:
        return [amount](const Reply& r) { return tr("zakat on %1: %2").arg(money(amount), money(r.value)); };
    case A::SetNisab:
    case A::GetNisab:
        return nisab;
    case A::Transaction:
        return [](const Reply& r) { return tr("processed %1").arg(money(r.value)); };
    case A::StartTransaction:
        return [](const Reply& r) { return tr("started %1 for %2").arg(QString::fromStdString(r.text), money(r.value)); };
    case A::Report: // reportTotals, in send()
        break;
    }
    return {};
}

void FinanceConsole::showAnswer(Action action, std::uint64_t serial, const Answer& answer)
{
    Form& f = form(action);
    --m_running;
    f.pending = false;
    // One call per form runs at a time; the serial still keeps an older answer from replacing a newer one.
    if (serial > f.lastShown) {
        f.lastShown = serial;
        f.answerOnTop = true;
        f.answer->setText(answer.text);
        f.answer->setToolTip(answer.text);
        setTextColour(f.answer, answer.ok ? theme::okColor() : theme::errorColor());
    }
    refresh(f);
    Q_EMIT answered(actionName(action), answer.ok, answer.text);
}

// -- the finance part of "Start a child" --

std::optional<FinanceConsole::Action> FinanceConsole::childForm(const QString& supervisorPath)
{
    if (supervisorPath == QLatin1String(sc::finance::kTrackersPath)) return A::OpenTracker;
    if (supervisorPath == QLatin1String(sc::finance::kTransactionsPath)) return A::StartTransaction;
    return std::nullopt;
}

QString FinanceConsole::childPrompt(Action action)
{
    return action == A::OpenTracker ? tr("Open a tracker for the user:") : tr("Start a transaction of the amount:");
}

void FinanceConsole::startChild(Action action, const QString& input)
{
    Form& f = form(action);
    (f.user ? f.user : f.amount)->setText(input);
    if (f.button->isEnabled()) f.button->click();
}

// -- the finance tree --

void FinanceConsole::updateTreeState()
{
    const bool seen = m_finance.servicesRegistered();
    // Gone on two looks in a row: a finance scenario replacing the finance
    // tree leaves it briefly without services, and the notice should not flash.
    m_absentLooks = seen ? 0 : std::min(m_absentLooks + 1, 2);
    const bool running = seen || m_absentLooks < 2;
    if (running == m_treeRunning) return;
    m_treeRunning = running;
    for (Form& f : m_forms) {
        // A tree that comes back is a new one: the old tree's answers go.
        if (running && !f.pending) {
            f.answer->clear();
            f.answerOnTop = false;
        }
        refresh(f);
    }
    showTreeNotice();
    Q_EMIT financeTreeRunningChanged(running);
}

void FinanceConsole::showTreeNotice()
{
    // Disabled as a whole, the console is the window's to explain (a read-only data folder).
    m_treeNotice->setVisible(!m_treeRunning && isEnabled());
}

void FinanceConsole::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_treeNotice) {
        m_treeNotice->setFont(font());
        applyMetrics();
    }
    if (event->type() == QEvent::EnabledChange && m_treeNotice) showTreeNotice();
}

} // namespace sc::ui
