// The data directory claim and its dialog (datadirdialog.h).
#include "ui/window/datadirdialog.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>
#include <algorithm>

namespace sc::ui {

namespace {

QString decoded(const std::string& path)
{
    return QDir::toNativeSeparators(QFile::decodeName(QByteArray::fromStdString(path)));
}

constexpr qreal kBasePointSize = 14.0; ///< as MainWindow's

/// " (process N)", or nothing when the owner is unknown.
QString ownerText(const DataDirProblem& problem)
{
    return problem.owner > 0 ? QApplication::translate("DataDirDialog", " (process %1)").arg(problem.owner) : QString();
}

} // namespace

// -- what a read-only window says --

QString readOnlyReason(const DataDirProblem& problem)
{
    return QApplication::translate(
        "DataDirDialog", "%1: the data folder is in use by another Supervision Console%2; opened read-only")
        .arg(problem.dataDir, ownerText(problem));
}

QString readOnlyNotice(const DataDirProblem& problem)
{
    return QApplication::translate("DataDirDialog",
        "<b>Read-only.</b> The data folder %1 is in use by another Supervision Console%2. The finance services "
        "do not run in this window, so these forms are disabled; the audit log shows the ledger as the other "
        "window writes it.")
        .arg(problem.dataDir.toHtmlEscaped(), ownerText(problem));
}

QString readOnlyFinanceRefusal(const DataDirProblem&)
{
    // Short: the scenario panel has a line or two for it; the finance notice names the folder and owner.
    return QApplication::translate(
        "DataDirDialog", "the data folder is open read-only, so finance scenarios do not start in this window");
}

// -- the claim --

sc::Result<DataDirClaim> claimDataDir(const std::string& dataDir, const AskAboutDataDir& ask)
{
    std::string dir = dataDir;
    for (bool given = true;; given = false) {
        auto lock = sc::DataDirLock::acquire(dir);
        DataDirClaim claim;
        claim.dataDir = dir;
        if (lock) {
            claim.mode = DataDirClaim::Mode::Owner;
            claim.lock = std::move(*lock);
            return claim;
        }
        const bool inUse = lock.error().code == sc::Errc::InUse;
        if (!inUse && given) return lock.error();
        DataDirProblem problem {
            decoded(dir), inUse, qint64(lock.error().owner), QString::fromStdString(lock.error().detail)};
        // Until the person settles it: a folder picked may be in use or unusable too.
        for (;;) {
            const DataDirChoice choice = ask(problem);
            claim.problem = problem;
            if (choice.kind == DataDirChoice::Kind::Quit) return claim; // mode Quit
            if (choice.kind == DataDirChoice::Kind::ReadOnly && inUse) {
                claim.mode = DataDirClaim::Mode::ReadOnly;
                return claim;
            }
            if (choice.kind == DataDirChoice::Kind::OtherFolder && !choice.folder.isEmpty()) {
                dir = QFile::encodeName(choice.folder).toStdString();
                break;
            }
        }
    }
}

// -- the dialog --

DataDirDialog::DataDirDialog(const DataDirProblem& problem, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("dataDirDialog"));
    // The main window's type size: read on a projector too.
    QFont base = font();
    base.setPointSizeF(std::max(base.pointSizeF(), kBasePointSize));
    setFont(base);
    setWindowTitle(problem.inUse ? tr("Data folder in use - Supervision Console")
                                 : tr("Data folder not usable - Supervision Console"));

