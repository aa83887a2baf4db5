// Whole-file fuzz target: inspect_file and read_contents over arbitrary bytes (both layouts,
// every decoder behind them). Invariants: no crash/UB, and read_contents succeeds only when
// inspect_file found a manifest; recovered data is self-consistent.
#include <cstdint>
#include <cstdlib>

#include <rvf/file_report.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const rvf::core::ByteView v(data, size);
    const rvf::FileReport r = rvf::inspect_file(v);
    auto c = rvf::read_contents(v);
    if (c.ok()) {
        if (!r.manifest)
            std::abort();
        if (c->vectors.size() != c->ids.size() * c->dimension)
            std::abort();
    }
    return 0;
}
