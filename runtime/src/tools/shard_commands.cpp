// `rvf shard create|split|query|status`: sharded collections (rvf/sharded.hpp, issue 21).
// Exit codes: 0 ok, 1 a partial answer (some shards failed; the answer is printed, the failures
// go to stderr), 2 usage or an error.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rvf/sharded.hpp"
#include "rvf/store.hpp"
#include "tools/commands.hpp"

namespace rvf::tools {
namespace {

const char *kUsage =
    "usage:\n"
    "  rvf shard create ROOT --shards N --dim D [--metric l2|ip|cosine] [--storage f32|f16|i8]\n"
    "                   [--centroids C]   empty shards in ROOT.shards/, rows routed by id hash\n"
    "  rvf shard split SRC ROOT --shards N [--by id|centroid] [--centroids C]\n"
    "                   copy store SRC into a new sharded collection (each shard compacted and indexed)\n"
    "  rvf shard query ROOT --vector x1,x2,... [--k N] [--ef N] [--exact] [--max-shards N] [--json]\n"
    "                   fan out, merge the top-k; exit 1 when a shard failed (named on stderr)\n"
    "  rvf shard status ROOT [--json]   the shards the root lists\n";

int usage() {
    std::fputs(kUsage, stderr);
    return 2;
}

bool parse_u(const char *s, unsigned long long max, unsigned long long &out) {
    char *end = nullptr;
    out = std::strtoull(s, &end, 10);
    return end != s && *end == '\0' && out <= max;
}

bool parse_metric(const std::string &s, Metric &m) {
    if (s == "l2")
        m = Metric::L2;
    else if (s == "ip")
        m = Metric::InnerProduct;
    else if (s == "cosine")
        m = Metric::Cosine;
    else
        return false;
    return true;
}

bool parse_storage(const std::string &s, StorageType &t) {
    if (s == "f32")
        t = StorageType::F32;
    else if (s == "f16")
        t = StorageType::F16;
    else if (s == "i8")
        t = StorageType::I8;
    else
        return false;
    return true;
}

/// Options shared by create and split; positional arguments are collected in `pos`.
bool parse_layout_args(int argc, char **argv, ShardedOptions &o, std::vector<std::string> &pos) {
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has = i + 1 < argc;
        unsigned long long v = 0;
        if (a == "--shards" && has && parse_u(argv[i + 1], core::kMaxShards, v))
            o.shards = static_cast<uint16_t>(v), ++i;
        else if (a == "--dim" && has && parse_u(argv[i + 1], 65535, v))
            o.store.dimension = static_cast<uint16_t>(v), ++i;
        else if (a == "--centroids" && has && parse_u(argv[i + 1], core::kMaxShardCentroids, v))
            o.summary_centroids = static_cast<uint32_t>(v), ++i;
        else if (a == "--metric" && has && parse_metric(argv[i + 1], o.store.metric))
            ++i;
        else if (a == "--storage" && has && parse_storage(argv[i + 1], o.store.storage))
            ++i;
        else if (a == "--by" && has && (std::strcmp(argv[i + 1], "id") == 0 || std::strcmp(argv[i + 1], "centroid") == 0))
            o.routing = std::strcmp(argv[++i], "id") == 0 ? core::ShardRouting::IdHash : core::ShardRouting::Centroid;
        else if (a.rfind("--", 0) == 0) {
            std::fprintf(stderr, "rvf shard: bad or unknown option %s\n", a.c_str());
            return false;
        } else
            pos.push_back(a);
    }
    return true;
}

void print_status(const ShardedStatus &st, bool json) {
    if (json) {
        nlohmann::json shards = nlohmann::json::array();
        for (const auto &s : st.shards)
            shards.push_back({{"shard_id", s.shard_id}, {"name", s.name}, {"file_size", s.file_size},
                              {"live_rows", s.live_rows}, {"centroids", s.centroids}});
        std::printf("%s\n", nlohmann::json{{"dimension", st.dimension},
                                           {"routing", st.routing == core::ShardRouting::IdHash ? "id" : "centroid"},
                                           {"epoch", st.epoch},
                                           {"total_vectors", st.total_vectors},
                                           {"shards", shards}}
                                .dump()
                                .c_str());
        return;
    }
    std::printf("%u shards, %llu vectors, dimension %u, routing by %s, root epoch %u\n",
                static_cast<unsigned>(st.shards.size()), static_cast<unsigned long long>(st.total_vectors),
                static_cast<unsigned>(st.dimension), st.routing == core::ShardRouting::IdHash ? "id" : "centroid",
                st.epoch);
    for (const auto &s : st.shards)
        std::printf("  %4u  %-32s %10llu rows %12llu bytes %4u centroids\n", static_cast<unsigned>(s.shard_id),
                    s.name.c_str(), static_cast<unsigned long long>(s.live_rows),
                    static_cast<unsigned long long>(s.file_size), s.centroids);
}

int create_cmd(int argc, char **argv) {
    ShardedOptions o;
    std::vector<std::string> pos;
    if (!parse_layout_args(argc, argv, o, pos) || pos.size() != 1)
        return usage();
    auto c = ShardedCollection::create(pos[0], o);
    if (!c)
        return fail(c.error());
    print_status(c->status(), false);
    auto r = c->close();
    return r ? 0 : fail(r.error());
}

int split_cmd(int argc, char **argv) {
    ShardedOptions o;
    std::vector<std::string> pos;
    if (!parse_layout_args(argc, argv, o, pos) || pos.size() != 2)
        return usage();
    if (o.store.dimension != 0) {
        std::fprintf(stderr, "rvf shard split: the shards take the source's dimension; drop --dim\n");
        return 2;
    }
    auto src = RvfStore::open_readonly(pos[0]);
    if (!src)
        return fail(src.error());
    auto c = ShardedCollection::split(*src, pos[1], o);
    if (!c)
        return fail(c.error());
    print_status(c->status(), false);
    auto r = c->close();
    return r ? 0 : fail(r.error());
}

int query_cmd(int argc, char **argv) {
    std::string root, vec;
    unsigned long long k = 10, v = 0;
    bool json = false;
    QueryOptions qo;
    FanOutOptions fo;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has = i + 1 < argc;
        if (a == "--k" && has && parse_u(argv[i + 1], 100000, k))
            ++i;
        else if (a == "--vector" && has)
            vec = argv[++i];
        else if (a == "--ef" && has && parse_u(argv[i + 1], 1u << 20, v))
            qo.ef_search = static_cast<uint32_t>(v), ++i;
        else if (a == "--max-shards" && has && parse_u(argv[i + 1], core::kMaxShards, v))
            fo.max_shards = static_cast<uint16_t>(v), ++i;
        else if (a == "--exact")
            qo.exact = true;
        else if (a == "--json")
            json = true;
        else if (a.rfind("--", 0) == 0 || !root.empty()) {
            std::fprintf(stderr, "rvf shard query: bad or unknown argument %s\n", a.c_str());
            return usage();
        } else
            root = a;
    }
    std::vector<float> q;
    if (root.empty() || !parse_floats(vec, q))
        return usage();
    auto c = ShardedCollection::open_readonly(root);
    if (!c)
        return fail(c.error());
    auto r = c->query(q, static_cast<size_t>(k), qo, fo);
    if (!r)
        return fail(r.error());
    if (json) {
        nlohmann::json out = nlohmann::json::array(), failed = nlohmann::json::array();
        for (const auto &n : r->neighbors)
            out.push_back({{"id", n.id}, {"distance", n.distance}});
        for (const auto &f : r->failed)
            failed.push_back({{"shard_id", f.shard_id}, {"name", f.name}, {"status", status_name(f.error.status)},
                              {"message", f.error.message}});
        std::printf("%s\n", nlohmann::json{{"neighbors", out},
                                           {"partial", r->partial()},
                                           {"failed", failed},
                                           {"shards_queried", r->shards_queried},
                                           {"shards_skipped", r->shards_skipped},
                                           {"stale", r->stale}}
                                .dump()
                                .c_str());
    } else {
        for (const auto &n : r->neighbors)
            std::printf("%llu\t%.9g\n", static_cast<unsigned long long>(n.id), n.distance);
    }
    for (const auto &f : r->failed)
        std::fprintf(stderr, "rvf: partial answer: %s\n", f.error.to_string().c_str());
    return r->partial() ? 1 : 0;
}

int status_cmd(int argc, char **argv) {
    bool json = false;
    std::string root;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0)
            json = true;
        else if (root.empty() && argv[i][0] != '-')
            root = argv[i];
        else
            return usage();
    }
    if (root.empty())
        return usage();
    auto c = ShardedCollection::open_readonly(root);
    if (!c)
        return fail(c.error());
    print_status(c->status(), json);
    return 0;
}

} // namespace

int shard_command(int argc, char **argv) {
    if (argc < 1)
        return usage();
    const std::string sub = argv[0];
    if (sub == "create")
        return create_cmd(argc - 1, argv + 1);
    if (sub == "split")
        return split_cmd(argc - 1, argv + 1);
    if (sub == "query")
        return query_cmd(argc - 1, argv + 1);
    if (sub == "status")
        return status_cmd(argc - 1, argv + 1);
    if (sub == "--help" || sub == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    std::fprintf(stderr, "rvf shard: unknown subcommand '%s'\n", sub.c_str());
    return usage();
}

} // namespace rvf::tools
