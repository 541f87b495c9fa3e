// SPDX-License-Identifier: MIT
#pragma once

/**
 * Malformed safetensors files, shared by the header test (parseSafetensorsHeader on the bytes)
 * and the file test (SafetensorsFile::open on the same bytes written to disk, which must add the
 * path). Every case is rejected with ErrorCode::InvalidFormat; `detail` is a fragment of the
 * expected message and `tensor`, when not empty, the tensor the message must name.
 */

#include <cstdint>
#include <string>
#include <vector>

#include "tests/core/io/io_test_util.h"

namespace pq::testutil {

struct BadCase
{
    std::string name;
    std::string bytes;   ///< the whole file
    std::string detail;  ///< must occur in Error::message()
    std::string tensor;  ///< must be Error::tensor (empty: none expected)
};

/** A header JSON of one F32 entry `w` whose fields are `fields`, followed by `data` bytes. */
inline std::string oneEntry(const std::string &fields, std::size_t data)
{
    return rawSafetensors(R"({"w":{)" + fields + "}}", data);
}

inline std::vector<BadCase> badLengthCases()
{
    return {
            {"empty file", "", "too short", ""},
            {"seven bytes", std::string(7, '\0'), "too short", ""},
            {"length 2^60", le64(1ULL << 60U) + "{}      ", "exceeds the limit", ""},
            {"length cap+1", le64(100'000'001) + "{}      ", "exceeds the limit", ""},
            {"length beyond EOF", le64(64) + "{}      ", "runs past the end", ""},
            {"length beyond EOF by one", le64(9) + "{}      ", "runs past the end", ""},
            {"all ones length", std::string(8, '\xFF') + "{}", "exceeds the limit", ""},
    };
}

inline std::vector<BadCase> badJsonCases()
{
    return {
            {"zero-length header", le64(0) + "", "not a JSON object", ""},
            {"only spaces", rawSafetensors("        ", 0), "not a JSON object", ""},
            {"array", rawSafetensors("[1, 2]", 0), "not a JSON object", ""},
            {"string", rawSafetensors(R"("abc")", 0), "not a JSON object", ""},
            {"invalid JSON", rawSafetensors(R"({"w": {"dtype": "F32",)", 4), "invalid JSON", ""},
            {"garbage after object", rawSafetensors("{} x", 0), "invalid JSON", ""},
            {"two objects", rawSafetensors("{}{}", 0), "invalid JSON", ""},
            {"invalid UTF-8 name", rawSafetensors("{\"\xC3\x28\": {}}", 0), "invalid JSON", ""},
            {"NUL inside header", rawSafetensors(std::string("{\0}", 3), 0), "invalid JSON", ""},
            {"entry is a number", rawSafetensors(R"({"w": 5})", 0), "unexpected number", ""},
            {"entry is null", rawSafetensors(R"({"w": null})", 0), "unexpected null", ""},
            {"entry is a string", rawSafetensors(R"({"w": "F32"})", 0), "unexpected string", ""},
            {"entry is an array", rawSafetensors(R"({"w": [1]})", 0), "unexpected array", ""},
            {"metadata nested", rawSafetensors(R"({"__metadata__": {"a": {"b": "c"}}})", 0),
             "unexpected nested object", ""},
            {"metadata number", rawSafetensors(R"({"__metadata__": {"a": 1}})", 0),
             "unexpected number", ""},
            {"metadata twice", rawSafetensors(R"({"__metadata__": {}, "__metadata__": {}})", 0),
             "duplicate tensor name", "__metadata__"},
    };
}

inline std::vector<BadCase> badEntryCases()
{
    const std::string ok = R"("dtype":"F32","shape":[2],)";
    return {
            {"unknown dtype", oneEntry(R"("dtype":"F128","shape":[1],"data_offsets":[0,16])", 16),
             "unknown dtype 'F128'", "w"},
            {"lower-case dtype", oneEntry(R"("dtype":"f32","shape":[1],"data_offsets":[0,4])", 4),
             "unknown dtype 'f32'", "w"},
            {"dtype not a string", oneEntry(R"("dtype":7,"shape":[1],"data_offsets":[0,4])", 4),
             "unexpected number", "w"},
            {"negative shape", oneEntry(R"("dtype":"F32","shape":[-1],"data_offsets":[0,4])", 4),
             "negative integer", "w"},
            {"float shape", oneEntry(R"("dtype":"F32","shape":[1.5],"data_offsets":[0,4])", 4),
             "non-integer number", "w"},
            {"exponent shape", oneEntry(R"("dtype":"F32","shape":[1e0],"data_offsets":[0,4])", 4),
             "non-integer number", "w"},
            {"shape not an array", oneEntry(R"("dtype":"F32","shape":1,"data_offsets":[0,4])", 4),
             "unexpected number", "w"},
            {"nested shape", oneEntry(R"("dtype":"F32","shape":[[1]],"data_offsets":[0,4])", 4),
             "unexpected array", "w"},
            {"rank 17",
             oneEntry(R"("dtype":"U8","shape":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],)"
                      R"("data_offsets":[0,1])",
                      1),
             "more than 16 dimensions", "w"},
            {"negative offset", oneEntry(ok + R"("data_offsets":[-8,0])", 8), "negative integer",
             "w"},
            {"offset beyond 2^64", oneEntry(ok + R"("data_offsets":[0,18446744073709551616])", 8),
             "non-integer number", "w"},
            {"one offset", oneEntry(ok + R"("data_offsets":[0])", 8), "exactly two entries", "w"},
            {"three offsets", oneEntry(ok + R"("data_offsets":[0,8,8])", 8), "exactly two entries",
             "w"},
            {"duplicate field", oneEntry(ok + R"("dtype":"F32","data_offsets":[0,8])", 8),
             "field 'dtype' given twice", "w"},
            {"unknown field", oneEntry(ok + R"("strides":[1],"data_offsets":[0,8])", 8),
             "unknown field 'strides'", "w"},
            {"missing field", oneEntry(R"("dtype":"F32","shape":[2])", 8), "lacks", "w"},
            {"duplicate tensor name",
             rawSafetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                            R"("w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                            2),
             "duplicate tensor name", "w"},
    };
}

