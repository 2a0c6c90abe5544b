// Helper for tst_ledger's crash test: appends donations from several threads
// without end, writing "<id> <user> <amount>\n" to stdout for every record the
// ledger has acknowledged (one write(2) per line, so lines never interleave and
// nothing waits in a buffer). The test kills it with SIGKILL mid-stream.
// Usage: ledger_crash_helper DATA_DIR [THREADS]
#include "core/finance/ledger.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: ledger_crash_helper DATA_DIR [THREADS]\n");
        return 2;
    }
    auto ledger = sc::Ledger::open(argv[1]);
    if (!ledger) {
        std::fprintf(stderr, "%s\n", ledger.error().toString().c_str());
        return 1;
    }
    const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
    constexpr std::int64_t kSafetyLimit = 1'000'000; // ends by itself if nobody kills it

    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&ledger, t] {
            for (std::int64_t seq = 1; seq <= kSafetyLimit; ++seq) {
                sc::LedgerRecord r;
                r.kind = "donation";
                r.user = "w" + std::to_string(t);
                r.amount = sc::Money::fromMinorUnits(seq);
                r.result = sc::Money::fromMinorUnits(seq);
                const auto id = (*ledger)->append(r);
                if (!id) {
                    const std::string err = id.error().toString() + "\n";
                    (void)!::write(2, err.data(), err.size());
                    std::_Exit(3);
                }
                const std::string line = std::to_string(*id) + ' ' + r.user + ' ' + std::to_string(seq) + '\n';
                (void)!::write(1, line.data(), line.size());
            }
        });
    for (auto& w : workers)
        w.join();
    return 0;
}
