#include "scenarioplayer.h"

#include "handoff.h"
#include "theme.h"

#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <atomic>
#include <functional>
#include <future>
#include <mutex>

namespace sc::ui {

namespace {

/// How long a load waits for the previous tree to stop.
constexpr std::chrono::seconds kStopTimeout {30};

} // namespace

// -- the worker thread --

/// Runs jobs one at a time on its own thread. The session is the worker
/// thread's alone; `current` is the same session for cancel() from the GUI thread.
class ScenarioPlayer::Worker {
public:
    explicit Worker(sc::Runtime& rt)
        : runtime(rt)
    {
    }

    ~Worker()
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_current) m_current->cancel();
        }
        m_thread.clear();
        m_thread.waitForDone();
        // Unsubscribes; the tree itself runs on until the runtime ends it.
        session.reset();
    }

    void post(std::function<void()> job) { m_thread.start(std::move(job)); }

    /// GUI thread: a newer load supersedes everything queued or running.
    void supersede(int generation)
    {
        latest.store(generation);
        std::lock_guard lock(m_mutex);
        if (m_current) m_current->cancel();
    }

    /// Worker thread: the session that cancel() reaches.
    void setCurrent(std::shared_ptr<sc::ScenarioSession> s)
    {
        std::lock_guard lock(m_mutex);
        m_current = std::move(s);
    }

    sc::Runtime& runtime;
    std::atomic<int> latest {0};
    // -- worker thread only --
    std::shared_ptr<sc::ScenarioSession> session;
    int sessionGeneration = 0;

private:
    std::mutex m_mutex;
    std::shared_ptr<sc::ScenarioSession> m_current;
    JobPool m_thread {1};
};

// -- ScenarioPlayer --

ScenarioPlayer::ScenarioPlayer(sc::Runtime& runtime, QObject* parent)
    : QObject(parent)
    , m_worker(std::make_unique<Worker>(runtime))
{
    m_delay.setSingleShot(true);
    connect(&m_delay, &QTimer::timeout, this, &ScenarioPlayer::onDelayOver);
}

ScenarioPlayer::~ScenarioPlayer()
{
    m_worker.reset();
}

void ScenarioPlayer::load(const sc::Scenario& scenario, const QString& name, const QString& file)
{
    if (!file.isEmpty() && !file.startsWith(QLatin1Char(':'))) m_recentFile = QFileInfo(file).absoluteFilePath();
    const int generation = ++m_generation;
    m_worker->supersede(generation);
    m_delay.stop();
    m_scenario = std::make_shared<const sc::Scenario>(scenario);
    m_name = name;
    m_state = State::Loading;
    m_root = 0;
    m_next = 0;
    m_running = -1;
    m_playing = false;
    m_results.assign(scenario.steps.size(), std::nullopt);
    m_lastError.clear();

    const sc::SessionOptions options {
        .quiescenceTimeout = m_quiescenceTimeout, .dataDir = m_dataDir, .recoverState = m_recoverState};
    Worker* worker = m_worker.get();
    const QString refusal = scenario.finance ? m_financeRefusal : QString();
    m_worker->post([this, worker, generation, options, scenario = m_scenario, refusal] {
        if (worker->session) {
            // The old tree must be gone, its names released, before the new one registers its own.
            if (auto stopped = worker->session->stopTree(kStopTimeout); !stopped)
                qWarning("scenario player: the previous tree did not stop: %s", stopped.error().toString().c_str());
            worker->setCurrent(nullptr);
            worker->session.reset();
        }
        if (generation != worker->latest.load()) return; // a newer load follows
        if (!refusal.isEmpty()) { // after the old tree stopped: one tree's state at a time
            postTo(this, [this, generation, refusal] { onLoadFailed(generation, refusal); });
            return;
        }
        auto session = std::make_shared<sc::ScenarioSession>(worker->runtime, *scenario, options);
        worker->session = session;
        worker->sessionGeneration = generation;
        worker->setCurrent(session);
        const auto root = session->startTree();
        if (!root) {
            worker->setCurrent(nullptr);
            worker->session.reset();
            const QString message
                = QStringLiteral("the tree did not start: %1").arg(QString::fromStdString(root.error().toString()));
            postTo(this, [this, generation, message] { onLoadFailed(generation, message); });
            return;
        }
        session->settle();
        postTo(this, [this, generation, pid = *root] { onTreeStarted(generation, pid); });
    });
    Q_EMIT scenarioLoaded();
    Q_EMIT stateChanged();
}

