// SPDX-License-Identifier: MIT
#include "core/model/llama2c_import.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/io/checkpoint_writer.h"
#include "core/util/atomic_file.h"
#include "core/util/mapped_file.h"

namespace pq::core {
namespace {

struct Header
{
    std::int32_t dim, hidden, layers, heads, kvHeads, vocab, seqLen;
};

/** A float32 array of the file: offset and element count. */
struct Span
{
    std::uint64_t offset;
    std::uint64_t count;
};

Result<Header> readHeader(const MappedFile &f)
{
    if (f.size() < 28) {
        return makeError(ErrorCode::InvalidFormat, "file too short for a llama2.c header")
                .withPath(f.path());
    }
    std::array<std::int32_t, 7> h{};
    std::memcpy(h.data(), f.bytes().data(), 28);
    const Header hd{h[0], h[1], h[2], h[3], h[4], h[5] < 0 ? -h[5] : h[5], h[6]};
    const bool sane = hd.dim > 0 && hd.dim <= 65536 && hd.hidden > 0 && hd.hidden <= 1 << 20 &&
                      hd.layers > 0 && hd.layers <= 1024 && hd.heads > 0 && hd.kvHeads > 0 &&
                      hd.heads % hd.kvHeads == 0 && hd.dim % hd.heads == 0 &&
                      (hd.dim / hd.heads) % 2 == 0 && hd.vocab > 0 && hd.vocab <= 1 << 22 &&
                      hd.seqLen > 0 && hd.seqLen <= 1 << 20;
    if (!sane) {
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format("implausible llama2.c header {}", fmt::join(h, " ")))
                .withPath(f.path());
    }
    return hd;
}

/** Rows of a [heads·headDim, cols] projection, from interleaved-pair to rotate-half order. */
std::vector<float>
permuteRows(const float *w, std::int64_t heads, std::int64_t headDim, std::int64_t cols)
{
    std::vector<float> out(static_cast<std::size_t>(heads * headDim * cols));
    const std::int64_t half = headDim / 2;
    for (std::int64_t h = 0; h < heads; ++h) {
        for (std::int64_t i = 0; i < half; ++i) {
            for (std::int64_t j = 0; j < 2; ++j) {
                const std::int64_t from = h * headDim + 2 * i + j;
                const std::int64_t to = h * headDim + j * half + i;
                std::memcpy(out.data() + to * cols, w + from * cols,
                            static_cast<std::size_t>(cols) * 4);
            }
        }
    }
    return out;
}

std::string configJson(const Header &h, bool tied)
{
    const nlohmann::ordered_json j = {{"architectures", {"LlamaForCausalLM"}},
                                      {"model_type", "llama"},
                                      {"hidden_size", h.dim},
                                      {"intermediate_size", h.hidden},
                                      {"num_hidden_layers", h.layers},
                                      {"num_attention_heads", h.heads},
                                      {"num_key_value_heads", h.kvHeads},
                                      {"vocab_size", h.vocab},
                                      {"max_position_embeddings", h.seqLen},
                                      {"rms_norm_eps", 1e-5},
                                      {"rope_theta", 10000.0},
                                      {"hidden_act", "silu"},
                                      {"tie_word_embeddings", tied},
                                      {"bos_token_id", 1},
                                      {"eos_token_id", 2},
                                      {"torch_dtype", "float32"}};
    return j.dump(2) + "\n";
}

/** The HF tensors of the file, as (name, shape, pointer, permute-heads-or-0). */
struct Piece
{
    std::string name;
    std::vector<std::uint64_t> shape;
    const float *data;
    std::int64_t permuteHeads;
};

std::vector<Piece> layout(const Header &h, const float *f, bool tied)
{
    const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
    const std::int64_t dim = h.dim;
    const std::int64_t kvDim = dim / h.heads * h.kvHeads;
    const std::int64_t L = h.layers;
    std::vector<Piece> out;
    const float *p = f;
    const float *emb = p;
    out.push_back({"model.embed_tokens.weight", {u(h.vocab), u(dim)}, emb, 0});
    p += h.vocab * dim;
    const float *rmsAtt = p;
    p += L * dim;
    const float *wq = p;
    p += L * dim * dim;
    const float *wk = p;
    p += L * dim * kvDim;
    const float *wv = p;
    p += L * dim * kvDim;
    const float *wo = p;
    p += L * dim * dim;
    const float *rmsFfn = p;
    p += L * dim;
    const float *w1 = p;
    p += L * dim * h.hidden;
    const float *w2 = p;
    p += L * dim * h.hidden;
    const float *w3 = p;
    p += L * dim * h.hidden;
    out.push_back({"model.norm.weight", {u(dim)}, p, 0});
    p += dim + h.seqLen * (dim / h.heads);  // final norm, then the RoPE tables (unused)
    if (!tied) {
        out.push_back({"lm_head.weight", {u(h.vocab), u(dim)}, p, 0});
    }
    for (std::int64_t l = 0; l < L; ++l) {
        const std::string pre = fmt::format("model.layers.{}.", l);
        out.push_back({pre + "input_layernorm.weight", {u(dim)}, rmsAtt + l * dim, 0});
        out.push_back(
                {pre + "self_attn.q_proj.weight", {u(dim), u(dim)}, wq + l * dim * dim, h.heads});
        out.push_back({pre + "self_attn.k_proj.weight",
                       {u(kvDim), u(dim)},
                       wk + l * dim * kvDim,
                       h.kvHeads});
        out.push_back(
                {pre + "self_attn.v_proj.weight", {u(kvDim), u(dim)}, wv + l * dim * kvDim, 0});
        out.push_back({pre + "self_attn.o_proj.weight", {u(dim), u(dim)}, wo + l * dim * dim, 0});
        out.push_back({pre + "post_attention_layernorm.weight", {u(dim)}, rmsFfn + l * dim, 0});
        out.push_back(
                {pre + "mlp.gate_proj.weight", {u(h.hidden), u(dim)}, w1 + l * dim * h.hidden, 0});
        out.push_back(
                {pre + "mlp.down_proj.weight", {u(dim), u(h.hidden)}, w2 + l * dim * h.hidden, 0});
        out.push_back(
                {pre + "mlp.up_proj.weight", {u(h.hidden), u(dim)}, w3 + l * dim * h.hidden, 0});
    }
    return out;
}

std::uint64_t expectedFloats(const Header &h, bool tied)
{
    const auto d = static_cast<std::uint64_t>(h.dim);
    const std::uint64_t kv =
            d / static_cast<std::uint64_t>(h.heads) * static_cast<std::uint64_t>(h.kvHeads);
    const auto L = static_cast<std::uint64_t>(h.layers);
    const auto hid = static_cast<std::uint64_t>(h.hidden);
    const auto v = static_cast<std::uint64_t>(h.vocab);
    return v * d + 2 * L * d + 2 * L * d * d + 2 * L * d * kv + 3 * L * d * hid + d +
           static_cast<std::uint64_t>(h.seqLen) * (d / static_cast<std::uint64_t>(h.heads)) +
           (tied ? 0 : v * d);
}

}  // namespace

