// Subcommands of the `rvf` tool; each returns the process exit code.
#pragma once
namespace rvf::tools {
int inspect_command(int argc, char **argv);
} // namespace rvf::tools
