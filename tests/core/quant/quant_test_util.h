// SPDX-License-Identifier: MIT
#pragma once

// Weight generators for the format tests: Gaussian rows, heavy-tailed rows (Student-t with 3
// degrees of freedom) and a few outlier channels scaled ×50, like real LLM weights.

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace pq::test {

inline std::vector<float>
gaussianWeights(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed, float sigma = 0.02F)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> n(0.0F, sigma);
    std::vector<float> w(rows * cols);
    for (float &v : w) {
        v = n(rng);
    }
    return w;
}

inline std::vector<float>
heavyTailedWeights(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::student_t_distribution<float> t(3.0F);
    std::vector<float> w(rows * cols);
    for (float &v : w) {
        v = 0.01F * t(rng);
    }
    std::uniform_int_distribution<std::uint64_t> col(0, cols - 1);
    for (int k = 0; k < 4; ++k) {  // outlier input channels
        const std::uint64_t c = col(rng);
        for (std::uint64_t r = 0; r < rows; ++r) {
            w[r * cols + c] *= 50.0F;
        }
    }
    return w;
}

/** Positive random Fisher values of W's shape. */
inline std::vector<float> fisherLike(std::uint64_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::exponential_distribution<float> e(1.0F);
    std::vector<float> f(n);
    for (float &v : f) {
        v = e(rng) * 1e-3F;
    }
    return f;
}

}  // namespace pq::test
