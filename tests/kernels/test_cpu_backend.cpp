// SPDX-License-Identifier: MIT
// The fast CPU backend against the reference, on every instruction-set variant this CPU runs:
// encoded bytes, decoded values and fake-quantized weights bit for bit; summed metrics within
// MAX_METRIC_REL_DIFF; the same errors for bad input.
#include <cmath>
#include <cstring>

#include <QtTest>

#include "core/quant/quant_backend.h"
#include "core/util/bf16.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/row_kernels.h"
#include "tests/core/quant/quant_test_util.h"

using namespace pq::core;
using namespace pq::core::quant;
using pq::kernels::cpu::RowKernels;

namespace {

struct Source
{
    std::vector<float> f32;
    std::vector<std::uint16_t> half;  // BF16 or F16 bits when used
    WeightView view;
};

/** Values that stress the exponent paths: denormals, huge magnitudes, exact ties, zeros. */
std::vector<float> extremeWeights(std::uint64_t n, std::uint64_t seed)
{
    std::vector<float> w = pq::test::gaussianWeights(n, 1, seed, 1.0F);
    for (std::size_t i = 0; i < w.size(); ++i) {
        switch (i % 5) {
        case 0:
            w[i] *= 1e-41F;  // denormal
            break;
        case 1:
            w[i] *= 1e37F;
            break;
        case 2:
            w[i] = static_cast<float>(static_cast<int>(w[i] * 8)) / 8;  // many exact ties
            break;
        case 3:
            w[i] = 0.0F;
            break;
        default:
            break;
        }
    }
    return w;
}

/** A weight of the given kind: "gaussian", "heavy", "extreme", "bf16", "f16", "strided". */
Source makeSource(const QString &kind, std::uint64_t rows, std::uint64_t cols)
{
    Source s;
    if (kind == QLatin1String("extreme")) {
        s.f32 = extremeWeights(rows * cols, 7);
    } else {
        s.f32 = kind == QLatin1String("heavy") ? pq::test::heavyTailedWeights(rows, cols, 5)
                                               : pq::test::gaussianWeights(rows * 2, cols, 6);
    }
    s.view = viewOf(s.f32, rows, cols, "w");
    if (kind == QLatin1String("bf16") || kind == QLatin1String("f16")) {
        const bool bf = kind == QLatin1String("bf16");
        s.half.resize(rows * cols);
        for (std::size_t i = 0; i < s.half.size(); ++i) {
            if (bf) {
                s.half[i] = floatToBf16(s.f32[i]);
            } else {  // F16 bits via a small exact-enough encoder for N(0, 0.02²) values
                const float a = std::abs(s.f32[i]);
                int e = 0;
                const float m = std::frexp(a, &e);  // a = m·2^e, m in [0.5, 1)
                std::uint16_t bits = 0;
                if (a >= std::ldexp(1.0F, -14)) {
                    bits = static_cast<std::uint16_t>(
                            ((e - 1 + 15) << 10) | (static_cast<int>(std::ldexp(m, 11)) & 0x3FF));
                } else {
                    bits = static_cast<std::uint16_t>(std::ldexp(a, 24));
                }
                s.half[i] = static_cast<std::uint16_t>(bits | (s.f32[i] < 0 ? 0x8000 : 0));
            }
        }
        s.view.dtype = bf ? DType::BF16 : DType::F16;
        s.view.data = reinterpret_cast<const std::byte *>(s.half.data());
    }
    if (kind == QLatin1String("strided")) {
        s.view.rowStride = 2 * cols;  // every other row of a [2·rows, cols] buffer
    }
    return s;
}

bool sameBits(std::span<const float> a, std::span<const float> b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

}  // namespace

class TestCpuBackend : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void bitIdentical_data();
    void bitIdentical();
    void activationsBitIdentical();
    void sameErrors();

private:
    std::unique_ptr<QuantBackend> m_ref;
    std::vector<const RowKernels *> m_variants;
};

void TestCpuBackend::initTestCase()
{
    m_ref = makeReferenceBackend();
    std::size_t n = 0;
    const RowKernels *const *list = pq::kernels::cpu::availableRowKernels(n);
    m_variants.assign(list, list + n);
    QVERIFY(!m_variants.empty());
    qInfo("instruction-set variants tested: %zu (best: %s)", n, m_variants.back()->isa);
}

void TestCpuBackend::bitIdentical_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<quint64>("rows");
    QTest::addColumn<quint64>("cols");
    for (const FormatInfo &f : allFormats()) {
        for (const char *kind : {"gaussian", "heavy", "extreme", "bf16", "f16", "strided"}) {
            QTest::newRow((std::string(f.name) + " " + kind).c_str())
                    << static_cast<int>(f.id) << QString::fromLatin1(kind) << quint64{96}
                    << quint64{384};
        }
        // shapes that exercise the vector tails: odd rows, and for per-row formats odd widths
        const std::uint64_t g = f.layout.groupSize;
        for (const std::uint64_t cols : g == 0 ? std::vector<std::uint64_t>{1, 7, 37, 129}
                                               : std::vector<std::uint64_t>{g, 3 * g}) {
            QTest::newRow((std::string(f.name) + " 5x" + std::to_string(cols)).c_str())
                    << static_cast<int>(f.id) << QStringLiteral("heavy") << quint64{5}
                    << quint64{cols};
        }
    }
}

