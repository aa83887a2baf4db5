// rvf/server/tcp_protocol.hpp — the binary TCP protocol of `rvf serve`: upstream rvf-server's
// framing and payloads (RVF-FORMAT.md §10.4), spec 10 §6's SUBSCRIBE / UPDATE_NOTIFY, and a few
// backward-compatible extensions of ours (marked EXT). Pure encode/decode: no sockets here.
//
// Frame (8-byte header, plain TCP, no TLS, no HELLO):
//   off size field
//   0   4    payload_len   BIG-endian (the one big-endian field), ≤ max frame (default 16 MiB)
//   4   1    msg_type
//   5   3    msg_id        opaque to the server, echoed in the reply (BIG-endian when read as a number)
//   8   n    payload       every field little-endian
// A payload_len over the limit is answered with ERROR 0x0104 "frame too large" and the
// connection is closed (its bytes cannot be skipped safely). Any other bad frame gets an ERROR
// with the same msg_id and the connection stays usable.
//
// Requests → replies (payloads):
//   0x01 QUERY       u32 k | u32 dim | dim × f32
//                    EXT: then u32 ef_search | u32 filter_len | filter_len bytes (the binary
//                    filter form of rvf/filter.hpp; 0 = no filter)
//     0x81 QUERY_RESULT  u32 n | n × (u64 id, f32 distance)
//   0x02 INGEST      u32 count | u16 dim | count × (u64 id, dim × f32)
//                    EXT: then, for each of the count vectors in order: u16 field_count |
//                    field_count × (u16 field_id | u8 type | value) with type 0 u64 (8 B), 1 i64
//                    (8 B), 2 f64 (8 B), 3 string (u32 len | bytes), 4 bytes (u32 len | bytes) —
//                    spec 10 §4's ingest codes — and 5 bool (1 B, 0 or 1; ours, as in the filter form)
//     0x82 INGEST_ACK    u64 accepted | u64 rejected | u32 epoch
//   0x03 DELETE      u32 count | count × u64 id
//                    EXT: u32 0xFFFFFFFF | filter bytes (binary filter form): delete by filter
//     0x83 DELETE_ACK    u64 deleted | u32 epoch
//   0x04 STATUS      (empty)
//     0x84 STATUS_RESP   u32 epoch | u64 total_vectors | u32 total_segments | u64 file_size |
//                        u8 profile (domain profile) | u8 read_only                     (26 B)
//   0x05 SUBSCRIBE   u32 min_epoch | u8 notify_flags (bit0 ingest, bit1 delete, bit2 compaction;
//                    0 means all) | 3 B zero                                              (8 B)
//     acknowledged with a STATUS_RESP (same msg_id) whose epoch is the subscription's start;
//     then one 0x85 UPDATE_NOTIFY per later commit, carrying the SUBSCRIBE's msg_id:
//     0x85 UPDATE_NOTIFY u32 epoch | u8 event (0 ingest, 1 delete, 2 compaction) | 3 B zero |
//                        u32 affected_count | u64 new_total                              (20 B)
//     A subscriber whose queue overflows gets ERROR 0x0205 (Timeout: "subscriber too slow")
//     and is disconnected; it resyncs with STATUS after reconnecting. One SUBSCRIBE per
//     connection; requests keep working on a subscribed connection.
//   0x10 AUTH (EXT)  the server's token, 1..1024 bytes (no length field: the whole payload)
//     0x90 AUTH_OK       (empty). A wrong token gets ERROR 0x0109 and the connection is closed.
//     INGEST and DELETE on a connection that has not sent a good AUTH get ERROR 0x0109 (the
//     connection stays usable); QUERY, STATUS and SUBSCRIBE need no AUTH. With --no-auth
//     every AUTH is answered AUTH_OK. Why 0x10/0x90: upstream uses 0x01-0x05 / 0x81-0x85 and
//     spec 10 §6 adds 0x00 (continuation) — 0x10 is the first type neither uses, and its reply
//     keeps the "request | 0x80" pattern. (See access_control.hpp for what is guarded and why.)
//   0xFF ERROR       u16 code | u16 desc_len | desc_len bytes UTF-8
//     Codes: 0x0104 frame too large (then close), 0x0107 unknown msg_type, 0x0109 not
//     authorised (EXT), 0x0205 subscriber overflow (then close), 0x0901 too many connections
//     (then close); otherwise the RVF status code (rvf/core/status.hpp) of the failure —
//     the runtime's own (DimensionMismatch 0x0200, ReadOnly 0x0305, FilterParseError 0x0203, …)
//     or InvalidArgument 0xFF04 for a malformed payload. (Upstream sends a blanket 0x0200 for
//     every query failure and 0x0300 for every write failure; the precise code is a superset
//     for clients that only test for an ERROR frame.)
// Every payload must be consumed exactly: trailing bytes that do not form an EXT block are
// InvalidArgument. Decoders read only through core::ByteReader and check counts against the
// bytes present before allocating.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/filter.hpp>
#include <rvf/metadata.hpp>
#include <rvf/result.hpp>
#include <rvf/server/event_hub.hpp>
#include <rvf/store.hpp>

