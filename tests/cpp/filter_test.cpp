// Filters (rvf/filter.hpp): the spec §5.1 truth table for every op against present, missing and
// mismatched values (NaN, ±0, Bytes-as-empty-string, unsigned string order), validation errors,
// JSON and binary forms (round trips, pinned bytes, malformed input), selectivity and strategy,
// and prefilter_ids == brute-force evaluate on 10k random rows × 200 random expressions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <rvf/filter.hpp>
#include <rvf/metadata.hpp>

using namespace rvf;
using core::ByteView;
using core::Status;

namespace {

using V = MetadataValue;
using F = FilterExpr;
const double kNaN = std::nan("");
const double kInf = std::numeric_limits<double>::infinity();

// id 1 u64 5 · 2 "x" · 3 field 1 missing · 4 no row at all · 5 NaN · 6 −0.0 · 7 bytes "zz" ·
// 8 false · 9 i64 −1 · 10 "\xff"
MetadataTable truth_table() {
    MetadataTable t;
    t.put(1, {{1, V::u64(5)}});
    t.put(2, {{1, V::str("x")}});
    t.put(3, {{2, V::u64(1)}});
    t.put(5, {{1, V::f64(kNaN)}});
    t.put(6, {{1, V::f64(-0.0)}});
    t.put(7, {{1, V::bytes(std::string_view("zz"))}});
    t.put(8, {{1, V::boolean(false)}});
    t.put(9, {{1, V::i64(-1)}});
    t.put(10, {{1, V::str("\xff")}});
    return t;
}

struct Case {
    const char *name;
    F expr;
    std::set<uint64_t> want; // ids among 1..10 for which the filter holds
};

std::set<uint64_t> all_but(std::set<uint64_t> out) {
    std::set<uint64_t> s;
    for (uint64_t i = 1; i <= 10; ++i)
        if (!out.count(i))
            s.insert(i);
    return s;
}

std::vector<Case> truth_cases() {
    return {
        {"eq u64", F::eq(1, V::u64(5)), {1}},
        {"eq u64 other", F::eq(1, V::u64(6)), {}},
        {"ne missing true, mismatch false", F::ne(1, V::u64(5)), {3, 4}},
        {"ne u64 other", F::ne(1, V::u64(6)), {1, 3, 4}},
        {"lt", F::lt(1, V::u64(6)), {1}},
        {"lt equal", F::lt(1, V::u64(5)), {}},
        {"le", F::le(1, V::u64(5)), {1}},
        {"gt", F::gt(1, V::u64(4)), {1}},
        {"gt equal", F::gt(1, V::u64(5)), {}},
        {"ge", F::ge(1, V::u64(5)), {1}},
        {"in", F::in(1, {V::u64(4), V::u64(5)}), {1}},
        {"in mixed literals", F::in(1, {V::str("x"), V::i64(-1)}), {2, 9}},
        {"in empty", F::in(1, {}), {}},
        {"range half-open hit", F::range(1, V::u64(5), V::u64(6)), {1}},
        {"range half-open miss", F::range(1, V::u64(4), V::u64(5)), {}},
        {"range inverted", F::range(1, V::u64(6), V::u64(5)), {}},
        {"range mixed bounds", F::range(1, V::u64(0), V::str("z")), {}},
        {"and empty", F::all_of({}), all_but({})},
        {"or empty", F::any_of({}), {}},
        {"not eq", F::negate(F::eq(1, V::u64(5))), all_but({1})},
        {"no widening u64 vs i64", F::eq(1, V::u64(static_cast<uint64_t>(-1))), {}},
        {"i64 eq", F::eq(1, V::i64(-1)), {9}},
        {"i64 lt", F::lt(1, V::i64(0)), {9}},
        {"i64 gt", F::gt(1, V::i64(-2)), {9}},
        {"f64 eq NaN", F::eq(1, V::f64(kNaN)), {}},
        {"f64 ne NaN", F::ne(1, V::f64(kNaN)), {3, 4, 5, 6}},
        {"f64 lt NaN", F::lt(1, V::f64(kNaN)), {}},
        {"f64 eq 0 matches -0", F::eq(1, V::f64(0.0)), {6}},
        {"f64 ne 0", F::ne(1, V::f64(0.0)), {3, 4, 5}},
        {"f64 le 0", F::le(1, V::f64(0.0)), {6}},
        {"f64 lt 0", F::lt(1, V::f64(0.0)), {}},
        {"f64 ge -0", F::ge(1, V::f64(-0.0)), {6}},
        {"f64 gt -inf", F::gt(1, V::f64(-kInf)), {6}},
        {"f64 range", F::range(1, V::f64(-1.0), V::f64(1.0)), {6}},
        {"f64 range NaN bound", F::range(1, V::f64(kNaN), V::f64(1.0)), {}},
        {"str eq empty = bytes", F::eq(1, V::str("")), {7}},
        {"str eq", F::eq(1, V::str("x")), {2}},
        {"str lt", F::lt(1, V::str("y")), {2, 7}},
        {"str lt empty", F::lt(1, V::str("")), {}},
        {"str le empty", F::le(1, V::str("")), {7}},
        {"str gt unsigned bytes", F::gt(1, V::str("x")), {10}},
        {"str ge empty", F::ge(1, V::str("")), {2, 7, 10}},
        {"str ne empty", F::ne(1, V::str("")), {2, 3, 4, 10}},
        {"str ne x", F::ne(1, V::str("x")), {3, 4, 7, 10}},
        {"str range", F::range(1, V::str(""), V::str("y")), {2, 7}},
        {"str in empty string", F::in(1, {V::str("")}), {7}},
        {"bytes literal is empty string", F::eq(1, V::bytes(std::string_view("zz"))), {7}},
        {"bool eq", F::eq(1, V::boolean(false)), {8}},
        {"bool lt", F::lt(1, V::boolean(true)), {8}},
        {"bool gt", F::gt(1, V::boolean(false)), {}},
        {"bool ge", F::ge(1, V::boolean(false)), {8}},
        {"nested",
         F::any_of({F::eq(1, V::u64(5)), F::all_of({F::ne(1, V::str("x")), F::negate(F::eq(2, V::u64(1)))})}),
         {1, 4, 7, 10}},
        {"double negation", F::negate(F::negate(F::ne(1, V::u64(5)))), {3, 4}},
        {"or of complements", F::any_of({F::ne(1, V::u64(5)), F::ne(1, V::str("x"))}), {3, 4, 7, 10}},
        {"and of complement and set", F::all_of({F::ne(1, V::u64(6)), F::eq(1, V::u64(5))}), {1}},
    };
}

} // namespace

