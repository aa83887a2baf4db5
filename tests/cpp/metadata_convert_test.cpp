// rvf/metadata_convert.hpp: the typing rules bindings apply to JS metadata values, and the split
// of upstream's flat metadata list (spec §9.1, §3 ingest_batch).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <rvf/filter.hpp>
#include <rvf/metadata_convert.hpp>

namespace rvf {
namespace {

MetadataValue ok(Result<MetadataValue> r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? *r : MetadataValue{};
}

void expect_invalid(const Result<MetadataValue> &r, const char *path) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, Status::InvalidArgument);
    EXPECT_EQ(r.error().message.rfind(path, 0), 0u) << r.error().message;
}

TEST(MetadataConvert, TypeNames) {
    EXPECT_EQ(meta_type_from_name("u64"), MetaType::U64);
    EXPECT_EQ(meta_type_from_name("bytes"), MetaType::Bytes);
    EXPECT_FALSE(meta_type_from_name("U64").has_value());
    EXPECT_FALSE(meta_type_from_name("").has_value());
}

TEST(MetadataConvert, NumberShorthandMatchesFilterJson) {
    EXPECT_EQ(ok(metadata_value_from_number(5, "p")), MetadataValue::u64(5));
    EXPECT_EQ(ok(metadata_value_from_number(0, "p")), MetadataValue::u64(0));
    EXPECT_EQ(ok(metadata_value_from_number(-5, "p")), MetadataValue::i64(-5));
    EXPECT_EQ(ok(metadata_value_from_number(1.5, "p")), MetadataValue::f64(1.5));
    EXPECT_EQ(ok(metadata_value_from_number(-0.25, "p")), MetadataValue::f64(-0.25));
    EXPECT_EQ(ok(metadata_value_from_number(std::numeric_limits<double>::infinity(), "p")).type, MetaType::F64);
    EXPECT_EQ(ok(metadata_value_from_number(9007199254740993.0, "p")), MetadataValue::u64(9007199254740992ull));
    expect_invalid(metadata_value_from_number(18446744073709551616.0, "metadata[0]"), "metadata[0]: ");
    expect_invalid(metadata_value_from_number(-9223372036854777856.0, "m"), "m: ");
    // Agrees with the filter JSON shorthand: a literal 5 in a filter is the same value.
    auto f = filter_from_json(R"({"op":"eq","field":1,"value":5})");
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->values.at(0), ok(metadata_value_from_number(5, "p")));
}

TEST(MetadataConvert, BigintText) {
    EXPECT_EQ(ok(metadata_value_from_bigint_text("18446744073709551615", "p")), MetadataValue::u64(UINT64_MAX));
    EXPECT_EQ(ok(metadata_value_from_bigint_text("-9223372036854775808", "p")), MetadataValue::i64(INT64_MIN));
    expect_invalid(metadata_value_from_bigint_text("18446744073709551616", "b"), "b: ");
    expect_invalid(metadata_value_from_bigint_text("-9223372036854775809", "b"), "b: ");
    expect_invalid(metadata_value_from_bigint_text("", "b"), "b: ");
}

TEST(MetadataConvert, TypedText) {
    EXPECT_EQ(ok(metadata_value_from_text(MetaType::U64, "42", "p")), MetadataValue::u64(42));
    EXPECT_EQ(ok(metadata_value_from_text(MetaType::I64, "-42", "p")), MetadataValue::i64(-42));
    EXPECT_EQ(ok(metadata_value_from_text(MetaType::F64, "2.5e3", "p")), MetadataValue::f64(2500));
    EXPECT_TRUE(std::isnan(ok(metadata_value_from_text(MetaType::F64, "NaN", "p")).f));
    EXPECT_EQ(ok(metadata_value_from_text(MetaType::String, " a b ", "p")), MetadataValue::str(" a b "));
    EXPECT_EQ(ok(metadata_value_from_text(MetaType::Bool, "false", "p")), MetadataValue::boolean(false));
    EXPECT_EQ(ok(metadata_value_from_text(MetaType::Bytes, "00ff", "p")), MetadataValue::bytes(std::string_view("\x00\xff", 2)));
    expect_invalid(metadata_value_from_text(MetaType::U64, "-1", "v"), "v: ");
    expect_invalid(metadata_value_from_text(MetaType::U64, "1x", "v"), "v: ");
    expect_invalid(metadata_value_from_text(MetaType::U64, "", "v"), "v: ");
    expect_invalid(metadata_value_from_text(MetaType::F64, " 1", "v"), "v: ");
    expect_invalid(metadata_value_from_text(MetaType::F64, "1.0 ", "v"), "v: ");
    expect_invalid(metadata_value_from_text(MetaType::Bool, "True", "v"), "v: ");
    expect_invalid(metadata_value_from_text(MetaType::Bytes, "abc", "v"), "v: ");
    expect_invalid(metadata_value_from_text(MetaType::Bytes, "zz", "v"), "v: ");
}

TEST(MetadataConvert, Integral) {
    EXPECT_EQ(ok(metadata_value_from_integral(MetaType::I64, 5, "p")), MetadataValue::i64(5));
    EXPECT_EQ(ok(metadata_value_from_integral(MetaType::U64, 5, "p")), MetadataValue::u64(5));
    expect_invalid(metadata_value_from_integral(MetaType::U64, -1, "x"), "x: ");
    expect_invalid(metadata_value_from_integral(MetaType::U64, 0.5, "x"), "x: ");
    expect_invalid(metadata_value_from_integral(MetaType::I64, 9223372036854775808.0, "x"), "x: ");
    expect_invalid(metadata_value_from_integral(MetaType::F64, 1, "x"), "x: ");
}

TEST(MetadataConvert, FieldKeys) {
    EXPECT_EQ(metadata_field_from_key("0"), 0);
    EXPECT_EQ(metadata_field_from_key("65535"), 65535);
    EXPECT_FALSE(metadata_field_from_key("65536").has_value());
    EXPECT_FALSE(metadata_field_from_key("+1").has_value());
    EXPECT_FALSE(metadata_field_from_key("-1").has_value());
    EXPECT_FALSE(metadata_field_from_key(" 1").has_value());
    EXPECT_FALSE(metadata_field_from_key("1a").has_value());
    EXPECT_FALSE(metadata_field_from_key("").has_value());
}

TEST(MetadataConvert, SplitEvenly) {
    std::vector<MetadataEntry> flat;
    for (uint16_t i = 0; i < 6; ++i)
        flat.push_back({static_cast<uint16_t>(i % 2), MetadataValue::u64(i)});
    auto r = split_metadata_evenly(flat, 3);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 3u);
    for (size_t id = 0; id < 3; ++id) {
        ASSERT_EQ((*r)[id].size(), 2u);
        EXPECT_EQ((*r)[id][0], flat[2 * id]);
        EXPECT_EQ((*r)[id][1], flat[2 * id + 1]);
    }
    EXPECT_TRUE(split_metadata_evenly({}, 3)->empty());
    EXPECT_EQ(split_metadata_evenly(flat, 4).status(), Status::InvalidArgument);
    EXPECT_EQ(split_metadata_evenly(flat, 0).status(), Status::InvalidArgument);
}

} // namespace
} // namespace rvf
