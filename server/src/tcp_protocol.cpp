// tcp_protocol.cpp — see rvf/server/tcp_protocol.hpp for every layout.
#include <rvf/server/tcp_protocol.hpp>

namespace rvf::server::tcp {
namespace {

using core::ByteReader;
using core::ByteView;

Error bad(const std::string &what) { return Error{Status::InvalidArgument, what}; }

// Growable little-endian writer for payloads (core::ByteWriter writes into fixed buffers).
struct Out {
    std::vector<uint8_t> b;
    void u8(uint8_t v) { b.push_back(v); }
    void u16(uint16_t v) {
        uint8_t t[2];
        core::store_u16_le(t, v);
        b.insert(b.end(), t, t + 2);
    }
    void u32(uint32_t v) {
        uint8_t t[4];
        core::store_u32_le(t, v);
        b.insert(b.end(), t, t + 4);
    }
    void u64(uint64_t v) {
        uint8_t t[8];
        core::store_u64_le(t, v);
        b.insert(b.end(), t, t + 8);
    }
    void f32(float v) { u32(__builtin_bit_cast(uint32_t, v)); }
    void bytes(const void *p, size_t n) {
        const auto *c = static_cast<const uint8_t *>(p);
        b.insert(b.end(), c, c + n);
    }
};

// Reads `count` little-endian f32 values after checking they are all there.
bool read_floats(ByteReader &r, size_t count, std::vector<float> &out) {
    uint64_t bytes = 0;
    if (core::mul_overflows(count, 4, &bytes) || !r.has(static_cast<size_t>(bytes)))
        return false;
    out.resize(count);
    for (size_t i = 0; i < count; ++i)
        out[i] = r.f32();
    return r.ok();
}

Result<FilterExpr> read_filter(ByteReader &r, size_t len) {
    const ByteView v = r.bytes(len);
    if (!r.ok())
        return bad("filter block is longer than the payload");
    return filter_from_wire(v);
}

// Metadata value codes: spec 10 §4's ingest types 0-4 plus 5 bool (the filter form's codes).
enum : uint8_t { kU64 = 0, kI64 = 1, kF64 = 2, kString = 3, kBytes = 4, kBool = 5 };

Result<MetadataValue> read_meta_value(ByteReader &r, uint8_t type, const std::string &where) {
    switch (type) {
    case kU64:
        if (r.has(8))
            return MetadataValue::u64(r.u64());
        break;
    case kI64:
        if (r.has(8))
            return MetadataValue::i64(static_cast<int64_t>(r.u64()));
        break;
    case kF64:
        if (r.has(8))
            return MetadataValue::f64(r.f64());
        break;
    case kString:
    case kBytes: {
        const uint32_t len = r.u32();
        const ByteView v = r.bytes(len);
        if (!r.ok())
            break;
        const std::string_view s(reinterpret_cast<const char *>(v.data), v.size);
        return type == kString ? MetadataValue::str(std::string(s)) : MetadataValue::bytes(s);
    }
    case kBool: {
        if (!r.has(1))
            break;
        const uint8_t b = r.u8();
        if (b > 1)
            return bad(where + ": bool value must be 0 or 1");
        return MetadataValue::boolean(b == 1);
    }
    default:
        return bad(where + ": unknown metadata type " + std::to_string(type));
    }
    return bad(where + ": value runs past the payload");
}

Result<void> write_meta_value(Out &o, const MetadataValue &v) {
    switch (v.type) {
    case MetaType::U64:
        o.u8(kU64);
        o.u64(v.u);
        break;
    case MetaType::I64:
        o.u8(kI64);
        o.u64(static_cast<uint64_t>(v.i));
        break;
    case MetaType::F64:
        o.u8(kF64);
        o.u64(__builtin_bit_cast(uint64_t, v.f));
        break;
    case MetaType::String:
    case MetaType::Bytes:
        if (v.s.size() > UINT32_MAX)
            return bad("metadata value longer than 4 GiB");
        o.u8(v.type == MetaType::String ? kString : kBytes);
        o.u32(static_cast<uint32_t>(v.s.size()));
        o.bytes(v.s.data(), v.s.size());
        break;
    case MetaType::Bool:
        o.u8(kBool);
        o.u8(v.b ? 1 : 0);
        break;
    }
    return {};
}

} // namespace

FrameHeader decode_header(const uint8_t (&bytes)[kFrameHeaderSize]) {
    FrameHeader h;
    h.payload_len = core::load_u32_be(bytes);
    h.type = bytes[4];
    h.msg_id = {bytes[5], bytes[6], bytes[7]};
    return h;
}

std::vector<uint8_t> encode_frame(uint8_t type, std::array<uint8_t, 3> msg_id, std::span<const uint8_t> payload) {
    std::vector<uint8_t> f(kFrameHeaderSize + payload.size());
    core::store_u32_be(f.data(), static_cast<uint32_t>(payload.size()));
    f[4] = type;
    f[5] = msg_id[0];
    f[6] = msg_id[1];
    f[7] = msg_id[2];
    if (!payload.empty())
        std::copy(payload.begin(), payload.end(), f.begin() + kFrameHeaderSize);
    return f;
}

std::vector<uint8_t> encode_frame(MsgType type, std::array<uint8_t, 3> msg_id, std::span<const uint8_t> payload) {
    return encode_frame(static_cast<uint8_t>(type), msg_id, payload);
}

// --- requests --------------------------------------------------------------------------------------

Result<QueryRequest> decode_query(ByteView payload) {
    ByteReader r(payload);
    QueryRequest q;
    q.k = r.u32();
    const uint32_t dim = r.u32();
    if (!r.ok())
        return bad("QUERY payload shorter than its 8-byte header");
    if (!read_floats(r, dim, q.vector))
        return bad("QUERY payload too short for a " + std::to_string(dim) + "-component vector");
    if (r.at_end())
        return q;
    q.ef_search = r.u32();
    const uint32_t flen = r.u32();
    if (!r.ok())
        return bad("QUERY trailing bytes are not an ef_search + filter block");
    if (flen != 0) {
        auto f = read_filter(r, flen);
        if (!f)
            return f.error();
        q.filter = std::move(*f);
    }
    if (!r.at_end())
        return bad("QUERY has " + std::to_string(r.remaining()) + " unexpected trailing bytes");
    return q;
}

Result<IngestRequest> decode_ingest(ByteView payload) {
    ByteReader r(payload);
    IngestRequest in;
    const uint32_t count = r.u32();
    in.dim = r.u16();
    if (!r.ok())
        return bad("INGEST payload shorter than its 6-byte header");
    uint64_t entry = 0, need = 0;
    entry = 8 + uint64_t(in.dim) * 4;
    if (core::mul_overflows(count, entry, &need) || need > r.remaining())
        return bad("INGEST payload too short for " + std::to_string(count) + " vectors of dimension " +
                   std::to_string(in.dim));
    in.ids.resize(count);
    in.vectors.resize(size_t(count) * in.dim);
    for (uint32_t i = 0; i < count; ++i) {
        in.ids[i] = r.u64();
        for (uint16_t d = 0; d < in.dim; ++d)
            in.vectors[size_t(i) * in.dim + d] = r.f32();
    }
    if (r.at_end())
        return in;
    in.metadata.resize(count);
    for (uint32_t i = 0; i < count; ++i) {
        const std::string where = "INGEST metadata of vector " + std::to_string(i);
        const uint16_t fields = r.u16();
        if (!r.ok())
            return bad(where + ": missing field count");
        for (uint16_t f = 0; f < fields; ++f) {
            const uint16_t field_id = r.u16();
            const uint8_t type = r.u8();
            if (!r.ok())
                return bad(where + ": field header runs past the payload");
            auto v = read_meta_value(r, type, where);
            if (!v)
                return v.error();
            in.metadata[i].push_back({field_id, std::move(*v)});
        }
    }
    if (!r.at_end())
        return bad("INGEST has " + std::to_string(r.remaining()) + " unexpected trailing bytes");
    return in;
}

Result<DeleteRequest> decode_delete(ByteView payload) {
    ByteReader r(payload);
    DeleteRequest d;
    const uint32_t count = r.u32();
    if (!r.ok())
        return bad("DELETE payload shorter than its 4-byte count");
    if (count == kDeleteByFilter) {
        auto f = read_filter(r, r.remaining());
        if (!f)
            return f.error();
        d.filter = std::move(*f);
        return d;
    }
    uint64_t need = 0;
    if (core::mul_overflows(count, 8, &need) || need != r.remaining())
        return bad("DELETE payload holds " + std::to_string(r.remaining()) + " bytes for " + std::to_string(count) +
                   " ids");
    d.ids.resize(count);
    for (uint32_t i = 0; i < count; ++i)
        d.ids[i] = r.u64();
    return d;
}

Result<SubscribeRequest> decode_subscribe(ByteView payload) {
    if (payload.size != kSubscribeSize)
        return bad("SUBSCRIBE payload must be 8 bytes, got " + std::to_string(payload.size));
    ByteReader r(payload);
    SubscribeRequest s;
    s.min_epoch = r.u32();
    s.notify_flags = r.u8();
    if (s.notify_flags == 0)
        s.notify_flags = kNotifyAll;
    if ((s.notify_flags & ~kNotifyAll) != 0)
        return bad("SUBSCRIBE notify_flags has unknown bits set");
    return s;
}

Result<std::vector<uint8_t>> encode_query(const QueryRequest &q) {
    Out o;
    o.u32(q.k);
    o.u32(static_cast<uint32_t>(q.vector.size()));
    for (float v : q.vector)
        o.f32(v);
    if (q.ef_search != 100 || q.filter) {
        o.u32(q.ef_search);
        if (q.filter) {
            auto w = filter_to_wire(*q.filter);
            if (!w)
                return w.error();
            o.u32(static_cast<uint32_t>(w->size()));
            o.bytes(w->data(), w->size());
        } else {
            o.u32(0);
        }
    }
    return std::move(o.b);
}

Result<std::vector<uint8_t>> encode_ingest(const IngestRequest &in) {
    if (in.vectors.size() != in.ids.size() * in.dim)
        return bad("vectors must hold ids.size() × dim floats");
    if (!in.metadata.empty() && in.metadata.size() != in.ids.size())
        return bad("metadata must be empty or hold one row per id");
    Out o;
    o.u32(static_cast<uint32_t>(in.ids.size()));
    o.u16(in.dim);
    for (size_t i = 0; i < in.ids.size(); ++i) {
        o.u64(in.ids[i]);
        for (size_t d = 0; d < in.dim; ++d)
            o.f32(in.vectors[i * in.dim + d]);
    }
    bool any = false;
    for (const auto &row : in.metadata)
        any = any || !row.empty();
    if (any)
        for (const auto &row : in.metadata) {
            if (row.size() > UINT16_MAX)
                return bad("more than 65535 metadata fields in one row");
            o.u16(static_cast<uint16_t>(row.size()));
            for (const MetadataEntry &e : row) {
                o.u16(e.field_id);
                if (auto w = write_meta_value(o, e.value); !w)
                    return w.error();
            }
        }
    return std::move(o.b);
}

Result<std::vector<uint8_t>> encode_delete(const DeleteRequest &d) {
    Out o;
    if (d.filter) {
        auto w = filter_to_wire(*d.filter);
        if (!w)
            return w.error();
        o.u32(kDeleteByFilter);
        o.bytes(w->data(), w->size());
        return std::move(o.b);
    }
    o.u32(static_cast<uint32_t>(d.ids.size()));
    for (uint64_t id : d.ids)
        o.u64(id);
    return std::move(o.b);
}

std::vector<uint8_t> encode_subscribe(const SubscribeRequest &s) {
    Out o;
    o.u32(s.min_epoch);
    o.u8(s.notify_flags);
    o.u8(0);
    o.u8(0);
    o.u8(0);
    return std::move(o.b);
}

// --- replies -----------------------------------------------------------------------------------------

std::vector<uint8_t> encode_query_result(std::span<const Neighbor> hits) {
    Out o;
    o.u32(static_cast<uint32_t>(hits.size()));
    for (const Neighbor &n : hits) {
        o.u64(n.id);
        o.f32(n.distance);
    }
    return std::move(o.b);
}

std::vector<uint8_t> encode_ingest_ack(const IngestResult &r) {
    Out o;
    o.u64(r.accepted);
    o.u64(r.rejected);
    o.u32(r.epoch);
    return std::move(o.b);
}

std::vector<uint8_t> encode_delete_ack(const DeleteResult &r) {
    Out o;
    o.u64(r.deleted);
    o.u32(r.epoch);
    return std::move(o.b);
}

std::vector<uint8_t> encode_status_resp(const StoreStatus &s) {
    Out o;
    o.u32(s.current_epoch);
    o.u64(s.total_vectors);
    o.u32(s.total_segments > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(s.total_segments));
    o.u64(s.file_size);
    o.u8(static_cast<uint8_t>(s.domain_profile));
    o.u8(s.read_only ? 1 : 0);
    return std::move(o.b);
}

std::vector<uint8_t> encode_update_notify(const UpdateEvent &e) {
    Out o;
    o.u32(e.epoch);
    o.u8(static_cast<uint8_t>(e.kind));
    o.u8(0);
    o.u8(0);
    o.u8(0);
    o.u32(e.affected_count);
    o.u64(e.new_total);
    return std::move(o.b);
}

std::vector<uint8_t> encode_error(uint16_t code, const std::string &desc) {
    size_t n = std::min<size_t>(desc.size(), 1024);
    while (n < desc.size() && n > 0 && (static_cast<uint8_t>(desc[n]) & 0xC0) == 0x80)
        --n; // never split a UTF-8 sequence
    Out o;
    o.u16(code);
    o.u16(static_cast<uint16_t>(n));
    o.bytes(desc.data(), n);
    return std::move(o.b);
}

Result<std::vector<Neighbor>> decode_query_result(ByteView payload) {
    ByteReader r(payload);
    const uint32_t n = r.u32();
    uint64_t need = 0;
    if (!r.ok() || core::mul_overflows(n, 12, &need) || need != r.remaining())
        return bad("malformed QUERY_RESULT");
    std::vector<Neighbor> out(n);
    for (auto &h : out) {
        h.id = r.u64();
        h.distance = r.f32();
    }
    return out;
}

Result<IngestResult> decode_ingest_ack(ByteView payload) {
    ByteReader r(payload);
    IngestResult a;
    a.accepted = r.u64();
    a.rejected = r.u64();
    a.epoch = r.u32();
    if (!r.at_end())
        return bad("malformed INGEST_ACK");
    return a;
}

Result<DeleteResult> decode_delete_ack(ByteView payload) {
    ByteReader r(payload);
    DeleteResult d;
    d.deleted = r.u64();
    d.epoch = r.u32();
    if (!r.at_end())
        return bad("malformed DELETE_ACK");
    return d;
}

Result<StatusResp> decode_status_resp(ByteView payload) {
    ByteReader r(payload);
    StatusResp s;
    s.epoch = r.u32();
    s.total_vectors = r.u64();
    s.total_segments = r.u32();
    s.file_size = r.u64();
    s.profile = r.u8();
    s.read_only = r.u8() != 0;
    if (!r.at_end())
        return bad("malformed STATUS_RESP");
    return s;
}

Result<UpdateEvent> decode_update_notify(ByteView payload) {
    ByteReader r(payload);
    UpdateEvent e;
    e.epoch = r.u32();
    const uint8_t kind = r.u8();
    r.skip(3);
    e.affected_count = r.u32();
    e.new_total = r.u64();
    if (!r.at_end() || kind > static_cast<uint8_t>(EventKind::Compaction))
        return bad("malformed UPDATE_NOTIFY");
    e.kind = static_cast<EventKind>(kind);
    return e;
}

Result<ErrorResp> decode_error(ByteView payload) {
    ByteReader r(payload);
    ErrorResp e;
    e.code = r.u16();
    const uint16_t len = r.u16();
    const ByteView d = r.bytes(len);
    if (!r.at_end())
        return bad("malformed ERROR");
    e.desc.assign(reinterpret_cast<const char *>(d.data), d.size);
    return e;
}

} // namespace rvf::server::tcp
