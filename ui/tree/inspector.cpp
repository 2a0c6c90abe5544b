// The Inspector panel (inspector.h).
#include "ui/tree/inspector.h"

#include "ui/bridge/runtimebridge.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace sc::ui {

namespace {
constexpr std::chrono::milliseconds kRefresh {500};

QString pidList(const QList<qulonglong>& pids)
{
    if (pids.isEmpty()) return QObject::tr("none");
    QStringList out;
    for (qulonglong p : pids)
        out << QString::number(p);
    return out.join(QStringLiteral(", "));
}

QPlainTextEdit* stateView(QWidget* parent)
{
    auto* view = new QPlainTextEdit(parent);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    return view;
}
} // namespace

Inspector::Inspector(RuntimeBridge* bridge, QWidget* parent)
    : QWidget(parent)
    , m_bridge(bridge)
{
    setObjectName(QStringLiteral("inspector"));
    m_title = new QLabel(this);
    QFont bold = font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_facts = new QLabel(this);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_relations = new QLabel(this);
    m_relations->setWordWrap(true);
    m_relations->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state = stateView(this);
    m_previousTitle = new QLabel(tr("Before its last restart"), this);
    m_previousTitle->setFont(bold);
    m_previous = stateView(this);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_facts);
    layout->addWidget(m_relations);
    auto* now = new QLabel(tr("State now"), this);
    now->setFont(bold);
    layout->addWidget(now);
    layout->addWidget(m_state, 1);
    layout->addWidget(m_previousTitle);
    layout->addWidget(m_previous, 1);

    connect(m_bridge, &RuntimeBridge::snapshotUpdated, this, &Inspector::onSnapshot);
    connect(m_bridge, &RuntimeBridge::described, this, &Inspector::onDescribed);
    connect(&m_timer, &QTimer::timeout, this, &Inspector::ask);
    m_timer.start(kRefresh);
    inspect(0);
}

QString Inspector::stateText() const
{
    return m_state->toPlainText();
}

QString Inspector::previousStateText() const
{
    return m_previous->isHidden() ? QString() : m_previous->toPlainText();
}

QString Inspector::factsText() const
{
    return m_facts->text() + QLatin1Char('\n') + m_relations->text();
}

void Inspector::inspect(sc::Pid pid)
{
    m_pid = pid;
    m_path.clear();
    if (!pid) {
        m_title->setText(tr("Select a process to inspect it"));
        m_facts->clear();
        m_relations->clear();
        m_state->clear();
        m_previousTitle->hide();
        m_previous->hide();
        return;
    }
    onSnapshot(m_bridge->snapshot());
    ask();
}

void Inspector::onSnapshot(const sc::Snapshot& snapshot)
{
    if (!m_pid) return;
    const sc::ProcessInfo* info = snapshot.find(m_pid);
    if (!info) {
        m_title->setText(tr("%1 (pid %2) has ended").arg(m_path.isEmpty() ? tr("The process") : m_path).arg(m_pid));
        return;
    }
    m_path = QString::fromUtf8(info->path.data(), static_cast<qsizetype>(info->path.size()));
    m_title->setText(m_path);
    QString status = QString::fromLatin1(sc::processStatusName(info->status));
    if (m_bridge->isPaused()) status = tr("%1, paused").arg(status);
    QString facts = tr("pid %1 · %2 · %3\nmailbox %4 · restarts %5 · handled %6")
                        .arg(m_pid)
                        .arg(QString::fromLatin1(sc::processKindName(info->kind)))
                        .arg(status)
                        .arg(info->mailbox)
                        .arg(info->restarts)
                        .arg(info->handled);
    if (info->kind != sc::ProcessKind::Worker)
        facts += tr("\n%1 · at most %2 restarts in %3 s")
                     .arg(QString::fromLatin1(sc::strategyName(info->strategy)))
                     .arg(info->intensity)
                     .arg(QString::number(info->periodMs / 1000.0, 'g', 3));
    m_facts->setText(facts);
}

void Inspector::ask()
{
    if (!m_pid || m_asking || !isVisible()) return;
    m_asking = true;
    m_bridge->describeProcess(m_pid);
}

void Inspector::onDescribed(
    sc::Pid pid, bool ok, const QString& state, const QList<qulonglong>& links, const QList<qulonglong>& monitoredBy)
{
    m_asking = false;
    if (pid != m_pid) return;
    if (!ok) {
        // Paused, a process caught inside a message (say, waiting on a call
        // to one that may not answer yet) cannot be asked: it is not gone.
        if (m_bridge->isPaused() && m_bridge->snapshot().find(pid))
            m_relations->setText(tr("paused: in the middle of a message; asked again after the next step"));
        else
            m_relations->setText(tr("not running: %1").arg(state));
        return;
    }
    m_relations->setText(tr("links: %1\nmonitored by: %2").arg(pidList(links), pidList(monitoredBy)));
    m_state->setPlainText(state.isEmpty() ? tr("(this process shows no state)") : state);

    // A different pid at the same path is the same child restarted: keep what
    // the one before it last showed.
    if (!m_path.isEmpty()) {
        Seen& last = m_lastSeen[m_path];
        if (last.pid && last.pid != pid) m_beforeRestart[m_path] = last;
        last = {pid, state};
    }
    const auto before = m_beforeRestart.constFind(m_path);
    const bool show = before != m_beforeRestart.constEnd();
    m_previousTitle->setVisible(show);
    m_previous->setVisible(show);
    if (show) {
        m_previousTitle->setText(tr("Before its last restart (pid %1)").arg(before->pid));
        m_previous->setPlainText(before->state);
    }
}

} // namespace sc::ui
