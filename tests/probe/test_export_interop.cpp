// SPDX-License-Identifier: MIT
// Our exports read by libraries nobody here wrote (tests/interop/ct_interop.py, pinned PyPI
// versions through scripts/pyenv):
// - for every exportable format and a mixed recipe, the `compressed-tensors` library
//   decompresses each quantized module of a tiny transformers-made Llama and Qwen3, and the
//   result equals our read-back bit for bit (in the library's output dtype, and in float32 with
//   the scales upcast);
// - `transformers` loads the weight-only exports through its compressed-tensors integration and
//   its logits match our forward of the same read-back weights within LOGIT_TOLERANCE.
// Skipped, saying why, only when PyPI is unreachable.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "core/export/compressed_checkpoint.h"
#include "core/export/exporter.h"
#include "core/io/checkpoint_writer.h"
#include "core/probe/causal_lm.h"
#include "core/quant/format_spec.h"
#include "core/util/atomic_file.h"
#include "core/util/bf16.h"
#include "tests/core/io/io_test_util.h"
#include "tests/support/pyenv_runner.h"

using namespace pq;
using core::quant::FormatId;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int SCRIPT_TIMEOUT_MS = 600 * 1000;
/**
 * Max |logit difference| allowed between transformers and us on the same exported weights, both
 * computing in float32. compressed-tensors hands transformers some schemes' weights in bfloat16,
 * which the decompression check proves equal to our read-back rounded to bfloat16; our forward
 * rounds those modules the same way, so what remains is the order of float operations.
 */
constexpr double LOGIT_TOLERANCE = 1e-4;

/** Weight-only formats: transformers' dense forward equals ours without activation quantizers. */
bool weightOnly(const core::ct::FormatMap &formats)
{
    return std::all_of(formats.begin(), formats.end(), [](const auto &f) {
        return core::quant::formatInfo(f.second).activation == core::quant::ActivationQuant::None;
    });
}

/** A mixed weight-only recipe: each kind of fused group in another format. */
core::ct::FormatMap mixedWeightOnly(const core::ModelInventory &inv)
{
    core::ct::FormatMap out;
    for (const core::LinearInfo &l : inv.linears) {
        switch (l.role) {
        case core::LinearRole::AttnQ:
        case core::LinearRole::AttnK:
        case core::LinearRole::AttnV:
            out[l.name] = FormatId::NVFP4A16;
            break;
        case core::LinearRole::AttnO:
            out[l.name] = l.layer == 0 ? FormatId::BF16 : FormatId::W8A16;
            break;
        case core::LinearRole::MlpDown:
            out[l.name] = FormatId::W8A16Channel;
            break;
        default:
            out[l.name] = FormatId::W4A16;
        }
    }
    return out;
}

}  // namespace

class TestExportInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void librariesReadOurExports_data();
    void librariesReadOurExports();

private:
    /** Writes every quantized module's read-back (float32 `<module>.weight`) into `dir`. */
    void writeReadBack(const core::ct::CompressedCheckpoint &rb, const std::string &dir);
    /** Our logits of `model` with its Linears replaced by the read-back weights. */
    std::vector<float> ourLogits(const std::string &model,
                                 const core::ct::CompressedCheckpoint &rb,
                                 const json &heldDtypes,
                                 const std::string &dir);

    QTemporaryDir m_dir;
    QString m_python;
    json m_ids;
    std::unique_ptr<core::quant::QuantBackend> m_backend = core::quant::makeReferenceBackend();
};

void TestExportInterop::initTestCase()
{
    PQ_PYENV_OR_SKIP(m_python, QStringLiteral("torch==2.15.0"),
                     QStringLiteral("transformers==5.23.0"),
                     QStringLiteral("compressed-tensors==0.20.0"));
    const test::Ran made =
            test::runProcess(m_python,
                             {QStringLiteral(PQ_SOURCE_DIR "/tests/interop/ct_interop.py"),
                              QStringLiteral("make"), m_dir.path()},
                             SCRIPT_TIMEOUT_MS);
    QVERIFY2(made.exitCode == 0, made.err.right(3000).constData());
    std::ifstream in(m_dir.filePath(QStringLiteral("ids.json")).toStdString());
    m_ids = json::parse(in);
}