bool ScenarioPlayer::loadFile(const QString& file)
{
    sc::Result<sc::Scenario> parsed = sc::Error {sc::Errc::NotFound, {}};
    if (file.startsWith(QLatin1Char(':'))) {
        // A resource: fopen cannot read it, QFile can.
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            parsed = sc::Error {
                sc::Errc::NotFound, (file + QStringLiteral(": cannot read: ") + f.errorString()).toStdString()};
        } else {
            const QByteArray text = f.readAll();
            parsed
                = sc::parseScenario(std::string_view(text.constData(), std::size_t(text.size())), file.toStdString());
        }
    } else {
        parsed = sc::loadScenario(QFile::encodeName(file).toStdString());
    }
    if (!parsed) {
        const QString message = QString::fromStdString(parsed.error().detail);
        Q_EMIT failed(message);
        return false;
    }
    load(*parsed, QFileInfo(file).fileName(), file);
    return true;
}

void ScenarioPlayer::restart()
{
    if (!m_scenario) return;
    const auto scenario = m_scenario;
    load(*scenario, m_name);
}

bool ScenarioPlayer::stopTree(std::chrono::milliseconds timeout)
{
    const int generation = ++m_generation; // answers of earlier loads and steps are dropped
    m_worker->supersede(generation);
    m_delay.stop();
    m_playing = false;
    m_state = State::Empty;
    m_root = 0;
    m_running = -1;
    auto done = std::make_shared<std::promise<bool>>();
    auto stopped = done->get_future();
    Worker* worker = m_worker.get();
    m_worker->post([worker, timeout, done] {
        bool ok = true;
        if (worker->session) {
            auto status = worker->session->stopTree(timeout);
            if (!status) qWarning("scenario player: the tree did not stop: %s", status.error().toString().c_str());
            ok = status.ok();
            worker->setCurrent(nullptr);
            worker->session.reset();
        }
        done->set_value(ok);
    });
    Q_EMIT stateChanged();
    return stopped.get();
}

void ScenarioPlayer::play()
{
    if (!m_scenario || m_playing || m_state == State::Empty) return;
    if (m_state == State::Ready && m_next >= stepCount()) return;
    m_playing = true;
    if (m_state == State::Ready && m_running < 0) startStep();
    Q_EMIT stateChanged();
}

void ScenarioPlayer::pause()
{
    if (!m_playing) return;
    m_playing = false;
    m_delay.stop();
    Q_EMIT stateChanged();
}

bool ScenarioPlayer::step()
{
    if (m_state != State::Ready || m_playing || m_running >= 0 || m_next >= stepCount()) return false;
    startStep();
    Q_EMIT stateChanged();
    return true;
}

void ScenarioPlayer::setStepDelay(std::chrono::milliseconds delay)
{
    m_stepDelay = std::max(delay, std::chrono::milliseconds(0));
    if (m_delay.isActive()) m_delay.start(m_stepDelay);
}

QString ScenarioPlayer::title() const
{
    if (m_scenario && !m_scenario->title.empty()) return QString::fromStdString(m_scenario->title);
    return m_name;
}

QString ScenarioPlayer::description() const
{
    return m_scenario ? QString::fromStdString(m_scenario->description) : QString();
}

int ScenarioPlayer::stepCount() const
{
    return m_scenario ? int(m_scenario->steps.size()) : 0;
}

QString ScenarioPlayer::stepText(int index) const
{
    if (index < 0 || index >= stepCount()) return {};
    return QString::fromStdString(sc::describeStep(m_scenario->steps[std::size_t(index)]));
}

std::optional<ScenarioPlayer::StepResult> ScenarioPlayer::stepResult(int index) const
{
    if (index < 0 || std::size_t(index) >= m_results.size()) return std::nullopt;
    return m_results[std::size_t(index)];
}

void ScenarioPlayer::startStep()
{
    const int index = m_next;
    const int generation = m_generation;
    const auto timeoutSeconds = m_quiescenceTimeout.count() / 1000.0;
    m_running = index;
    Worker* worker = m_worker.get();
    m_worker->post([this, worker, generation, index, timeoutSeconds] {
        if (!worker->session || worker->sessionGeneration != generation) return; // superseded by a load
        auto outcome = worker->session->perform(std::size_t(index));
        const bool quiet = worker->session->settle();
        if (!quiet && !worker->session->isCancelled())
            outcome.answer
                += " (the runtime was still busy " + QString::number(timeoutSeconds).toStdString() + " s later)";
        postTo(this, [this, generation, index, ok = outcome.ok, answer = QString::fromStdString(outcome.answer)] {
            onStepDone(generation, index, ok, answer);
        });
    });
    Q_EMIT stepStarted(index);
}

