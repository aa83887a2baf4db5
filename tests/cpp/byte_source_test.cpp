// ByteSource (memory and POSIX file) and Result/Error formatting.
#include <gtest/gtest.h>

#include <rvf/byte_source.hpp>

#include <cstdio>
#include <fstream>

using namespace rvf;

TEST(ByteSource, MemoryBoundsChecked) {
    MemorySource m({1, 2, 3, 4});
    uint8_t b[4];
    EXPECT_TRUE(m.read_at(1, 3, b).ok());
    EXPECT_EQ(b[0], 2);
    EXPECT_EQ(m.read_at(2, 3, b).status(), Status::TruncatedSegment);
    EXPECT_EQ(m.read_at(UINT64_MAX, 1, b).status(), Status::TruncatedSegment);
}

TEST(ByteSource, PosixFileReadsAndReportsMissing) {
    const std::string path = ::testing::TempDir() + "rvf_byte_source_test.bin";
    {
        std::ofstream f(path, std::ios::binary);
        f << "hello world";
    }
    auto src = open_file_source(path);
    ASSERT_TRUE(src.ok());
    EXPECT_EQ((*src)->size(), 11u);
    auto v = (*src)->read_vec(6, 5);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(std::string(v->begin(), v->end()), "world");
    EXPECT_EQ((*src)->read_vec(7, 5).status(), Status::TruncatedSegment);
    std::remove(path.c_str());

    auto missing = open_file_source(path);
    EXPECT_EQ(missing.status(), Status::ManifestNotFound);
    auto dir = open_file_source(::testing::TempDir());
    EXPECT_EQ(dir.status(), Status::IoError);
}

TEST(Result, ErrorTextKeepsUpstreamPrefix) {
    Error e{Status::LockHeld, ""};
    EXPECT_EQ(e.to_string(), "RVF error 0x0300: LockHeld");
    Error e2{Status::InvalidChecksum, "segment 2"};
    EXPECT_EQ(e2.to_string(), "RVF error 0x0102: InvalidChecksum (segment 2)");
}
