// FilterExpr construction and naming, and the spec §6.7 strategy rules.
#include <rvf/filter.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rvf {

using Op = FilterExpr::Op;

// --- construction -------------------------------------------------------------------------------
namespace {
FilterExpr leaf(Op op, uint16_t field, std::vector<MetadataValue> vals) {
    FilterExpr e;
    e.op = op;
    e.field_id = field;
    e.values = std::move(vals);
    return e;
}
FilterExpr node(Op op, std::vector<FilterExpr> children) {
    FilterExpr e;
    e.op = op;
    e.children = std::move(children);
    return e;
}
} // namespace

FilterExpr FilterExpr::eq(uint16_t f, MetadataValue v) { return leaf(Op::Eq, f, {std::move(v)}); }
FilterExpr FilterExpr::ne(uint16_t f, MetadataValue v) { return leaf(Op::Ne, f, {std::move(v)}); }
FilterExpr FilterExpr::lt(uint16_t f, MetadataValue v) { return leaf(Op::Lt, f, {std::move(v)}); }
FilterExpr FilterExpr::le(uint16_t f, MetadataValue v) { return leaf(Op::Le, f, {std::move(v)}); }
FilterExpr FilterExpr::gt(uint16_t f, MetadataValue v) { return leaf(Op::Gt, f, {std::move(v)}); }
FilterExpr FilterExpr::ge(uint16_t f, MetadataValue v) { return leaf(Op::Ge, f, {std::move(v)}); }
FilterExpr FilterExpr::in(uint16_t f, std::vector<MetadataValue> vals) { return leaf(Op::In, f, std::move(vals)); }
FilterExpr FilterExpr::range(uint16_t f, MetadataValue lo, MetadataValue hi) {
    return leaf(Op::Range, f, {std::move(lo), std::move(hi)});
}
FilterExpr FilterExpr::all_of(std::vector<FilterExpr> c) { return node(Op::And, std::move(c)); }
FilterExpr FilterExpr::any_of(std::vector<FilterExpr> c) { return node(Op::Or, std::move(c)); }
FilterExpr FilterExpr::negate(FilterExpr child) {
    std::vector<FilterExpr> c;
    c.push_back(std::move(child));
    return node(Op::Not, std::move(c));
}

bool FilterExpr::operator==(const FilterExpr &o) const {
    return op == o.op && field_id == o.field_id && values == o.values && children == o.children;
}

const char *filter_op_name(Op op) {
    switch (op) {
    case Op::Eq:
        return "eq";
    case Op::Ne:
        return "ne";
    case Op::Lt:
        return "lt";
    case Op::Le:
        return "le";
    case Op::Gt:
        return "gt";
    case Op::Ge:
        return "ge";
    case Op::In:
        return "in";
    case Op::Range:
        return "range";
    case Op::And:
        return "and";
    case Op::Or:
        return "or";
    case Op::Not:
        return "not";
    }
    return "?";
}

FilterStrategy choose_strategy(double selectivity) {
    if (selectivity < kPrefilterBelow)
        return FilterStrategy::Pre;
    if (selectivity > kPostfilterAbove)
        return FilterStrategy::Post;
    return FilterStrategy::Intra;
}

const char *filter_strategy_name(FilterStrategy s) {
    switch (s) {
    case FilterStrategy::Pre:
        return "pre";
    case FilterStrategy::Intra:
        return "intra";
    case FilterStrategy::Post:
        return "post";
    }
    return "?";
}

size_t postfilter_candidates(size_t k, double selectivity) {
    const double factor = selectivity > 0.0 ? std::min(1.0 / selectivity, 10.0) : 10.0;
    const double want = std::ceil(static_cast<double>(k) * std::max(factor, 1.0));
    if (want >= static_cast<double>(std::numeric_limits<size_t>::max()))
        return std::numeric_limits<size_t>::max();
    return std::max(k, static_cast<size_t>(want));
}

size_t intrafilter_max_skips(size_t ef_search) {
    return ef_search > std::numeric_limits<size_t>::max() / 3 ? std::numeric_limits<size_t>::max() : 3 * ef_search;
}

} // namespace rvf
