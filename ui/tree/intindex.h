// IntIndex: a map from non-zero integer keys to item positions, without
// allocating per entry; the tree graph's index of its items by pid and by path.
// Threading: none of its own (a value owned by one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sc::ui {

/// pid or path id -> item, rebuilt with each layout of the tree graph: open addressing over
/// integers, so a relayout of 10,000 nodes neither hashes strings nor
/// allocates per node. Keys are never 0.
class IntIndex {
public:
    void reset(std::size_t expected);
    void insert(std::uint64_t key, int value);
    int find(std::uint64_t key) const; ///< -1 if absent
    void erase(std::uint64_t key);
    /// Applies `f(int&)` to every value.
    template <typename F> void forEachValue(F&& f)
    {
        for (Slot& slot : m_slots)
            if (slot.key) f(slot.value);
    }
    /// The value at `key`, inserted as -1 if absent; valid until the next insertion.
    int& at(std::uint64_t key);
    bool hasMemory() const { return m_slots.capacity() > 0; }

private:
    struct Slot {
        std::uint64_t key = 0;
        int value = -1;
    };
    std::size_t slotOf(std::uint64_t key) const
    {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> m_shift);
    }
    void grow();
    std::vector<Slot> m_slots;
    int m_shift = 64;
    std::size_t m_size = 0;
};

} // namespace sc::ui
