// SPDX-License-Identifier: MIT
// Element grids and rounding: the OCP value sets, round-to-nearest-even ties, saturation, −0,
// subnormals, and the E8M0 exponent rule — golden values written by hand.
#include <cmath>
#include <set>

#include <QtTest>

#include "core/quant/element_codecs.h"
#include "core/quant/group_quant.h"

using namespace pq::core::quant;

namespace {

/** The OCP value set of a minifloat, built from the definition (not from the codec). */
std::set<float> ocpPositiveGrid(int expBits, int manBits, int bias, float maxValue)
{
    std::set<float> out;
    for (int e = 0; e < (1 << expBits); ++e) {
        for (int m = 0; m < (1 << manBits); ++m) {
            const double v = e == 0 ? std::ldexp(m, 1 - bias - manBits)
                                    : std::ldexp((1 << manBits) + m, e - bias - manBits);
            if (v <= maxValue) {
                out.insert(static_cast<float>(v));
            }
        }
    }
    return out;
}

std::set<float> decodedPositiveGrid(MinifloatSpec spec)
{
    std::set<float> out;
    const int codes = 1 << (spec.expBits + spec.manBits);
    for (int c = 0; c < codes; ++c) {
        const float v = decodeMinifloat(static_cast<std::uint8_t>(c), spec);
        if (v <= spec.maxValue) {
            out.insert(v);
        }
    }
    return out;
}

}  // namespace

class TestElementCodecs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gridsAreTheOcpSets();
    void e4m3NeverProducesNan();
    void everyCodeRoundTrips();
    void e2m1Ties_data();
    void e2m1Ties();
    void e4m3Rounding_data();
    void e4m3Rounding();
    void negativeZero();
    void e8m0Exponents_data();
    void e8m0Exponents();
    void bf16Rounding();
    void valuePathEqualsCodePath();
};

void TestElementCodecs::gridsAreTheOcpSets()
{
    QCOMPARE(decodedPositiveGrid(E2M1), ocpPositiveGrid(2, 1, 1, 6.0F));
    QCOMPARE(decodedPositiveGrid(E2M1).size(), std::size_t{8});
    QCOMPARE(decodedPositiveGrid(E2M1),
             (std::set<float>{0.0F, 0.5F, 1.0F, 1.5F, 2.0F, 3.0F, 4.0F, 6.0F}));
    QCOMPARE(decodedPositiveGrid(E2M3), ocpPositiveGrid(2, 3, 1, 7.5F));
    QCOMPARE(decodedPositiveGrid(E2M3).size(), std::size_t{32});
    QCOMPARE(*decodedPositiveGrid(E2M3).begin(), 0.0F);
    QCOMPARE(*std::next(decodedPositiveGrid(E2M3).begin()), 0.125F);  // subnormal
    QCOMPARE(decodedPositiveGrid(E3M2), ocpPositiveGrid(3, 2, 3, 28.0F));
    QCOMPARE(decodedPositiveGrid(E3M2).size(), std::size_t{32});
    QCOMPARE(*std::next(decodedPositiveGrid(E3M2).begin()), 0.0625F);
    QCOMPARE(decodedPositiveGrid(E4M3), ocpPositiveGrid(4, 3, 7, 448.0F));
    QCOMPARE(decodedPositiveGrid(E4M3).size(), std::size_t{127});  // 0 + 126 magnitudes
    QCOMPARE(*decodedPositiveGrid(E4M3).rbegin(), 448.0F);
    QCOMPARE(*std::next(decodedPositiveGrid(E4M3).begin()), std::ldexp(1.0F, -9));
}

void TestElementCodecs::e4m3NeverProducesNan()
{
    // 0x7F / 0xFF are E4M3FN's NaN codes: no finite input may produce them.
    for (float x = -1000.0F; x <= 1000.0F; x += 0.37F) {
        const std::uint8_t c = encodeMinifloat(x, E4M3);
        QVERIFY((c & 0x7FU) != 0x7FU);
    }
    QCOMPARE(encodeMinifloat(1e30F, E4M3), std::uint8_t{0x7E});
    QCOMPARE(encodeMinifloat(INFINITY, E4M3), std::uint8_t{0x7E});
    QCOMPARE(encodeMinifloat(-1e30F, E4M3), std::uint8_t{0xFE});
}

