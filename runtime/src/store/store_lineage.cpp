// store_lineage.cpp — lineage: derive() (a child file that names its parent), freeze() (a
// committed read-only marker), the FileIdentity accessors and verify_lineage(). docs/lineage.md
// says what the bytes mean and where the spec leaves a choice.
#include <algorithm>
#include <cstring>
#include <filesystem>

#include <unistd.h> // unlink

#include <rvf/core/format/commit_record.hpp>
#include <rvf/core/format/derivation_names.hpp>
#include <rvf/core/format/witness_chain.hpp>
#include <rvf/core/hash/fold_hash.hpp>
#include <rvf/io/durable_file.hpp>
#include <rvf/io/writer_lock.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

/// Spec §3.9: parent_hash = fold hash of the parent's last min(64 KiB, size) bytes — its newest
/// commit (manifest root or COMMIT record) is always among them.
constexpr uint64_t kParentHashWindow = 64 * 1024;

Result<void> parent_hash_of(const store_detail::Storage &st, uint8_t out[32]) {
    const uint64_t size = st.size();
    const uint64_t n = std::min(size, kParentHashWindow);
    auto tail = st.read_range(size - n, n);
    if (!tail)
        return tail.error();
    core::fold_hash(core::ByteView(tail->data(), tail->size()), out);
    return {};
}

/// Spec §6.1 lineage witness types for a DerivationType.
uint8_t lineage_witness_type(core::DerivationType t) {
    switch (t) {
    case core::DerivationType::Merge:
        return 0x0A;
    case core::DerivationType::Snapshot:
        return 0x0B;
    case core::DerivationType::Transform:
        return 0x0C;
    default:
        return 0x09; // derivation
    }
}

std::string hex(const uint8_t *p, size_t n) {
    static const char *d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

} // namespace

namespace {

Result<void> check_derive(const DeriveOptions &options) {
    if (!core::derivation_type_known(static_cast<uint8_t>(options.type)))
        return Error{Status::InvalidArgument, "unknown DeriveOptions::type " + std::to_string(static_cast<int>(options.type)) +
                                                  "; use a DerivationType (" + core::kDerivationTypeNameList + ")"};
    return {};
}

} // namespace

/// The child image of derive()/derive_image() streamed to `sink` (rvf/store.hpp says what it holds).
static Result<void> write_child(RvfStore::Impl &s, const std::string &child_name, const DeriveOptions &options,
                                const RvfStore::Impl::ImageSink &sink) {
    if (!s.storage)
        return Error{Status::StoreClosed, "derive() on a closed store; open the parent again"};
    core::FileIdentity id;
    // Exclusive: write_image reads the handle's state and the identity it substitutes.
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    if (auto r = parent_hash_of(*s.storage, id.parent_hash); !r)
        return r.error();
    std::memcpy(id.parent_id, s.file_id, 16);
    id.lineage_depth = s.lineage_depth + 1;
    // Spec §3.9: file_id = first 16 bytes of the fold hash of path ‖ u64 LE nanoseconds.
    core::FoldHasher h;
    h.update(reinterpret_cast<const uint8_t *>(child_name.data()), child_name.size());
    uint8_t ns[8];
    core::store_u64_le(ns, now_ns());
    h.update(ns, 8);
    uint8_t full[core::kFoldHashSize];
    h.finish(full);
    std::memcpy(id.file_id, full, 16);
    s.image_identity = &id;
    s.image_witness_type = lineage_witness_type(options.type);
    // The child of a frozen parent is writable: the marker is the parent's, not inherited.
    const uint8_t flags = s.config.flags;
    s.config.flags = static_cast<uint8_t>(flags & ~core::kStoreConfigFrozen);
    auto info = s.write_image(s.epoch + 1, s.preserved_segments, nullptr, sink);
    s.config.flags = flags;
    s.image_identity = nullptr;
    if (!info)
        return info.error();
    return {};
}

Result<std::vector<uint8_t>> RvfStore::derive_image(const std::string &child_name, const DeriveOptions &options) const {
    if (auto r = check_derive(options); !r)
        return r.error();
    std::vector<uint8_t> image;
    if (auto r = write_child(*impl_, child_name, options, [&](core::ByteView b) -> Result<void> {
            image.insert(image.end(), b.data, b.data + b.size);
            return {};
        });
        !r)
        return r.error();
    return image;
}

Result<RvfStore> RvfStore::derive(const std::string &child_path, const DeriveOptions &options) const {
    if (auto r = check_derive(options); !r)
        return r.error();
    if (child_path.empty())
        return Error{Status::InvalidArgument, "derive() writes a file: give the child a path"};
    // The child's lock, then create-new semantics: an existing file is never overwritten.
    auto lock = io::WriterLock::acquire(child_path);
    if (!lock)
        return lock.error();
    std::error_code ec;
    if (std::filesystem::exists(child_path, ec))
        return Error{Status::FileExists, child_path + " already exists; derive() creates the child: pick a new path "
                                                      "or delete that file first"};
    const std::string staging = child_path + ".create.tmp";
    ::unlink(staging.c_str()); // under the child's lock: a killed derive's leftover
    auto f = io::DurableFile::create_new(staging);
    if (!f)
        return f.error();
    std::optional<Error> failed;
    if (auto r = write_child(*impl_, child_path, options, [&](core::ByteView b) -> Result<void> { return f->append(b); });
        !r)
        failed = r.error();
    else if (auto sy = f->sync(); !sy)
        failed = sy.error();
    f->close();
    if (!failed)
        if (auto r = io::publish_new_file(staging, child_path, false); !r)
            failed = r.error();
    if (failed) {
        ::unlink(staging.c_str());
        return *failed;
    }
    lock->release();
    return RvfStore::open(child_path);
}

