// LedgerFeed: the audit ledger of a data directory as typed records for the
// views (the audit log panel, the charts), read off the GUI thread.
//
// Threading: a LedgerFeed lives on the GUI thread and emits its signals
// there. It reads the ledger through a LedgerReader on its own thread, one
// job at a time, and hands what it read back as a queued call: the GUI thread
// never waits for the disk. The destructor waits for the job running, if any.
#pragma once

#include "core/finance/ledger.h"
#include "ui/bridge/handoff.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <cstdint>
#include <memory>
#include <vector>

namespace sc::ui {

/// Follows the ledger of `dataDir` (which may not exist yet) by reading the
/// records past the last one it emitted, about four times a second; a long
/// ledger comes in batches of at most kReadBatch, one straight after another.
class LedgerFeed : public QObject {
    Q_OBJECT

public:
    /// At most this many records per read, so that a long ledger loads in
    /// steps and a view never inserts more than this at once.
    static constexpr std::size_t kReadBatch = 5000;

    explicit LedgerFeed(QString dataDir, QObject* parent = nullptr);
    ~LedgerFeed() override;

    const QString& dataDir() const { return m_dataDir; }
    /// The id of the newest record emitted; 0 before any.
    std::int64_t lastId() const { return m_lastId; }
    /// Whether a read has found the ledger (it may still be empty).
    bool ledgerFound() const { return m_found; }

    /// Reads what is new now (the timer does this on its own).
    void refresh();
    /// Writes the whole ledger as CSV to `file` on the feed's thread;
    /// exportFinished answers.
    void exportCsv(const QString& file);

Q_SIGNALS:
    /// Records oldest first, each newer than any emitted before; never empty.
    void recordsArrived(const std::vector<sc::LedgerRecord>& records);
    /// A read found nothing new (see ledgerFound()).
    void caughtUp();
    /// A read failed: the reader's error in words.
    void readFailed(const QString& message);
    /// The answer to exportCsv: `error` is empty when `file` was written.
    void exportFinished(const QString& file, const QString& error);

private:
    void onRead(std::vector<sc::LedgerRecord> records, const QString& error, bool found);

    QString m_dataDir;
    QTimer m_timer;
    JobPool m_pool {1};
    /// Used by one pool job at a time; opened by the first job that finds a ledger.
    std::shared_ptr<std::unique_ptr<sc::LedgerReader>> m_reader;
    std::int64_t m_lastId = 0;
    bool m_found = false;
    bool m_reading = false;
};

/// An accepted (not refused) donation to a tracker or to the pool: what the
/// charts count. Here, beside the feed, because only ui/bridge reads the
/// finance client, which names the record kinds.
bool isAcceptedDonation(const sc::LedgerRecord& record);

} // namespace sc::ui
