// `rvf` command-line tool: dispatches subcommands. Exit codes: 0 ok, 1 the file has problems,
// 2 usage or I/O error.
#include <cstdio>
#include <cstring>
#include <string>

#include "rvf/version.hpp"
#include "tools/commands.hpp"

namespace {
void usage(FILE *out) {
    std::fprintf(out, "rvf %s — RVF (RuVector Format) tool\n\n"
                      "usage:\n"
                      "  rvf inspect FILE [--json]   layout, every segment with its hash verdict, the latest\n"
                      "                              manifest, and every problem found\n"
                      "  rvf --version\n",
                 rvf::version());
}
} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage(stdout);
        return 0;
    }
    if (cmd == "--version") {
        std::printf("%s\n", rvf::version());
        return 0;
    }
    if (cmd == "inspect")
        return rvf::tools::inspect_command(argc - 2, argv + 2);
    std::fprintf(stderr, "rvf: unknown command '%s'\n\n", cmd.c_str());
    usage(stderr);
    return 2;
}
