// The scenario player's state and steps (scenarioplayer.h).
#include "ui/scenario/scenarioplayer.h"

#include "core/scenario/parser.h"
#include "core/scenario/steps.h"

#include <QFile>
#include <QFileInfo>

namespace sc::ui {

// -- ScenarioPlayer --

ScenarioPlayer::ScenarioPlayer(RuntimeBridge& bridge, QObject* parent)
    : QObject(parent)
    , m_controller(std::make_unique<ScenarioController>(bridge))
{
    connect(m_controller.get(), &ScenarioController::treeStarted, this, &ScenarioPlayer::onTreeStarted);
    connect(m_controller.get(), &ScenarioController::loadFailed, this, &ScenarioPlayer::onLoadFailed);
    connect(m_controller.get(), &ScenarioController::stepDone, this, &ScenarioPlayer::onStepDone);
    m_delay.setSingleShot(true);
    connect(&m_delay, &QTimer::timeout, this, &ScenarioPlayer::onDelayOver);
}

ScenarioPlayer::~ScenarioPlayer()
{
    m_controller.reset();
}

void ScenarioPlayer::load(const sc::Scenario& scenario, const QString& name, const QString& file)
{
    if (!file.isEmpty() && !file.startsWith(QLatin1Char(':'))) m_recentFile = QFileInfo(file).absoluteFilePath();
    const int generation = ++m_generation;
    m_controller->supersede(generation);
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
    m_endReason.clear();
    m_rootGaveUp = false;

    const sc::SessionOptions options {
        .quiescenceTimeout = m_quiescenceTimeout, .dataDir = m_dataDir, .recoverState = m_recoverState};
    const QString refusal = scenario.finance ? m_financeRefusal : QString();
    m_controller->load(generation, m_scenario, options, refusal);
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

sc::Scenario ScenarioPlayer::financeTree()
{
    auto scenario = sc::parseScenario(R"({"tree": "finance", "steps": []})", "the built-in finance tree");
    Q_ASSERT(scenario); // a constant
    return *scenario;
}

void ScenarioPlayer::loadFinanceTree()
{
    load(financeTree(), tr("Finance tree"));
}

bool ScenarioPlayer::stopTree(std::chrono::milliseconds timeout)
{
    const int generation = ++m_generation; // answers of earlier loads and steps are dropped
    m_controller->supersede(generation);
    m_delay.stop();
    m_playing = false;
    m_state = State::Empty;
    m_root = 0;
    m_running = -1;
    m_endReason.clear();
    Q_EMIT stateChanged();
    return m_controller->stopTree(timeout);
}

void ScenarioPlayer::play()
{
    // Once ended, the steps would only fail against a dead tree: the panel offers the restart instead.
    if (!m_scenario || m_playing || m_state == State::Empty || m_state == State::Ended) return;
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
    m_running = index;
    m_controller->perform(generation, index, m_quiescenceTimeout);
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

void ScenarioPlayer::onStepDone(int generation, int index, bool ok, const QString& answer, bool rootAlive)
{
    if (generation != m_generation || index != m_running) return;
    m_results[std::size_t(index)] = StepResult {ok, answer};
    m_running = -1;
    m_next = index + 1;
    Q_EMIT stepFinished(index, ok, answer);
    if (!rootAlive && m_state == State::Ready) endScenario(tr("%1 is no longer alive").arg(rootName()));
    if (m_next >= stepCount()) {
        m_playing = false;
        Q_EMIT finished();
    } else if (m_playing) {
        m_delay.start(m_stepDelay);
    }
    Q_EMIT stateChanged();
}

void ScenarioPlayer::noteEvents(const std::vector<sc::Event>& events)
{
    if (m_root == 0 || (m_state != State::Ready && m_state != State::Ended)) return;
    for (const sc::Event& e : events) {
        if (e.pid != m_root) continue;
        QString reason;
        if (e.kind == sc::EventKind::GiveUp) {
            m_rootGaveUp = true;
            reason = tr("%1 gave up (%2)")
                         .arg(rootName(), QString::fromStdString(e.reason).replace(QLatin1Char('_'), QLatin1Char(' ')));
        } else if (e.kind == sc::EventKind::Exit && !m_rootGaveUp) {
            reason = tr("%1 exited (%2)").arg(rootName(), QString::fromStdString(e.reason));
        }
        if (reason.isEmpty()) continue;
        if (m_state == State::Ready) {
            endScenario(reason);
        } else if (reason != m_endReason) {
            // Ended by a step's check first; the event says how.
            m_endReason = reason;
            Q_EMIT ended(reason);
            Q_EMIT stateChanged();
        }
    }
}

void ScenarioPlayer::endScenario(const QString& reason)
{
    m_state = State::Ended;
    m_playing = false;
    m_delay.stop();
    m_endReason = reason;
    Q_EMIT ended(reason);
    Q_EMIT stateChanged();
}

QString ScenarioPlayer::rootName() const
{
    if (!m_scenario) return {};
    return QString::fromStdString(m_scenario->finance ? std::string(sc::finance::kRootPath) : m_scenario->tree.id);
}

void ScenarioPlayer::onDelayOver()
{
    if (!m_playing || m_state != State::Ready || m_running >= 0 || m_next >= stepCount()) return;
    startStep();
    Q_EMIT stateChanged();
}

} // namespace sc::ui
