// SPDX-License-Identifier: MIT
#include "core/util/file_hash.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace pq::core {
namespace {

using EvpCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string hexDigest(EVP_MD_CTX *ctx)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md.data(), &len);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        hex += fmt::format("{:02x}", md[i]);
    }
    return hex;
}

}  // namespace

Result<std::string> sha256File(const std::string &path)
{
    std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!f) {
        const int err = errno;
        Error e = makeIoError("cannot open", path, err);
        if (err == ENOENT) {
            e.code = ErrorCode::NotFound;
        }
        return e;
    }
    EvpCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    std::vector<char> buf(1U << 20U);
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
        EVP_DigestUpdate(ctx.get(), buf.data(), n);
    }
    if (std::ferror(f.get()) != 0) {
        return makeIoError("cannot read", path, EIO);
    }
    return hexDigest(ctx.get());
}

std::string sha256Hex(std::string_view bytes)
{
    EvpCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
    return hexDigest(ctx.get());
}

}  // namespace pq::core