void TestElementCodecs::everyCodeRoundTrips()
{
    for (const MinifloatSpec spec : {E2M1, E2M3, E3M2, E4M3}) {
        const int codes = 1 << (spec.expBits + spec.manBits + 1);
        for (int c = 0; c < codes; ++c) {
            const auto code = static_cast<std::uint8_t>(c);
            const float v = decodeMinifloat(code, spec);
            if (std::abs(v) > spec.maxValue) {
                continue;  // E4M3's NaN slots decode to 480: never produced, never re-encoded
            }
            QCOMPARE(encodeMinifloat(v, spec), code);
        }
    }
}

void TestElementCodecs::e2m1Ties_data()
{
    QTest::addColumn<float>("x");
    QTest::addColumn<int>("code");
    // reference/compressed-tensors.md §2.2: round to nearest, ties to the even code
    QTest::newRow("0.25->0") << 0.25F << 0;
    QTest::newRow("0.26->0.5") << 0.26F << 1;
    QTest::newRow("0.75->1") << 0.75F << 2;
    QTest::newRow("1.25->1") << 1.25F << 2;
    QTest::newRow("1.75->2") << 1.75F << 4;
    QTest::newRow("2.5->2") << 2.5F << 4;
    QTest::newRow("3.5->4") << 3.5F << 6;
    QTest::newRow("5->4") << 5.0F << 6;
    QTest::newRow("5.01->6") << 5.01F << 7;
    QTest::newRow("6") << 6.0F << 7;
    QTest::newRow("100 saturates") << 100.0F << 7;
    QTest::newRow("-1.75->-2") << -1.75F << (8 | 4);
    QTest::newRow("-6") << -6.0F << (8 | 7);
}

void TestElementCodecs::e2m1Ties()
{
    QFETCH(float, x);
    QFETCH(int, code);
    QCOMPARE(static_cast<int>(encodeMinifloat(x, E2M1)), code);
}

void TestElementCodecs::e4m3Rounding_data()
{
    QTest::addColumn<float>("x");
    QTest::addColumn<int>("code");
    QTest::newRow("448 max") << 448.0F << 0x7E;
    QTest::newRow("464 clamps") << 464.0F << 0x7E;
    QTest::newRow("17 tie -> 16") << 17.0F << 0x58;
    QTest::newRow("19 tie -> 20") << 19.0F << 0x5A;
    QTest::newRow("18") << 18.0F << 0x59;
    QTest::newRow("min subnormal") << std::ldexp(1.0F, -9) << 0x01;
    QTest::newRow("half min subnormal -> 0") << std::ldexp(1.0F, -10) << 0x00;
    QTest::newRow("1.5 min subnormal -> 2") << std::ldexp(3.0F, -10) << 0x02;
    QTest::newRow("largest subnormal") << std::ldexp(7.0F, -9) << 0x07;
    QTest::newRow("min normal") << std::ldexp(1.0F, -6) << 0x08;
    QTest::newRow("1") << 1.0F << 0x38;
    QTest::newRow("0.125") << 0.125F << 0x20;
    QTest::newRow("72") << 72.0F << 0x69;
    QTest::newRow("73.7 -> 72") << 73.7F << 0x69;
    QTest::newRow("-2") << -2.0F << 0xC0;
}

void TestElementCodecs::e4m3Rounding()
{
    QFETCH(float, x);
    QFETCH(int, code);
    QCOMPARE(static_cast<int>(encodeMinifloat(x, E4M3)), code);
}

void TestElementCodecs::negativeZero()
{
    // The sign comes from the IEEE sign bit: a negative value that rounds to zero and −0.0 give
    // the "−0" code, +0.0 gives code 0 (compressed-tensors' cast behaves the same way).
    QCOMPARE(encodeMinifloat(-0.1F, E2M1), std::uint8_t{8});
    QCOMPARE(encodeMinifloat(-0.0F, E2M1), std::uint8_t{8});
    QCOMPARE(encodeMinifloat(0.0F, E2M1), std::uint8_t{0});
    QCOMPARE(encodeMinifloat(-0.0001F, E4M3), std::uint8_t{0x80});
    QVERIFY(std::signbit(decodeMinifloat(8, E2M1)));
    QCOMPARE(decodeMinifloat(8, E2M1), 0.0F);
}

