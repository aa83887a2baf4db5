// Internal: shared plumbing of the quantizer QUANT_SEG codecs.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/quant_seg.hpp>
#include <rvf/result.hpp>

namespace rvf::quant_detail {

/// Runs a core encoder twice — counting, then writing — and returns the bytes.
template <class Enc> Result<std::vector<uint8_t>> encode_payload(Enc &&enc, const char *what) {
    core::ByteWriter counter;
    if (const Status s = enc(counter); s != Status::Ok)
        return Error{s, std::string(what) + ": cannot encode QUANT_SEG"};
    std::vector<uint8_t> out(counter.pos());
    core::ByteWriter w(core::MutByteView(out.data(), out.size()));
    if (const Status s = enc(w); s != Status::Ok)
        return Error{s, std::string(what) + ": cannot encode QUANT_SEG"};
    return out;
}

/// Parses a QUANT_SEG and checks it holds `want`.
inline Result<core::QuantSegView> parse_quant(core::ByteView payload, core::QuantType want, const char *what) {
    core::QuantSegView v;
    if (const Status s = core::QuantSegView::parse(payload, v); s != Status::Ok)
        return Error{s, std::string(what) + ": malformed QUANT_SEG"};
    if (v.quant_type != static_cast<uint8_t>(want))
        return Error{Status::InvalidArgument,
                     std::string(what) + ": QUANT_SEG holds quant_type " + std::to_string(v.quant_type)};
    return v;
}

/// Reads `count` LE floats starting `off` bytes into `body` (already bounds-checked by the
/// parser) and rejects non-finite values: a model with NaN or ±inf answers garbage distances.
inline bool read_finite_floats(core::ByteView body, size_t off, size_t count, std::vector<float> &out) {
    out.resize(count);
    for (size_t i = 0; i < count; ++i) {
        const float f = core::load_f32_le(body.data + off + 4 * i);
        if (!std::isfinite(f))
            return false;
        out[i] = f;
    }
    return true;
}

} // namespace rvf::quant_detail
