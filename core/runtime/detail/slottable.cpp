// detail::SlotTable: taking, vacating and giving back slots, and reading
// them all into a Snapshot (one linear pass, each slot under its seqlock).
#include "core/runtime/detail/slottable.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace sc::detail {

SlotTable::~SlotTable()
{
    for (auto& c : m_chunks)
        delete[] c.load();
}

Slot* SlotTable::acquire(
    Pid pid, Pid parent, const std::string& path, ProcessKind kind, std::uint32_t restarts, std::uint32_t startOrder)
{
    Slot* slot = nullptr;
    {
        std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
            slot = m_free.back();
            m_free.pop_back();
        } else {
            const std::size_t index = m_used.load(std::memory_order_relaxed);
            const std::size_t chunk = index / kChunk;
            if (chunk >= kMaxChunks) return nullptr;
            if (!m_chunks[chunk].load(std::memory_order_relaxed))
                m_chunks[chunk].store(new Slot[kChunk], std::memory_order_release);
            slot = &m_chunks[chunk].load(std::memory_order_relaxed)[index % kChunk];
            m_used.store(index + 1, std::memory_order_release);
        }
    }
    slot->version.fetch_add(1, std::memory_order_acq_rel); // odd: being written
    const std::size_t len = std::min(path.size(), Slot::kPathWords * 8);
    for (std::size_t w = 0; w * 8 < len; ++w) {
        std::uint64_t word = 0;
        std::memcpy(&word, path.data() + w * 8, std::min<std::size_t>(8, len - w * 8));
        slot->path[w].store(word, std::memory_order_relaxed);
    }
    slot->pathLength.store(std::uint32_t(len), std::memory_order_relaxed);
    slot->parent.store(parent, std::memory_order_relaxed);
    slot->arrived.store(0, std::memory_order_relaxed);
    slot->taken.store(0, std::memory_order_relaxed);
    slot->peak.store(0, std::memory_order_relaxed);
    slot->restarts.store(restarts, std::memory_order_relaxed);
    slot->handled.store(0, std::memory_order_relaxed);
    slot->status.store(ProcessStatus::Initializing, std::memory_order_relaxed);
    slot->stuck.store(false, std::memory_order_relaxed);
    slot->kind.store(kind, std::memory_order_relaxed);
    slot->strategy.store(Strategy::OneForOne, std::memory_order_relaxed);
    slot->intensity.store(0, std::memory_order_relaxed);
    slot->periodMs.store(0, std::memory_order_relaxed);
    slot->startOrder.store(startOrder, std::memory_order_relaxed);
    for (auto& stamp : slot->recentRestartsNs)
        stamp.store(0, std::memory_order_relaxed);
    slot->pid.store(pid, std::memory_order_relaxed);
    slot->version.fetch_add(1, std::memory_order_release);
    m_live.fetch_add(1, std::memory_order_relaxed);
    return slot;
}

void SlotTable::vacate(Slot* slot)
{
    slot->version.fetch_add(1, std::memory_order_acq_rel);
    slot->pid.store(0, std::memory_order_relaxed);
    slot->version.fetch_add(1, std::memory_order_release);
    m_live.fetch_sub(1, std::memory_order_relaxed);
}

void SlotTable::release(Slot* slot)
{
    std::lock_guard lock(m_mutex);
    m_free.push_back(slot);
}

