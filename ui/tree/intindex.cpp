// IntIndex: open addressing over integer keys, linear probing, backward-shift deletion.
#include "ui/tree/intindex.h"

#include <QtGlobal>
#include <algorithm>
#include <bit>

namespace sc::ui {

void IntIndex::reset(std::size_t expected)
{
    std::size_t capacity = 16;
    while (capacity < expected * 2)
        capacity *= 2;
    m_slots.assign(capacity, Slot {});
    m_shift = 64 - std::countr_zero(capacity);
    m_size = 0;
}

void IntIndex::insert(std::uint64_t key, int value)
{
    Q_ASSERT(key != 0);
    if (m_slots.empty() || 2 * (m_size + 1) > m_slots.size()) grow();
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slotOf(key);; i = (i + 1) & mask) {
        Slot& slot = m_slots[i];
        if (slot.key == key) {
            slot.value = value;
            return;
        }
        if (slot.key == 0) {
            slot = {key, value};
            ++m_size;
            return;
        }
    }
}

int& IntIndex::at(std::uint64_t key)
{
    Q_ASSERT(key != 0);
    if (m_slots.empty() || 2 * (m_size + 1) > m_slots.size()) grow();
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slotOf(key);; i = (i + 1) & mask) {
        Slot& slot = m_slots[i];
        if (slot.key == key) return slot.value;
        if (slot.key == 0) {
            slot = {key, -1};
            ++m_size;
            return slot.value;
        }
    }
}

int IntIndex::find(std::uint64_t key) const
{
    if (m_slots.empty() || key == 0) return -1;
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slotOf(key);; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (slot.key == key) return slot.value;
        if (slot.key == 0) return -1;
    }
}

void IntIndex::erase(std::uint64_t key)
{
    if (m_slots.empty() || key == 0) return;
    const std::size_t mask = m_slots.size() - 1;
    std::size_t hole = slotOf(key);
    while (m_slots[hole].key != key) {
        if (m_slots[hole].key == 0) return;
        hole = (hole + 1) & mask;
    }
    // Backward shift: a later entry whose probe passed the hole moves into it.
    for (std::size_t j = (hole + 1) & mask; m_slots[j].key != 0; j = (j + 1) & mask) {
        const std::size_t home = slotOf(m_slots[j].key);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m_slots[hole] = m_slots[j];
            hole = j;
        }
    }
    m_slots[hole] = Slot {};
    --m_size;
}

void IntIndex::grow()
{
    const std::vector<Slot> previous = std::move(m_slots);
    reset(std::max<std::size_t>(16, previous.size()));
    for (const Slot& slot : previous) {
        if (slot.key) insert(slot.key, slot.value);
    }
}

} // namespace sc::ui