Result<void> RvfStore::freeze() {
    Impl &s = *impl_;
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    if ((s.config.flags & core::kStoreConfigFrozen) != 0) { // already frozen: idempotent
        s.read_only = true;
        return {};
    }
    if (s.read_only)
        return Error{Status::ReadOnly, "freeze() commits a marker: open the store for writing (open, not open_readonly) "
                                       "to freeze it"};
    if (auto w = s.check_writable(); !w)
        return w.error();
    if (auto r = s.convert_if_needed(); !r)
        return r;
    // Derived data first, as close() would: a frozen file can never add it later.
    if (s.graph && s.graph->size() != s.graph_persisted_nodes)
        if (auto r = s.persist_index(); !r)
            return r;
    const uint8_t before = s.config.flags;
    s.config.flags = static_cast<uint8_t>(s.config.flags | core::kStoreConfigFrozen);
    s.force_checkpoint = true; // the flag lives in PROFILE_CONFIG, which only a checkpoint writes
    if (auto r = s.commit({}, core::kChainWitnessComputation, s.table.live()); !r) {
        s.config.flags = before;
        return r;
    }
    s.read_only = true;
    if (s.lock)
        s.lock->release();
    s.lock.reset();
    return {};
}

bool RvfStore::frozen() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    return (impl_->config.flags & core::kStoreConfigFrozen) != 0;
}

std::array<uint8_t, 16> RvfStore::file_id() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    std::array<uint8_t, 16> a{};
    std::memcpy(a.data(), impl_->file_id, 16);
    return a;
}

std::array<uint8_t, 16> RvfStore::parent_id() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    std::array<uint8_t, 16> a{};
    std::memcpy(a.data(), impl_->parent_id, 16);
    return a;
}

std::array<uint8_t, 32> RvfStore::parent_hash() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    std::array<uint8_t, 32> a{};
    std::memcpy(a.data(), impl_->parent_hash, 32);
    return a;
}

uint32_t RvfStore::lineage_depth() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    return impl_->lineage_depth;
}

Result<uint32_t> verify_lineage(const std::string &child_path, const std::string &parent_path) {
    auto child = RvfStore::open_readonly(child_path);
    if (!child)
        return Error{child.status(), "child " + child_path + ": " + child.error().message};
    auto parent = RvfStore::open_readonly(parent_path);
    if (!parent)
        return Error{parent.status(), "parent " + parent_path + ": " + parent.error().message};
    const auto cp = child->parent_id();
    const auto pid = parent->file_id();
    if (child->lineage_depth() == 0 || std::all_of(cp.begin(), cp.end(), [](uint8_t b) { return b == 0; }))
        return Error{Status::ParentNotFound, child_path + " is a root file (no parent recorded, depth 0): it was not "
                                                          "derived from anything"};
    if (cp != pid)
        return Error{Status::ParentNotFound, child_path + " names parent " + hex(cp.data(), 16) + ", but " + parent_path +
                                                 " is file " + hex(pid.data(), 16) + ": not its parent"};
    if (child->lineage_depth() != parent->lineage_depth() + 1)
        return Error{Status::LineageBroken, child_path + " has lineage depth " + std::to_string(child->lineage_depth()) +
                                                " but its parent's is " + std::to_string(parent->lineage_depth()) +
                                                " (expected parent + 1)"};
    // The parent as it was after each of its commits (an append-only file holds them all until
    // it is compacted): the child's parent_hash must be the tail hash of one of them.
    const std::vector<uint8_t> bytes = parent->to_bytes();
    const auto want = child->parent_hash();
    const FileReport rep = inspect_file(core::ByteView(bytes.data(), bytes.size()));
    for (const SegmentRecord &r : rep.segments) {
        const bool manifest = r.header.seg_type == static_cast<uint8_t>(core::SegType::Manifest);
        if (r.header_status != Status::Ok || r.hash != HashVerdict::Ok || (!manifest && r.header.seg_type != core::kCommitSegType))
            continue;
        const uint64_t end = std::min<uint64_t>(bytes.size(), r.offset + core::kSegmentHeaderSize +
                                                                  r.header.payload_length + r.header.alignment_pad);
        const uint64_t n = std::min(end, kParentHashWindow);
        uint8_t h[32];
        core::fold_hash(core::ByteView(bytes.data() + end - n, static_cast<size_t>(n)), h);
        if (std::memcmp(h, want.data(), 32) == 0) {
            for (const EpochInfo &e : list_epochs(core::ByteView(bytes.data(), static_cast<size_t>(end))))
                if (e.end == end)
                    return e.epoch;
            return parent->status().current_epoch;
        }
    }
    return Error{Status::ParentHashMismatch,
                 parent_path + " is the right parent file (id " + hex(pid.data(), 16) + ") but none of the states it "
                 "still holds has the child's parent_hash " + hex(want.data(), 32) +
                 ": it was compacted or rewritten since the child was derived. freeze() a parent before deriving to "
                 "keep it checkable"};
}

} // namespace rvf