namespace {
/// A supervisor's restarts within its period before `nowNs`, from its newest-first stamps.
std::uint32_t restartsWithin(const Slot& slot, std::uint32_t periodMs, std::int64_t nowNs)
{
    const std::int64_t period = std::int64_t(periodMs) * 1'000'000;
    std::uint32_t n = 0;
    std::int64_t previous = 0;
    for (const auto& stamp : slot.recentRestartsNs) {
        const std::int64_t t = stamp.load(std::memory_order_acquire);
        if (t == 0 || nowNs - t > period) break;
        if (t != previous) ++n; // the same stamp twice: read while noteRestart shifted them
        previous = t;
    }
    return n;
}

/// Copies one slot under its seqlock; false if it is free (or kept changing).
bool readSlot(const Slot& slot, ProcessInfo& info, char* path, std::int64_t nowNs, bool takePeak)
{
    for (int attempt = 0; attempt < 4; ++attempt) {
        const std::uint32_t v1 = slot.version.load(std::memory_order_acquire);
        if (v1 & 1u) continue;
        info.pid = slot.pid.load(std::memory_order_relaxed);
        info.parent = slot.parent.load(std::memory_order_relaxed);
        const std::size_t len
            = std::min<std::size_t>(slot.pathLength.load(std::memory_order_relaxed), Slot::kPathWords * 8);
        for (std::size_t w = 0; w * 8 < len; ++w) {
            const std::uint64_t word = slot.path[w].load(std::memory_order_relaxed);
            std::memcpy(path + w * 8, &word, std::min<std::size_t>(8, len - w * 8));
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (slot.version.load(std::memory_order_relaxed) != v1) continue;
        if (info.pid == 0) return false;
        info.kind = slot.kind.load(std::memory_order_relaxed);
        info.strategy = slot.strategy.load(std::memory_order_relaxed);
        info.startOrder = slot.startOrder.load(std::memory_order_relaxed);
        if (info.kind != ProcessKind::Worker) { // most rows have no supervisor fields to read
            info.intensity = slot.intensity.load(std::memory_order_relaxed);
            info.periodMs = slot.periodMs.load(std::memory_order_relaxed);
            info.restartsInWindow = restartsWithin(slot, info.periodMs, nowNs);
        }
        info.status = slot.stuck.load(std::memory_order_relaxed) ? ProcessStatus::Stuck
                                                                 : slot.status.load(std::memory_order_relaxed);
        // Taken first: a message is taken only after it arrived, so this never underflows.
        const auto taken = slot.taken.load(std::memory_order_acquire);
        info.mailbox = slot.arrived.load(std::memory_order_relaxed) - taken;
        // Most processes had no message since the last take: no write for them.
        std::uint32_t peak = slot.peak.load(std::memory_order_relaxed);
        if (takePeak && peak != 0) peak = slot.peak.exchange(0, std::memory_order_relaxed);
        info.mailboxPeak = std::max(peak, info.mailbox);
        info.restarts = slot.restarts.load(std::memory_order_relaxed);
        info.handled = slot.handled.load(std::memory_order_relaxed);
        info.path = std::string_view(nullptr, len);
        return true;
    }
    return false;
}
} // namespace

void SlotTable::read(Snapshot& out, const Slot* only, bool takePeaks) const
{
    out.processes.clear();
    out.m_paths.clear();
    std::vector<std::size_t> offsets;
    char buffer[Slot::kPathWords * 8];
    const std::int64_t nowNs
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
    auto take = [&](const Slot& slot) {
        ProcessInfo info;
        if (!readSlot(slot, info, buffer, nowNs, takePeaks)) return;
        offsets.push_back(out.m_paths.size());
        out.m_paths.insert(out.m_paths.end(), buffer, buffer + info.path.size());
        out.processes.push_back(info);
    };
    if (only) {
        take(*only);
    } else {
        offsets.reserve(m_live.load(std::memory_order_relaxed) + 64);
        const std::size_t used = m_used.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < used; ++i) {
            const Slot& slot = m_chunks[i / kChunk].load(std::memory_order_acquire)[i % kChunk];
            if (slot.pid.load(std::memory_order_relaxed) != 0) take(slot);
        }
    }
    const char* base = out.m_paths.data();
    for (std::size_t i = 0; i < out.processes.size(); ++i)
        out.processes[i].path = std::string_view(base + offsets[i], out.processes[i].path.size());
}

} // namespace sc::detail