Status importLlama2c(const std::string &binPath, const std::string &outDir)
{
    auto file = MappedFile::open(binPath);
    if (!file) {
        return std::move(file).error();
    }
    auto header = readHeader(*file);
    if (!header) {
        return std::move(header).error();
    }
    std::int32_t rawVocab = 0;
    std::memcpy(&rawVocab, file->bytes().data() + 20, 4);
    const bool tied = rawVocab > 0;
    const std::uint64_t floats = expectedFloats(*header, tied);
    if (file->size() != 28 + floats * 4) {
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format("file is {} bytes; this header needs exactly {}", file->size(),
                                     28 + floats * 4))
                .withPath(binPath);
    }
    std::vector<float> all(floats);
    std::memcpy(all.data(), file->bytes().data() + 28, floats * 4);
    std::error_code ec;
    std::filesystem::create_directories(outDir, ec);
    std::vector<Piece> pieces = layout(*header, all.data(), tied);
    std::vector<TensorInfo> infos;
    for (const Piece &p : pieces) {
        infos.push_back({p.name, DType::F32, p.shape});
    }
    auto writer = CheckpointWriter::create(outDir, infos);
    if (!writer) {
        return std::move(writer).error();
    }
    for (const std::string &name : writer->writeOrder()) {
        const Piece &p = *std::find_if(pieces.begin(), pieces.end(),
                                       [&](const Piece &x) { return x.name == name; });
        const std::uint64_t n = p.shape.size() == 2 ? p.shape[0] * p.shape[1] : p.shape[0];
        std::vector<float> buf =
                p.permuteHeads > 0
                        ? permuteRows(p.data, p.permuteHeads,
                                      static_cast<std::int64_t>(p.shape[0]) / p.permuteHeads,
                                      static_cast<std::int64_t>(p.shape[1]))
                        : std::vector<float>(p.data, p.data + n);
        PQ_TRY_STATUS(writer->writeTensor(name, std::as_bytes(std::span<const float>(buf))));
    }
    PQ_TRY_STATUS(writer->finish());
    return writeFileAtomically((std::filesystem::path(outDir) / "config.json").string(),
                               configJson(*header, tied));
}

