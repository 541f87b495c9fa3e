// SPDX-License-Identifier: MIT
// Every format through the reference backend: golden vectors written by hand (two-level NVFP4
// scale, E8M0 scales, INT4 words, FP4 nibble order, BF16-rounded FP8 scales, zero blocks),
// the stored-tensor layout, shape rules, NaN/Inf refusal, and properties on random and
// heavy-tailed weights (decode(encode) == fake-quant; error within the per-block bound;
// metrics equal a recomputation).
#include <cmath>
#include <cstring>

#include <QtTest>

#include "core/quant/element_codecs.h"
#include "core/quant/format_spec.h"
#include "core/quant/group_quant.h"
#include "core/quant/quant_backend.h"
#include "core/quant/weight_rows.h"
#include "tests/core/quant/quant_test_util.h"

using namespace pq::core;
using namespace pq::core::quant;

namespace {

std::vector<std::uint8_t> bytesOf(const StoredTensor &t)
{
    std::vector<std::uint8_t> out(t.bytes.size());
    std::memcpy(out.data(), t.bytes.data(), out.size());
    return out;
}

float floatOf(const StoredTensor &t)
{
    float v = 0;
    std::memcpy(&v, t.bytes.data(), 4);
    return v;
}

EncodedWeight encodeOrFail(QuantBackend &b,
                           FormatId id,
                           const std::vector<float> &w,
                           std::uint64_t rows,
                           std::uint64_t cols,
                           QuantOptions o = {})
{
    auto e = b.encode(id, viewOf(w, rows, cols, "test.weight"), o);
    if (!e) {
        qFatal("%s", e.error().message().c_str());
    }
    return std::move(*e);
}

/** Largest gap between adjacent grid values: twice the worst rounding error inside the range. */
float maxStep(FormatId id)
{
    switch (id) {
    case FormatId::NVFP4:
    case FormatId::NVFP4A16:
    case FormatId::MXFP4:
        return 2.0F;
    case FormatId::MXFP8:
    case FormatId::FP8Dynamic:
        return 32.0F;
    case FormatId::MXFP6E2M3:
        return 0.5F;
    case FormatId::MXFP6E3M2:
        return 4.0F;
    default:
        return 1.0F;  // integers
    }
}

float maxValue(FormatId id)
{
    switch (id) {
    case FormatId::NVFP4:
    case FormatId::NVFP4A16:
    case FormatId::MXFP4:
        return 6.0F;
    case FormatId::MXFP8:
    case FormatId::FP8Dynamic:
        return 448.0F;
    case FormatId::MXFP6E2M3:
        return 7.5F;
    case FormatId::MXFP6E3M2:
        return 28.0F;
    case FormatId::W4A16:
        return 7.0F;
    default:
        return 127.0F;
    }
}

}  // namespace

class TestFormats : public QObject
{
    Q_OBJECT

private Q_SLOTS:

    void initTestCase() { m_ref = makeReferenceBackend(); }

    void table();
    void storedTensorsAndBytes_data();
    void storedTensorsAndBytes();
    void shapeRules();
    void nvfp4TwoLevelScale();
    void nvfp4FusedGlobalScale();
    void nvfp4ExplicitGlobalAmax();
    void nvfp4ZeroAndTinyBlocks();
    void nvfp4NeedsInputAmax();
    void mxfp4NibbleOrderAndScale();
    void mxfp4ClipsLikeCompressedTensors();
    void mxfp8Golden();
    void fp8ChannelUsesBf16Scale();
    void int4WordsAndTies();
    void int8Words();
    void mxfp6Packing();
    void bf16KeepsSource();
    void nonFiniteWeightsAreRefused();
    void properties_data();
    void properties();
    void activationQuantizers();

private:
    std::unique_ptr<QuantBackend> m_ref;
};

void TestFormats::table()
{
    QCOMPARE(allFormats().size(), std::size_t{FORMAT_COUNT});
    for (std::size_t i = 0; i < allFormats().size(); ++i) {
        QCOMPARE(static_cast<std::size_t>(allFormats()[i].id), i);
        QCOMPARE(parseFormatName(allFormats()[i].name), allFormats()[i].id);
    }
    QCOMPARE(parseFormatName("nvfp4"), FormatId::NVFP4);
    QCOMPARE(parseFormatName("fp8"), FormatId::FP8Dynamic);
    QVERIFY(!parseFormatName("int3").has_value());
    QVERIFY(!formatInfo(FormatId::MXFP6E3M2).servable);
    QVERIFY(formatInfo(FormatId::MXFP6E3M2).ctFormat.empty());
    QCOMPARE(formatInfo(FormatId::MXFP8).ctFormat, std::string_view("mxfp8-quantized"));
}

