// microkernel/src/tile_memory.hpp — the tile's memory map (spec §7.1, §7.2) and the bounds
// checks every export runs before it touches a host pointer.
//
// Linear memory of the module (2 pages at start, at most 4; wasm-ld --initial/--max-memory):
//
//   address             size      what
//   0x00000             4 KB      shadow stack (--stack-first: an overflow traps at address < 0
//                                 instead of running into the tile regions)
//   &g_tile.data        8 KB      DATA: the tile's data memory (table below)
//   &g_tile.scratch     64 KB     SCRATCH: the tile's SIMD scratch (table below)
//   __heap_base ..      < 1 page  unused (rounds the module's own memory up to 2 pages)
//   0x20000 .. end      ≤ 2 pages HUB WINDOW: pages the host grows (memory.grow) to place inputs
//                                 and receive outputs (the hub / mesh DMA side). Every pointer
//                                 argument must name a range inside this window; anything
//                                 else returns −1.
//
// The tile's own regions are private: the host never writes them directly, so a pointer into
// them (or past the end of memory, or a negative one) is a bad pointer. Exports check the whole
// byte range [ptr, ptr + len) with 64-bit arithmetic before reading or writing a byte.
//
// DATA (8192 B). Same config block as the shipped tile; the query and decode areas are sized for
// the Core profile (384-d f16 / 768-d i8 queries; spec §7.1) instead of the shipped 192 B / 1 KB,
// which capped the upstream module at 96 / 128 dims (spec §12 #20):
//
//   off     size   field
//   0x0000  64     config: u32 words [1] dim, [2] count, [3] dtype, [4] pq_M, [5] pq_K
//                  (words 0, 6..15 unused); rvf_init copies the host's 64-B config here
//   0x0040  1536   query: up to 768 f16 values; an i8 query is its first `dim` bytes
//   0x0640  256    top-K: 16 × {f32 dist, u32 pad, u64 id}, sorted ascending
//   0x0740  64     state: u32 topk_n, u32 neighbor_ptr, u32 sq_dim, rest 0
//   0x0780  128    unused
//   0x0800  6144   SQ params: up to 768 interleaved (f32 min, f32 max) pairs
//
// SCRATCH (65536 B), the spec's layout:
//
//   off     size    field
//   0x0000  32768   vector block, row-major (count · dim · elem bytes)
//   0x8000  16384   PQ codebook, f16 [M][K][dim/M]
//   0xC000  8192    PQ distance table, f32 [M][K] (M·K ≤ 2048), rebuilt by every
//                   rvf_pq_distances call
//   0xE000  4096    widening buffer: one f16 row or codebook sub-vector as f32 (scalar build)
//   0xF000  4096    the query widened to f32 (≤ 768 used): f16 rows then need one conversion
//                   per element instead of two, and f32 rows none
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace rvf::mk {

// Tile dtype codes (spec §7.3, §12 #19): not the DataType enum of the file format.
enum DType : uint32_t { kF16 = 0, kI8 = 1, kF32 = 2 };
// Metric codes: 0 L2², 1 −dot, 2 1−cos, 3 Hamming over the raw bytes.
enum MetricCode : uint32_t { kL2 = 0, kIp = 1, kCosine = 2, kHamming = 3 };

inline constexpr uint32_t kMaxDim = 768;        // query area / 2 B per f16 element
inline constexpr uint32_t kMaxK = 16;           // top-K entries (spec §7.2)
inline constexpr uint32_t kBlockBytes = 32768;  // SCRATCH vector block window
inline constexpr uint32_t kPqCodebookBytes = 16384;
inline constexpr uint32_t kPqTableEntries = 2048;  // 8 KB of f32
inline constexpr uint32_t kSqParamBytes = 6144;    // 768 · (min, max) · 4 B
inline constexpr uint32_t kTopkRecordBytes = 12;   // rvf_topk_read record: u64 id, f32 dist
inline constexpr uint32_t kNeighborRecordBytes = 12;  // neighbor list entry: u64 id, f32 dist

// Config words (index into TileData::config).
enum ConfigWord : uint32_t { kCfgDim = 1, kCfgCount = 2, kCfgDtype = 3, kCfgPqM = 4, kCfgPqK = 5 };

struct TopkEntry {
    float dist;
    uint64_t id;
};
static_assert(sizeof(TopkEntry) == 16);

struct TileData {
    uint32_t config[16];
    uint16_t query[kMaxDim];
    TopkEntry topk[kMaxK];
    uint32_t topk_n;
    uint32_t neighbor_ptr;  // hub-window address of the neighbor list; 0 = none
    uint32_t sq_dim;        // dims covered by the loaded SQ params
    uint8_t reserved[64 - 12 + 128];
    float sq_params[kMaxDim * 2];
};
static_assert(offsetof(TileData, query) == 0x0040);
static_assert(offsetof(TileData, topk) == 0x0640);
static_assert(offsetof(TileData, topk_n) == 0x0740);
static_assert(offsetof(TileData, sq_params) == 0x0800);
static_assert(sizeof(TileData) == 8192);

struct TileScratch {
    uint8_t block[kBlockBytes];
    uint16_t pq_codebook[kPqCodebookBytes / 2];
    float pq_table[kPqTableEntries];
    float widened[1024];
    float query_f32[1024];
};
static_assert(offsetof(TileScratch, pq_codebook) == 0x8000);
static_assert(offsetof(TileScratch, pq_table) == 0xC000);
static_assert(offsetof(TileScratch, widened) == 0xE000);
static_assert(offsetof(TileScratch, query_f32) == 0xF000);
static_assert(sizeof(TileScratch) == 65536);

struct Tile {
    TileData data;
    TileScratch scratch;
};

// Zero-initialised (.bss): no constructor runs, the module needs no start function.
alignas(16) inline Tile g_tile;

} // namespace rvf::mk

// Linker-provided: first address after the module's static data, i.e. the start of the hub window.
extern "C" unsigned char __heap_base;

namespace rvf::mk {

/// True when [addr, addr + len) lies inside the hub window: from the first page boundary after
/// the module's static data (the module's initial memory size) to the end of memory. `addr` is
/// the i32 the host passed, reinterpreted as unsigned, so a negative pointer is a huge one.
inline bool host_range(int32_t addr, uint64_t len) {
    const uint64_t lo = static_cast<uint32_t>(addr);
    const uint64_t window = (reinterpret_cast<uintptr_t>(&__heap_base) + 0xFFFFu) & ~uint64_t{0xFFFF};
    const uint64_t mem_end = static_cast<uint64_t>(__builtin_wasm_memory_size(0)) * 65536u;
    return lo >= window && len <= mem_end && lo <= mem_end - len;
}

/// The host address as a byte pointer; call only after host_range() accepted it.
inline uint8_t *host_ptr(int32_t addr) {
    return reinterpret_cast<uint8_t *>(static_cast<uintptr_t>(static_cast<uint32_t>(addr)));
}

inline uint32_t &cfg(ConfigWord w) { return g_tile.data.config[w]; }

} // namespace rvf::mk
