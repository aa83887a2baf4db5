// Helpers for tests that read a store image's segments and a VerifyReport's problems
// (signing_test.cpp, ml_dsa_signing_test.cpp).
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <rvf/file_report.hpp>
#include <rvf/store.hpp>

namespace rvf::test {

/// First committed segment of `type` in a store image.
inline SegmentRecord first_of(const std::vector<uint8_t> &img, core::SegType type) {
    const FileReport fr = inspect_file(core::ByteView(img.data(), img.size()));
    for (const SegmentRecord &r : fr.segments)
        if (r.header.seg_type == static_cast<uint8_t>(type))
            return r;
    ADD_FAILURE() << "no segment of type " << static_cast<int>(type);
    return {};
}

/// A problem with this status whose text contains `needle`.
inline bool has_problem(const VerifyReport &rep, Status st, const std::string &needle) {
    for (const Problem &p : rep.problems)
        if (p.status == st && p.what.find(needle) != std::string::npos)
            return true;
    return false;
}

/// Every problem, one line each, for assertion messages.
inline std::string dump(const VerifyReport &rep) {
    std::string s;
    for (const Problem &p : rep.problems)
        s += std::string(core::status_name(p.status)) + ": " + p.what + "\n";
    return s;
}

} // namespace rvf::test