void TestCpuBackend::bitIdentical()
{
    QFETCH(int, format);
    QFETCH(QString, kind);
    QFETCH(quint64, rows);
    QFETCH(quint64, cols);
    const auto id = static_cast<FormatId>(format);
    const Source s = makeSource(kind, rows, cols);
    const auto fisher = pq::test::fisherLike(rows * cols, 9);
    QuantOptions o;
    o.inputAmax = 3.5F;
    const auto refEnc = m_ref->encode(id, s.view, o);
    QVERIFY(refEnc.has_value());
    std::vector<float> refFake(rows * cols);
    QVERIFY(m_ref->fakeQuant(id, s.view, o, refFake).has_value());
    const std::vector<FormatId> ids =
            cols % 128 == 0 ? std::vector<FormatId>{id, FormatId::MXFP4, FormatId::W8A16}
                            : std::vector<FormatId>{id};
    const auto refMetrics = m_ref->measure(ids, s.view, fisher, o);
    QVERIFY(refMetrics.has_value());
    for (const RowKernels *k : m_variants) {
        const auto cpu = pq::kernels::cpu::makeCpuBackend(*k);
        const auto enc = cpu->encode(id, s.view, o);
        QVERIFY(enc.has_value());
        QCOMPARE(enc->tensors.size(), refEnc->tensors.size());
        for (std::size_t t = 0; t < enc->tensors.size(); ++t) {
            QVERIFY2(enc->tensors[t].bytes == refEnc->tensors[t].bytes,
                     qPrintable(QStringLiteral("%1: tensor %2")
                                        .arg(QString::fromLatin1(k->isa),
                                             QString::fromStdString(enc->tensors[t].spec.suffix))));
        }
        std::vector<float> fake(rows * cols);
        std::vector<float> decoded(rows * cols);
        QVERIFY(cpu->fakeQuant(id, s.view, o, fake).has_value());
        QVERIFY(cpu->decode(*enc, decoded).has_value());
        QVERIFY2(sameBits(fake, refFake), k->isa);
        QVERIFY2(sameBits(decoded, refFake), k->isa);
        const auto metrics = cpu->measure(ids, s.view, fisher, o);
        QVERIFY(metrics.has_value());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const ErrorMetrics &a = (*metrics)[i];
            const ErrorMetrics &b = (*refMetrics)[i];
            QVERIFY(std::abs(a.sse - b.sse) <=
                    pq::kernels::cpu::MAX_METRIC_REL_DIFF * std::max(b.sse, 1e-300));
            QVERIFY(std::abs(a.fisherSse - b.fisherSse) <=
                    pq::kernels::cpu::MAX_METRIC_REL_DIFF * std::max(b.fisherSse, 1e-300));
            for (std::uint64_t r = 0; r < rows; ++r) {
                QVERIFY(std::abs(a.rowFisherSse[r] - b.rowFisherSse[r]) <=
                        pq::kernels::cpu::MAX_METRIC_REL_DIFF *
                                std::max(b.rowFisherSse[r], 1e-300));
            }
        }
    }
}

void TestCpuBackend::activationsBitIdentical()
{
    const auto x = pq::test::heavyTailedWeights(40, 256, 17);
    for (const ActivationQuant a : {ActivationQuant::Nvfp4, ActivationQuant::Mxfp4,
                                    ActivationQuant::Mxfp8, ActivationQuant::Fp8PerToken}) {
        auto expected = x;
        QVERIFY(m_ref->quantizeActivations(a, expected, 256, 2.5F).has_value());
        for (const RowKernels *k : m_variants) {
            auto got = x;
            QVERIFY(pq::kernels::cpu::makeCpuBackend(*k)->quantizeActivations(a, got, 256, 2.5F));
            QVERIFY2(sameBits(got, expected), k->isa);
        }
    }
}

void TestCpuBackend::sameErrors()
{
    auto act = pq::test::gaussianWeights(4, 64, 3, 1.0F);
    act[130] = NAN;
    for (const RowKernels *k : m_variants) {
        auto copy = act;
        const Status st = pq::kernels::cpu::makeCpuBackend(*k)->quantizeActivations(
                ActivationQuant::Mxfp4, copy, 64, 0.0F);
        QVERIFY(!st.has_value());
        QVERIFY(st.error().message().find("NaN at [2, 2]") != std::string::npos);
    }
    std::vector<float> w(8 * 128, 0.25F);
    w[3 * 128 + 77] = -INFINITY;
    const auto cpu = pq::kernels::cpu::makeCpuBackend();
    const auto ref = m_ref->encode(FormatId::MXFP8, viewOf(w, 8, 128, "t"), {});
    const auto got = cpu->encode(FormatId::MXFP8, viewOf(w, 8, 128, "t"), {});
    QVERIFY(!ref.has_value() && !got.has_value());
    QCOMPARE(got.error().message(), ref.error().message());
    QVERIFY(got.error().message().find("[3, 77]") != std::string::npos);
    const auto shape = cpu->encode(FormatId::W4A16, viewOf(w, 16, 64, "t"), {});
    QVERIFY(!shape.has_value());
    QVERIFY(shape.error().message().find("W4A16") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestCpuBackend)
#include "test_cpu_backend.moc"
