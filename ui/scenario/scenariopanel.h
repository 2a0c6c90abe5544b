// The scenario panel: the player's controls as a dock.
// Threading: GUI thread only, like the player it shows.
#pragma once

#include <QDockWidget>
#include <QString>

class QComboBox;
class QFontMetrics;
class QLabel;
class QPushButton;
class QTreeWidget;

namespace sc::ui {

class ScenarioPlayer;

/// The player's controls as a dock: the scenario's title and description,
/// its steps (the current one highlighted, done ones marked ✓ or ✗ with the
/// answer beside them and as tooltip), Play/Pause, Step, Restart, Open… and
/// the pause between steps. Large text, for a projector. Once the scenario
/// has ended, it says why and offers "Restart this scenario" in place of
/// Play and Step. However short the dock, no part is drawn over another:
/// the description, the title and the step list give way first.
class ScenarioPanel : public QDockWidget {
    Q_OBJECT

public:
    /// The choices of the speed box, in milliseconds.
    static constexpr int kDelays[] = {200, 500, 800, 1200, 2000, 3000};

    explicit ScenarioPanel(ScenarioPlayer* player, QWidget* parent = nullptr);

    // -- parts, for tests --
    QPushButton* playButton() const { return m_play; }
    QPushButton* stepButton() const { return m_step; }
    QPushButton* restartButton() const { return m_restart; }
    QPushButton* openButton() const { return m_open; }
    QComboBox* speedBox() const { return m_speed; }
    QTreeWidget* stepList() const { return m_steps; }
    QLabel* titleLabel() const { return m_title; }
    QLabel* statusLabel() const { return m_status; }
    QWidget* descriptionArea() const { return m_descriptionArea; }
    /// Step `index` as the list draws it at the step column's present width
    /// (see elideStepText); the item's text and tooltip hold it whole.
    QString shownStepText(int index) const;

private:
    enum Column { StepColumn, AnswerColumn, ColumnCount };

    void rebuild();
    void refresh();
    void openFile();
    /// The status and the buttons get what they need; the step list, the
    /// title (whole, one line or none) and the description (at most four
    /// lines; the rest scrolls) share what is left, the list first.
    void fitLayout();
    /// The step column as wide as its longest step, leaving the answers
    /// room for theirs (up to a third of the list).
    void fitColumns();
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

    ScenarioPlayer* m_player;
    QLabel* m_title = nullptr;
    QString m_titleText; ///< whole; the label may show it cut to one line
    QLabel* m_description = nullptr;
    QWidget* m_descriptionArea = nullptr;
    QLabel* m_status = nullptr;
    QTreeWidget* m_steps = nullptr;
    QPushButton* m_play = nullptr;
    QPushButton* m_step = nullptr;
    QPushButton* m_restart = nullptr;
    QPushButton* m_open = nullptr;
    QComboBox* m_speed = nullptr;
    QString m_error;
};

/// `text` (a step of the list) cut to `width` pixels of `metrics` so that it
/// stays readable: the path `target` inside it first loses segments from
/// its middle ("kill root/…/gateway", then "kill …/gateway"), keeping its
/// last one; only then is the text elided in the middle.
QString elideStepText(const QString& text, const QString& target, const QFontMetrics& metrics, int width);

} // namespace sc::ui
