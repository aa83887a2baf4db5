// Internal to runtime/src/metadata: helpers shared by the filter evaluator and its codecs.
#pragma once
#include <rvf/filter.hpp>

namespace rvf::detail {
/// validate_filter_shape, optionally letting Bytes literals through (the JSON and binary forms
/// carry them faithfully; only evaluation-facing validation refuses them).
Result<void> check_filter_shape(const FilterExpr &e, bool allow_bytes);
} // namespace rvf::detail