TEST(FilterSemantics, TruthTableEveryOpPresentMissingMismatched) {
    const MetadataTable t = truth_table();
    for (const Case &c : truth_cases()) {
        for (uint64_t id = 1; id <= 10; ++id)
            EXPECT_EQ(evaluate(c.expr, t, id), c.want.count(id) == 1) << c.name << " id " << id;
        std::vector<uint64_t> in_table;
        for (uint64_t id : c.want)
            if (id != 4)
                in_table.push_back(id);
        EXPECT_EQ(prefilter_ids(c.expr, t), in_table) << c.name;
        EXPECT_EQ(matches_without_metadata(c.expr), c.want.count(4) == 1) << c.name;
    }
}

TEST(FilterSemantics, InvalidShapesEvaluateFalseAndPrefilterAgrees) {
    const MetadataTable t = truth_table();
    F bad_eq = F::eq(1, V::u64(5));
    bad_eq.values.push_back(V::u64(6));
    F bad_not = F::negate(F::eq(1, V::u64(5)));
    bad_not.children.push_back(F::eq(1, V::u64(5)));
    F deep = F::eq(1, V::u64(5));
    for (int i = 0; i < 70; ++i)
        deep = F::negate(F::negate(deep));
    for (const F *e : {&bad_eq, &bad_not, &deep}) {
        for (uint64_t id = 1; id <= 10; ++id)
            EXPECT_FALSE(evaluate(*e, t, id));
        EXPECT_TRUE(prefilter_ids(*e, t).empty());
    }
}

