// microkernel/src/pq_adc.cpp — the PQ scan's per-row sum (kernels.hpp: adc), built with -O2 in
// both variants: at -Oz the core kernel's table-lookup lambda stays out of line, which makes
// the scalar build's ADC ~6× slower for ~150 B saved.
#include "kernels.hpp"
#include "rvf/core/distance/scalar.hpp"
#include "tile_memory.hpp"

namespace rvf::mk {

// ADC has no gather in simd128 (simd128::adc_pq forwards to scalar), so one kernel serves both.
__attribute__((noinline)) float adc(const uint8_t *codes, uint32_t m, uint32_t k) {
    return core::dist::scalar::adc_pq(g_tile.scratch.pq_table, codes, m, k);
}

} // namespace rvf::mk
