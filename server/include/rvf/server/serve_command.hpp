// rvf/server/serve_command.hpp — `rvf serve FILE ...` (wired into the `rvf` tool when the
// server is built; see runtime/src/tools/rvf_main.cpp).
#pragma once

namespace rvf::server {

/// argv excludes "rvf serve". Runs until SIGINT/SIGTERM, then shuts down gracefully.
/// Exit codes: 0 clean shutdown, 2 usage / open / bind errors, 1 the final close failed.
int serve_command(int argc, char **argv);

/// One line per option, for `rvf --help`.
const char *serve_usage();

} // namespace rvf::server