TEST(FilterValidate, ShapeErrorsAndUnknownFieldsMatchNothing) {
    const MetadataTable t = truth_table();
    EXPECT_TRUE(validate_filter(F::all_of({F::eq(1, V::u64(5)), F::ne(2, V::u64(1))}), t).ok());
    // A field no row holds is valid: every row lacks it, so lt/eq/in/range match nothing and
    // ne (missing ⇒ true, §5.1) matches every id, like any field some rows lack.
    const F unknown = F::all_of({F::eq(1, V::u64(5)), F::lt(77, V::u64(1))});
    EXPECT_TRUE(validate_filter(unknown, t).ok());
    EXPECT_TRUE(validate_filter(F::eq(1, V::u64(1)), MetadataTable()).ok());
    for (uint64_t id = 1; id <= 10; ++id) {
        EXPECT_FALSE(evaluate(unknown, t, id));
        EXPECT_FALSE(evaluate(F::in(77, {V::u64(1), V::str("x")}), t, id));
        EXPECT_TRUE(evaluate(F::ne(77, V::u64(1)), t, id));
    }
    EXPECT_TRUE(prefilter_ids(unknown, t).empty());
    EXPECT_EQ(estimate_selectivity(F::lt(77, V::u64(1)), t, 10), 0.0);
    F no_value = F::lt(77, V::u64(1));
    no_value.values.clear();
    EXPECT_EQ(validate_filter(F::all_of({F::eq(1, V::u64(5)), no_value}), t).status(),
              Status::FilterParseError); // shape errors stay errors

    F depth64 = F::eq(1, V::u64(5));
    for (int i = 1; i < 64; ++i)
        depth64 = F::negate(depth64);
    EXPECT_TRUE(validate_filter(depth64, t).ok());
    EXPECT_EQ(validate_filter(F::negate(depth64), t).status(), Status::FilterParseError);

    F two = F::eq(1, V::u64(5));
    two.values.push_back(V::u64(1));
    F range1 = F::range(1, V::u64(1), V::u64(2));
    range1.values.pop_back();
    F not2 = F::negate(F::eq(1, V::u64(1)));
    not2.children.push_back(F::eq(1, V::u64(1)));
    F not0 = F::negate(F::eq(1, V::u64(1)));
    not0.children.clear();
    F and_vals = F::all_of({});
    and_vals.values.push_back(V::u64(1));
    F leaf_kids = F::eq(1, V::u64(1));
    leaf_kids.children.push_back(F::eq(1, V::u64(1)));
    F bad_op = F::eq(1, V::u64(1));
    bad_op.op = static_cast<F::Op>(0x08);
    for (const F *e : {&two, &range1, &not2, &not0, &and_vals, &leaf_kids, &bad_op})
        EXPECT_EQ(validate_filter_shape(*e).status(), Status::FilterParseError) << filter_to_json(*e);
    auto bytes = validate_filter_shape(F::eq(1, V::bytes(std::string_view("a"))));
    EXPECT_EQ(bytes.status(), Status::FilterParseError);
    EXPECT_NE(bytes.error().message.find("bytes"), std::string::npos);
    EXPECT_TRUE(validate_filter_shape(F::in(1, {})).ok()); // an empty in-list is legal (matches nothing)
}

namespace {
F sample_filter() {
    return F::all_of({
        F::eq(1, V::u64(std::numeric_limits<uint64_t>::max())),
        F::ne(2, V::i64(std::numeric_limits<int64_t>::min())),
        F::any_of({F::lt(3, V::f64(-0.0)), F::ge(3, V::f64(kInf)), F::gt(3, V::f64(-kInf)), F::le(3, V::f64(0.1))}),
        F::in(4, {V::str(""), V::str("h\xC3\xA9llo \"q\" \\"), V::boolean(true), V::bytes(std::string_view("\0\xff", 2))}),
        F::range(5, V::i64(-3), V::i64(3)),
        F::negate(F::any_of({})),
        F::in(6, {}),
        F::eq(65535, V::boolean(false)),
    });
}
} // namespace

TEST(FilterJson, CanonicalRoundTrip) {
    const F f = sample_filter();
    const std::string js = filter_to_json(f);
    auto back = filter_from_json(js);
    ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << js;
    EXPECT_EQ(back.value(), f) << js;
    EXPECT_EQ(filter_to_json(back.value()), js);
    // Past 2^53 integers are written as strings so JavaScript readers keep them exact.
    EXPECT_NE(js.find("\"18446744073709551615\""), std::string::npos) << js;
    // NaN travels as the string "NaN".
    auto nan = filter_from_json(filter_to_json(F::eq(1, V::f64(kNaN))));
    ASSERT_TRUE(nan.ok());
    EXPECT_TRUE(std::isnan(nan->values[0].f));
    EXPECT_EQ(filter_to_json(F::eq(3, V::u64(5))), R"({"field":3,"op":"eq","value":{"u64":5}})");
}