void TestFormats::storedTensorsAndBytes_data()
{
    // Exact names, dtype tokens and shapes (reference/compressed-tensors.md §2.1) for [256, 512].
    QTest::addColumn<int>("format");
    QTest::addColumn<quint64>("bytes");
    QTest::addColumn<QString>("tensors");
    const std::uint64_t o = 256;
    const std::uint64_t i = 512;
    const auto row = [](const char *n, FormatId f, std::uint64_t b, const char *t) {
        QTest::newRow(n) << static_cast<int>(f) << static_cast<quint64>(b)
                         << QString::fromLatin1(t);
    };
    row("BF16", FormatId::BF16, o * i * 2, "weight BF16 [256,512]");
    row("FP8_DYNAMIC", FormatId::FP8Dynamic, o * i + o * 2,
        "weight F8_E4M3 [256,512]; weight_scale BF16 [256,1]");
    row("MXFP8", FormatId::MXFP8, o * i + o * i / 32,
        "weight F8_E4M3 [256,512]; weight_scale U8 [256,16]");
    row("NVFP4", FormatId::NVFP4, o * i / 2 + o * i / 16 + 8,
        "weight_packed U8 [256,256]; weight_scale F8_E4M3 [256,32]; weight_global_scale F32 [1]; "
        "input_global_scale F32 [1]");
    row("NVFP4A16", FormatId::NVFP4A16, o * i / 2 + o * i / 16 + 4,
        "weight_packed U8 [256,256]; weight_scale F8_E4M3 [256,32]; weight_global_scale F32 [1]");
    row("MXFP4", FormatId::MXFP4, o * i / 2 + o * i / 32,
        "weight_packed U8 [256,256]; weight_scale U8 [256,16]");
    row("W4A16", FormatId::W4A16, o * i / 2 + o * (i / 128) * 2 + 16,
        "weight_packed I32 [256,64]; weight_scale BF16 [256,4]; weight_shape I64 [2]");
    row("W8A16", FormatId::W8A16, o * i + o * (i / 128) * 2 + 16,
        "weight_packed I32 [256,128]; weight_scale BF16 [256,4]; weight_shape I64 [2]");
    row("W8A16_CH", FormatId::W8A16Channel, o * i + o * 2 + 16,
        "weight_packed I32 [256,128]; weight_scale BF16 [256,1]; weight_shape I64 [2]");
    row("MXFP6_E3M2", FormatId::MXFP6E3M2, o * i * 3 / 4 + o * i / 32,
        "weight_packed U8 [256,384]; weight_scale U8 [256,16]");
}

void TestFormats::storedTensorsAndBytes()
{
    QFETCH(int, format);
    QFETCH(quint64, bytes);
    QFETCH(QString, tensors);
    const auto id = static_cast<FormatId>(format);
    QCOMPARE(formatBytes(id, 256, 512, DType::BF16), static_cast<std::uint64_t>(bytes));
    const auto describe = [](const std::vector<StoredTensorSpec> &specs) {
        QStringList parts;
        for (const StoredTensorSpec &t : specs) {
            QStringList dims;
            for (const std::uint64_t d : t.shape) {
                dims << QString::number(d);
            }
            parts << QStringLiteral("%1 %2 [%3]")
                             .arg(QString::fromStdString(t.suffix),
                                  QString::fromLatin1(dtypeName(t.dtype).data()),
                                  dims.join(QLatin1Char(',')));
        }
        return parts.join(QStringLiteral("; "));
    };
    QCOMPARE(describe(storedTensors(id, 256, 512, DType::BF16)), tensors);
    // encode writes exactly these tensors with exactly these sizes (the view is float32, so the
    // BF16 passthrough keeps F32)
    const auto w = pq::test::gaussianWeights(256, 512, 7);
    QuantOptions o;
    o.inputAmax = 3.0F;
    const EncodedWeight e = encodeOrFail(*m_ref, id, w, 256, 512, o);
    std::vector<StoredTensorSpec> written;
    for (const StoredTensor &t : e.tensors) {
        QCOMPARE(t.bytes.size(), t.spec.bytes());
        written.push_back(t.spec);
    }
    QCOMPARE(describe(written), describe(storedTensors(id, 256, 512, DType::F32)));
}