void ScenarioPlayer::onTreeStarted(int generation, sc::Pid root)
{
    if (generation != m_generation) return;
    m_state = State::Ready;
    m_root = root;
    Q_EMIT treeStarted(root, isFinance());
    if (m_playing) {
        if (m_next < stepCount())
            startStep();
        else
            m_playing = false;
    }
    Q_EMIT stateChanged();
}

void ScenarioPlayer::onLoadFailed(int generation, const QString& message)
{
    if (generation != m_generation) return;
    m_state = State::Empty;
    m_root = 0;
    m_playing = false;
    m_lastError = message;
    Q_EMIT failed(message);
    Q_EMIT stateChanged();
}

void ScenarioPlayer::onStepDone(int generation, int index, bool ok, const QString& answer)
{
    if (generation != m_generation || index != m_running) return;
    m_results[std::size_t(index)] = StepResult {ok, answer};
    m_running = -1;
    m_next = index + 1;
    Q_EMIT stepFinished(index, ok, answer);
    if (m_next >= stepCount()) {
        m_playing = false;
        Q_EMIT finished();
    } else if (m_playing) {
        m_delay.start(m_stepDelay);
    }
    Q_EMIT stateChanged();
}

void ScenarioPlayer::onDelayOver()
{
    if (!m_playing || m_state != State::Ready || m_running >= 0 || m_next >= stepCount()) return;
    startStep();
    Q_EMIT stateChanged();
}

// -- ScenarioPanel --

ScenarioPanel::ScenarioPanel(ScenarioPlayer* player, QWidget* parent)
    : QDockWidget(tr("Scenario"), parent)
    , m_player(player)
{
    setObjectName(QStringLiteral("scenarioDock"));
    auto* body = new QWidget(this);
    // Read from the back of a classroom: larger than the rest of the window.
    QFont font = body->font();
    font.setPointSizeF(font.pointSizeF() * 1.25);
    body->setFont(font);

    m_title = new QLabel(body);
    QFont titleFont = font;
    titleFont.setBold(true);
    titleFont.setPointSizeF(font.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);
    m_description = new QLabel(body);
    m_description->setWordWrap(true);
    m_description->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // A long description scrolls rather than push the steps out of the panel.
    auto* descriptionArea = new QScrollArea(body);
    descriptionArea->setWidgetResizable(true);
    descriptionArea->setFrameShape(QFrame::NoFrame);
    descriptionArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    descriptionArea->setWidget(m_description);
    m_descriptionArea = descriptionArea;

    m_steps = new QTreeWidget(body);
    m_steps->setColumnCount(ColumnCount);
    m_steps->setHeaderLabels({tr("Step"), tr("Answer")});
    m_steps->setRootIsDecorated(false);
    m_steps->setUniformRowHeights(true);
    m_steps->setSelectionMode(QAbstractItemView::NoSelection);
    m_steps->setFocusPolicy(Qt::NoFocus);
    // The answers matter as much as the steps: each column gets half.
    m_steps->header()->setSectionResizeMode(QHeaderView::Stretch);

    m_status = new QLabel(body);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_play = new QPushButton(body);
    m_step = new QPushButton(tr("Step"), body);
    m_step->setToolTip(tr("Perform the next step, then wait"));
    m_restart = new QPushButton(tr("Restart"), body);
    m_restart->setToolTip(tr("Stop the tree and start the scenario again from its first step"));
    m_open = new QPushButton(tr("Open…"), body);
    m_open->setToolTip(tr("Open a scenario file"));

    m_speed = new QComboBox(body);
    m_speed->setToolTip(tr("The pause between two steps while playing"));
    for (int ms : kDelays)
        m_speed->addItem(tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'g', 2)), ms);
    const int current = m_speed->findData(int(m_player->stepDelay().count()));
    m_speed->setCurrentIndex(current >= 0 ? current : m_speed->findData(800));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_play);
    buttons->addWidget(m_step);
    buttons->addWidget(m_restart);
    auto* speed = new QHBoxLayout;
    auto* speedLabel = new QLabel(tr("Pause between steps:"), body);
    speedLabel->setBuddy(m_speed);
    speed->addWidget(speedLabel);
    speed->addWidget(m_speed);
    speed->addStretch();
    speed->addWidget(m_open);

    auto* layout = new QVBoxLayout(body);
    layout->addWidget(m_title);
    layout->addWidget(descriptionArea);
    layout->addWidget(m_steps, 1);
    layout->addWidget(m_status);
    layout->addLayout(buttons);
    layout->addLayout(speed);
    setWidget(body);

    connect(m_play, &QPushButton::clicked, this, [this] {
        if (m_player->isPlaying())
            m_player->pause();
        else
            m_player->play();
    });
    connect(m_step, &QPushButton::clicked, m_player, &ScenarioPlayer::step);
    connect(m_restart, &QPushButton::clicked, m_player, &ScenarioPlayer::restart);
    connect(m_open, &QPushButton::clicked, this, &ScenarioPanel::openFile);
    connect(m_speed, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0) m_player->setStepDelay(std::chrono::milliseconds(m_speed->itemData(index).toInt()));
    });
    connect(m_player, &ScenarioPlayer::scenarioLoaded, this, [this] {
        m_error.clear();
        rebuild();
    });
    connect(m_player, &ScenarioPlayer::failed, this, [this](const QString& message) {
        m_error = message;
        refresh();
    });
    connect(m_player, &ScenarioPlayer::stateChanged, this, &ScenarioPanel::refresh);
    rebuild();
}

