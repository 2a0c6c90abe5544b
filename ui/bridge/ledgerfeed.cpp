// LedgerFeed's reader thread and export (ledgerfeed.h).
#include "ui/bridge/ledgerfeed.h"

#include "core/finance/finance.h"

#include <QPointer>

namespace sc::ui {

namespace {

constexpr std::chrono::milliseconds kPollInterval {250};

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

/// The reader, opened on first use; null while `dir` holds no ledger yet.
sc::LedgerReader* openReader(std::unique_ptr<sc::LedgerReader>& reader, const std::string& dir)
{
    if (!reader) {
        if (auto opened = sc::LedgerReader::open(dir)) reader = std::move(*opened);
    }
    return reader.get();
}

} // namespace

LedgerFeed::LedgerFeed(QString dataDir, QObject* parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_reader(std::make_shared<std::unique_ptr<sc::LedgerReader>>())
{
    connect(&m_timer, &QTimer::timeout, this, &LedgerFeed::refresh);
    m_timer.start(kPollInterval);
    refresh();
}

LedgerFeed::~LedgerFeed()
{
    m_timer.stop();
    m_pool.waitForDone();
}

void LedgerFeed::refresh()
{
    if (m_reading) return;
    m_reading = true;
    const std::string dir = m_dataDir.toStdString();
    const std::int64_t after = m_lastId;
    QPointer<LedgerFeed> self(this);
    m_pool.start([self, reader = m_reader, dir, after] {
        std::vector<sc::LedgerRecord> records;
        QString error;
        sc::LedgerReader* r = openReader(*reader, dir);
        if (r) {
            auto read = r->after(after, kReadBatch);
            if (read)
                records = std::move(*read);
            else
                error = qs(read.error().toString());
        }
        postTo(self, [self, records = std::move(records), error, found = r != nullptr]() mutable {
            if (self) self->onRead(std::move(records), error, found);
        });
    });
}

void LedgerFeed::onRead(std::vector<sc::LedgerRecord> records, const QString& error, bool found)
{
    m_reading = false;
    m_found = m_found || found;
    if (!error.isEmpty()) {
        Q_EMIT readFailed(error);
        return;
    }
    if (records.empty()) {
        Q_EMIT caughtUp();
        return;
    }
    m_lastId = records.back().id;
    Q_EMIT recordsArrived(records);
    // A long ledger is read in batches: go on at once rather than at the next tick.
    if (records.size() == kReadBatch) refresh();
}

void LedgerFeed::exportCsv(const QString& file)
{
    const std::string dir = m_dataDir.toStdString();
    const std::string target = file.toStdString();
    QPointer<LedgerFeed> self(this);
    m_pool.start([self, reader = m_reader, dir, target, file] {
        sc::Status written = sc::Error {sc::Errc::Storage, "no ledger yet in " + dir};
        if (auto* r = openReader(*reader, dir)) written = r->exportCsv(target);
        const QString error = written.ok() ? QString() : qs(written.error().detail);
        postTo(self, [self, file, error] {
            if (self) Q_EMIT self->exportFinished(file, error);
        });
    });
}

bool isAcceptedDonation(const sc::LedgerRecord& record)
{
    return !record.error && (record.kind == sc::finance::kDonation || record.kind == sc::finance::kPoolDonation);
}

} // namespace sc::ui
