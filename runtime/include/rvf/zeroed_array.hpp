// rvf/zeroed_array.hpp — a growable array whose new elements read as zero, backed by calloc.
// Why not std::vector: vector writes every zero itself, touching every page. calloc hands large
// blocks over as fresh pages that the OS zeroes on first touch, so the parts nobody writes cost
// nothing. The HNSW level-0 table of a 1M-node graph is 132 MB, and a progressive open needs
// none of it until the adjacency layers arrive.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace rvf {

template <class T> class ZeroedArray {
    static_assert(std::is_trivially_copyable_v<T>, "elements are moved with memcpy");

public:
    ZeroedArray() = default;
    ~ZeroedArray() { std::free(p_); }
    ZeroedArray(ZeroedArray &&o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
    ZeroedArray &operator=(ZeroedArray &&o) noexcept {
        if (this != &o) {
            std::free(p_);
            p_ = std::exchange(o.p_, nullptr);
            n_ = std::exchange(o.n_, 0);
        }
        return *this;
    }
    ZeroedArray(const ZeroedArray &) = delete;
    ZeroedArray &operator=(const ZeroedArray &) = delete;

    /// Grow to n elements, keeping the old ones; the new ones are zero. Never shrinks.
    /// Throws std::bad_alloc as vector::resize would.
    void grow(size_t n) {
        if (n <= n_)
            return;
        T *q = static_cast<T *>(std::calloc(n, sizeof(T)));
        if (q == nullptr)
            throw std::bad_alloc();
        if (n_ != 0)
            std::memcpy(q, p_, n_ * sizeof(T));
        std::free(p_);
        p_ = q;
        n_ = n;
    }
    T *data() { return p_; }
    const T *data() const { return p_; }
    size_t size() const { return n_; }

private:
    T *p_ = nullptr;
    size_t n_ = 0;
};

} // namespace rvf
