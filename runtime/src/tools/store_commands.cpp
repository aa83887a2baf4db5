// `rvf convert`, `rvf query`, `rvf verify`: thin wrappers over RvfStore (all logic lives in the
// runtime; this file parses arguments and prints).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rvf/store.hpp"
#include "tools/commands.hpp"

namespace rvf::tools {
namespace {

bool write_file(const std::string &path, const std::vector<uint8_t> &bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f);
}

} // namespace

int fail(const Error &e) {
    std::fprintf(stderr, "rvf: %s\n", e.to_string().c_str());
    return 2;
}

bool parse_floats(const std::string &s, std::vector<float> &out) {
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        char *end = nullptr;
        const float v = std::strtof(item.c_str(), &end);
        if (end == item.c_str() || *end != '\0')
            return false;
        out.push_back(v);
    }
    return !out.empty();
}

int convert_command(int argc, char **argv) {
    std::string layout, in, out;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--layout" && i + 1 < argc)
            layout = argv[++i];
        else if (in.empty())
            in = a;
        else if (out.empty())
            out = a;
        else
            layout = "?";
    }
    if ((layout != "r" && layout != "s") || in.empty() || out.empty()) {
        std::fprintf(stderr, "usage: rvf convert --layout r|s IN OUT\n");
        return 2;
    }
    auto s = RvfStore::open_readonly(in);
    if (!s)
        return fail(s.error());
    auto bytes = layout == "r" ? s->export_layout_r() : s->export_layout_s();
    if (!bytes)
        return fail(bytes.error());
    if (!write_file(out, *bytes)) {
        std::fprintf(stderr, "rvf: cannot write %s\n", out.c_str());
        return 2;
    }
    std::printf("wrote %s: Layout %s, %zu bytes, %llu vectors\n", out.c_str(), layout == "r" ? "R" : "S",
                bytes->size(), static_cast<unsigned long long>(s->status().total_vectors));
    return 0;
}

int query_command(int argc, char **argv) {
    std::string path, vec;
    size_t k = 10;
    bool json = false;
    QueryOptions qo;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--k" && i + 1 < argc)
            k = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--vector" && i + 1 < argc)
            vec = argv[++i];
        else if (a == "--json")
            json = true;
        else if (a == "--exact")
            qo.exact = true;
        else if (a == "--ef" && i + 1 < argc)
            qo.ef_search = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (path.empty())
            path = a;
    }
    std::vector<float> q;
    if (path.empty() || !parse_floats(vec, q)) {
        std::fprintf(stderr, "usage: rvf query FILE --vector x1,x2,... [--k N] [--ef N] [--exact] [--json]\n");
        return 2;
    }
    auto s = RvfStore::open_readonly(path);
    if (!s)
        return fail(s.error());
    auto res = s->query(q, k, qo);
    if (!res)
        return fail(res.error());
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto &n : *res)
            out.push_back({{"id", n.id}, {"distance", n.distance}});
        std::printf("%s\n", out.dump().c_str());
    } else {
        for (const auto &n : *res)
            std::printf("%llu\t%.9g\n", static_cast<unsigned long long>(n.id), n.distance);
    }
    return 0;
}

int verify_command(int argc, char **argv) {
    if (argc >= 1 && std::strcmp(argv[0], "--lineage") == 0) { // lineage_commands.cpp
        if (argc != 3) {
            std::fprintf(stderr, "usage: rvf verify --lineage CHILD PARENT\n");
            return 2;
        }
        return lineage_command(argv[1], argv[2]);
    }
    std::string key;
    if (argc == 3 && std::strcmp(argv[1], "--key") == 0)
        key = argv[2];
    else if (argc != 1) {
        std::fprintf(stderr, "usage: rvf verify FILE [--key KEYID|KEYFILE]\n");
        return 2;
    }
    // verify_file, not open_readonly: a damaged file must still get its list of problems.
    const VerifyReport r = verify_file(argv[0]);
    for (const Problem &p : r.problems)
        std::printf("problem @0x%llx: %s\n", static_cast<unsigned long long>(p.offset), p.what.c_str());
    std::printf("%s: %llu segments, %llu manifests, %llu witness entries checked\n", r.ok ? "OK" : "FAILED",
                static_cast<unsigned long long>(r.segments_checked), static_cast<unsigned long long>(r.manifests_checked),
                static_cast<unsigned long long>(r.witness_entries_checked));
    const int sig = signature_summary(r, key);
    if (sig == 2)
        return 2;
    return r.ok && sig == 0 ? 0 : 4; // the SDK CLI's code for "verify found problems"
}

} // namespace rvf::tools