void ScenarioPanel::rebuild()
{
    m_title->setText(m_player->hasScenario() ? m_player->title() : tr("No scenario"));
    const QString description = m_player->description();
    m_description->setText(description);
    m_descriptionArea->setVisible(!description.isEmpty());
    fitDescription();
    m_steps->clear();
    for (int i = 0; i < m_player->stepCount(); ++i) {
        auto* item = new QTreeWidgetItem(m_steps);
        item->setData(StepColumn, Qt::UserRole, i);
    }
    refresh();
}

void ScenarioPanel::refresh()
{
    const int count = m_player->stepCount();
    const int current = m_player->runningStep() >= 0 ? m_player->runningStep() : m_player->nextStep();
    for (int i = 0; i < count && i < m_steps->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_steps->topLevelItem(i);
        const auto result = m_player->stepResult(i);
        QString mark = QStringLiteral("   ");
        if (result)
            mark = result->ok ? QStringLiteral("✓") : QStringLiteral("✗");
        else if (i == m_player->runningStep())
            mark = QStringLiteral("▶");
        item->setText(StepColumn, QStringLiteral("%1  %2. %3").arg(mark).arg(i + 1).arg(m_player->stepText(i)));
        item->setText(AnswerColumn, result ? result->answer : QString());
        item->setToolTip(StepColumn, result ? result->answer : QString());
        item->setToolTip(AnswerColumn, result ? result->answer : QString());
        const QBrush answerBrush = result ? QBrush(result->ok ? theme::okColor() : theme::errorColor()) : QBrush();
        item->setForeground(AnswerColumn, answerBrush);
        const bool isCurrent = i == current && m_player->state() == ScenarioPlayer::State::Ready;
        QFont f = m_steps->font();
        f.setBold(isCurrent);
        item->setFont(StepColumn, f);
        item->setFont(AnswerColumn, f);
        const QBrush background = isCurrent ? m_steps->palette().brush(QPalette::Highlight) : QBrush();
        const QBrush text = isCurrent ? m_steps->palette().brush(QPalette::HighlightedText) : QBrush();
        item->setBackground(StepColumn, background);
        item->setBackground(AnswerColumn, background);
        item->setForeground(StepColumn, text);
        if (isCurrent) {
            item->setForeground(AnswerColumn, text);
            m_steps->scrollToItem(item);
        }
    }

    QString status;
    switch (m_player->state()) {
    case ScenarioPlayer::State::Empty:
        status = m_player->lastError().isEmpty()
            ? tr("No scenario loaded: open a file, or pick a demo from the Scenarios menu.")
            : tr("The scenario could not start: %1").arg(m_player->lastError());
        break;
    case ScenarioPlayer::State::Loading:
        status = tr("Starting the tree…");
        break;
    case ScenarioPlayer::State::Ready:
        if (m_player->runningStep() >= 0)
            status = tr("Step %1 of %2 running…").arg(m_player->runningStep() + 1).arg(count);
        else if (count == 0)
            status = tr("The tree runs; this scenario has no steps.");
        else if (m_player->isFinished())
            status = tr("Done: all %1 steps performed.").arg(count);
        else if (m_player->isPlaying())
            status = tr("Playing: step %1 of %2 next.").arg(m_player->nextStep() + 1).arg(count);
        else
            status = tr("Paused before step %1 of %2.").arg(m_player->nextStep() + 1).arg(count);
        break;
    }
    if (!m_error.isEmpty() && m_error != m_player->lastError())
        status += QLatin1Char('\n') + tr("Not opened: %1").arg(m_error);
    m_status->setText(status);
    const bool bad = m_player->state() == ScenarioPlayer::State::Empty && !m_player->lastError().isEmpty();
    // A palette, not a style sheet: a style sheet drops the panel's (presenter) type size for the
    // application's, and an error became the smallest text of the panel.
    QPalette statusPalette = palette();
    if (bad || !m_error.isEmpty()) statusPalette.setColor(QPalette::WindowText, theme::errorColor());
    m_status->setPalette(statusPalette);

    const bool ready = m_player->state() == ScenarioPlayer::State::Ready;
    m_play->setText(m_player->isPlaying() ? tr("❚❚ Pause") : tr("▶ Play"));
    m_play->setToolTip(
        m_player->isPlaying() ? tr("Stop after the step that is running") : tr("Perform the steps one after another"));
    m_play->setEnabled(m_player->isPlaying() || (m_player->state() == ScenarioPlayer::State::Loading && count > 0)
        || (ready && !m_player->isFinished()));
    m_step->setEnabled(ready && !m_player->isPlaying() && m_player->runningStep() < 0 && !m_player->isFinished());
    m_restart->setEnabled(m_player->hasScenario());
}