void TestFormats::shapeRules()
{
    QVERIFY(checkShape(FormatId::NVFP4, 8, 16).has_value());
    const Status bad = checkShape(FormatId::NVFP4, 8, 100);
    QVERIFY(!bad.has_value());
    QVERIFY2(bad.error().message().find("NVFP4 needs in_features divisible by its group size 16 "
                                        "(got 100)") != std::string::npos,
             bad.error().message().c_str());
    QVERIFY(!checkShape(FormatId::MXFP4, 8, 48).has_value());
    QVERIFY(!checkShape(FormatId::W4A16, 8, 64).has_value());
    QVERIFY(checkShape(FormatId::FP8Dynamic, 3, 7).has_value());
    QVERIFY(checkShape(FormatId::W8A16Channel, 3, 7).has_value());
    const std::vector<float> w(8 * 100, 0.1F);
    const auto e =
            m_ref->encode(FormatId::MXFP8, viewOf(w, 8, 100, "model.layers.0.mlp.down_proj"), {});
    QVERIFY(!e.has_value());
    QCOMPARE(e.error().tensor, std::string("model.layers.0.mlp.down_proj"));
}

void TestFormats::nvfp4TwoLevelScale()
{
    // One row, two groups of 16: group 0 amax 0.051, group 1 amax 0.310 (the worked example of
    // reference/prismaquant.md §2.5). G = 2688/0.31 = 8670.9678; group scales 73.70 → E4M3 72
    // (0x69) and 448 (0x7E). Codes are chosen with the stored scale: 0.042075 / (72/G) = 5.067
    // → E2M1 6.0 (code 7), not 4.0 as an unrounded scale would give.
    std::vector<float> w(32, 0.0F);
    w[0] = 0.051F;
    w[1] = 0.042075F;
    w[2] = -0.0041F;  // 0.0041/eff = 0.49 → 0.5, negative: code 9
    w[16] = 0.310F;
    w[17] = -0.1F;  // 0.1 / (448/G) = 1.935 → 2.0: code 4 | 8
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::NVFP4A16, w, 1, 32);
    QCOMPARE(e.tensors.size(), std::size_t{3});
    QCOMPARE(floatOf(e.tensors[2]), 8670.9677734375F);
    QCOMPARE(bytesOf(e.tensors[1]), (std::vector<std::uint8_t>{0x69, 0x7E}));
    // 0.051/eff0 = 6.142 → 6 (code 7); element 1 → code 7; element 2 → code 9
    const auto packed = bytesOf(e.tensors[0]);
    QCOMPARE(packed.size(), std::size_t{16});
    QCOMPARE(packed[0], std::uint8_t{0x77});
    QCOMPARE(packed[1], std::uint8_t{0x09});
    QCOMPARE(packed[8], std::uint8_t{0xC7});  // 0.31/eff1 = 6 → 7; -0.1 → code 12
    std::vector<float> back(32);
    QVERIFY(m_ref->decode(e, back).has_value());
    QCOMPARE(back[1], 6.0F * (72.0F / 8670.9677734375F));
    QCOMPARE(back[16], 6.0F * (448.0F / 8670.9677734375F));
}

void TestFormats::nvfp4FusedGlobalScale()
{
    // q and k of one layer: the exporter passes max(amax_q, amax_k) so both store the same G.
    const auto q = pq::test::gaussianWeights(8, 64, 31, 0.02F);
    const auto k = pq::test::gaussianWeights(8, 64, 32, 0.05F);
    const auto amaxQ = weightMaxAbs(viewOf(q, 8, 64));
    const auto amaxK = weightMaxAbs(viewOf(k, 8, 64));
    QVERIFY(amaxQ.has_value() && amaxK.has_value() && *amaxK > *amaxQ);
    QuantOptions shared;
    shared.globalAmax = std::max(*amaxQ, *amaxK);
    const EncodedWeight eq = encodeOrFail(*m_ref, FormatId::NVFP4A16, q, 8, 64, shared);
    const EncodedWeight ek = encodeOrFail(*m_ref, FormatId::NVFP4A16, k, 8, 64, shared);
    QCOMPARE(bytesOf(eq.tensors[2]), bytesOf(ek.tensors[2]));
    QCOMPARE(floatOf(eq.tensors[2]), nvfp4GlobalScale(*amaxK));
}

