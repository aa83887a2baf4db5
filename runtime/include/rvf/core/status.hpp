// rvf/core/status.hpp — the one list of RVF status codes (spec §8).
//
// Every layer (C++ runtime, microkernel, Embind, N-API, generated TypeScript) derives its error
// codes and names from RVF_STATUS_LIST below; nothing re-types the table.
// Freestanding: needs only the compiler's <stdint.h>.
#pragma once
#include <stdint.h> // uint16_t

// X(Name, code) — u16, high byte = category (0x01 format, 0x02 query, 0x03 write, 0x04 tile,
// 0x05 crypto, 0x06 lineage, 0x07 COW, 0x08 security, 0x09 quality, 0xFF SDK/binding).
#define RVF_STATUS_LIST(X)                                                                                           \
    X(Ok, 0x0000)                                                                                                    \
    X(OkPartial, 0x0001)                                                                                             \
    X(InvalidMagic, 0x0100)                                                                                          \
    X(InvalidVersion, 0x0101)                                                                                        \
    X(InvalidChecksum, 0x0102)                                                                                       \
    X(InvalidSignature, 0x0103)                                                                                      \
    X(TruncatedSegment, 0x0104)                                                                                      \
    X(InvalidManifest, 0x0105)                                                                                       \
    X(ManifestNotFound, 0x0106)                                                                                      \
    X(UnknownSegmentType, 0x0107)                                                                                    \
    X(AlignmentError, 0x0108)                                                                                        \
    X(DimensionMismatch, 0x0200)                                                                                     \
    X(EmptyIndex, 0x0201)                                                                                            \
    X(MetricUnsupported, 0x0202)                                                                                     \
    X(FilterParseError, 0x0203)                                                                                      \
    X(KTooLarge, 0x0204)                                                                                             \
    X(Timeout, 0x0205)                                                                                               \
    X(LockHeld, 0x0300)                                                                                              \
    X(LockStale, 0x0301)                                                                                             \
    X(DiskFull, 0x0302)                                                                                              \
    X(FsyncFailed, 0x0303)                                                                                           \
    X(SegmentTooLarge, 0x0304)                                                                                       \
    X(ReadOnly, 0x0305)                                                                                              \
    X(TileTrap, 0x0400)                                                                                              \
    X(TileOom, 0x0401)                                                                                               \
    X(TileTimeout, 0x0402)                                                                                           \
    X(TileInvalidMsg, 0x0403)                                                                                        \
    X(TileUnsupportedOp, 0x0404)                                                                                     \
    X(KeyNotFound, 0x0500)                                                                                           \
    X(KeyExpired, 0x0501)                                                                                            \
    X(DecryptFailed, 0x0502)                                                                                         \
    X(AlgoUnsupported, 0x0503)                                                                                       \
    X(AttestationInvalid, 0x0504)                                                                                    \
    X(PlatformUnsupported, 0x0505)                                                                                   \
    X(AttestationExpired, 0x0506)                                                                                    \
    X(KeyNotBound, 0x0507)                                                                                           \
    X(ParentNotFound, 0x0600)                                                                                        \
    X(ParentHashMismatch, 0x0601)                                                                                    \
    X(LineageBroken, 0x0602)                                                                                         \
    X(LineageCyclic, 0x0603)                                                                                         \
    X(CowMapCorrupt, 0x0700)                                                                                         \
    X(ClusterNotFound, 0x0701)                                                                                       \
    X(ParentChainBroken, 0x0702)                                                                                     \
    X(DeltaThresholdExceeded, 0x0703)                                                                                \
    X(SnapshotFrozen, 0x0704)                                                                                        \
    X(MembershipInvalid, 0x0705)                                                                                     \
    X(GenerationStale, 0x0706)                                                                                       \
    X(KernelBindingMismatch, 0x0707)                                                                                 \
    X(DoubleRootCorrupt, 0x0708)                                                                                     \
    X(UnsignedManifest, 0x0800)                                                                                      \
    X(ContentHashMismatch, 0x0801)                                                                                   \
    X(UnknownSigner, 0x0802)                                                                                         \
    X(EpochDriftExceeded, 0x0803)                                                                                    \
    X(Level1InvalidSignature, 0x0804)                                                                                \
    X(QualityBelowThreshold, 0x0900)                                                                                 \
    X(BudgetTokensExhausted, 0x0901)                                                                                 \
    X(QueryBlacklisted, 0x0902)                                                                                      \
    /* Our own additions, in the SDK's 0xFF range (spec §8 lists 0xFF00-0xFF03 for the TS SDK). */                  \
    X(BackendNotFound, 0xFF00)                                                                                       \
    X(BackendInitFailed, 0xFF01)                                                                                     \
    X(StoreClosed, 0xFF02)                                                                                           \
    X(InvalidOptions, 0xFF03)                                                                                        \
    X(InvalidArgument, 0xFF04)                                                                                       \
    X(IoError, 0xFF05)                                                                                               \
    X(OutOfMemory, 0xFF06)                                                                                           \
    X(UnsupportedLayout, 0xFF07)                                                                                     \
    /* Progressive loading over HTTP (rvf/progressive.hpp, npm/rvf-wasm openProgressive). */                         \
    X(HttpError, 0xFF08)           /* a response other than 200/206 (404, 5xx, ...) */                               \
    X(RangeNotSatisfiable, 0xFF09) /* HTTP 416, or a response that is not the range asked for */                     \
    X(FileChanged, 0xFF0A)         /* ETag/size differ between responses, or bytes disagree */                       \
    X(NetworkError, 0xFF0B)        /* fetch rejected (connection refused, reset, aborted) */                         \
    X(NotReady, 0xFF0C)            /* the partially loaded store cannot answer this yet */                       \
    X(FileExists, 0xFF0D)          /* create over a path that already holds a file */

