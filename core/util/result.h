// SPDX-License-Identifier: MIT
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "core/util/assert.h"
#include "core/util/error.h"

namespace pq::core {

/** Wraps an Error so that `return unexpected(err);` reads like std::expected. */
struct Unexpected
{
    Error error;
};

inline Unexpected unexpected(Error e)
{
    return Unexpected{std::move(e)};
}

/**
 * `Result<T>` holds a T or an Error; the API mirrors std::expected<T, Error> (has_value, value,
 * error, operator bool, operator*, operator->) so that we can switch when the toolchain has C++23.
 * Accessing the wrong alternative is a programming error and aborts via PQ_ASSERT.
 */
template <typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)  // NOLINT(google-explicit-constructor): implicit like std::expected
        : m_v(std::in_place_index<0>, std::move(value))
    {}

    Result(Unexpected u)  // NOLINT(google-explicit-constructor)
        : m_v(std::in_place_index<1>, std::move(u.error))
    {}

    Result(Error e)  // NOLINT(google-explicit-constructor)
        : m_v(std::in_place_index<1>, std::move(e))
    {}

    bool has_value() const { return m_v.index() == 0; }  // NOLINT(readability-identifier-naming)

    explicit operator bool() const { return has_value(); }

    T &value() &
    {
        PQ_ASSERT(has_value());
        return std::get<0>(m_v);
    }

    const T &value() const &
    {
        PQ_ASSERT(has_value());
        return std::get<0>(m_v);
    }

    T &&value() &&
    {
        PQ_ASSERT(has_value());
        return std::get<0>(std::move(m_v));
    }

    const Error &error() const &
    {
        PQ_ASSERT(!has_value());
        return std::get<1>(m_v);
    }

    Error &&error() &&
    {
        PQ_ASSERT(!has_value());
        return std::get<1>(std::move(m_v));
    }

    T &operator*() & { return value(); }

    const T &operator*() const & { return value(); }

    T &&operator*() && { return std::move(*this).value(); }

    T *operator->() { return &value(); }

    const T *operator->() const { return &value(); }

private:
    std::variant<T, Error> m_v;
};

/** Result<void>: success carries nothing. */
template <>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;

    Result(Unexpected u)  // NOLINT(google-explicit-constructor)
        : m_error(std::move(u.error))
        , m_ok(false)
    {}

    Result(Error e)  // NOLINT(google-explicit-constructor)
        : m_error(std::move(e))
        , m_ok(false)
    {}

    bool has_value() const { return m_ok; }  // NOLINT(readability-identifier-naming)

    explicit operator bool() const { return m_ok; }

    const Error &error() const &
    {
        PQ_ASSERT(!m_ok);
        return m_error;
    }

    Error &&error() &&
    {
        PQ_ASSERT(!m_ok);
        return std::move(m_error);
    }

private:
    Error m_error;
    bool m_ok = true;
};

using Status = Result<void>;

}  // namespace pq::core

/** Propagates an error from an expression yielding Result<T>/Status; evaluates to nothing. */
#define PQ_TRY_STATUS(expr)                                                                        \
    do {                                                                                           \
        auto pqTryStatus_ = (expr);                                                                \
        if (!pqTryStatus_) {                                                                       \
            return ::pq::core::unexpected(std::move(pqTryStatus_).error());                        \
        }                                                                                          \
    } while (false)