void ScenarioPanel::fitDescription()
{
    // As tall as the text needs, up to four lines; the rest scrolls.
    const QFontMetrics metrics(m_description->font());
    const int needed = m_description->heightForWidth(std::max(1, m_descriptionArea->width() - 2));
    m_descriptionArea->setFixedHeight(std::min(needed, metrics.lineSpacing() * 4) + 2);
    m_steps->setMinimumHeight(metrics.lineSpacing() * 5);
}

void ScenarioPanel::resizeEvent(QResizeEvent* event)
{
    QDockWidget::resizeEvent(event);
    if (m_descriptionArea) fitDescription();
}

void ScenarioPanel::changeEvent(QEvent* event)
{
    QDockWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_descriptionArea) fitDescription();
    if (event->type() == QEvent::PaletteChange && m_speed) refresh(); // the status's own palette follows
}

void ScenarioPanel::openFile()
{
    openScenarioFile(this, m_player);
}

// -- demos and the menu --

QList<DemoScenario> demoScenarios(const QString& dir)
{
    QList<DemoScenario> demos;
    const QDir directory(dir);
    for (const QString& name : directory.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        const QString file = directory.filePath(name);
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            qWarning("%s: cannot read: %s", qPrintable(file), qPrintable(f.errorString()));
            continue;
        }
        const QByteArray text = f.readAll();
        const auto scenario
            = sc::parseScenario(std::string_view(text.constData(), std::size_t(text.size())), file.toStdString());
        if (!scenario) {
            qWarning("%s", scenario.error().detail.c_str());
            continue;
        }
        DemoScenario demo;
        demo.file = file;
        demo.title = scenario->title.empty() ? QFileInfo(file).baseName() : QString::fromStdString(scenario->title);
        demo.description = QString::fromStdString(scenario->description);
        demos.append(demo);
    }
    return demos;
}

void fillScenarioMenu(QMenu* menu, ScenarioPlayer* player, const QString& demoDir)
{
    QAction* open = menu->addAction(QObject::tr("&Open Scenario File…"));
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(QObject::tr("Play a scenario file (the headless runner's JSON format)"));
    QObject::connect(
        open, &QAction::triggered, player, [menu, player] { openScenarioFile(menu->parentWidget(), player); });
    QAction* reopen = menu->addAction(QString());
    QObject::connect(reopen, &QAction::triggered, player, [player] { player->loadFile(player->recentFile()); });
    QObject::connect(menu, &QMenu::aboutToShow, reopen, [reopen, player] {
        const QString recent = player->recentFile();
        reopen->setVisible(!recent.isEmpty());
        reopen->setText(QObject::tr("&Reopen %1").arg(QFileInfo(recent).fileName()));
        reopen->setStatusTip(recent);
    });
    menu->addSeparator();
    menu->setToolTipsVisible(true);
    for (const DemoScenario& demo : demoScenarios(demoDir)) {
        QAction* action = menu->addAction(demo.title);
        action->setToolTip(demo.description);
        action->setStatusTip(demo.description.section(QLatin1Char('\n'), 0, 0));
        QObject::connect(action, &QAction::triggered, player, [player, file = demo.file] { player->loadFile(file); });
    }
}

bool openScenarioFile(QWidget* parent, ScenarioPlayer* player)
{
    const QString recent = player->recentFile();
    const QString file = QFileDialog::getOpenFileName(parent, QObject::tr("Open Scenario"),
        recent.isEmpty() ? QString() : QFileInfo(recent).absolutePath(),
        QObject::tr("Scenarios (*.json);;All files (*)"));
    return !file.isEmpty() && player->loadFile(file);
}

} // namespace sc::ui
