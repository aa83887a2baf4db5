// A fresh directory under /tmp for one test, removed with everything in it when the test ends.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace rvf::test {

struct TempDir {
    std::string path;
    explicit TempDir(const char *tag = "rvf") {
        std::string tmpl = std::string("/tmp/") + tag + "-XXXXXX";
        const char *p = ::mkdtemp(tmpl.data());
        EXPECT_NE(p, nullptr) << tmpl;
        path = p ? p : "/tmp";
    }
    ~TempDir() {
        std::error_code ec;
        if (path != "/tmp")
            std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::string file(const std::string &name) const { return path + "/" + name; }
};

} // namespace rvf::test