void TestFormats::nvfp4ExplicitGlobalAmax()
{
    // A fused-group maximum below the weight's own, or not finite, is a caller error.
    const std::vector<float> big(16, 3.0F);
    QuantOptions bad;
    bad.globalAmax = 1.0F;
    QVERIFY(!m_ref->encode(FormatId::NVFP4A16, viewOf(big, 1, 16, "x"), bad).has_value());
    bad.globalAmax = NAN;
    QVERIFY(!m_ref->encode(FormatId::NVFP4A16, viewOf(big, 1, 16, "x"), bad).has_value());
    // Fused siblings share G from the group's combined amax: passing a larger amax lowers G.
    const std::vector<float> w(16, 0.01F);
    QuantOptions o;
    o.globalAmax = 2.0F;
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::NVFP4A16, w, 1, 16, o);
    QCOMPARE(floatOf(e.tensors[2]), 448.0F * 6.0F / 2.0F);
    std::vector<float> back(16);
    std::vector<float> fake(16);
    QVERIFY(m_ref->decode(e, back).has_value());
    QVERIFY(m_ref->fakeQuant(FormatId::NVFP4A16, viewOf(w, 1, 16), o, fake).has_value());
    QCOMPARE(back, fake);
}

void TestFormats::nvfp4ZeroAndTinyBlocks()
{
    // An all-zero block and a block whose scale rounds to zero in E4M3 both store 0.125 (0x20).
    std::vector<float> w(48, 0.0F);
    w[0] = 2688.0F;  // tensor amax → G = 1
    w[32] = 0.001F;  // scale 0.000167 → E4M3 0 → 0.125
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::NVFP4A16, w, 1, 48);
    QCOMPARE(floatOf(e.tensors[2]), 1.0F);
    QCOMPARE(bytesOf(e.tensors[1]), (std::vector<std::uint8_t>{0x7E, 0x20, 0x20}));
    const auto packed = bytesOf(e.tensors[0]);
    QCOMPARE(packed[8], std::uint8_t{0x00});   // zeros stay code 0
    QCOMPARE(packed[16], std::uint8_t{0x00});  // 0.001 / 0.125 = 0.008 → 0
}

void TestFormats::nvfp4NeedsInputAmax()
{
    const std::vector<float> w(16, 0.5F);
    const auto e = m_ref->encode(FormatId::NVFP4, viewOf(w, 1, 16, "q_proj"), {});
    QVERIFY(!e.has_value());
    QVERIFY(e.error().message().find("NVFP4A16") != std::string::npos);
    QuantOptions o;
    o.inputAmax = 12.0F;
    const EncodedWeight ok = encodeOrFail(*m_ref, FormatId::NVFP4, w, 1, 16, o);
    QCOMPARE(floatOf(ok.tensors[3]), 448.0F * 6.0F / 12.0F);  // input_global_scale, a divisor
}

void TestFormats::mxfp4NibbleOrderAndScale()
{
    // amax 6 → E = 127 (scale 1): codes are the values themselves; even element in the low nibble.
    std::vector<float> w(32, 0.0F);
    w[0] = 0.5F;   // code 1
    w[1] = 1.0F;   // code 2
    w[2] = -0.5F;  // code 9
    w[3] = 6.0F;   // code 7
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::MXFP4, w, 1, 32);
    const auto packed = bytesOf(e.tensors[0]);
    QCOMPARE(packed[0], std::uint8_t{0x21});
    QCOMPARE(packed[1], std::uint8_t{0x79});
    QCOMPARE(bytesOf(e.tensors[1]), std::vector<std::uint8_t>{127});
}

void TestFormats::mxfp4ClipsLikeCompressedTensors()
{
    // amax 1.7: mantissa fraction 0.7 < 0.75 rounds down to 1 → E = 125 (scale 0.25): 1.7/0.25 =
    // 6.8 saturates to 6 → 1.5. compressed-tensors' rule accepts this clipping.
    std::vector<float> w(32, 0.0F);
    w[5] = 1.7F;
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::MXFP4, w, 1, 32);
    QCOMPARE(bytesOf(e.tensors[1]), std::vector<std::uint8_t>{125});
    std::vector<float> back(32);
    QVERIFY(m_ref->decode(e, back).has_value());
    QCOMPARE(back[5], 1.5F);
}

