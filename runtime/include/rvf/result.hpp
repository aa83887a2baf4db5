// rvf/result.hpp — Result<T>: a value or a Status with a message. The hosted runtime never
// throws; bindings convert a failed Result into their language's error (STYLE §15).
#pragma once
#include <string>
#include <utility>
#include <variant>

#include <rvf/core/status.hpp>

namespace rvf {

using core::Status;

/// A failure: status code (from the one list) plus human context ("segment 3 at offset 162").
struct Error {
    Status status = Status::Ok;
    std::string message;

    /// "RVF error 0x0102: InvalidChecksum (segment 3 at offset 162)" — keeps upstream's prefix
    /// form (spec §8) so SDKs that grep the code keep working.
    std::string to_string() const;
};

template <class T> class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error e) : v_(std::move(e)) {}
    Result(Status s, std::string msg = {}) : v_(Error{s, std::move(msg)}) {}

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }
    T &value() & { return std::get<T>(v_); }
    const T &value() const & { return std::get<T>(v_); }
    T &&value() && { return std::get<T>(std::move(v_)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }
    const Error &error() const { return std::get<Error>(v_); }
    Status status() const { return ok() ? Status::Ok : error().status; }

private:
    std::variant<T, Error> v_;
};

/// Result<void> equivalent.
class [[nodiscard]] VoidResult {
public:
    VoidResult() = default;
    VoidResult(Error e) : e_(std::move(e)) {}
    VoidResult(Status s, std::string msg = {}) : e_{s, std::move(msg)} {}
    bool ok() const { return e_.status == Status::Ok; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return e_; }
    Status status() const { return e_.status; }

private:
    Error e_;
};

/// Result<void> spells the same thing as VoidResult, so generic code can write Result<T> for any T.
template <> class [[nodiscard]] Result<void> : public VoidResult {
public:
    using VoidResult::VoidResult;
    Result() = default;
    Result(VoidResult v) : VoidResult(std::move(v)) {}
};

} // namespace rvf
