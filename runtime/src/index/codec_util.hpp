// Internal: building core::encode_index_seg input from an HnswGraph, and small decode helpers
// shared by the layer codecs and the Layout R INDEX codec. Not a public header.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/index_seg.hpp>
#include <rvf/core/varint.hpp>
#include <rvf/hnsw.hpp>
#include <rvf/result.hpp>

namespace rvf::index_detail {

/// Adjacency in the codec's input shape, held in flat arrays (the codec wants u64 ids; node
/// lists are appended in node order, each sorted ascending as the codec requires).
class CodecLists {
public:
    explicit CodecLists(size_t node_count) { node_first_list_.reserve(node_count + 1); }
    /// Start the next node (nodes must be begun in ordinal order, every ordinal once).
    void begin_node() { node_first_list_.push_back(list_start_.size()); }
    /// Append one list to the current node; ids are sorted here.
    template <class It> void add_list(It first, It last) {
        list_start_.push_back(ids_.size());
        const size_t at = ids_.size();
        for (; first != last; ++first)
            ids_.push_back(*first);
        std::sort(ids_.begin() + static_cast<std::ptrdiff_t>(at), ids_.end());
    }
    void add_empty_list() { list_start_.push_back(ids_.size()); }

    /// Encode: codec ‖ body ‖ u32 body_len ‖ marker. body may be empty with no marker (codec only).
    Result<std::vector<uint8_t>> encode(const core::IndexSegHeader &h, const std::vector<uint8_t> &body,
                                        const uint8_t *marker) {
        finish();
        core::ByteWriter counter;
        core::Status st = core::encode_index_seg(counter, h, nodes_.data(), core::kIndexDefaultRestartInterval,
                                                 core::IndexFlavour::RvfIndex);
        if (st != core::Status::Ok)
            return Error{st, "INDEX_SEG codec refused the graph"};
        const size_t codec = counter.pos();
        const size_t total = codec + (marker ? body.size() + 8 : 0);
        std::vector<uint8_t> out(total);
        core::ByteWriter w(core::MutByteView(out.data(), out.size()));
        st = core::encode_index_seg(w, h, nodes_.data(), core::kIndexDefaultRestartInterval,
                                    core::IndexFlavour::RvfIndex);
        if (st != core::Status::Ok || w.pos() != codec)
            return Error{core::Status::InvalidArgument, "INDEX_SEG codec size changed between passes"};
        if (marker) {
            w.bytes(body.data(), body.size());
            w.u32(static_cast<uint32_t>(body.size()));
            w.bytes(marker, 4);
        }
        if (!w.ok() || w.pos() != total)
            return Error{core::Status::InvalidArgument, "layer trailer did not fit"};
        return out;
    }
    const core::IndexNodeInput *nodes() {
        finish();
        return nodes_.data();
    }

private:
    void finish() {
        if (!nodes_.empty() || node_first_list_.empty())
            return;
        list_start_.push_back(ids_.size());
        layers_.resize(list_start_.size() - 1);
        for (size_t i = 0; i + 1 < list_start_.size(); ++i)
            layers_[i] = core::IndexLayerInput{ids_.data() + list_start_[i],
                                               static_cast<uint32_t>(list_start_[i + 1] - list_start_[i])};
        node_first_list_.push_back(layers_.size());
        nodes_.resize(node_first_list_.size() - 1);
        for (size_t n = 0; n + 1 < node_first_list_.size(); ++n)
            nodes_[n] = core::IndexNodeInput{layers_.data() + node_first_list_[n],
                                             static_cast<uint32_t>(node_first_list_[n + 1] - node_first_list_[n])};
    }
    std::vector<uint64_t> ids_;
    std::vector<size_t> list_start_, node_first_list_;
    std::vector<core::IndexLayerInput> layers_;
    std::vector<core::IndexNodeInput> nodes_;
};

/// One past the highest node number in the graph (0 when empty).
inline size_t node_span(const HnswGraph &g) {
    for (size_t n = g.slots(); n > 0; --n)
        if (g.contains(static_cast<uint32_t>(n - 1)))
            return n;
    return 0;
}

/// Read one varint of untrusted input: a failure with 10 bytes available is malformed
/// (InvalidManifest), otherwise the input was cut short (TruncatedSegment).
inline core::Status read_varint(core::ByteReader &r, uint64_t *v) {
    const bool room = r.has(core::kMaxVarintBytes);
    *v = r.varint();
    if (r.ok())
        return core::Status::Ok;
    return room ? core::Status::InvalidManifest : core::Status::TruncatedSegment;
}

inline Error format_error(core::Status s, const std::string &what) { return Error{s, what}; }

} // namespace rvf::index_detail
