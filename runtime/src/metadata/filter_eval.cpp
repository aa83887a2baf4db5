// §5.1 evaluation, validation, selectivity estimation and index-driven pre-filtering. prefilter_ids must agree with evaluate exactly; both are built on
// the same leaf_holds() so the rules live in one place.
#include <rvf/filter.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include <rvf/core/format/meta_seg.hpp>
#include <rvf/core/format/metaidx_seg.hpp>

#include "filter_internal.hpp"

namespace rvf {

using Op = FilterExpr::Op;

// --- §5.1 leaf rule -----------------------------------------------------------------------------
namespace {

enum class Var : uint8_t { U64, I64, F64, Str, Bool };
constexpr int kUnordered = 2; // cmp result for a variant mismatch or a NaN

Var variant(MetaType t) {
    switch (t) {
    case MetaType::U64:
        return Var::U64;
    case MetaType::I64:
        return Var::I64;
    case MetaType::F64:
        return Var::F64;
    case MetaType::Bool:
        return Var::Bool;
    case MetaType::String:
    case MetaType::Bytes:
        return Var::Str;
    }
    return Var::Str;
}
// The string a value filters as (Bytes ⇒ "").
std::string_view text_of(const MetadataValue &v) { return v.type == MetaType::String ? std::string_view(v.s) : ""; }

template <class T> int three_way(T a, T b) { return a < b ? -1 : (b < a ? 1 : 0); }

// −1 / 0 / 1, or kUnordered (different variants, or a NaN involved).
int compare(const MetadataValue &a, const MetadataValue &b) {
    const Var va = variant(a.type);
    if (va != variant(b.type))
        return kUnordered;
    switch (va) {
    case Var::U64:
        return three_way(a.u, b.u);
    case Var::I64:
        return three_way(a.i, b.i);
    case Var::Bool:
        return three_way(a.b, b.b);
    case Var::F64:
        if (std::isnan(a.f) || std::isnan(b.f))
            return kUnordered;
        return three_way(a.f, b.f);
    case Var::Str: {
        const int c = text_of(a).compare(text_of(b)); // char_traits<char>: unsigned bytewise
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    }
    return kUnordered;
}

bool leaf_arity_ok(const FilterExpr &e) {
    switch (e.op) {
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
        return e.values.size() == 1;
    case Op::Range:
        return e.values.size() == 2;
    case Op::In:
        return true;
    default:
        return false;
    }
}

// Does a leaf hold for an id whose value of the field is `v` (nullptr = missing)?
bool leaf_holds(const FilterExpr &e, const MetadataValue *v) {
    if (!leaf_arity_ok(e))
        return false;
    if (v == nullptr)
        return e.op == Op::Ne;
    switch (e.op) {
    case Op::Eq:
        return compare(*v, e.values[0]) == 0;
    case Op::Ne: {
        const int c = compare(*v, e.values[0]);
        return variant(v->type) == variant(e.values[0].type) && c != 0;
    }
    case Op::Lt:
        return compare(*v, e.values[0]) == -1;
    case Op::Le: {
        const int c = compare(*v, e.values[0]);
        return c == -1 || c == 0;
    }
    case Op::Gt:
        return compare(*v, e.values[0]) == 1;
    case Op::Ge: {
        const int c = compare(*v, e.values[0]);
        return c == 0 || c == 1;
    }
    case Op::In:
        return std::any_of(e.values.begin(), e.values.end(),
                           [&](const MetadataValue &lit) { return compare(*v, lit) == 0; });
    case Op::Range: {
        const int lo = compare(*v, e.values[0]), hi = compare(*v, e.values[1]);
        return (lo == 0 || lo == 1) && hi == -1;
    }
    default:
        return false;
    }
}

const MetadataValue *find_field(const std::vector<MetadataEntry> *row, uint16_t field) {
    if (row == nullptr)
        return nullptr;
    auto it = std::lower_bound(row->begin(), row->end(), field,
                               [](const MetadataEntry &e, uint16_t f) { return e.field_id < f; });
    return it != row->end() && it->field_id == field ? &it->value : nullptr;
}

bool eval_row(const FilterExpr &e, const std::vector<MetadataEntry> *row, size_t depth) {
    if (depth > kMaxFilterDepth)
        return false;
    switch (e.op) {
    case Op::And:
        return std::all_of(e.children.begin(), e.children.end(),
                           [&](const FilterExpr &c) { return eval_row(c, row, depth + 1); });
    case Op::Or:
        return std::any_of(e.children.begin(), e.children.end(),
                           [&](const FilterExpr &c) { return eval_row(c, row, depth + 1); });
    case Op::Not:
        return e.children.size() == 1 && !eval_row(e.children[0], row, depth + 1);
    default:
        return leaf_holds(e, find_field(row, e.field_id));
    }
}

} // namespace

bool evaluate(const FilterExpr &expr, const MetadataTable &table, uint64_t id) {
    return eval_row(expr, table.get(id), 1);
}

bool matches_without_metadata(const FilterExpr &expr) { return eval_row(expr, nullptr, 1); }

// --- validation ---------------------------------------------------------------------------------
namespace {
Result<void> shape_error(const std::string &path, const std::string &msg) {
    return Error{Status::FilterParseError, "filter " + path + ": " + msg};
}

Result<void> check_shape(const FilterExpr &e, const std::string &path, size_t depth, bool allow_bytes) {
    if (depth > kMaxFilterDepth)
        return shape_error(path, "nesting deeper than 64");
    switch (e.op) {
    case Op::And:
    case Op::Or:
    case Op::Not:
        if (!e.values.empty())
            return shape_error(path, std::string(filter_op_name(e.op)) + " takes no values");
        if (e.op == Op::Not && e.children.size() != 1)
            return shape_error(path, "not takes exactly one child");
        for (size_t i = 0; i < e.children.size(); ++i) {
            Result<void> r = check_shape(e.children[i], path + ".children[" + std::to_string(i) + "]", depth + 1,
                                         allow_bytes);
            if (!r.ok())
                return r;
        }
        return {};
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::In:
    case Op::Range:
        break;
    default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(e.op));
        return shape_error(path, std::string("unknown op ") + buf);
    }
    }
    if (!e.children.empty())
        return shape_error(path, std::string(filter_op_name(e.op)) + " takes no children");
    if (!leaf_arity_ok(e))
        return shape_error(path, std::string(filter_op_name(e.op)) + (e.op == Op::Range ? " needs 2 values (low, high)"
                                                                                        : " needs exactly 1 value") +
                                     ", got " + std::to_string(e.values.size()));
    if (!allow_bytes)
        for (const MetadataValue &v : e.values)
            if (v.type == MetaType::Bytes)
                return shape_error(path, "bytes literals are not comparable (bytes filter as the empty string, spec §5)");
    return {};
}

} // namespace