void TestFormats::mxfp8Golden()
{
    // amax 1.9 → p2 = 2 → E = 127 + 1 − 8 = 120 (2^-7): 1.9·128 = 243.2 → E4M3 240 (0x77).
    std::vector<float> w(32, 0.0F);
    w[0] = 1.9F;
    w[1] = -0.01F;  // ·128 = 1.28 → 1.25 (0x3A | sign)
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::MXFP8, w, 1, 32);
    QCOMPARE(bytesOf(e.tensors[1]), std::vector<std::uint8_t>{120});
    const auto codes = bytesOf(e.tensors[0]);
    QCOMPARE(codes[0], std::uint8_t{0x77});
    QCOMPARE(codes[1], std::uint8_t{0xBA});
}

void TestFormats::fp8ChannelUsesBf16Scale()
{
    // Row amax 1.0: scale BF16(1/448) = 0.0022277832 (0x3B12); 1.0 / that = 448.88 → clamps to
    // 448 (0x7E). A zero row stores the BF16 epsilon 2^-7 (0x3C00).
    std::vector<float> w(2 * 4, 0.0F);
    w[0] = 1.0F;
    w[1] = 0.5F;  // 224.4 → E4M3 224 (0x76)
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::FP8Dynamic, w, 2, 4);
    QCOMPARE(bytesOf(e.tensors[1]), (std::vector<std::uint8_t>{0x12, 0x3B, 0x00, 0x3C}));
    const auto codes = bytesOf(e.tensors[0]);
    QCOMPARE(codes[0], std::uint8_t{0x7E});
    QCOMPARE(codes[1], std::uint8_t{0x76});
}

void TestFormats::int4WordsAndTies()
{
    // amax 7.5 → scale BF16(1.0). w_j = (j mod 16) − 7.5: every value is a tie, rounded to even;
    // 7.5 → 8 clamps to 7. u = q + 8 = 0 2 2 4 4 6 6 8 | 8 10 10 12 12 14 14 15.
    std::vector<float> w(128);
    for (std::size_t j = 0; j < w.size(); ++j) {
        w[j] = static_cast<float>(j % 16) - 7.5F;
    }
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::W4A16, w, 1, 128);
    const auto words = bytesOf(e.tensors[0]);
    QCOMPARE(words.size(), std::size_t{64});
    QCOMPARE((std::vector<std::uint8_t>(words.begin(), words.begin() + 8)),
             (std::vector<std::uint8_t>{0x20, 0x42, 0x64, 0x86, 0xA8, 0xCA, 0xEC, 0xFE}));
    QCOMPARE(bytesOf(e.tensors[1]), (std::vector<std::uint8_t>{0x80, 0x3F}));
    QCOMPARE(bytesOf(e.tensors[2]),
             (std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 0, 0, 0, 0}));
    std::vector<float> back(128);
    QVERIFY(m_ref->decode(e, back).has_value());
    QCOMPARE(back[0], -8.0F);
    QCOMPARE(back[15], 7.0F);
}

void TestFormats::int8Words()
{
    // amax 127.5 → scale 1: q = rne(w); element 4k+i sits in byte i of word k (u = q + 128).
    std::vector<float> w(128, 0.0F);
    w[0] = 127.5F;   // → 128 → clamps 127 → u 255
    w[1] = -127.5F;  // → −128 → u 0
    w[2] = 2.5F;     // → 2 → u 130
    w[3] = -0.5F;    // → −0 → u 128
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::W8A16, w, 1, 128);
    const auto words = bytesOf(e.tensors[0]);
    QCOMPARE((std::vector<std::uint8_t>(words.begin(), words.begin() + 4)),
             (std::vector<std::uint8_t>{255, 0, 130, 128}));
}

