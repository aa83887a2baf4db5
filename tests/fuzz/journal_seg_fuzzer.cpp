// Fuzz target: Layout S JOURNAL_SEG decode (rvf/core/format/journal_seg.hpp). The decoder is
// strict enough that a journal it accepts has exactly one encoding, so every accepted input
// must re-encode to the identical bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <rvf/core/format/journal_seg.hpp>

using namespace rvf::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    JournalSegView v;
    if (JournalSegView::parse(ByteView(data, size), v) != Status::Ok)
        return 0;
    std::vector<JournalEntry> entries;
    JournalCursor c = v.cursor();
    JournalEntry e;
    while (c.next(e))
        entries.push_back(e);
    if (entries.size() != v.header.entry_count)
        __builtin_trap();
    std::vector<uint8_t> out(size);
    ByteWriter w(MutByteView(out.data(), out.size()));
    if (encode_journal_seg(w, v.header, entries.data(), entries.size()) != Status::Ok || w.pos() != size ||
        (size > 0 && std::memcmp(out.data(), data, size) != 0))
        __builtin_trap();
    return 0;
}
