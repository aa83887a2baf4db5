// rvf/core/bytes.hpp — byte views, little-endian load/store, and bounds-checked cursors.
//
// Every decoder reads file bytes only through ByteReader (STYLE §9: never raw struct reads):
// each read checks the remaining length first, and a failed read makes the reader "bad" for
// good, so a decoder can read a run of fields and check once. All multi-byte values are
// little-endian (spec §1). Freestanding: compiler-provided <stdint.h>/<stddef.h> only.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

namespace rvf::core {

/// Read-only view of bytes owned elsewhere.
struct ByteView {
    const uint8_t *data = nullptr;
    size_t size = 0;

    constexpr ByteView() = default;
    constexpr ByteView(const uint8_t *d, size_t n) : data(d), size(n) {}
    constexpr bool empty() const { return size == 0; }
    /// Sub-view [off, off+len); an empty view if that range is not inside this one.
    constexpr ByteView sub(size_t off, size_t len) const {
        if (off > size || len > size - off)
            return {};
        return {data + off, len};
    }
    constexpr ByteView from(size_t off) const { return off > size ? ByteView{} : ByteView{data + off, size - off}; }
    constexpr uint8_t operator[](size_t i) const { return data[i]; }
};

/// Writable view of bytes owned elsewhere.
struct MutByteView {
    uint8_t *data = nullptr;
    size_t size = 0;
    constexpr MutByteView() = default;
    constexpr MutByteView(uint8_t *d, size_t n) : data(d), size(n) {}
    constexpr operator ByteView() const { return {data, size}; }
};

// --- little-endian loads/stores on raw pointers (caller guarantees the bytes exist) ---------
constexpr uint16_t load_u16_le(const uint8_t *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
constexpr uint32_t load_u32_le(const uint8_t *p) {
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
           (static_cast<uint32_t>(p[3]) << 24);
}
constexpr uint64_t load_u64_le(const uint8_t *p) {
    return static_cast<uint64_t>(load_u32_le(p)) | (static_cast<uint64_t>(load_u32_le(p + 4)) << 32);
}
constexpr uint32_t load_u32_be(const uint8_t *p) {
    return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
           (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}
inline float load_f32_le(const uint8_t *p) { return __builtin_bit_cast(float, load_u32_le(p)); }
inline double load_f64_le(const uint8_t *p) { return __builtin_bit_cast(double, load_u64_le(p)); }

constexpr void store_u16_le(uint8_t *p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}
constexpr void store_u32_le(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
constexpr void store_u64_le(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
constexpr void store_u32_be(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
inline void store_f32_le(uint8_t *p, float v) { store_u32_le(p, __builtin_bit_cast(uint32_t, v)); }
inline void store_f64_le(uint8_t *p, double v) { store_u64_le(p, __builtin_bit_cast(uint64_t, v)); }

// --- alignment --------------------------------------------------------------------------------
/// Round v up to a multiple of a power-of-two `align`. Saturates instead of wrapping so a
/// hostile length cannot wrap to a small number.
constexpr uint64_t align_up(uint64_t v, uint64_t align) {
    const uint64_t mask = align - 1;
    if (v > UINT64_MAX - mask)
        return UINT64_MAX & ~mask;
    return (v + mask) & ~mask;
}
constexpr bool is_aligned(uint64_t v, uint64_t align) { return (v & (align - 1)) == 0; }

/// Checked a+b; false on overflow.
constexpr bool add_overflows(uint64_t a, uint64_t b, uint64_t *out) {
    *out = a + b;
    return *out < a;
}
/// Checked a*b; false on overflow.
constexpr bool mul_overflows(uint64_t a, uint64_t b, uint64_t *out) { return __builtin_mul_overflow(a, b, out); }

/// Bounds-checked little-endian cursor over a ByteView. Once a read fails, `ok()` stays false
/// and every later read returns zeros, so callers can read a group of fields and check once.
class ByteReader {
public:
    constexpr explicit ByteReader(ByteView v) : v_(v) {}

    constexpr bool ok() const { return ok_; }
    constexpr size_t pos() const { return pos_; }
    constexpr size_t remaining() const { return ok_ ? v_.size - pos_ : 0; }
    constexpr bool at_end() const { return ok_ && pos_ == v_.size; }
    constexpr ByteView whole() const { return v_; }

    constexpr bool has(size_t n) const { return ok_ && n <= v_.size - pos_; }
    constexpr bool skip(size_t n) {
        if (!has(n))
            return fail();
        pos_ += n;
        return true;
    }
    /// Move to an absolute position inside the view.
    constexpr bool seek(size_t p) {
        if (!ok_ || p > v_.size)
            return fail();
        pos_ = p;
        return true;
    }
    /// Skip zero bytes up to the next multiple of `align` (measured from the view start).
    /// Fails if a padding byte is non-zero or missing.
    constexpr bool skip_zero_pad(size_t align) {
        const size_t target = static_cast<size_t>(align_up(pos_, align));
        if (!has(target - pos_))
            return fail();
        for (size_t i = pos_; i < target; ++i)
            if (v_.data[i] != 0)
                return fail();
        pos_ = target;
        return true;
    }

    constexpr uint8_t u8() {
        if (!has(1)) {
            fail();
            return 0;
        }
        return v_.data[pos_++];
    }
    constexpr uint16_t u16() { return take<uint16_t>(2, load_u16_le); }
    constexpr uint32_t u32() { return take<uint32_t>(4, load_u32_le); }
    constexpr uint64_t u64() { return take<uint64_t>(8, load_u64_le); }
    inline float f32() { return __builtin_bit_cast(float, u32()); }
    inline double f64() { return __builtin_bit_cast(double, u64()); }
    /// A view of the next n bytes (advances). Empty view + failure if they are not there.
    constexpr ByteView bytes(size_t n) {
        if (!has(n)) {
            fail();
            return {};
        }
        ByteView r{v_.data + pos_, n};
        pos_ += n;
        return r;
    }
    constexpr bool copy(uint8_t *out, size_t n) {
        if (!has(n))
            return fail();
        for (size_t i = 0; i < n; ++i)
            out[i] = v_.data[pos_ + i];
        pos_ += n;
        return true;
    }
    /// Unsigned LEB128, at most 10 bytes; rejects overlong/overflowing encodings of u64.
    constexpr uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (!has(1)) {
                fail();
                return 0;
            }
            const uint8_t b = v_.data[pos_++];
            if (shift == 63 && (b & 0x7E) != 0) { // only 1 bit left in the 10th byte
                fail();
                return 0;
            }
            v |= static_cast<uint64_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return v;
        }
        fail();
        return 0;
    }
    constexpr bool fail() {
        ok_ = false;
        return false;
    }

private:
    template <class T, class F> constexpr T take(size_t n, F load) {
        if (!has(n)) {
            fail();
            return 0;
        }
        T v = load(v_.data + pos_);
        pos_ += n;
        return v;
    }
    ByteView v_;
    size_t pos_ = 0;
    bool ok_ = true;
};

/// Bounds-checked little-endian writer into a caller-owned buffer. With a null buffer it only
/// counts, so one encoder function serves both "how big?" and "write it".
class ByteWriter {
public:
    constexpr ByteWriter() = default; // counting mode
    constexpr explicit ByteWriter(MutByteView out) : out_(out) {}

    constexpr bool ok() const { return ok_; }
    constexpr size_t pos() const { return pos_; }
    constexpr bool counting() const { return out_.data == nullptr; }

    constexpr bool u8(uint8_t v) { return put(&v, 1); }
    constexpr bool u16(uint16_t v) {
        uint8_t b[2] = {};
        store_u16_le(b, v);
        return put(b, 2);
    }
    constexpr bool u32(uint32_t v) {
        uint8_t b[4] = {};
        store_u32_le(b, v);
        return put(b, 4);
    }
    constexpr bool u64(uint64_t v) {
        uint8_t b[8] = {};
        store_u64_le(b, v);
        return put(b, 8);
    }
    inline bool f32(float v) { return u32(__builtin_bit_cast(uint32_t, v)); }
    inline bool f64(double v) { return u64(__builtin_bit_cast(uint64_t, v)); }
    constexpr bool bytes(ByteView v) { return put(v.data, v.size); }
    constexpr bool bytes(const uint8_t *p, size_t n) { return put(p, n); }
    constexpr bool zeros(size_t n) {
        if (!reserve(n))
            return false;
        if (out_.data)
            for (size_t i = 0; i < n; ++i)
                out_.data[pos_ + i] = 0;
        pos_ += n;
        return true;
    }
    /// Zero-fill up to the next multiple of `align` (measured from the buffer start).
    constexpr bool pad_to(size_t align) { return zeros(static_cast<size_t>(align_up(pos_, align)) - pos_); }
    constexpr bool varint(uint64_t v) {
        uint8_t b[10] = {};
        size_t n = 0;
        do {
            uint8_t byte = v & 0x7F;
            v >>= 7;
            if (v)
                byte |= 0x80;
            b[n++] = byte;
        } while (v);
        return put(b, n);
    }
    /// Patch a u32 at an absolute earlier position (e.g. a length known only at the end).
    constexpr bool patch_u32(size_t at, uint32_t v) {
        if (!ok_ || at + 4 > pos_)
            return fail();
        if (out_.data)
            store_u32_le(out_.data + at, v);
        return true;
    }
    constexpr bool fail() {
        ok_ = false;
        return false;
    }

private:
    constexpr bool reserve(size_t n) {
        if (!ok_)
            return false;
        if (out_.data && n > out_.size - pos_)
            return fail();
        if (!out_.data && pos_ + n < pos_)
            return fail();
        return true;
    }
    constexpr bool put(const uint8_t *p, size_t n) {
        if (!reserve(n))
            return false;
        if (out_.data)
            for (size_t i = 0; i < n; ++i)
                out_.data[pos_ + i] = p[i];
        pos_ += n;
        return true;
    }
    MutByteView out_{};
    size_t pos_ = 0;
    bool ok_ = true;
};

} // namespace rvf::core
