// rvf/routing_codes.hpp — the "RVPQ" routing codes: product-quantised codes of every HNSW graph
// row, written next to INDEX layer A so that a reader holding only the hotset (Layer A + these
// codes) can route AND score a query before any VEC_SEG has arrived (progressive open, issue 4,
// spec §10.1 "first query from Layer A + hot cache"). Exact distances replace the approximate
// ones as the vector blocks arrive (rvf/progressive.hpp).
//
// Where it lives: one INDEX_SEG (not flagged HOT) written right after layer A by every persist
// of the index layers (build_index, close, compact): [A (HOT)] [RVPQ codes] [B] [C]. A reader
// finds it as the directory entry that follows layer A (the root's entrypoint pointer) and
// checks graph_tag against A's. The payload does not follow the spec's INDEX codec (§6.4): its
// first byte, 'R', is no valid index_type, so INDEX readers tell it apart; ours skip it.
//
// Payload (LE):
//  off   size  field
//  0x00  4     magic         ASCII "RVPQ" (52 56 50 51, reading order, like "RVIX"/"RVHL")
//  0x04  2     u16 version   1
//  0x06  1     u8 metric     the store's Metric (what the exact rerank uses)
//  0x07  1     u8 flags      0
//  0x08  8     u64 graph_tag equals layer A's trailer graph_tag
//  0x10  8     u64 slots     S: rows 0..S−1 (= layer A's codec node_count = the store's row slots)
//  0x18  4     u32 quant_len bytes of the embedded QUANT_SEG product payload (spec §6.5)
//  0x1C  4     u32 ids_len   bytes of the id list
//  0x20  2     u16 code_size bytes per code (= the product quantizer's m)
//  0x22  2     u16 dim       vector width (the codebook may be zero-padded past it, §6.5 note)
//  0x24  28    zero
//  0x40        QUANT_SEG payload (quant_type 1), zero pad to 8
//              ids: S varints, zigzag(id[s] − id[s−1]) (id[−1] = 0, wrapping u64), zero pad to 8
//              live bitmap: ceil(S/8) bytes, bit s (LSB first) = row s is live, zero pad to 8
//              codes: S × code_size bytes; the payload ends exactly here
// Decoding is strict: every length is checked against the bytes left before anything is
// allocated from it, padding must be zero, and a bitmap bit past S must be zero.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/enums.hpp>
#include <rvf/quantization.hpp>
#include <rvf/result.hpp>

namespace rvf {

inline constexpr uint8_t kRoutingCodesMagic[4] = {0x52, 0x56, 0x50, 0x51}; // "RVPQ"
inline constexpr uint16_t kRoutingCodesVersion = 1;
inline constexpr size_t kRoutingCodesHeaderSize = 64;

struct RoutingCodes {
    core::Metric metric = core::Metric::L2;
    uint64_t graph_tag = 0;
    ProductQuantizer pq;        ///< pq.dim = the vector width
    std::vector<uint64_t> ids;  ///< per row slot
    std::vector<uint8_t> live;  ///< per row slot, 0/1
    std::vector<uint8_t> codes; ///< slots × pq.m
    size_t slots() const { return ids.size(); }
    const uint8_t *code(size_t slot) const { return codes.data() + slot * pq.m; }
};

/// True when `payload` starts with the RVPQ magic (an INDEX_SEG holding routing codes).
bool is_routing_codes(core::ByteView payload);

/// Code bytes per row the store writes: 1/16 of a stored row, at least dim/8 (f32 128-d → 32,
/// f16 → 16, i8 → 16), within [1, dim].
uint16_t routing_code_size(uint16_t dim, size_t row_bytes);

/// Train a product quantizer on (a deterministic stride sample of at most 16,384 of) the rows
/// row(s) for s in `sample_slots`, then encode every row. rows: slots × dim floats (row-major),
/// null entries of `live` rows still get a code. Errors: those of ProductQuantizer::train.
Result<RoutingCodes> build_routing_codes(core::Metric metric, uint64_t graph_tag, uint16_t dim, uint16_t code_size,
                                         std::span<const float> rows, std::span<const uint64_t> ids,
                                         std::span<const uint8_t> live);

Result<std::vector<uint8_t>> encode_routing_codes(const RoutingCodes &c);
/// Errors: TruncatedSegment (a length past the payload), InvalidMagic, InvalidVersion,
/// InvalidManifest (non-zero reserved/padding/flags, bitmap bits past S, trailing bytes, an id
/// list that does not decode to exactly S ids, code_size ≠ the quantizer's m), and those of
/// ProductQuantizer::from_quant_seg (the embedded codebook).
Result<RoutingCodes> decode_routing_codes(core::ByteView payload);

} // namespace rvf