inline std::vector<BadCase> badLayoutCases()
{
    const std::string f32x2 = R"("dtype":"F32","shape":[2],)";
    return {
            {"offsets past EOF", oneEntry(f32x2 + R"("data_offsets":[0,8])", 4),
             "file is truncated", ""},
            {"offsets far out of range",
             oneEntry(R"("dtype":"U8","shape":[15],)"
                      R"("data_offsets":[18446744073709551600,18446744073709551615])",
                      15),
             "hole in the data buffer", "w"},
            {"offsets reversed", oneEntry(f32x2 + R"("data_offsets":[8,0])", 8),
             "data_offsets [8, 0]", "w"},
            {"span too small", oneEntry(R"("dtype":"F32","shape":[3],"data_offsets":[0,8])", 8),
             "needs 12", "w"},
            {"span too large",
             oneEntry(R"("dtype":"BF16","shape":[2,2],"data_offsets":[0,16])", 16), "needs 8", "w"},
            {"F4 odd element count",
             oneEntry(R"("dtype":"F4","shape":[3],"data_offsets":[0,2])", 2),
             "not a whole number of bytes", "w"},
            {"F6 element count",
             oneEntry(R"("dtype":"F6_E2M3","shape":[2],"data_offsets":[0,2])", 2),
             "not a whole number of bytes", "w"},
            {"numel overflows",
             oneEntry(R"("dtype":"U8","shape":[4294967296,4294967296,16],"data_offsets":[0,1])", 1),
             "overflows", "w"},
            {"bytes overflow",
             oneEntry(R"("dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,1])", 1),
             "overflows", "w"},
            {"overlapping offsets",
             rawSafetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            12),
             "overlaps the previous one", "b"},
            {"same offsets twice",
             rawSafetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                            8),
             "overlaps the previous one", "b"},
            {"hole between tensors",
             rawSafetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                            12),
             "hole in the data buffer", "b"},
            {"hole at the start", oneEntry(R"("dtype":"F32","shape":[1],"data_offsets":[4,8])", 8),
             "hole in the data buffer", "w"},
            {"trailing bytes", oneEntry(f32x2 + R"("data_offsets":[0,8])", 9),
             "1 trailing bytes after the last tensor", ""},
            {"data but no tensors", rawSafetensors("{}", 3), "3 trailing bytes", ""},
    };
}

inline std::vector<BadCase> allBadCases()
{
    std::vector<BadCase> all;
    for (auto *make : {badLengthCases, badJsonCases, badEntryCases, badLayoutCases}) {
        for (BadCase &c : make()) {
            all.push_back(std::move(c));
        }
    }
    return all;
}

}  // namespace pq::testutil
