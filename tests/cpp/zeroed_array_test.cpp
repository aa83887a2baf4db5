// rvf/zeroed_array.hpp: growth keeps what was written and adds zeros, moves hand the storage over.
// (Whether pages stay untouched is the allocator's business and shows in rvf_boot_bench.)
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

#include <rvf/zeroed_array.hpp>

using rvf::ZeroedArray;

TEST(ZeroedArray, GrowsWithZerosAndKeepsOldValues) {
    ZeroedArray<uint32_t> a;
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(a.data(), nullptr);
    a.grow(10);
    ASSERT_EQ(a.size(), 10u);
    for (size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(a.data()[i], 0u);
        a.data()[i] = static_cast<uint32_t>(i + 1);
    }
    a.grow(5); // never shrinks
    EXPECT_EQ(a.size(), 10u);
    a.grow(1u << 22); // large enough for a fresh mapping under glibc
    ASSERT_EQ(a.size(), size_t{1} << 22);
    for (size_t i = 0; i < 10; ++i)
        EXPECT_EQ(a.data()[i], i + 1);
    for (size_t i = 10; i < a.size(); i += 4093)
        EXPECT_EQ(a.data()[i], 0u) << i;
    EXPECT_EQ(a.data()[a.size() - 1], 0u);
}

TEST(ZeroedArray, MovesHandOverTheStorage) {
    ZeroedArray<uint64_t> a;
    a.grow(3);
    a.data()[2] = 42;
    const uint64_t *p = a.data();
    ZeroedArray<uint64_t> b(std::move(a));
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(a.data(), nullptr);
    EXPECT_EQ(b.data(), p);
    EXPECT_EQ(b.data()[2], 42u);
    ZeroedArray<uint64_t> c;
    c.grow(7);
    c = std::move(b);
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(c.data()[2], 42u);
}