namespace rvf::core {

enum class Status : uint16_t {
#define RVF_STATUS_ENUM_(name, code) name = code,
    RVF_STATUS_LIST(RVF_STATUS_ENUM_)
#undef RVF_STATUS_ENUM_
};

/// Name as spelled in spec §8 ("InvalidChecksum"); "Unknown" for codes not in the list
/// (callers must still preserve the numeric value, spec §8).
constexpr const char *status_name(Status s) {
    switch (s) {
#define RVF_STATUS_NAME_(name, code)                                                                                 \
    case Status::name:                                                                                               \
        return #name;
        RVF_STATUS_LIST(RVF_STATUS_NAME_)
#undef RVF_STATUS_NAME_
    }
    return "Unknown";
}

constexpr bool is_ok(Status s) { return s == Status::Ok || s == Status::OkPartial; }
constexpr uint16_t status_code(Status s) { return static_cast<uint16_t>(s); }
constexpr uint8_t status_category(Status s) { return static_cast<uint8_t>(static_cast<uint16_t>(s) >> 8); }

} // namespace rvf::core

// Early-return helper for Status-returning functions.
#define RVF_TRY(expr)                                                                                                \
    do {                                                                                                             \
        ::rvf::core::Status rvf_try_s_ = (expr);                                                                     \
        if (!::rvf::core::is_ok(rvf_try_s_))                                                                         \
            return rvf_try_s_;                                                                                       \
    } while (0)

// Return a format error and, in builds with RVF_TRACE_CORRUPT, remember which check fired
// (file:line) so a fuzz or bit-flip failure names the failing check. Not thread-safe: debug aid.
#ifdef RVF_TRACE_CORRUPT
namespace rvf::core::detail {
inline const char *corrupt_file = nullptr;
inline int corrupt_line = 0;
} // namespace rvf::core::detail
#define RVF_CORRUPT(status)                                                                                          \
    (::rvf::core::detail::corrupt_file = __FILE__, ::rvf::core::detail::corrupt_line = __LINE__, (status))
#else
#define RVF_CORRUPT(status) (status)
#endif
