// rvf/server/access_control.hpp — who may use `rvf serve`: the bearer token that guards every
// write, and the Host / Origin allow-lists that keep web pages from reaching a local server.
// Pure functions of header values, no sockets (http_server.cpp and tcp_server.cpp apply them).
//
// Threat model (issue 14 #6). The server usually listens on loopback, where any local process
// and any web page the user opens can reach it:
//   - writes (HTTP POST /v1/ingest, /v1/delete, /v1/compact; TCP INGEST, DELETE) need the token:
//     HTTP "Authorization: Bearer <token>", TCP an AUTH frame (tcp_protocol.hpp) first;
//   - reads (health, status, query, file, subscribe; TCP QUERY, STATUS, SUBSCRIBE) stay open to
//     whoever can connect — they are what a read replica or a browser demo needs, and the
//     network boundary (loopback by default) is what protects them;
//   - DNS rebinding (a page whose host name later resolves to 127.0.0.1): a Host header that
//     is not loopback, the bound address or an --allow-host name is refused (403);
//   - cross-origin pages: a request with an Origin not in --cors-origin is refused (403) on
//     every route, so a "simple" text/plain POST from a page never reaches a handler.
// Tokens are compared in constant time (no early exit on the first differing byte).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <rvf/result.hpp>

namespace rvf::server {

struct AccessOptions {
    std::string token;                     ///< required for writes; empty only with no_auth
    bool no_auth = false;                  ///< writes open to every client (--no-auth)
    std::vector<std::string> allow_hosts;  ///< Host names accepted besides loopback and the bound host; "*": any
    std::vector<std::string> cors_origins; ///< Origins allowed (exact, e.g. "http://localhost:3000"); "*": any
};

/// Constant-time equality: the time depends on the lengths only, never on where bytes differ.
bool token_equal(std::string_view expected, std::string_view given);

/// True when `authorization` is "Bearer <token>" (scheme case-insensitive) with the right token.
bool bearer_matches(std::string_view authorization, std::string_view token);

/// 32 random bytes from getrandom(2), as 64 lowercase hex digits. Errors: IoError.
Result<std::string> generate_token();

/// The token of `rvf serve`: the file's first line (trailing whitespace cut) when token_file is
/// set, else $RVF_SERVE_TOKEN when set and non-empty, else a generated one (*generated = true).
/// Errors: InvalidOptions for an unreadable or empty token file; IoError from generate_token.
Result<std::string> load_token(const std::string &token_file, bool *generated);

/// The host part of a Host header value: "[::1]:8080" → "[::1]", "Example.COM:80" → "example.com".
std::string host_of(std::string_view host_header);

/// Host check against DNS rebinding. An absent Host (HTTP/1.0) passes: browsers always send one.
bool host_allowed(const AccessOptions &a, std::string_view host_header, std::string_view bound_host);

/// True when `origin` is in cors_origins (or it holds "*").
bool origin_allowed(const AccessOptions &a, std::string_view origin);

} // namespace rvf::server
