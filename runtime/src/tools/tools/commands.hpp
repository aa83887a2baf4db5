// Subcommands of the `rvf` tool; each returns the process exit code.
#pragma once
namespace rvf::tools {
int inspect_command(int argc, char **argv);
int convert_command(int argc, char **argv);
int query_command(int argc, char **argv);
int verify_command(int argc, char **argv);
int demo_command(int argc, char **argv);
} // namespace rvf::tools