namespace detail {
// Shared with the JSON/wire codecs, which carry Bytes literals.
Result<void> check_filter_shape(const FilterExpr &e, bool allow_bytes) { return check_shape(e, "$", 1, allow_bytes); }
} // namespace detail

Result<void> validate_filter_shape(const FilterExpr &expr) { return check_shape(expr, "$", 1, false); }

// A field no row holds is not an error: its leaves see every row as missing the field (§5.1:
// only ne holds), exactly as for a field some rows lack. A periodic "delete where ts < X" job
// must keep working once nothing is left, and the runtime only knows field ids, so an error
// here could never name the field the caller wrote.
Result<void> validate_filter(const FilterExpr &expr, const MetadataTable &) { return validate_filter_shape(expr); }

// --- index lookups ------------------------------------------------------------------------------
namespace {

using IdSet = MetadataTable::IdSet;
using ValueIndex = MetadataTable::ValueIndex;

// The id sets (disjoint) whose union is the set of rows for which a leaf holds — or, when
// `complement` is set, for which it does NOT hold (Ne).
struct Postings {
    std::vector<const IdSet *> sets;
    bool complement = false;
    size_t count() const {
        size_t n = 0;
        for (const IdSet *s : sets)
            n += s->size();
        return n;
    }
};

void add_all(const ValueIndex &vi, std::vector<const IdSet *> &out) {
    for (const auto &kv : vi.numeric)
        out.push_back(&kv.second);
    for (const auto &kv : vi.text)
        out.push_back(&kv.second);
}

// Inclusive key interval; empty when lo > hi.
struct KeyRange {
    uint64_t lo = 1, hi = 0;
};

// Order-key interval of the values v of the literal's numeric variant with `op`(v, lit…).
KeyRange numeric_range(Op op, const FilterExpr &e) {
    const MetadataValue &x = e.values[0];
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    const uint8_t ft = detail::meta_field_type_code(x.type);
    uint64_t rmin = 0, rmax = kMax;
    auto key_lo = [&](const MetadataValue &v) { // smallest key of a value equal to v
        return x.type == MetaType::F64 && v.f == 0.0 ? core::meta_order_key(ft, __builtin_bit_cast(uint64_t, -0.0))
                                                     : detail::meta_numeric_key(v);
    };
    auto key_hi = [&](const MetadataValue &v) { // largest key of a value equal to v
        return x.type == MetaType::F64 && v.f == 0.0 ? core::meta_order_key(ft, __builtin_bit_cast(uint64_t, 0.0))
                                                     : detail::meta_numeric_key(v);
    };
    if (x.type == MetaType::F64) {
        for (const MetadataValue &v : e.values)
            if (std::isnan(v.f))
                return {};
        rmin = core::meta_order_key(ft, __builtin_bit_cast(uint64_t, -HUGE_VAL));
        rmax = core::meta_order_key(ft, __builtin_bit_cast(uint64_t, HUGE_VAL));
    }
    switch (op) {
    case Op::Eq:
        return {key_lo(x), key_hi(x)};
    case Op::Lt:
        return key_lo(x) == 0 ? KeyRange{} : KeyRange{rmin, key_lo(x) - 1};
    case Op::Le:
        return {rmin, key_hi(x)};
    case Op::Gt:
        return key_hi(x) == kMax ? KeyRange{} : KeyRange{key_hi(x) + 1, rmax};
    case Op::Ge:
        return {key_lo(x), rmax};
    case Op::Range: {
        const uint64_t hi = key_lo(e.values[1]);
        return hi == 0 ? KeyRange{} : KeyRange{key_lo(x), hi - 1};
    }
    default:
        return {};
    }
}

// Postings of values v (of the literal's variant) with op(v, lit) true: Eq/Lt/Le/Gt/Ge/Range,
// one variant. For Range the caller guarantees both literals share the variant.
void variant_matches(Op op, const FilterExpr &e, const MetadataTable::FieldIndex &fi,
                     std::vector<const IdSet *> &out) {
    const MetadataValue &x = e.values[0];
    const Var var = variant(x.type);
    if (var != Var::Str) {
        const ValueIndex &vi = fi.by_type[static_cast<size_t>(x.type)];
        const KeyRange r = numeric_range(op, e);
        if (r.lo > r.hi)
            return;
        for (auto it = vi.numeric.lower_bound(r.lo); it != vi.numeric.end() && it->first <= r.hi; ++it)
            out.push_back(&it->second);
        return;
    }
    const ValueIndex &str = fi.by_type[static_cast<size_t>(MetaType::String)];
    const std::string_view lit = text_of(x);
    auto lb = [&](std::string_view s) { return str.text.lower_bound(s); };
    auto ub = [&](std::string_view s) { return str.text.upper_bound(s); };
    auto first = str.text.end(), last = str.text.end();
    switch (op) {
    case Op::Eq:
        first = lb(lit), last = ub(lit);
        break;
    case Op::Lt:
        first = str.text.begin(), last = lb(lit);
        break;
    case Op::Le:
        first = str.text.begin(), last = ub(lit);
        break;
    case Op::Gt:
        first = ub(lit);
        break;
    case Op::Ge:
        first = lb(lit);
        break;
    case Op::Range:
        if (lit < text_of(e.values[1]))
            first = lb(lit), last = lb(text_of(e.values[1]));
        break;
    default:
        break;
    }
    for (auto it = first; it != last; ++it)
        out.push_back(&it->second);
    // Every Bytes value filters as "": all of them match iff "" satisfies the comparison.
    FilterExpr probe;
    probe.op = op;
    probe.values = e.values;
    const MetadataValue empty = MetadataValue::str("");
    if (leaf_holds(probe, &empty))
        add_all(fi.by_type[static_cast<size_t>(MetaType::Bytes)], out);
}

Postings leaf_postings(const FilterExpr &e, const MetadataTable &t) {
    Postings p;
    if (!leaf_arity_ok(e))
        return p; // an invalid leaf holds nowhere (as in evaluate)
    if (e.op == Op::Ne)
        p.complement = true; // the rows where Ne fails: other variants, or Eq
    const MetadataTable::FieldIndex *fi = t.field_index(e.field_id);
    if (fi == nullptr)
        return p;
    switch (e.op) {
    case Op::Ne: {
        const Var var = variant(e.values[0].type);
        for (size_t ty = 0; ty < kMetaTypeCount; ++ty)
            if (variant(static_cast<MetaType>(ty)) != var)
                add_all(fi->by_type[ty], p.sets);
        variant_matches(Op::Eq, e, *fi, p.sets);
        break;
    }
    case Op::In:
        for (const MetadataValue &lit : e.values) {
            FilterExpr one;
            one.values = {lit};
            variant_matches(Op::Eq, one, *fi, p.sets);
        }
        std::sort(p.sets.begin(), p.sets.end());
        p.sets.erase(std::unique(p.sets.begin(), p.sets.end()), p.sets.end());
        break;
    case Op::Range:
        if (variant(e.values[0].type) == variant(e.values[1].type))
            variant_matches(Op::Range, e, *fi, p.sets);
        break;
    default:
        variant_matches(e.op, e, *fi, p.sets);
        break;
    }
    return p;
}

// A set of table ids: `ids` (sorted) or, with `complement`, every table id except `ids`.
struct IdList {
    std::vector<uint64_t> ids;
    bool complement = false;
};

std::vector<uint64_t> set_op(const std::vector<uint64_t> &a, const std::vector<uint64_t> &b, int kind) {
    std::vector<uint64_t> out;
    if (kind == 0)
        std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    else if (kind == 1)
        std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    else
        std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}
constexpr int kIntersect = 0, kUnion = 1, kMinus = 2;

IdList combine_and(IdList a, IdList b) {
    if (!a.complement && !b.complement)
        return {set_op(a.ids, b.ids, kIntersect), false};
    if (!a.complement)
        return {set_op(a.ids, b.ids, kMinus), false};
    if (!b.complement)
        return {set_op(b.ids, a.ids, kMinus), false};
    return {set_op(a.ids, b.ids, kUnion), true};
}
IdList combine_or(IdList a, IdList b) {
    if (!a.complement && !b.complement)
        return {set_op(a.ids, b.ids, kUnion), false};
    if (!a.complement)
        return {set_op(b.ids, a.ids, kMinus), true};
    if (!b.complement)
        return {set_op(a.ids, b.ids, kMinus), true};
    return {set_op(a.ids, b.ids, kIntersect), true};
}

IdList select(const FilterExpr &e, const MetadataTable &t, size_t depth) {
    if (depth > kMaxFilterDepth)
        return {};
    switch (e.op) {
    case Op::And: {
        IdList acc{{}, true};
        for (const FilterExpr &c : e.children) {
            acc = combine_and(std::move(acc), select(c, t, depth + 1));
            if (!acc.complement && acc.ids.empty())
                break;
        }
        return acc;
    }
    case Op::Or: {
        IdList acc{{}, false};
        for (const FilterExpr &c : e.children)
            acc = combine_or(std::move(acc), select(c, t, depth + 1));
        return acc;
    }
    case Op::Not: {
        if (e.children.size() != 1)
            return {};
        IdList r = select(e.children[0], t, depth + 1);
        r.complement = !r.complement;
        return r;
    }
    default: {
        const Postings p = leaf_postings(e, t);
        IdList r;
        r.complement = p.complement;
        r.ids.reserve(p.count());
        for (const IdSet *s : p.sets)
            r.ids.insert(r.ids.end(), s->begin(), s->end());
        std::sort(r.ids.begin(), r.ids.end()); // the sets are disjoint: no duplicates
        return r;
    }
    }
}

double selectivity(const FilterExpr &e, const MetadataTable &t, double live, double without_row, size_t depth) {
    if (depth > kMaxFilterDepth)
        return 0.0;
    switch (e.op) {
    case Op::And: {
        double s = 1.0;
        for (const FilterExpr &c : e.children)
            s *= selectivity(c, t, live, without_row, depth + 1);
        return s;
    }
    case Op::Or: {
        double miss = 1.0;
        for (const FilterExpr &c : e.children)
            miss *= 1.0 - selectivity(c, t, live, without_row, depth + 1);
        return 1.0 - miss;
    }
    case Op::Not:
        return e.children.size() == 1 ? 1.0 - selectivity(e.children[0], t, live, without_row, depth + 1) : 0.0;
    default: {
        const Postings p = leaf_postings(e, t);
        const double n = static_cast<double>(p.count());
        double hits = p.complement ? static_cast<double>(t.size()) - n : n;
        if (leaf_holds(e, nullptr))
            hits += without_row;
        return std::clamp(hits / live, 0.0, 1.0);
    }
    }
}

} // namespace

std::vector<uint64_t> prefilter_ids(const FilterExpr &expr, const MetadataTable &table) {
    IdList r = select(expr, table, 1);
    if (!r.complement)
        return std::move(r.ids);
    return set_op(table.ids(), r.ids, kMinus);
}

double estimate_selectivity(const FilterExpr &expr, const MetadataTable &table, size_t live_count) {
    if (live_count == 0)
        return 0.0;
    const double live = static_cast<double>(live_count);
    const double without_row = live_count > table.size() ? static_cast<double>(live_count - table.size()) : 0.0;
    return std::clamp(selectivity(expr, table, live, without_row, 1), 0.0, 1.0);
}

} // namespace rvf