    auto* icon = new QLabel(this);
    const int iconSize = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(iconSize, iconSize));
    icon->setAlignment(Qt::AlignTop);

    auto* heading = new QLabel(
        problem.inUse ? tr("This data folder is already open") : tr("This data folder cannot be used"), this);
    QFont big = heading->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.25);
    heading->setFont(big);

    auto* folder = new QLabel(problem.dataDir, this);
    folder->setObjectName(QStringLiteral("dataDirFolder"));
    folder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    folder->setWordWrap(true);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(std::max(mono.pointSizeF(), font().pointSizeF()));
    folder->setFont(mono);

    QString body;
    if (problem.inUse) {
        const QString who = problem.owner > 0 ? tr("Another Supervision Console (process %1)").arg(problem.owner)
                                              : tr("Another Supervision Console");
        body = tr("%1 is using it. Only one window at a time may write a folder's ledger, so that no "
                  "donation is recorded twice or lost.")
                   .arg(who)
            + QStringLiteral("\n\n")
            + tr("Open another folder, or open this one read-only: you can read its audit log and play the "
                 "demos that do not use it, but the finance services do not start and nothing is written there.");
    } else {
        body = problem.detail + QStringLiteral("\n\n") + tr("Open another folder, or quit.");
    }
    auto* text = new QLabel(body, this);
    text->setObjectName(QStringLiteral("dataDirText"));
    text->setWordWrap(true);
    text->setMinimumWidth(fontMetrics().averageCharWidth() * 60);
    m_text = heading->text() + QLatin1Char('\n') + problem.dataDir + QLatin1Char('\n') + body;

    m_other = new QPushButton(tr("Open Another Folder…"), this);
    m_other->setObjectName(QStringLiteral("openAnotherFolder"));
    m_readOnly = new QPushButton(tr("Open Read-Only"), this);
    m_readOnly->setObjectName(QStringLiteral("openReadOnly"));
    m_readOnly->setVisible(problem.inUse);
    m_quit = new QPushButton(tr("Quit"), this);
    m_quit->setObjectName(QStringLiteral("quit"));
    // Enter takes the choice that changes nothing anywhere (focus on a
    // button makes it the default in a dialog, so it goes there too).
    QPushButton* preferred = problem.inUse ? m_readOnly : m_other;
    preferred->setDefault(true);
    preferred->setFocus();
    const auto choose = [this](DataDirChoice::Kind kind) {
        m_choice = kind;
        accept();
    };
    connect(m_other, &QPushButton::clicked, this, [choose] { choose(DataDirChoice::Kind::OtherFolder); });
    connect(m_readOnly, &QPushButton::clicked, this, [choose] { choose(DataDirChoice::Kind::ReadOnly); });
    connect(m_quit, &QPushButton::clicked, this, [choose] { choose(DataDirChoice::Kind::Quit); });
    // Escape or the close button: Quit, as m_choice starts.
    connect(this, &QDialog::rejected, this, [this] { m_choice = DataDirChoice::Kind::Quit; });

    auto* words = new QVBoxLayout;
    words->addWidget(heading);
    words->addWidget(folder);
    words->addSpacing(fontMetrics().height() / 2);
    words->addWidget(text);
    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    top->addSpacing(fontMetrics().averageCharWidth() * 2);
    top->addLayout(words, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_other);
    buttons->addWidget(m_readOnly);
    buttons->addWidget(m_quit);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addSpacing(fontMetrics().height());
    layout->addLayout(buttons);
    layout->setSizeConstraint(QLayout::SetFixedSize);
}

QPushButton* DataDirDialog::button(DataDirChoice::Kind kind) const
{
    switch (kind) {
    case DataDirChoice::Kind::OtherFolder:
        return m_other;
    case DataDirChoice::Kind::ReadOnly:
        return m_readOnly;
    case DataDirChoice::Kind::Quit:
        return m_quit;
    }
    return nullptr;
}

QString DataDirDialog::text() const
{
    return m_text;
}

DataDirChoice DataDirDialog::ask(const DataDirProblem& problem)
{
    for (;;) {
        DataDirDialog dialog(problem);
        dialog.exec();
        if (dialog.choice() != DataDirChoice::Kind::OtherFolder) return {dialog.choice(), {}};
        const QString start = QFileInfo(problem.dataDir).absolutePath();
        const QString folder
            = QFileDialog::getExistingDirectory(nullptr, tr("Open Another Data Folder - Supervision Console"), start);
        if (!folder.isEmpty()) return {DataDirChoice::Kind::OtherFolder, folder};
        // The picker was cancelled: the question is still open.
    }
}

} // namespace sc::ui
