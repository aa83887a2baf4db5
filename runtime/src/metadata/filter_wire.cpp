// Binary filter form (layout in rvf/filter.hpp; spec 10 §9 plus our counts and value layouts).
// Decoding reads only through core::ByteReader; recursion is bounded by the 64-level limit and
// nothing is sized from an unchecked count.
#include <rvf/filter.hpp>

#include <cstdio>
#include <string>

#include "filter_internal.hpp"

namespace rvf {

namespace {

using Op = FilterExpr::Op;
constexpr uint8_t kMixedTypes = 0xFF;

// Wire value types: spec 10 §4 ingest codes 0-4, plus 5 = bool (ours).
uint8_t wire_type(MetaType t) {
    switch (t) {
    case MetaType::U64:
        return 0;
    case MetaType::I64:
        return 1;
    case MetaType::F64:
        return 2;
    case MetaType::String:
        return 3;
    case MetaType::Bytes:
        return 4;
    case MetaType::Bool:
        return 5;
    }
    return kMixedTypes;
}

void put_u16(std::vector<uint8_t> &o, uint16_t v) {
    o.push_back(static_cast<uint8_t>(v));
    o.push_back(static_cast<uint8_t>(v >> 8));
}
void put_u32(std::vector<uint8_t> &o, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t> &o, uint64_t v) {
    for (int i = 0; i < 8; ++i)
        o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Result<void> put_value(std::vector<uint8_t> &o, const MetadataValue &v) {
    switch (v.type) {
    case MetaType::U64:
        put_u64(o, v.u);
        break;
    case MetaType::I64:
        put_u64(o, static_cast<uint64_t>(v.i));
        break;
    case MetaType::F64:
        put_u64(o, __builtin_bit_cast(uint64_t, v.f));
        break;
    case MetaType::Bool:
        o.push_back(v.b ? 1 : 0);
        break;
    case MetaType::String:
    case MetaType::Bytes:
        if (v.s.size() > UINT32_MAX)
            return Error{Status::SegmentTooLarge, "filter literal longer than 4 GiB"};
        put_u32(o, static_cast<uint32_t>(v.s.size()));
        o.insert(o.end(), v.s.begin(), v.s.end());
        break;
    }
    return {};
}

Result<void> put_node(std::vector<uint8_t> &o, const FilterExpr &e) {
    o.push_back(static_cast<uint8_t>(e.op));
    if (!e.is_leaf()) {
        put_u16(o, 0);
        o.push_back(0);
        if (e.op != Op::Not) {
            if (e.children.size() > UINT32_MAX)
                return Error{Status::FilterParseError, "filter node with more than 2^32-1 children"};
            put_u32(o, static_cast<uint32_t>(e.children.size()));
        }
        for (const FilterExpr &c : e.children)
            if (auto r = put_node(o, c); !r.ok())
                return r;
        return {};
    }
    put_u16(o, e.field_id);
    bool same = true;
    for (const MetadataValue &v : e.values)
        same = same && v.type == e.values[0].type;
    const bool prefixed = !same;
    o.push_back(prefixed ? kMixedTypes : (e.values.empty() ? 0 : wire_type(e.values[0].type)));
    if (e.op == Op::In) {
        if (e.values.size() > UINT32_MAX)
            return Error{Status::FilterParseError, "in-list longer than 2^32-1"};
        put_u32(o, static_cast<uint32_t>(e.values.size()));
    }
    for (const MetadataValue &v : e.values) {
        if (prefixed)
            o.push_back(wire_type(v.type));
        if (auto r = put_value(o, v); !r.ok())
            return r;
    }
    return {};
}

struct Decoder {
    core::ByteReader r;

    Error fail(const std::string &msg) const {
        return Error{Status::FilterParseError, "filter bytes at offset " + std::to_string(r.pos()) + ": " + msg};
    }

    Result<MetadataValue> value(uint8_t t) {
        switch (t) {
        case 0:
        case 1:
        case 2: {
            const uint64_t raw = r.u64();
            if (!r.ok())
                return fail("value truncated");
            return t == 0 ? MetadataValue::u64(raw)
                          : t == 1 ? MetadataValue::i64(static_cast<int64_t>(raw))
                                   : MetadataValue::f64(__builtin_bit_cast(double, raw));
        }
        case 3:
        case 4: {
            const uint32_t len = r.u32();
            const core::ByteView b = r.bytes(len);
            if (!r.ok())
                return fail("string value truncated");
            const std::string_view sv(reinterpret_cast<const char *>(b.data), b.size);
            return t == 3 ? MetadataValue::str(std::string(sv)) : MetadataValue::bytes(sv);
        }
        case 5: {
            const uint8_t b = r.u8();
            if (!r.ok())
                return fail("bool value truncated");
            if (b > 1)
                return fail("bool value must be 0 or 1");
            return MetadataValue::boolean(b == 1);
        }
        default: {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(t));
            return fail(std::string("unknown value type ") + buf);
        }
        }
    }

    Result<void> values(FilterExpr &e, uint8_t vt, uint64_t n) {
        for (uint64_t i = 0; i < n; ++i) {
            uint8_t t = vt;
            if (vt == kMixedTypes) {
                t = r.u8();
                if (!r.ok())
                    return fail("value type truncated");
                if (t == kMixedTypes)
                    return fail("nested mixed-type marker");
            }
            auto v = value(t);
            if (!v.ok())
                return v.error();
            e.values.push_back(std::move(v.value()));
        }
        return {};
    }

    Result<FilterExpr> node(size_t depth) {
        if (depth > kMaxFilterDepth)
            return fail("nesting deeper than 64");
        const size_t at = r.pos();
        FilterExpr e;
        const uint8_t op = r.u8();
        e.field_id = r.u16();
        const uint8_t vt = r.u8();
        if (!r.ok())
            return fail("node header truncated");
        e.op = static_cast<Op>(op);
        if (op < static_cast<uint8_t>(Op::And) && vt > 5 && vt != kMixedTypes) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(vt));
            return fail(std::string("unknown value type ") + buf);
        }
        switch (e.op) {
        case Op::Eq:
        case Op::Ne:
        case Op::Lt:
        case Op::Le:
        case Op::Gt:
        case Op::Ge:
        case Op::Range:
            if (vt == kMixedTypes && e.op != Op::Range)
                return fail("mixed-type marker on a single-value op");
            if (auto v = values(e, vt, e.op == Op::Range ? 2 : 1); !v.ok())
                return v.error();
            return e;
        case Op::In: {
            const uint32_t n = r.u32();
            if (!r.ok())
                return fail("in-list count truncated");
            if (n > r.remaining()) // every value takes at least one byte
                return fail("in-list count exceeds the remaining bytes");
            if (auto v = values(e, vt, n); !v.ok())
                return v.error();
            return e;
        }
        case Op::And:
        case Op::Or:
        case Op::Not: {
            if (e.field_id != 0 || vt != 0) {
                r.seek(at);
                return fail("and/or/not must have field_id 0 and value_type 0");
            }
            uint32_t n = 1;
            if (e.op != Op::Not) {
                n = r.u32();
                if (!r.ok())
                    return fail("child count truncated");
                if (n > r.remaining() / 4) // every node takes at least 4 bytes
                    return fail("child count exceeds the remaining bytes");
            }
            for (uint32_t i = 0; i < n; ++i) {
                auto c = node(depth + 1);
                if (!c.ok())
                    return c.error();
                e.children.push_back(std::move(c.value()));
            }
            return e;
        }
        }
        r.seek(at);
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(op));
        return fail(std::string("unknown op ") + buf);
    }
};

} // namespace

Result<std::vector<uint8_t>> filter_to_wire(const FilterExpr &expr) {
    if (auto r = detail::check_filter_shape(expr, /*allow_bytes=*/true); !r.ok())
        return r.error();
    std::vector<uint8_t> out;
    if (auto r = put_node(out, expr); !r.ok())
        return r.error();
    return out;
}

Result<FilterExpr> filter_from_wire(core::ByteView bytes) {
    Decoder d{core::ByteReader(bytes)};
    auto e = d.node(1);
    if (!e.ok())
        return e;
    if (!d.r.at_end())
        return d.fail("trailing bytes after the filter");
    return e;
}

} // namespace rvf