void TestExportInterop::librariesReadOurExports_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("format");  // a format name, or "mixed"
    for (const core::quant::FormatInfo &f : core::quant::allFormats()) {
        if (f.servable && f.id != FormatId::BF16) {
            QTest::newRow(qPrintable(QStringLiteral("llama ") + QLatin1String(f.name)))
                    << QStringLiteral("llama") << QString::fromLatin1(f.name);
        }
    }
    QTest::newRow("llama mixed") << QStringLiteral("llama") << QStringLiteral("mixed");
    QTest::newRow("qwen3 mixed") << QStringLiteral("qwen3") << QStringLiteral("mixed");
    QTest::newRow("qwen3 NVFP4") << QStringLiteral("qwen3") << QStringLiteral("NVFP4");
    QTest::newRow("qwen3 W4A16") << QStringLiteral("qwen3") << QStringLiteral("W4A16");
}

void TestExportInterop::librariesReadOurExports()
{
    QFETCH(QString, model);
    QFETCH(QString, format);
    const std::string source = m_dir.filePath(model).toStdString();
    const std::string work = m_dir.filePath(model + QStringLiteral("-") + format).toStdString();
    fs::create_directories(work);
    auto inv = core::inventoryModelDir(source);
    PQ_VERIFY_OK(inv);

    core::ct::ExportRequest r;
    r.modelDir = source;
    r.outDir = work + "/export";
    r.formats = format == QStringLiteral("mixed")
                        ? mixedWeightOnly(*inv)
                        : core::ct::uniformFormats(
                                  *inv, *core::quant::parseFormatName(format.toStdString()));
    for (const core::LinearInfo &l : inv->linears) {
        r.inputAmax[l.name] = 3.5F;  // a calibrated maximum, for NVFP4's input_global_scale
    }
    auto exported = core::ct::exportCheckpoint(r, *m_backend, {});
    PQ_VERIFY_OK(exported);
    auto rb = core::ct::CompressedCheckpoint::open(r.outDir);
    PQ_VERIFY_OK(rb);
    writeReadBack(*rb, work + "/readback");

    QStringList args = {QStringLiteral(PQ_SOURCE_DIR "/tests/interop/ct_interop.py"),
                        QStringLiteral("check"), QString::fromStdString(r.outDir),
                        QString::fromStdString(work + "/readback/model.safetensors"),
                        QString::fromStdString(work + "/report.json")};
    const bool logits = weightOnly(r.formats);
    if (logits) {
        args << QStringLiteral("--logits") << m_dir.filePath(QStringLiteral("ids.json"))
             << QString::fromStdString(work + "/hf_logits.f32");
    }
    const test::Ran checked = test::runProcess(m_python, args, SCRIPT_TIMEOUT_MS);
    QVERIFY2(checked.exitCode == 0, checked.err.right(3000).constData());
    std::ifstream in(work + "/report.json");
    const json report = json::parse(in);
    QVERIFY2(report["failures"].empty(), report["failures"].dump(1).c_str());
    std::size_t compared = 0;
    for (const auto &[group, s] : report["formats"].items()) {
        compared += s["modules"].get<std::size_t>();
        qInfo("%s: %zu modules bit-identical in the library's %s, %zu also in float32 (scales "
              "upcast)",
              group.c_str(), s["modules"].get<std::size_t>(),
              s["native_dtype"].get<std::string>().c_str(), s["f32_compared"].get<std::size_t>());
    }
    QCOMPARE(compared, rb->modules().size());
    QVERIFY(compared > 0);
    if (!logits) {
        return;
    }
    const std::vector<float> theirs = pq::test::readFloats(work + "/hf_logits.f32");
    const std::vector<float> ours =
            ourLogits(source, *rb, report["logits"]["weight_dtypes"], work + "/dense");
    QCOMPARE(ours.size(), theirs.size());
    double maxDiff = 0.0;
    double maxAbs = 0.0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        maxDiff = std::max(maxDiff, std::abs(double(ours[i]) - double(theirs[i])));
        maxAbs = std::max(maxAbs, std::abs(double(theirs[i])));
    }
    qInfo("transformers (%s, %s) vs ours: max |Δlogit| = %.3g (logits up to %.3g)",
          report["logits"]["transformers"].get<std::string>().c_str(),
          report["logits"]["linear_class"].get<std::string>().c_str(), maxDiff, maxAbs);
    QVERIFY(maxAbs > 0.1);
    QVERIFY2(maxDiff <= LOGIT_TOLERANCE, qPrintable(QString::number(maxDiff)));
}

