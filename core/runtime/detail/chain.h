// detail::Chain: the block-linked queue a process's mailbox and inbox are
// made of. Header-only: push and pop are on every message's path. Internal
// to the runtime.
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <utility>

namespace sc::detail {

/// A queue that can also take one at the front, in small blocks of storage
/// linked in order. It allocates nothing until the first message (a
/// million idle processes cost no blocks), then keeps its last block when
/// it empties, so that a process exchanging messages allocates nothing per
/// message; a flood's other blocks go back as they are drained.
template <typename T> class Chain {
public:
    Chain() = default;
    Chain(const Chain&) = delete;
    Chain& operator=(const Chain&) = delete;
    ~Chain()
    {
        clear();
        delete m_first;
    }

    bool empty() const { return m_size == 0; }
    std::size_t size() const { return m_size; }
    T& front() { return m_first->items()[m_head]; }

    void push_back(T&& v)
    {
        if (!m_last || m_tail == kBlock) {
            Block* b = new Block;
            if (m_last)
                m_last->next = b;
            else
                m_first = b, m_head = 0;
            m_last = b;
            m_tail = 0;
        }
        new (&m_last->items()[m_tail++]) T(std::move(v));
        ++m_size;
    }
    void push_front(T&& v)
    {
        if (m_size == 0) {
            push_back(std::move(v));
            return;
        }
        if (m_head == 0) {
            Block* b = new Block;
            b->next = m_first;
            m_first = b;
            m_head = kBlock;
        }
        new (&m_first->items()[--m_head]) T(std::move(v));
        ++m_size;
    }
    void pop_front()
    {
        m_first->items()[m_head++].~T();
        --m_size;
        if (m_size == 0) {
            m_head = m_tail = 0; // m_first == m_last: kept for the next message
        } else if (m_head == kBlock) {
            Block* b = m_first;
            m_first = b->next;
            m_head = 0;
            delete b;
        }
    }
    /// Removes the first element for which `match` is true, keeping the
    /// others' order; false if none matched.
    template <typename F> bool eraseFirst(F match)
    {
        Block* b = m_first;
        std::size_t i = m_head;
        for (std::size_t n = 0; n < m_size; ++n) {
            if (i == kBlock) b = b->next, i = 0;
            if (!match(b->items()[i])) {
                ++i;
                continue;
            }
            // Shift the ones after it down by one, then drop the last.
            for (std::size_t k = n + 1; k < m_size; ++k) {
                Block* nb = b;
                std::size_t ni = i + 1;
                if (ni == kBlock) nb = b->next, ni = 0;
                b->items()[i] = std::move(nb->items()[ni]);
                b = nb, i = ni;
            }
            popBack();
            return true;
        }
        return false;
    }
    void clear()
    {
        while (m_size > 0)
            pop_front();
    }
    /// Appends all of `other`'s, emptying it.
    void append(Chain& other)
    {
        while (!other.empty()) {
            push_back(std::move(other.front()));
            other.pop_front();
        }
    }
    void swap(Chain& other) noexcept
    {
        std::swap(m_first, other.m_first);
        std::swap(m_last, other.m_last);
        std::swap(m_head, other.m_head);
        std::swap(m_tail, other.m_tail);
        std::swap(m_size, other.m_size);
    }

private:
    static constexpr std::size_t kBlock = std::max<std::size_t>(1, 960 / sizeof(T));
    struct Block {
        Block* next = nullptr;
        alignas(T) unsigned char storage[kBlock * sizeof(T)];
        T* items() { return std::launder(reinterpret_cast<T*>(storage)); }
    };

    void popBack()
    {
        m_last->items()[--m_tail].~T();
        --m_size;
        if (m_size == 0) {
            m_head = m_tail = 0; // the one block left is kept
        } else if (m_tail == 0) {
            Block* b = m_first;
            while (b->next != m_last)
                b = b->next;
            delete m_last;
            b->next = nullptr;
            m_last = b;
            m_tail = kBlock;
        }
    }

    Block* m_first = nullptr;
    Block* m_last = nullptr;
    std::size_t m_head = 0; ///< index of the front in m_first
    std::size_t m_tail = 0; ///< one past the back in m_last
    std::size_t m_size = 0;
};

} // namespace sc::detail