void TestElementCodecs::e8m0Exponents_data()
{
    QTest::addColumn<float>("amax");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("exponent");
    // round amax to a power of two (up when the mantissa fraction ≥ 0.75), E = 127 + log2 − offset
    QTest::newRow("fp4 1.9 -> 2") << 1.9F << 2 << 126;
    QTest::newRow("fp4 1.7 -> 1") << 1.7F << 2 << 125;
    QTest::newRow("fp4 1.75 -> 2") << 1.75F << 2 << 126;
    QTest::newRow("fp4 6") << 6.0F << 2 << 127;
    QTest::newRow("fp8 1.9") << 1.9F << 8 << 120;
    QTest::newRow("fp8 1.0") << 1.0F << 8 << 119;
    QTest::newRow("zero") << 0.0F << 2 << 0;
    QTest::newRow("denormal") << std::ldexp(1.0F, -130) << 2 << 0;
    QTest::newRow("2^-126 clamps to 0") << std::ldexp(1.0F, -126) << 8 << 0;
    QTest::newRow("huge") << 3.0e38F << 2 << 253;
}

void TestElementCodecs::e8m0Exponents()
{
    QFETCH(float, amax);
    QFETCH(int, offset);
    QFETCH(int, exponent);
    QCOMPARE(static_cast<int>(mxScaleExponent(amax, offset)), exponent);
    QVERIFY(mxScaleExponent(amax, offset) != 255);
}

void TestElementCodecs::bf16Rounding()
{
    QCOMPARE(toBf16Bits(1.0F), std::uint16_t{0x3F80});
    QCOMPARE(toBf16Bits(1.0F / 448.0F), std::uint16_t{0x3B12});   // 0.0022277832
    QCOMPARE(toBf16Bits(1.00390625F), std::uint16_t{0x3F80});     // tie → even
    QCOMPARE(toBf16Bits(1.01171875F), std::uint16_t{0x3F82});     // tie → even (up)
    QCOMPARE(bf16ScaleBits(0.0F, 7.5F), toBf16Bits(0.0078125F));  // zero → BF16 eps
}

void TestElementCodecs::valuePathEqualsCodePath()
{
    // The branch-free value path used by the fast kernels must equal decode(encode(x)) for every
    // finite float; walk all bit patterns with a stride that visits every exponent and many
    // mantissas, plus every value adjacent to a grid point and its midpoints.
    std::uint64_t checked = 0;
    for (const MinifloatSpec spec : {E2M1, E2M3, E3M2, E4M3}) {
        for (std::uint64_t u = 0; u < (1ULL << 32U); u += 1009) {
            const float x = bitsFloat(static_cast<std::uint32_t>(u));
            if (!isFiniteFloat(x)) {
                continue;
            }
            const float a = quantizeMinifloatValue(x, spec);
            const float b = roundMinifloat(x, spec);
            if (floatBits(a) != floatBits(b)) {
                QFAIL(qPrintable(QStringLiteral("x = %1: %2 vs %3").arg(x).arg(a).arg(b)));
            }
            ++checked;
        }
        const int codes = 1 << (spec.expBits + spec.manBits);
        for (int c = 0; c + 1 < codes; ++c) {
            const float lo = decodeMinifloat(static_cast<std::uint8_t>(c), spec);
            const float hi = decodeMinifloat(static_cast<std::uint8_t>(c + 1), spec);
            for (const float x : {lo, hi, (lo + hi) / 2, std::nextafter((lo + hi) / 2, 0.0F),
                                  std::nextafter((lo + hi) / 2, 1e9F), -(lo + hi) / 2}) {
                QCOMPARE(floatBits(quantizeMinifloatValue(x, spec)),
                         floatBits(roundMinifloat(x, spec)));
                ++checked;
            }
        }
    }
    QVERIFY(checked > 10'000'000);
}

QTEST_APPLESS_MAIN(TestElementCodecs)
#include "test_element_codecs.moc"