TEST(FilterJson, ShorthandNapiAndSdkForms) {
    struct J {
        const char *json;
        F want;
    };
    const std::vector<J> cases = {
        {R"({"op":"eq","field":3,"value":5})", F::eq(3, V::u64(5))},
        {R"({"op":"eq","field":3,"value":-5})", F::eq(3, V::i64(-5))},
        {R"({"op":"eq","field":3,"value":2.5})", F::eq(3, V::f64(2.5))},
        {R"({"op":"eq","field":3,"value":"s"})", F::eq(3, V::str("s"))},
        {R"({"op":"eq","field":3,"value":true})", F::eq(3, V::boolean(true))},
        {R"({"op":"eq","field":3,"value":{"i64":"-9223372036854775808"}})",
         F::eq(3, V::i64(std::numeric_limits<int64_t>::min()))},
        {R"({"op":"eq","field":3,"value":{"f64":"-inf"}})", F::eq(3, V::f64(-kInf))},
        {R"({"op":"eq","field":3,"value":{"f64":3}})", F::eq(3, V::f64(3.0))},
        {R"({"op":"eq","field":3,"value":{"bytes":"00Ff"}})", F::eq(3, V::bytes(std::string_view("\0\xff", 2)))},
        // Upstream N-API (spec §9.1): fieldId + valueType + string literals.
        {R"({"op":"eq","fieldId":3,"valueType":"u64","value":"5"})", F::eq(3, V::u64(5))},
        {R"({"op":"ge","fieldId":3,"valueType":"f64","value":"0.25"})", F::ge(3, V::f64(0.25))},
        {R"({"op":"ne","fieldId":3,"valueType":"bool","value":"false"})", F::ne(3, V::boolean(false))},
        {R"({"op":"in","fieldId":2,"valueType":"i64","values":["-1","7"]})", F::in(2, {V::i64(-1), V::i64(7)})},
        {R"({"op":"range","fieldId":1,"valueType":"string","low":"a","high":"b"})",
         F::range(1, V::str("a"), V::str("b"))},
        {R"({"op":"not","child":{"op":"eq","fieldId":0,"valueType":"string","value":"x"}})",
         F::negate(F::eq(0, V::str("x")))},
        {R"({"op":"and","children":[]})", F::all_of({})},
        // TS SDK spellings.
        {R"({"op":"or","exprs":[{"op":"eq","fieldId":1,"value":"a"}]})", F::any_of({F::eq(1, V::str("a"))})},
        {R"({"op":"not","expr":{"op":"lt","field":1,"value":1}})", F::negate(F::lt(1, V::u64(1)))},
    };
    for (const J &c : cases) {
        auto f = filter_from_json(c.json);
        ASSERT_TRUE(f.ok()) << c.json << ": " << f.error().to_string();
        EXPECT_EQ(f.value(), c.want) << c.json;
    }
}

TEST(FilterJson, MalformedInputsAreFilterParseErrors) {
    std::string deep = R"({"op":"eq","field":1,"value":1})";
    for (int i = 0; i < 64; ++i)
        deep = R"({"op":"not","child":)" + deep + "}";
    const std::vector<std::string> bad = {
        "",
        "{",
        "[]",
        "null",
        R"({"field":1,"value":1})",
        R"({"op":"xor","field":1,"value":1})",
        R"({"op":3})",
        R"({"op":"eq","value":1})",
        R"({"op":"eq","field":65536,"value":1})",
        R"({"op":"eq","field":-1,"value":1})",
        R"({"op":"eq","field":1.5,"value":1})",
        R"({"op":"eq","field":"1","value":1})",
        R"({"op":"eq","field":1})",
        R"({"op":"eq","field":1,"value":1,"extra":0})",
        R"({"op":"eq","field":1,"fieldId":1,"value":1})",
        R"({"op":"eq","field":1,"value":{"u64":1,"i64":1}})",
        R"({"op":"eq","field":1,"value":{"u32":1}})",
        R"({"op":"eq","field":1,"value":{"u64":-1}})",
        R"({"op":"eq","field":1,"value":{"u64":1.5}})",
        R"({"op":"eq","field":1,"value":{"u64":"12x"}})",
        R"({"op":"eq","field":1,"value":{"u64":"18446744073709551616"}})",
        R"({"op":"eq","field":1,"value":{"i64":9223372036854775808}})",
        R"({"op":"eq","field":1,"value":{"f64":" 1"}})",
        R"({"op":"eq","field":1,"value":{"bytes":"abc"}})",
        R"({"op":"eq","field":1,"value":{"bytes":"zz"}})",
        R"({"op":"eq","field":1,"value":{"bool":"yes"}})",
        R"({"op":"eq","field":1,"value":null})",
        R"({"op":"eq","field":1,"value":[1]})",
        R"({"op":"eq","fieldId":1,"valueType":"bool","value":"yes"})",
        R"({"op":"eq","fieldId":1,"valueType":"u128","value":"1"})",
        R"({"op":"eq","fieldId":1,"valueType":"u64","value":{"u64":1}})",
        R"({"op":"in","field":1,"values":1})",
        R"({"op":"in","field":1,"value":1})",
        R"({"op":"range","field":1,"low":1})",
        R"({"op":"and","children":{}})",
        R"({"op":"and","children":[1]})",
        R"({"op":"and"})",
        R"({"op":"and","children":[],"exprs":[]})",
        R"({"op":"not","child":[]})",
        R"({"op":"not","children":[]})",
        R"({"op":"and","children":[],"field":1})",
        deep,
    };
    for (const std::string &s : bad) {
        auto f = filter_from_json(s);
        ASSERT_FALSE(f.ok()) << s;
        EXPECT_EQ(f.status(), Status::FilterParseError) << s << ": " << f.error().to_string();
    }
    // 64 levels (63 nots around a leaf) are fine.
    std::string ok = R"({"op":"eq","field":1,"value":1})";
    for (int i = 0; i < 63; ++i)
        ok = R"({"op":"not","child":)" + ok + "}";
    EXPECT_TRUE(filter_from_json(ok).ok());
    auto msg = filter_from_json(R"({"op":"and","children":[{"op":"eq","field":1,"value":{"u64":-1}}]})");
    EXPECT_NE(msg.error().message.find("$.children[0].value.u64"), std::string::npos) << msg.error().message;
}