void TestFormats::mxfp6Packing()
{
    // E2M3 with amax 4 → p2 4 → E = 127 + 2 − 2 = 127 (scale 1). Codes: 1.0 = 0x08,
    // 4.0 = 0x18, −0.125 = 0x21 (subnormal), 0.5 = 0x04 → 24 bits LSB first.
    std::vector<float> w(32, 0.0F);
    w[0] = 1.0F;
    w[1] = 4.0F;
    w[2] = -0.125F;
    w[3] = 0.5F;
    const EncodedWeight e = encodeOrFail(*m_ref, FormatId::MXFP6E2M3, w, 1, 32);
    const std::uint32_t v = 0x08U | (0x18U << 6U) | (0x21U << 12U) | (0x04U << 18U);
    const auto packed = bytesOf(e.tensors[0]);
    QCOMPARE(packed[0], static_cast<std::uint8_t>(v & 0xFF));
    QCOMPARE(packed[1], static_cast<std::uint8_t>((v >> 8) & 0xFF));
    QCOMPARE(packed[2], static_cast<std::uint8_t>((v >> 16) & 0xFF));
    std::vector<float> back(32);
    QVERIFY(m_ref->decode(e, back).has_value());
    QCOMPARE(bytesOf(e.tensors[1]), std::vector<std::uint8_t>{127});
    QCOMPARE(back[1], 4.0F);
    QCOMPARE(back[2], -0.125F);
}

void TestFormats::bf16KeepsSource()
{
    const std::vector<std::uint16_t> src = {0x3F80, 0xBF80, 0x4000, 0x0001};
    WeightView v;
    v.dtype = DType::BF16;
    v.data = reinterpret_cast<const std::byte *>(src.data());
    v.rows = 2;
    v.cols = 2;
    auto e = m_ref->encode(FormatId::BF16, v, {});
    QVERIFY(e.has_value());
    QCOMPARE(e->tensors[0].spec.dtype, DType::BF16);
    QCOMPARE(std::memcmp(e->tensors[0].bytes.data(), src.data(), 8), 0);
    const std::vector<FormatId> ids = {FormatId::BF16};
    const auto m = m_ref->measure(ids, v, {}, {});
    QVERIFY(m.has_value());
    QCOMPARE(m->front().sse, 0.0);
}

void TestFormats::nonFiniteWeightsAreRefused()
{
    std::vector<float> w(4 * 128, 0.1F);
    w[2 * 128 + 5] = NAN;
    for (const FormatInfo &f : allFormats()) {
        QuantOptions o;
        o.inputAmax = 1.0F;
        const auto e = m_ref->encode(f.id, viewOf(w, 4, 128, "model.layers.1.mlp.up_proj"), o);
        QVERIFY(!e.has_value());
        QCOMPARE(e.error().tensor, std::string("model.layers.1.mlp.up_proj"));
        QVERIFY2(e.error().message().find("NaN at [2, 5]") != std::string::npos,
                 e.error().message().c_str());
    }
    w[2 * 128 + 5] = INFINITY;
    std::vector<float> out(w.size());
    const Status st = m_ref->fakeQuant(FormatId::MXFP4, viewOf(w, 4, 128, "x"), {}, out);
    QVERIFY(!st.has_value());
    QVERIFY(st.error().message().find("infinite at [2, 5]") != std::string::npos);
}

void TestFormats::properties_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("heavy");
    for (const FormatInfo &f : allFormats()) {
        QTest::newRow((std::string(f.name) + " gaussian").c_str())
                << static_cast<int>(f.id) << false;
        QTest::newRow((std::string(f.name) + " heavy-tailed").c_str())
                << static_cast<int>(f.id) << true;
    }
}