namespace {

struct Piece2
{
    std::string text;  ///< with "▁" for spaces
    float score;
};

Result<std::vector<Piece2>> readTokenizerBin(const std::string &path)
{
    auto f = MappedFile::open(path);
    if (!f) {
        return std::move(f).error();
    }
    const auto bytes = f->bytes();
    std::size_t pos = 4;  // max token length
    std::vector<Piece2> pieces;
    while (pos + 8 <= bytes.size()) {
        float score = 0.0F;
        std::int32_t len = 0;
        std::memcpy(&score, bytes.data() + pos, 4);
        std::memcpy(&len, bytes.data() + pos + 4, 4);
        pos += 8;
        if (len < 0 || pos + static_cast<std::size_t>(len) > bytes.size() ||
            pieces.size() > (1U << 22U)) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("token {} runs past the end of the file", pieces.size()))
                    .withPath(path);
        }
        std::string text(reinterpret_cast<const char *>(bytes.data() + pos),
                         static_cast<std::size_t>(len));
        pos += static_cast<std::size_t>(len);
        std::string spm;
        for (const char c : text) {
            spm += c == ' ' ? std::string("\xe2\x96\x81") : std::string(1, c);
        }
        pieces.push_back({std::move(spm), score});
    }
    if (pos != bytes.size() || pieces.size() < 3) {
        return makeError(ErrorCode::InvalidFormat, "not a llama2.c tokenizer.bin").withPath(path);
    }
    return pieces;
}

/** Byte offsets where a UTF-8 string can be split (code point boundaries). */
std::vector<std::size_t> splitPoints(const std::string &s)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U) {
            out.push_back(i);
        }
    }
    return out;
}

nlohmann::ordered_json mergesOf(const std::vector<Piece2> &pieces,
                                const std::map<std::string, std::size_t> &ids)
{
    struct Merge
    {
        std::size_t left, right;
        float score;
    };

    std::vector<Merge> merges;
    for (std::size_t p = 3; p < pieces.size(); ++p) {
        std::vector<Merge> local;
        for (const std::size_t i : splitPoints(pieces[p].text)) {
            const auto l = ids.find(pieces[p].text.substr(0, i));
            const auto r = ids.find(pieces[p].text.substr(i));
            if (l != ids.end() && r != ids.end()) {
                local.push_back({l->second, r->second, pieces[p].score});
            }
        }
        std::sort(local.begin(), local.end(), [](const Merge &a, const Merge &b) {
            return a.left != b.left ? a.left < b.left : a.right < b.right;
        });
        merges.insert(merges.end(), local.begin(), local.end());
    }
    std::stable_sort(merges.begin(), merges.end(),
                     [](const Merge &a, const Merge &b) { return a.score > b.score; });
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const Merge &m : merges) {
        out.push_back(pieces[m.left].text + " " + pieces[m.right].text);
    }
    return out;
}

nlohmann::ordered_json tokenizerJson(const std::vector<Piece2> &pieces)
{
    using ojson = nlohmann::ordered_json;
    std::map<std::string, std::size_t> ids;
    ojson vocab = ojson::object();
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::string text =
                i == 0 ? "<unk>" : (i == 1 ? "<s>" : (i == 2 ? "</s>" : pieces[i].text));
        ids.emplace(text, i);
        vocab[text] = i;
    }
    ojson added = ojson::array();
    for (std::size_t i = 0; i < 3; ++i) {
        added.push_back({{"id", i},
                         {"content", i == 0 ? "<unk>" : (i == 1 ? "<s>" : "</s>")},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    }
    const std::string sp = "\xe2\x96\x81";
    return {{"version", "1.0"},
            {"added_tokens", added},
            {"normalizer",
             {{"type", "Sequence"},
              {"normalizers",
               {{{"type", "Prepend"}, {"prepend", sp}},
                {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", sp}}}}}},
            {"pre_tokenizer", nullptr},
            {"post_processor",
             {{"type", "TemplateProcessing"},
              {"single",
               {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
              {"pair",
               {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                {{"SpecialToken", {{"id", "<s>"}, {"type_id", 1}}}},
                {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
              {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
            {"decoder",
             {{"type", "Sequence"},
              {"decoders",
               {{{"type", "Replace"}, {"pattern", {{"String", sp}}}, {"content", " "}},
                {{"type", "ByteFallback"}},
                {{"type", "Fuse"}},
                {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
            {"model",
             {{"type", "BPE"},
              {"dropout", nullptr},
              {"unk_token", "<unk>"},
              {"continuing_subword_prefix", nullptr},
              {"end_of_word_suffix", nullptr},
              {"fuse_unk", true},
              {"byte_fallback", true},
              {"ignore_merges", false},
              {"vocab", vocab},
              {"merges", mergesOf(pieces, ids)}}}};
}

}  // namespace

Status importLlama2cTokenizer(const std::string &tokenizerBinPath, const std::string &outDir)
{
    auto pieces = readTokenizerBin(tokenizerBinPath);
    if (!pieces) {
        return std::move(pieces).error();
    }
    const std::filesystem::path dir(outDir);
    PQ_TRY_STATUS(writeFileAtomically((dir / "tokenizer.json").string(),
                                      tokenizerJson(*pieces).dump(1) + "\n"));
    const nlohmann::ordered_json config = {{"tokenizer_class", "LlamaTokenizer"},
                                           {"bos_token", "<s>"},
                                           {"eos_token", "</s>"},
                                           {"unk_token", "<unk>"},
                                           {"add_bos_token", true},
                                           {"add_eos_token", false}};
    return writeFileAtomically((dir / "tokenizer_config.json").string(), config.dump(1) + "\n");
}

}  // namespace pq::core