TEST(FilterWire, PinnedBytesAndRoundTrip) {
    auto leaf = filter_to_wire(F::eq(3, V::u64(5)));
    ASSERT_TRUE(leaf.ok());
    const std::vector<uint8_t> want_leaf = {0x00, 0x03, 0x00, 0x00, 5, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(*leaf, want_leaf);
    const F tree = F::all_of({F::eq(3, V::u64(5)), F::negate(F::in(1, {V::str("a"), V::i64(-1)}))});
    auto w = filter_to_wire(tree);
    ASSERT_TRUE(w.ok());
    std::vector<uint8_t> want = {0x10, 0, 0, 0, 2, 0, 0, 0};
    want.insert(want.end(), want_leaf.begin(), want_leaf.end());
    const std::vector<uint8_t> rest = {0x12, 0, 0, 0,                             // not
                                       0x06, 1, 0, 0xFF, 2, 0, 0, 0,              // in, field 1, mixed, n = 2
                                       3,    1, 0, 0,    0, 'a',                  // string "a"
                                       1,    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}; // i64 −1
    want.insert(want.end(), rest.begin(), rest.end());
    EXPECT_EQ(*w, want);
    auto back = filter_from_wire(ByteView(w->data(), w->size()));
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back.value(), tree);

    const F s = sample_filter();
    auto sw = filter_to_wire(s);
    ASSERT_TRUE(sw.ok());
    auto sb = filter_from_wire(ByteView(sw->data(), sw->size()));
    ASSERT_TRUE(sb.ok());
    EXPECT_EQ(sb.value(), s);
    // NaN payload bits survive the binary form.
    const double odd_nan = __builtin_bit_cast(double, 0xFFF0000000000123ull);
    auto nw = *filter_to_wire(F::eq(1, V::f64(odd_nan)));
    EXPECT_EQ(filter_from_wire(ByteView(nw.data(), nw.size()))->values[0], V::f64(odd_nan));
    // Invalid shapes are refused by the encoder.
    F bad = F::eq(1, V::u64(1));
    bad.values.clear();
    EXPECT_EQ(filter_to_wire(bad).status(), Status::FilterParseError);
}