void TestFormats::properties()
{
    QFETCH(int, format);
    QFETCH(bool, heavy);
    const auto id = static_cast<FormatId>(format);
    const std::uint64_t rows = 24;
    const std::uint64_t cols = 256;
    const auto w = heavy ? pq::test::heavyTailedWeights(rows, cols, 11)
                         : pq::test::gaussianWeights(rows, cols, 12);
    const auto fisher = pq::test::fisherLike(rows * cols, 13);
    QuantOptions o;
    o.inputAmax = 4.0F;
    const WeightView view = viewOf(w, rows, cols, "w");
    const EncodedWeight e = encodeOrFail(*m_ref, id, w, rows, cols, o);
    std::vector<float> decoded(rows * cols);
    std::vector<float> fake(rows * cols);
    QVERIFY(m_ref->decode(e, decoded).has_value());
    QVERIFY(m_ref->fakeQuant(id, view, o, fake).has_value());
    QVERIFY(std::memcmp(decoded.data(), fake.data(), fake.size() * 4) == 0);  // bit for bit

    // Per-block bound: half the largest grid step times the effective scale, plus clipping.
    const std::uint32_t g = formatInfo(id).layout.groupSize;
    const std::uint64_t len = g == 0 ? cols : g;
    for (std::uint64_t r = 0; r < rows; ++r) {
        for (std::uint64_t k = 0; k * len < cols; ++k) {
            float amax = 0.0F;
            float worst = 0.0F;
            for (std::uint64_t i = 0; i < len; ++i) {
                const std::uint64_t j = r * cols + k * len + i;
                amax = std::max(amax, std::abs(w[j]));
                worst = std::max(worst, std::abs(w[j] - fake[j]));
            }
            // eff ≤ 2·amax/max for every rule (MX rounds the scale up at most ×2; BF16/E4M3
            // scale rounding adds < 1 %); clipping can cost up to amax/4 (MX, fraction < 0.75).
            const float eff = 2.0F * amax / maxValue(id);
            const float bound =
                    id == FormatId::BF16 ? 0.0F : eff * maxStep(id) / 2.0F + amax / 4.0F;
            QVERIFY2(worst <= bound * 1.0001F, qPrintable(QStringLiteral("row %1 block %2: %3 > %4")
                                                                  .arg(r)
                                                                  .arg(k)
                                                                  .arg(worst)
                                                                  .arg(bound)));
        }
    }
    // Metrics equal a recomputation from the fake-quantized weights.
    const std::vector<FormatId> ids = {id};
    const auto m = m_ref->measure(ids, view, fisher, o);
    QVERIFY(m.has_value());
    double sse = 0.0;
    double fsse = 0.0;
    for (std::size_t j = 0; j < w.size(); ++j) {
        const double d = static_cast<double>(w[j]) - static_cast<double>(fake[j]);
        sse += d * d;
        fsse += static_cast<double>(fisher[j]) * d * d;
    }
    QVERIFY(std::abs(m->front().sse - sse) <= 1e-12 * std::max(1e-30, sse));
    QVERIFY(std::abs(m->front().fisherSse - fsse) <= 1e-12 * std::max(1e-30, fsse));
    QCOMPARE(m->front().rowFisherSse.size(), rows);
    if (id != FormatId::BF16) {
        QVERIFY(sse > 0.0);
    }
}

void TestFormats::activationQuantizers()
{
    // NVFP4 activations use the weight math with G from the calibrated input amax; FP8 per token
    // uses a float32 scale per row; A16 leaves rows alone.
    auto x = pq::test::gaussianWeights(3, 64, 21, 1.0F);
    const auto original = x;
    QVERIFY(m_ref->quantizeActivations(ActivationQuant::None, x, 64, 0.0F).has_value());
    QCOMPARE(x, original);
    QVERIFY(m_ref->quantizeActivations(ActivationQuant::Nvfp4, x, 64, 4.0F).has_value());
    std::vector<float> asWeights(original.size());
    QuantOptions o;
    o.globalAmax = 4.0F;
    QVERIFY(m_ref->fakeQuant(FormatId::NVFP4A16, viewOf(original, 3, 64), o, asWeights)
                    .has_value());
    QCOMPARE(x, asWeights);
    x = original;
    QVERIFY(m_ref->quantizeActivations(ActivationQuant::Fp8PerToken, x, 64, 0.0F).has_value());
    float amax = 0.0F;
    for (int j = 0; j < 64; ++j) {
        amax = std::max(amax, std::abs(original[j]));
    }
    const float s = amax / 448.0F;
    QCOMPARE(x[0], roundMinifloat(original[0] / s, E4M3) * s);
    QVERIFY(!m_ref->quantizeActivations(ActivationQuant::Mxfp4, x, 48, 0.0F).has_value());
    x[70] = NAN;  // corrupt activations are refused, not turned into finite values
    const Status st = m_ref->quantizeActivations(ActivationQuant::Fp8PerToken, x, 64, 0.0F);
    QVERIFY(!st.has_value());
    QVERIFY2(st.error().message().find("NaN at [1, 6]") != std::string::npos,
             st.error().message().c_str());
}

QTEST_APPLESS_MAIN(TestFormats)
#include "test_formats.moc"
