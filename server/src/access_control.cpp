// access_control.cpp — see rvf/server/access_control.hpp.
#include <rvf/server/access_control.hpp>

#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace rvf::server {
namespace {

std::string lower(std::string_view s) {
    std::string o(s);
    std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return o;
}

bool contains(const std::vector<std::string> &list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

} // namespace

bool token_equal(std::string_view expected, std::string_view given) {
    // Every byte of the longer string is visited whatever the contents; a length difference
    // is folded into the same accumulator instead of returning early.
    const size_t n = std::max(expected.size(), given.size());
    unsigned diff = expected.size() == given.size() ? 0u : 1u;
    for (size_t i = 0; i < n; ++i) {
        const unsigned char a = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
        const unsigned char b = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
        diff |= static_cast<unsigned>(a ^ b);
    }
    // volatile: keeps the compiler from turning the loop into an early-exit comparison.
    volatile unsigned sink = diff;
    return sink == 0 && !expected.empty();
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size() || lower(authorization.substr(0, kScheme.size())) != kScheme)
        return false;
    std::string_view given = authorization.substr(kScheme.size());
    while (!given.empty() && given.front() == ' ')
        given.remove_prefix(1);
    while (!given.empty() && (given.back() == ' ' || given.back() == '\t'))
        given.remove_suffix(1);
    return token_equal(token, given);
}

Result<std::string> generate_token() {
    unsigned char raw[32];
    size_t got = 0;
    while (got < sizeof raw) {
        const ssize_t r = ::getrandom(raw + got, sizeof raw - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return Error{Status::IoError, std::string("getrandom: ") + std::strerror(errno)};
        }
        got += static_cast<size_t>(r);
    }
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (unsigned char b : raw) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

Result<std::string> load_token(const std::string &token_file, bool *generated) {
    if (generated)
        *generated = false;
    if (!token_file.empty()) {
        std::ifstream f(token_file);
        std::string line;
        if (!f || !std::getline(f, line))
            return Error{Status::InvalidOptions, "--token-file " + token_file + " cannot be read (create it with one line: the token)"};
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
            line.pop_back();
        if (line.empty())
            return Error{Status::InvalidOptions, "--token-file " + token_file + " is empty (write the token on its first line)"};
        return line;
    }
    if (const char *env = std::getenv("RVF_SERVE_TOKEN"); env && *env)
        return std::string(env);
    if (generated)
        *generated = true;
    return generate_token();
}

std::string host_of(std::string_view h) {
    if (!h.empty() && h.front() == '[') { // IPv6 literal: "[::1]:8080"
        const size_t close = h.find(']');
        return lower(close == std::string_view::npos ? h : h.substr(0, close + 1));
    }
    const size_t colon = h.rfind(':');
    return lower(colon == std::string_view::npos ? h : h.substr(0, colon));
}

bool host_allowed(const AccessOptions &a, std::string_view host_header, std::string_view bound_host) {
    if (host_header.empty())
        return true;
    if (contains(a.allow_hosts, "*"))
        return true;
    const std::string h = host_of(host_header);
    if (h == "localhost" || h == "127.0.0.1" || h == "[::1]")
        return true;
    const std::string bound = lower(bound_host);
    if (h == bound || h == "[" + bound + "]")
        return true;
    for (const std::string &allowed : a.allow_hosts)
        if (h == lower(allowed) || h == host_of(allowed))
            return true;
    return false;
}

bool origin_allowed(const AccessOptions &a, std::string_view origin) {
    return contains(a.cors_origins, "*") || contains(a.cors_origins, origin);
}

} // namespace rvf::server