TEST(FilterWire, MalformedBytesAreFilterParseErrors) {
    const auto good = *filter_to_wire(sample_filter());
    for (size_t n = 0; n < good.size(); ++n)
        EXPECT_EQ(filter_from_wire(ByteView(good.data(), n)).status(), Status::FilterParseError) << n;
    auto extra = good;
    extra.push_back(0);
    EXPECT_EQ(filter_from_wire(ByteView(extra.data(), extra.size())).status(), Status::FilterParseError);
    const std::vector<std::vector<uint8_t>> bad = {
        {0x08, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},             // unknown op
        {0x13, 0, 0, 0},                                      // unknown op
        {0x00, 1, 0, 6, 0},                                   // unknown value type
        {0x00, 1, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0},        // mixed marker on eq
        {0x00, 1, 0, 5, 2},                                   // bool 2
        {0x00, 1, 0, 3, 5, 0, 0, 0, 'a'},                     // string shorter than its length
        {0x06, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF},              // in-list count beyond the bytes
        {0x06, 1, 0, 0xFF, 1, 0, 0, 0, 0xFF, 0},              // nested mixed marker
        {0x10, 1, 0, 0, 0, 0, 0, 0},                          // and with a field id
        {0x10, 0, 0, 3, 0, 0, 0, 0},                          // and with a value type
        {0x11, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x0F},              // child count beyond the bytes
        {0x12, 0, 0, 0},                                      // not without its child
        {0x07, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},              // range with one value
    };
    for (const auto &b : bad) {
        auto f = filter_from_wire(ByteView(b.data(), b.size()));
        EXPECT_EQ(f.status(), Status::FilterParseError) << (f.ok() ? filter_to_json(f.value()) : "");
    }
    std::vector<uint8_t> deep;
    for (int i = 0; i < 64; ++i)
        deep.insert(deep.end(), {0x12, 0, 0, 0});
    const std::vector<uint8_t> leaf = {0x00, 1, 0, 5, 1};
    auto at64 = deep;
    at64.erase(at64.begin(), at64.begin() + 4);
    at64.insert(at64.end(), leaf.begin(), leaf.end());
    EXPECT_TRUE(filter_from_wire(ByteView(at64.data(), at64.size())).ok());
    deep.insert(deep.end(), leaf.begin(), leaf.end());
    EXPECT_EQ(filter_from_wire(ByteView(deep.data(), deep.size())).status(), Status::FilterParseError);
    // Empty and-list and empty in-list are legal.
    const std::vector<uint8_t> empty_and = {0x10, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(filter_from_wire(ByteView(empty_and.data(), empty_and.size())).value(), F::all_of({}));
}

TEST(FilterSelectivity, ExactLeavesIndependentCombinatorsAndStrategy) {
    MetadataTable t;
    for (uint64_t i = 0; i < 1000; ++i)
        t.put(i, {{1, V::u64(i)}, {2, V::str("c" + std::to_string(i % 10))}, {3, V::boolean(i % 2 == 0)}});
    const size_t live = 1000;
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::eq(1, V::u64(5)), t, live), 0.001);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::range(1, V::u64(0), V::u64(100)), t, live), 0.1);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::in(2, {V::str("c1"), V::str("c2"), V::str("c1")}), t, live), 0.2);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::eq(3, V::boolean(true)), t, live), 0.5);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::all_of({F::eq(2, V::str("c3")), F::eq(3, V::boolean(true))}), t, live),
                     0.05);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::any_of({F::eq(2, V::str("c3")), F::eq(3, V::boolean(true))}), t, live),
                     1.0 - 0.9 * 0.5);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::negate(F::eq(1, V::u64(5))), t, live), 0.999);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::all_of({}), t, live), 1.0);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::any_of({}), t, live), 0.0);
    // 1000 more live ids without metadata: Ne counts them (missing ⇒ true), Eq does not.
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::ne(1, V::u64(5)), t, 2000), 1999.0 / 2000.0);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::eq(1, V::u64(5)), t, 2000), 0.0005);
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::ne(9, V::u64(5)), t, 2000), 1.0); // unknown field
    EXPECT_DOUBLE_EQ(estimate_selectivity(F::eq(1, V::u64(5)), t, 0), 0.0);

    EXPECT_EQ(choose_strategy(estimate_selectivity(F::eq(1, V::u64(5)), t, live)), FilterStrategy::Pre);
    EXPECT_EQ(choose_strategy(estimate_selectivity(F::range(1, V::u64(0), V::u64(100)), t, live)),
              FilterStrategy::Intra);
    EXPECT_EQ(choose_strategy(estimate_selectivity(F::eq(3, V::boolean(true)), t, live)), FilterStrategy::Post);
    EXPECT_EQ(choose_strategy(0.0099), FilterStrategy::Pre);
    EXPECT_EQ(choose_strategy(0.01), FilterStrategy::Intra);
    EXPECT_EQ(choose_strategy(0.2), FilterStrategy::Intra);
    EXPECT_EQ(choose_strategy(0.2001), FilterStrategy::Post);
    EXPECT_STREQ(filter_strategy_name(FilterStrategy::Intra), "intra");
    EXPECT_EQ(postfilter_candidates(10, 0.5), 20u);
    EXPECT_EQ(postfilter_candidates(10, 0.25), 40u);
    EXPECT_EQ(postfilter_candidates(10, 0.001), 100u); // capped at 10×
    EXPECT_EQ(postfilter_candidates(10, 1.0), 10u);
    EXPECT_EQ(intrafilter_max_skips(100), 300u);
}