namespace rvf::server::tcp {

inline constexpr size_t kFrameHeaderSize = 8;
inline constexpr uint32_t kDefaultMaxFrame = 16u << 20; // upstream's limit
inline constexpr uint32_t kDeleteByFilter = 0xFFFFFFFFu;
inline constexpr size_t kStatusRespSize = 26;
inline constexpr size_t kUpdateNotifySize = 20;
inline constexpr size_t kSubscribeSize = 8;
inline constexpr uint16_t kErrFrameTooLarge = 0x0104;
inline constexpr uint16_t kErrUnknownType = 0x0107;
inline constexpr uint16_t kErrUnauthorized = 0x0109; // EXT: next to upstream's 0x0104/0x0107 transport codes
inline constexpr size_t kMaxAuthTokenSize = 1024;
inline constexpr uint16_t kErrSubscriberOverflow = 0x0205;

enum class MsgType : uint8_t {
    Query = 0x01,
    Ingest = 0x02,
    Delete = 0x03,
    Status = 0x04,
    Subscribe = 0x05,
    Auth = 0x10, // EXT
    QueryResult = 0x81,
    IngestAck = 0x82,
    DeleteAck = 0x83,
    StatusResp = 0x84,
    UpdateNotify = 0x85,
    AuthOk = 0x90, // EXT
    Error = 0xFF,
};

struct FrameHeader {
    uint32_t payload_len = 0;
    uint8_t type = 0;
    std::array<uint8_t, 3> msg_id{};
};

FrameHeader decode_header(const uint8_t (&bytes)[kFrameHeaderSize]);
std::vector<uint8_t> encode_frame(uint8_t type, std::array<uint8_t, 3> msg_id, std::span<const uint8_t> payload);
std::vector<uint8_t> encode_frame(MsgType type, std::array<uint8_t, 3> msg_id, std::span<const uint8_t> payload);

// --- requests (decode: server side; encode: clients and tests) ---------------------------------
struct QueryRequest {
    uint32_t k = 10;
    std::vector<float> vector{};
    uint32_t ef_search = 100;
    std::optional<FilterExpr> filter{}; ///< EXT
};
struct IngestRequest {
    uint16_t dim = 0;
    std::vector<uint64_t> ids{};
    std::vector<float> vectors{};                      ///< ids.size() × dim
    std::vector<std::vector<MetadataEntry>> metadata{}; ///< EXT: empty, or one row per id
};
struct DeleteRequest {
    std::vector<uint64_t> ids{};
    std::optional<FilterExpr> filter{}; ///< EXT: set ⇒ delete by filter (ids empty)
};
struct SubscribeRequest {
    uint32_t min_epoch = 0;
    uint8_t notify_flags = kNotifyAll;
};

/// Errors (all): InvalidArgument naming the field; FilterParseError from a bad filter block.
Result<QueryRequest> decode_query(core::ByteView payload);
Result<IngestRequest> decode_ingest(core::ByteView payload);
Result<DeleteRequest> decode_delete(core::ByteView payload);
Result<SubscribeRequest> decode_subscribe(core::ByteView payload);

/// The EXT blocks are written only when they differ from the upstream form (ef_search 100 and
/// no filter; no metadata), so the default encodings are byte-identical to upstream's.
/// Errors: FilterParseError / SegmentTooLarge from the filter encoder; InvalidArgument for a
/// metadata string or vector dimension that does not fit its length field.
Result<std::vector<uint8_t>> encode_query(const QueryRequest &r);
Result<std::vector<uint8_t>> encode_ingest(const IngestRequest &r);
Result<std::vector<uint8_t>> encode_delete(const DeleteRequest &r);
std::vector<uint8_t> encode_subscribe(const SubscribeRequest &r);

// --- replies -------------------------------------------------------------------------------------
std::vector<uint8_t> encode_query_result(std::span<const Neighbor> hits);
std::vector<uint8_t> encode_ingest_ack(const IngestResult &r);
std::vector<uint8_t> encode_delete_ack(const DeleteResult &r);
std::vector<uint8_t> encode_status_resp(const StoreStatus &s);
std::vector<uint8_t> encode_update_notify(const UpdateEvent &e);
/// desc is cut to 1024 bytes (at a UTF-8 boundary).
std::vector<uint8_t> encode_error(uint16_t code, const std::string &desc);

struct StatusResp {
    uint32_t epoch = 0;
    uint64_t total_vectors = 0;
    uint32_t total_segments = 0;
    uint64_t file_size = 0;
    uint8_t profile = 0;
    bool read_only = false;
};
struct ErrorResp {
    uint16_t code = 0;
    std::string desc;
};
/// Reply decoders (clients and tests). Errors: InvalidArgument when the payload is malformed.
Result<std::vector<Neighbor>> decode_query_result(core::ByteView payload);
Result<IngestResult> decode_ingest_ack(core::ByteView payload);   ///< accepted, rejected, epoch
Result<DeleteResult> decode_delete_ack(core::ByteView payload);
Result<StatusResp> decode_status_resp(core::ByteView payload);
Result<UpdateEvent> decode_update_notify(core::ByteView payload);
Result<ErrorResp> decode_error(core::ByteView payload);

} // namespace rvf::server::tcp
