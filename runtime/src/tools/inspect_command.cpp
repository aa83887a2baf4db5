// `rvf inspect FILE [--json]`: prints what rvf::inspect_file found. All format logic lives in
// the runtime (file_report.cpp); this file only formats.
#include <cstdio>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "rvf/byte_source.hpp"
#include "rvf/file_report.hpp"
#include "tools/commands.hpp"

namespace rvf::tools {
namespace {

std::string hex(const uint8_t *p, size_t n) {
    static const char *d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

std::string type_name(uint8_t t) {
    if (const char *n = core::seg_type_name(t))
        return n;
    char b[20];
    std::snprintf(b, sizeof b, "unknown(0x%02X)", t);
    return b;
}

std::string flag_names(uint16_t f) {
    std::string s;
    for (int bit = 0; bit < 16; ++bit)
        if (f & (1u << bit)) {
            if (!s.empty())
                s += '|';
            s += bit < 12 ? core::kSegFlagNames[bit] : "bit" + std::to_string(bit);
        }
    return s.empty() ? "-" : s;
}

const char *metric_name(const ManifestInfo &m) {
    if (!m.has_metric)
        return "n/a";
    switch (m.metric) {
    case 0:
        return "l2";
    case 1:
        return "inner_product";
    case 2:
        return "cosine";
    default:
        return "unknown";
    }
}

nlohmann::json to_json(const std::string &path, const FileReport &r) {
    using nlohmann::json;
    json j;
    j["file"] = path;
    j["layout"] = file_layout_name(r.layout);
    j["fileSize"] = r.file_size;
    j["segments"] = json::array();
    for (const SegmentRecord &s : r.segments) {
        json e;
        e["offset"] = s.offset;
        e["headerStatus"] = core::status_name(s.header_status);
        e["id"] = s.header.segment_id;
        e["type"] = type_name(s.header.seg_type);
        e["flags"] = s.header.flags;
        e["payloadLength"] = s.header.payload_length;
        e["checksumAlgo"] = s.header.checksum_algo;
        e["compression"] = s.header.compression; // 0 none, 1 LZ4, 2 ZSTD (spec §2.3)
        e["hash"] = hash_verdict_name(s.hash);
        j["segments"].push_back(e);
    }
    if (r.manifest) {
        const ManifestInfo &m = *r.manifest;
        json mj;
        mj["offset"] = m.offset;
        mj["segmentId"] = m.segment_id;
        mj["epoch"] = m.epoch;
        mj["dimension"] = m.dimension;
        mj["metric"] = metric_name(m);
        mj["profileId"] = m.profile_id;
        mj["totalVectors"] = m.total_vectors;
        mj["directoryEntries"] = m.directory.size();
        mj["deletedCount"] = m.deleted_ids.size();
        if (m.has_identity) {
            mj["fileId"] = hex(m.identity.file_id, 16);
            mj["parentId"] = hex(m.identity.parent_id, 16);
            mj["lineageDepth"] = m.identity.lineage_depth;
        }
        j["manifest"] = mj;
    } else {
        j["manifest"] = nullptr;
    }
    j["problems"] = json::array();
    for (const Problem &p : r.problems)
        j["problems"].push_back({{"offset", p.offset},
                                 {"code", core::status_code(p.status)},
                                 {"name", core::status_name(p.status)},
                                 {"what", p.what}});
    j["ok"] = r.clean();
    return j;
}

void print_text(const std::string &path, const FileReport &r) {
    std::printf("file:    %s (%llu bytes)\nlayout:  %s\n", path.c_str(), static_cast<unsigned long long>(r.file_size),
                file_layout_name(r.layout));
    if (!r.segments.empty()) {
        std::printf("\n%10s  %6s  %-10s  %-12s  %10s  %4s  %s\n", "offset", "id", "type", "flags", "payload", "algo",
                    "hash");
        for (const SegmentRecord &s : r.segments) {
            if (s.header_status != Status::Ok) {
                std::printf("%10llu  invalid header: %s\n", static_cast<unsigned long long>(s.offset),
                            core::status_name(s.header_status));
                continue;
            }
            std::printf("%10llu  %6llu  %-10s  %-12s  %10llu  %4u  %s\n", static_cast<unsigned long long>(s.offset),
                        static_cast<unsigned long long>(s.header.segment_id), type_name(s.header.seg_type).c_str(),
                        flag_names(s.header.flags).c_str(), static_cast<unsigned long long>(s.header.payload_length),
                        s.header.checksum_algo, hash_verdict_name(s.hash));
        }
    }
    if (r.manifest) {
        const ManifestInfo &m = *r.manifest;
        std::printf("\nlatest manifest: segment %llu at offset %llu\n", static_cast<unsigned long long>(m.segment_id),
                    static_cast<unsigned long long>(m.offset));
        std::printf("  epoch %u, dimension %u, metric %s, profile %u\n", m.epoch, m.dimension, metric_name(m),
                    m.profile_id);
        std::printf("  vectors %llu (deleted %zu), directory entries %zu\n",
                    static_cast<unsigned long long>(m.total_vectors), m.deleted_ids.size(), m.directory.size());
        if (m.has_identity)
            std::printf("  file id %s, parent %s, lineage depth %u\n", hex(m.identity.file_id, 16).c_str(),
                        hex(m.identity.parent_id, 16).c_str(), m.identity.lineage_depth);
    }
    if (r.problems.empty()) {
        std::printf("\nOK: every segment hash verified, manifest valid\n");
        return;
    }
    std::printf("\n%zu problem(s):\n", r.problems.size());
    for (const Problem &p : r.problems)
        std::printf("  RVF error 0x%04X: %s — %s\n", core::status_code(p.status), core::status_name(p.status),
                    p.what.c_str());
}

} // namespace

int inspect_command(int argc, char **argv) {
    std::string path;
    bool json = false, epochs = false;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0)
            json = true;
        else if (std::strcmp(argv[i], "--epochs") == 0)
            epochs = true;
        else if (path.empty())
            path = argv[i];
        else {
            std::fprintf(stderr, "rvf inspect: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (path.empty()) {
        std::fprintf(stderr, "usage: rvf inspect FILE [--json] [--epochs]\n");
        return 2;
    }
    if (epochs)
        return epochs_command(path, json);
    auto bytes = read_file_bytes(path);
    if (!bytes) {
        std::fprintf(stderr, "rvf inspect: %s: %s\n", path.c_str(), bytes.error().to_string().c_str());
        return 2;
    }
    const FileReport r = inspect_file(core::ByteView(bytes->data(), bytes->size()));
    if (json)
        std::printf("%s\n", to_json(path, r).dump(1).c_str());
    else
        print_text(path, r);
    return r.clean() ? 0 : 1;
}

} // namespace rvf::tools