namespace {

struct Pools {
    std::vector<V> u64 = {V::u64(0), V::u64(1), V::u64(2), V::u64(3), V::u64(5), V::u64(10),
                          V::u64(std::numeric_limits<uint64_t>::max())};
    std::vector<V> i64 = {V::i64(-3), V::i64(-1), V::i64(0), V::i64(1), V::i64(3),
                          V::i64(std::numeric_limits<int64_t>::min())};
    std::vector<V> f64 = {V::f64(kNaN), V::f64(-0.0), V::f64(0.0), V::f64(-1.5),
                          V::f64(1.5),  V::f64(kInf), V::f64(-kInf), V::f64(2.0)};
    std::vector<V> str = {V::str(""), V::str("a"), V::str("ab"), V::str("b"), V::str("\xff")};
    std::vector<V> boo = {V::boolean(false), V::boolean(true)};
    std::vector<V> byt = {V::bytes(std::string_view("")), V::bytes(std::string_view("a\0", 2))};

    V pick(std::mt19937_64 &rng, int type) const {
        const std::vector<V> *p[] = {&u64, &i64, &f64, &str, &boo, &byt};
        const auto &v = *p[type];
        return v[rng() % v.size()];
    }
};

F random_expr(std::mt19937_64 &rng, const Pools &pools, int depth) {
    auto lit = [&](int field) { // mostly the field's own type, sometimes another
        const int type = rng() % 8 == 0 ? static_cast<int>(rng() % 6) : field % 5;
        return pools.pick(rng, type);
    };
    if (depth >= 4 || rng() % 10 < 6) {
        const uint16_t field = static_cast<uint16_t>(rng() % 7); // field 6: nobody has it
        switch (rng() % 8) {
        case 0:
            return F::eq(field, lit(field));
        case 1:
            return F::ne(field, lit(field));
        case 2:
            return F::lt(field, lit(field));
        case 3:
            return F::le(field, lit(field));
        case 4:
            return F::gt(field, lit(field));
        case 5:
            return F::ge(field, lit(field));
        case 6: {
            std::vector<V> vals;
            for (int n = static_cast<int>(rng() % 5); n > 0; --n)
                vals.push_back(lit(field));
            return F::in(field, vals);
        }
        default:
            return F::range(field, lit(field), lit(field));
        }
    }
    switch (rng() % 3) {
    case 0:
    case 1: {
        std::vector<F> kids;
        for (int n = static_cast<int>(rng() % 4); n > 0; --n)
            kids.push_back(random_expr(rng, pools, depth + 1));
        return rng() % 2 ? F::all_of(kids) : F::any_of(kids);
    }
    default:
        return F::negate(random_expr(rng, pools, depth + 1));
    }
}

bool ascii_only(const F &e) {
    for (const V &v : e.values)
        if (v.type == MetaType::String)
            for (unsigned char c : v.s)
                if (c >= 0x80)
                    return false;
    for (const F &c : e.children)
        if (!ascii_only(c))
            return false;
    return true;
}

} // namespace

TEST(FilterPrefilter, EqualsBruteForceOn10kRandomRowsAnd200Expressions) {
    std::mt19937_64 rng(20260501);
    const Pools pools;
    MetadataTable t;
    while (t.size() < 10000) {
        std::vector<MetadataEntry> row;
        for (uint16_t f = 0; f < 6; ++f) {
            if (rng() % 10 >= 6)
                continue;
            const int type = rng() % 100 < 85 ? f % 5 : static_cast<int>(rng() % 6);
            V v = pools.pick(rng, type);
            if (type == 0 && rng() % 2)
                v = V::u64(rng() % 12);
            if (type == 2 && rng() % 2)
                v = V::f64(static_cast<double>(static_cast<int>(rng() % 9) - 4) / 2.0);
            row.push_back({f, v});
        }
        if (!row.empty())
            t.put(rng() % 50000, row);
    }
    const std::vector<uint64_t> ids = t.ids();
    size_t nonempty = 0, complements = 0;
    for (int k = 0; k < 200; ++k) {
        const F e = random_expr(rng, pools, 1);
        std::vector<uint64_t> brute;
        for (uint64_t id : ids)
            if (evaluate(e, t, id))
                brute.push_back(id);
        ASSERT_EQ(prefilter_ids(e, t), brute) << filter_to_json(e);
        nonempty += !brute.empty();
        EXPECT_EQ(matches_without_metadata(e), evaluate(e, t, 50001)) << filter_to_json(e);
        complements += matches_without_metadata(e);
        const double sel = estimate_selectivity(e, t, t.size());
        EXPECT_GE(sel, 0.0);
        EXPECT_LE(sel, 1.0);
        if (e.is_leaf()) { // leaves are exact counts
            EXPECT_NEAR(sel * static_cast<double>(t.size()), static_cast<double>(brute.size()), 1e-6)
                << filter_to_json(e);
        }
        // Both serial forms carry the expression exactly.
        auto w = filter_to_wire(e);
        ASSERT_TRUE(w.ok()) << w.error().to_string();
        auto back = filter_from_wire(ByteView(w->data(), w->size()));
        ASSERT_TRUE(back.ok()) << back.error().to_string();
        EXPECT_EQ(back.value(), e);
        auto j = filter_from_json(filter_to_json(e));
        ASSERT_TRUE(j.ok()) << j.error().to_string();
        if (ascii_only(e)) {
            EXPECT_EQ(j.value(), e) << filter_to_json(e);
        }
    }
    EXPECT_GT(nonempty, 60u);    // the generator produces real work, not only empty results
    EXPECT_GT(complements, 10u); // and complement-shaped ones (Ne / Not)
}

