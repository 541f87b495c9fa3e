// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/dtype.h"
#include "core/quant/format_spec.h"
#include "core/util/result.h"

namespace pq::core::quant {

/**
 * A read-only 2-D weight [rows = out, cols = in] in its source dtype (F32, BF16 or F16).
 * Row r starts at element r × rowStride (rowStride ≥ cols; a larger stride selects every other
 * row of an interleaved tensor). The bytes are not owned.
 */
struct WeightView
{
    DType dtype = DType::F32;
    const std::byte *data = nullptr;
    std::uint64_t rows = 0;
    std::uint64_t cols = 0;
    std::uint64_t rowStride = 0;  ///< in elements; 0 means cols
    std::string name;             ///< for error messages

    std::uint64_t stride() const { return rowStride == 0 ? cols : rowStride; }
};

/** Builds a view of a contiguous float32 buffer. */
WeightView
viewOf(std::span<const float> data, std::uint64_t rows, std::uint64_t cols, std::string name = {});

/** Per-call options. */
struct QuantOptions
{
    /** NVFP4: max |w| over the fused group that shares one global scale. Default: this weight's. */
    std::optional<float> globalAmax;
    /** NVFP4 W4A4: calibrated max |x| of the Linear's input (input_global_scale = 448·6/amax). */
    std::optional<float> inputAmax;
};

/** A stored tensor of an encoded weight, with its bytes exactly as written to disk. */
struct StoredTensor
{
    StoredTensorSpec spec;
    std::vector<std::byte> bytes;
};

/** The tensors one format writes for one Linear (storedTensors() order). */
struct EncodedWeight
{
    FormatId format = FormatId::BF16;
    std::uint64_t rows = 0;
    std::uint64_t cols = 0;
    std::vector<StoredTensor> tensors;

    const StoredTensor *find(std::string_view suffix) const;
};

/** Quantization error of one format on one weight, from one pass over W. */
struct ErrorMetrics
{
    double sse = 0.0;                  ///< Σ (W − Q(W))²
    double fisherSse = 0.0;            ///< Σ F ⊙ (W − Q(W))²  (0 when no F was given)
    std::vector<double> rowFisherSse;  ///< per output row (empty when no F)
    std::vector<double> rowSse;        ///< per output row
};

/**
 * A quantizer implementation. The reference backend (core) defines every format; fast backends
 * (kernels/cpu, kernels/cuda) must produce identical bytes and values. Errors: a shape the
 * format cannot take, or a NaN/Inf weight (the message names the tensor and the first bad
 * index). Implementations are thread-compatible: one call at a time per object unless stated.
 */
class QuantBackend
{
public:
    virtual ~QuantBackend() = default;

    virtual std::string_view name() const = 0;
    virtual bool supports(FormatId id) const = 0;

    /** W → the stored tensors, packed exactly as written to disk. */
    virtual Result<EncodedWeight>
    encode(FormatId id, const WeightView &w, const QuantOptions &options) = 0;

    /** Stored tensors → float32 weights [rows × cols] (row-major). */
    virtual Status decode(const EncodedWeight &encoded, std::span<float> out) = 0;

    /** decode(encode(W)) without materialising the stored tensors. */
    virtual Status fakeQuant(FormatId id,
                             const WeightView &w,
                             const QuantOptions &options,
                             std::span<float> out) = 0;

    /**
     * Error metrics for each format in `ids`, in one pass over W where the backend can.
     * `fisher` (may be empty) has W's shape, row-major, float32.
     */
    virtual Result<std::vector<ErrorMetrics>> measure(std::span<const FormatId> ids,
                                                      const WeightView &w,
                                                      std::span<const float> fisher,
                                                      const QuantOptions &options) = 0;

    /**
     * Fake-quantizes activation rows in place with a serve-time activation quantizer.
     * `rowLen` = hidden size; `inputAmax` is the calibrated max |x| (NVFP4 only).
     */
    virtual Status quantizeActivations(ActivationQuant a,
                                       std::span<float> rows,
                                       std::uint64_t rowLen,
                                       float inputAmax) = 0;
};

/** The scalar reference backend: the definition of every format. */
std::unique_ptr<QuantBackend> makeReferenceBackend();

}  // namespace pq::core::quant
