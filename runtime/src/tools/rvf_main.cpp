// `rvf` command-line tool: dispatches subcommands. Exit codes: 0 ok, 1 the file has problems,
// 2 usage or I/O error.
#include <cstdio>
#include <cstring>
#include <string>

#include "rvf/version.hpp"
#include "tools/commands.hpp"
#ifdef RVF_HAVE_SERVER // server/ (native builds with RVF_BUILD_SERVER)
#include <rvf/server/serve_command.hpp>
#endif

namespace {
void usage(FILE *out) {
    std::fprintf(out, "rvf %s — RVF (RuVector Format) tool\n\n"
                      "usage:\n"
                      "  rvf inspect FILE [--json]   layout, every segment with its hash verdict, the latest\n"
                      "                              manifest, and every problem found\n"
                      "  rvf inspect FILE --epochs [--json]   the committed epochs the file still holds (epoch,\n"
                      "                              rows, time, offset): what open({epoch}) can open\n"
                      "  rvf convert --layout r|s IN OUT   rewrite a store in either layout (r: for upstream tools)\n"
                      "  rvf query FILE --vector x1,x2,... [--k N] [--ef N] [--exact] [--json]   top-k of a store\n"
                      "  rvf verify FILE [--key KEYID|KEYFILE]   every segment hash, the manifest chain, the witness\n"
                      "                              chain and every signature; --key: refuse what that key did not sign\n"
                      "  rvf verify --lineage CHILD PARENT   does CHILD name PARENT (file id, depth, parent state hash)\n"
                      "  rvf keygen [--algorithm ed25519|ml-dsa-65] KEYFILE   new signing key (docs/signing.md); prints its key id\n"
                      "  rvf sign FILE --key KEYFILE   rewrite FILE with every segment and manifest signed by that key\n"
                      "  rvf demo [DIR] [--vectors N]   build, query, delete, compact and verify a sample store\n"
                      "  rvf shard create|split|query|status ...   sharded collections (rvf shard --help)\n"
                      "  rvf --version\n",
                 rvf::version());
#ifdef RVF_HAVE_SERVER
    std::fprintf(out, "%s", rvf::server::serve_usage());
#endif
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
    if (cmd == "convert")
        return rvf::tools::convert_command(argc - 2, argv + 2);
    if (cmd == "query")
        return rvf::tools::query_command(argc - 2, argv + 2);
    if (cmd == "verify")
        return rvf::tools::verify_command(argc - 2, argv + 2);
    if (cmd == "keygen")
        return rvf::tools::keygen_command(argc - 2, argv + 2);
    if (cmd == "sign")
        return rvf::tools::sign_command(argc - 2, argv + 2);
    if (cmd == "demo")
        return rvf::tools::demo_command(argc - 2, argv + 2);
    if (cmd == "shard")
        return rvf::tools::shard_command(argc - 2, argv + 2);
#ifdef RVF_HAVE_SERVER
    if (cmd == "serve")
        return rvf::server::serve_command(argc - 2, argv + 2);
#endif
    std::fprintf(stderr, "rvf: unknown command '%s'\n\n", cmd.c_str());
    usage(stderr);
    return 2;
}
