// Subcommands of the `rvf` tool; each returns the process exit code.
#pragma once
#include <string>
#include <vector>

namespace rvf {
struct VerifyReport;
struct Error;
}
namespace rvf::tools {
int inspect_command(int argc, char **argv);
int convert_command(int argc, char **argv);
int query_command(int argc, char **argv);
int verify_command(int argc, char **argv);
/// lineage_commands.cpp: `rvf inspect FILE --epochs` and `rvf verify --lineage CHILD PARENT`.
int epochs_command(const std::string &path, bool json);
int lineage_command(const std::string &child, const std::string &parent);
int demo_command(int argc, char **argv);
// shard_commands.cpp: rvf shard create|split|query|status
int shard_command(int argc, char **argv);
// Shared by the commands (store_commands.cpp).
/// Print "rvf: <error>" to stderr; returns exit code 2.
int fail(const Error &e);
/// "x1,x2,..." → floats; false on an empty list or a component that is not a number.
bool parse_floats(const std::string &s, std::vector<float> &out);
// sign_commands.cpp
int keygen_command(int argc, char **argv);
int sign_command(int argc, char **argv);
/// Print the signature states of `r`; with key_arg (a key id or key file) apply require_signature:
/// 0 ok, 4 refused, 2 a bad key argument.
int signature_summary(const VerifyReport &r, const std::string &key_arg);
} // namespace rvf::tools
