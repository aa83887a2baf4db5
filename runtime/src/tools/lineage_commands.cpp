// `rvf inspect FILE --epochs [--json]` (the committed epochs a file still holds: what
// OpenOptions::epoch can open) and `rvf verify --lineage CHILD PARENT` (does the child name that
// parent). Format logic lives in the runtime (list_epochs, verify_lineage).
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "rvf/byte_source.hpp"
#include "rvf/store.hpp"
#include "tools/commands.hpp"

namespace rvf::tools {

int epochs_command(const std::string &path, bool json) {
    auto bytes = read_file_bytes(path);
    if (!bytes) {
        std::fprintf(stderr, "rvf inspect: %s: %s\n", path.c_str(), bytes.error().to_string().c_str());
        return 2;
    }
    const std::vector<EpochInfo> epochs = list_epochs(core::ByteView(bytes->data(), bytes->size()));
    bool damaged = false;
    nlohmann::json out = nlohmann::json::array();
    if (!json)
        std::printf("%-10s %12s %22s %14s  %s\n", "epoch", "rows", "modified_ns", "offset", "kind");
    for (const EpochInfo &e : epochs) {
        damaged |= e.damaged;
        const char *kind = e.checkpoint ? "checkpoint" : "commit";
        if (json) {
            nlohmann::json j = {{"epoch", e.epoch},    {"rows", e.total_vectors}, {"modifiedNs", e.modified_ns},
                                {"offset", e.offset},  {"end", e.end},            {"kind", kind},
                                {"damaged", e.damaged}};
            if (e.damaged)
                j["problem"] = e.what;
            out.push_back(j);
        } else if (e.damaged) {
            std::printf("%-10s %12s %22s %#14llx  %s DAMAGED: %s\n",
                        e.epoch == UINT32_MAX ? "?" : std::to_string(e.epoch).c_str(), "-", "-",
                        static_cast<unsigned long long>(e.offset), kind, e.what.c_str());
        } else {
            std::printf("%-10u %12llu %22llu %#14llx  %s\n", e.epoch, static_cast<unsigned long long>(e.total_vectors),
                        static_cast<unsigned long long>(e.modified_ns), static_cast<unsigned long long>(e.offset), kind);
        }
    }
    if (json)
        std::printf("%s\n", out.dump(1).c_str());
    else if (epochs.empty())
        std::printf("no committed epoch found (rvf inspect %s lists the problems)\n", path.c_str());
    return damaged || epochs.empty() ? 1 : 0;
}

int lineage_command(const std::string &child, const std::string &parent) {
    auto r = verify_lineage(child, parent);
    if (!r) {
        std::printf("FAILED (%s): %s\n", status_name(r.status()), r.error().message.c_str());
        return 4; // the code `rvf verify` uses for "verify found problems"
    }
    std::printf("OK: %s was derived from %s at its epoch %u\n", child.c_str(), parent.c_str(), *r);
    return 0;
}

} // namespace rvf::tools