void TestExportInterop::writeReadBack(const core::ct::CompressedCheckpoint &rb,
                                      const std::string &dir)
{
    fs::create_directories(dir);
    std::vector<core::TensorInfo> infos;
    for (const core::ct::QuantizedModule &m : rb.modules()) {
        infos.push_back({m.name + ".weight", core::DType::F32, {m.rows, m.cols}});
    }
    auto w = core::CheckpointWriter::create(dir, infos);
    PQ_VERIFY_OK(w);
    for (const core::ct::QuantizedModule &m : rb.modules()) {
        std::vector<float> values(m.rows * m.cols);
        PQ_VERIFY_OK(rb.dequantize(m, *m_backend, values));
        PQ_VERIFY_OK(w->writeTensor(m.name + ".weight", std::as_bytes(std::span(values))));
    }
    PQ_VERIFY_OK(w->finish());
}

std::vector<float> TestExportInterop::ourLogits(const std::string &model,
                                                const core::ct::CompressedCheckpoint &rb,
                                                const json &heldDtypes,
                                                const std::string &dir)
{
    // The source's tensors with every quantized Linear's weight replaced by its read-back, in
    // bfloat16 where compressed-tensors returned it so to transformers.
    const auto rounded = [&](const core::ct::QuantizedModule &m) {
        return heldDtypes.value(m.name, std::string()) == "bfloat16";
    };
    auto src = core::Checkpoint::open(model);
    if (!src) {
        qFatal("%s", src.error().message().c_str());
    }
    fs::create_directories(dir);
    fs::copy_file(model + "/config.json", dir + "/config.json");
    std::vector<core::TensorInfo> infos;
    for (const core::Checkpoint::Entry &e : src->tensors()) {
        const std::string &name = e.info->name;
        const auto *m =
                name.ends_with(".weight") ? rb.find(name.substr(0, name.size() - 7)) : nullptr;
        infos.push_back(
                m == nullptr ? *e.info
                             : core::TensorInfo{name,
                                                rounded(*m) ? core::DType::BF16 : core::DType::F32,
                                                {m->rows, m->cols}});
    }
    auto w = core::CheckpointWriter::create(dir, infos);
    if (!w) {
        qFatal("%s", w.error().message().c_str());
    }
    for (const core::Checkpoint::Entry &e : src->tensors()) {
        const std::string &name = e.info->name;
        const auto *m =
                name.ends_with(".weight") ? rb.find(name.substr(0, name.size() - 7)) : nullptr;
        core::Status st;
        if (m == nullptr) {
            st = w->writeTensor(name, src->view(e).data);
        } else {
            std::vector<float> values(m->rows * m->cols);
            st = rb.dequantize(*m, *m_backend, values);
            std::vector<std::uint16_t> bf16(values.size());
            std::transform(values.begin(), values.end(), bf16.begin(), core::floatToBf16);
            if (st) {
                st = rounded(*m) ? w->writeTensor(name, std::as_bytes(std::span(bf16)))
                                 : w->writeTensor(name, std::as_bytes(std::span(values)));
            }
        }
        if (!st) {
            qFatal("%s", st.error().message().c_str());
        }
    }
    if (auto st = w->finish(); !st) {
        qFatal("%s", st.error().message().c_str());
    }
    auto lm = probe::CausalLm::open(dir);
    if (!lm) {
        qFatal("%s", lm.error().message().c_str());
    }
    std::vector<float> out;
    for (const auto &seq : m_ids["ids"]) {
        const std::vector<std::int32_t> ids = seq.get<std::vector<std::int32_t>>();
        auto logits = (*lm)->logits(ids);
        if (!logits) {
            qFatal("%s", logits.error().message().c_str());
        }
        out.insert(out.end(), logits->begin(), logits->end());
    }
    return out;
}

QTEST_GUILESS_MAIN(TestExportInterop)
#include "test_export_interop.moc"