// Filters give the same answers after the metadata went through META_SEGs (several commits,
// with replacements and removals in later ones) and was loaded back — i.e. across close/reopen.
TEST(FilterPrefilter, SameResultsAfterPersistAndReload) {
    std::mt19937_64 rng(99);
    const Pools pools;
    MetadataTable live;
    std::vector<std::vector<uint8_t>> segments;
    for (int commit = 0; commit < 8; ++commit) {
        std::vector<uint64_t> touched;
        for (int k = 0; k < 400; ++k) {
            const uint64_t id = rng() % 2000;
            touched.push_back(id);
            if (rng() % 5 == 0) {
                live.erase(id);
                continue;
            }
            std::vector<MetadataEntry> row;
            for (uint16_t f = 0; f < 6; ++f)
                if (rng() % 10 < 6)
                    row.push_back({f, pools.pick(rng, rng() % 100 < 85 ? f % 5 : static_cast<int>(rng() % 6))});
            live.put(id, row);
        }
        auto seg = live.encode_meta_seg(touched);
        ASSERT_TRUE(seg.ok());
        segments.push_back(std::move(*seg));
    }
    MetadataTable reopened;
    for (const auto &s : segments)
        ASSERT_TRUE(reopened.load_meta_seg(ByteView(s.data(), s.size())).ok());
    ASSERT_EQ(reopened.ids(), live.ids());
    for (int k = 0; k < 100; ++k) {
        const F e = random_expr(rng, pools, 1);
        EXPECT_EQ(prefilter_ids(e, reopened), prefilter_ids(e, live)) << filter_to_json(e);
        EXPECT_EQ(estimate_selectivity(e, reopened, 3000), estimate_selectivity(e, live, 3000));
        for (uint64_t id = 0; id < 2000; id += 37)
            EXPECT_EQ(evaluate(e, reopened, id), evaluate(e, live, id));
    }
    auto idx = live.encode_metaidx_segs();
    ASSERT_TRUE(idx.ok());
    for (const auto &p : *idx)
        EXPECT_TRUE(reopened.check_metaidx_seg(ByteView(p.data(), p.size())).ok());
}

// Issue 14 #5: text nesting 100,000 levels is refused by a byte scan before nlohmann parses it
// (a parsed tree that deep would be freed, copied and printed recursively: a stack overflow),
// while the deepest valid filter (64 levels, typed literals) still parses.
TEST(FilterJson, ExcessiveJsonNestingIsRefusedBeforeParsing) {
    const std::string arrays = "{\"op\":\"eq\",\"field\":0,\"value\":" + std::string(100000, '[') +
                               std::string(100000, ']') + "}";
    auto r = filter_from_json(arrays);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, Status::FilterParseError);
    EXPECT_NE(r.error().message.find("nesting deeper"), std::string::npos) << r.error().message;

    std::string nots;
    for (int i = 0; i < 100000; ++i)
        nots += "{\"op\":\"not\",\"child\":";
    auto n = filter_from_json(nots);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().status, Status::FilterParseError);

    // Brackets inside strings are not nesting.
    auto s = filter_from_json("{\"op\":\"eq\",\"field\":0,\"value\":\"" + std::string(1000, '[') + "\"}");
    EXPECT_TRUE(s.ok()) << s.error().to_string();

    // 64 levels of and/children down to an "in" of typed literals: valid, and within the limit.
    std::string deep, close;
    for (size_t i = 1; i < kMaxFilterDepth; ++i) {
        deep += "{\"op\":\"and\",\"children\":[";
        close += "]}";
    }
    deep += "{\"op\":\"in\",\"field\":1,\"values\":[{\"u64\":5}]}" + close;
    auto d = filter_from_json(deep);
    EXPECT_TRUE(d.ok()) << d.error().to_string();
}
