// The README's usage example, compiled and checked (keep the two in step).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include <rvf/store.hpp>

TEST(ReadmeExample, RunsAsWritten) {
    const std::string path = (std::filesystem::temp_directory_path() / "rvf-readme-vectors.rvf").string();
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".lock");
    {
        using namespace rvf;
        auto db = RvfStore::create(path, {.dimension = 4, .metric = Metric::Cosine});
        ASSERT_TRUE(db) << db.error().to_string();
        std::vector<uint64_t> ids = {1, 2};
        std::vector<float> rows = {1, 0, 0, 0, 0, 1, 0, 0};
        std::vector<std::vector<MetadataEntry>> meta = {{{1, MetadataValue::str("news")}}, {{1, MetadataValue::str("blog")}}};
        ASSERT_TRUE(db->ingest_batch(ids, rows, meta));
        FilterExpr f = FilterExpr::eq(1, MetadataValue::str("blog"));
        auto hits = db->query(std::vector<float>{0, 1, 0, 0}, 10, {.filter = &f});
        ASSERT_TRUE(hits);
        ASSERT_EQ(hits->size(), 1u);
        EXPECT_EQ((*hits)[0].id, 2u);
        EXPECT_NEAR((*hits)[0].distance, 0.0f, 1e-6f);
    }
    std::filesystem::remove(path);
}
