// Hand-made broken safetensors and GGUF files. Each one is written to a temp dir (built from a valid
// file made with the writers, or byte by byte) and must fail with hy::Error whose message names the
// file and the offending tensor or key: never a crash, never an out-of-bounds read (the ASan build of
// this test checks the latter).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/gguf.h"
#include "model/gguf_writer.h"
#include "model/safetensors.h"
#include "model/safetensors_writer.h"

namespace hy {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

class BrokenFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() / ("hy_broken_" + std::to_string(::getpid()) + "_" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const Bytes& b) const {
        const std::string p = (dir_ / name).string();
        std::ofstream(p, std::ios::binary)
            .write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
        return p;
    }
    std::string write_text(const std::string& name, const std::string& s) const {
        return write(name, Bytes(s.begin(), s.end()));
    }

    // `open` must throw hy::Error mentioning `path` and every one of `needles`.
    static void expect_error(const std::function<void()>& open, const std::string& path,
                             const std::vector<std::string>& needles) {
        try {
            open();
            ADD_FAILURE() << "no error for " << path;
        } catch (const Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file: " << msg;
            for (const auto& n : needles)
                EXPECT_NE(msg.find(n), std::string::npos) << "no '" << n << "' in: " << msg;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not a hy::Error: " << e.what();
        }
    }
    void st(const std::string& name, const Bytes& b, const std::vector<std::string>& needles) {
        const std::string p = write(name, b);
        expect_error([&] { open_safetensors(p); }, p, needles);
    }
    void gg(const std::string& name, const Bytes& b, const std::vector<std::string>& needles) {
        const std::string p = write(name, b);
        expect_error([&] { open_gguf(p); }, p, needles);
    }

    fs::path dir_;
};

// --- safetensors ------------------------------------------------------------------------------------

const std::vector<float> kEmbed(32, 0.5f);
const std::vector<uint16_t> kNorm(8, 0x3f80);

Bytes valid_st() {
    return serialize_safetensors({{"model.embed.weight", DType::F32, {4, 8}, kEmbed.data(), 128},
                                  {"model.norm.weight", DType::BF16, {8}, kNorm.data(), 16}},
                                 {{"format", "pt"}});
}

// A file with the given header text and `data` bytes of data area.
Bytes st_file(const std::string& header, size_t data = 144) {
    Bytes b(8);
    const uint64_t n = header.size();
    std::memcpy(b.data(), &n, 8);
    b.insert(b.end(), header.begin(), header.end());
    b.resize(b.size() + data, 0);
    return b;
}

const char* kOkEmbed = R"("model.embed.weight":{"dtype":"F32","shape":[4,8],"data_offsets":[0,128]})";

std::string hdr(const std::string& norm_entry) {
    return std::string("{") + kOkEmbed + ",\"model.norm.weight\":" + norm_entry + "}";
}

TEST_F(BrokenFiles, ValidSafetensorsBaseOpens) {
    const std::string p = write("ok.safetensors", valid_st());
    EXPECT_EQ(open_safetensors(p).tensors.size(), 2u);
    const std::string q =
        write("ok2.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[8],"data_offsets":[128,144]})")));
    EXPECT_EQ(open_safetensors(q).tensors.size(), 2u);
}

TEST_F(BrokenFiles, StTooShortForLength) {
    st("short.safetensors", Bytes{1, 2, 3, 4, 5}, {"too short"});
}

TEST_F(BrokenFiles, StTruncatedAtSeveralPoints) {
    const Bytes ok = valid_st();
    uint64_t hlen;
    std::memcpy(&hlen, ok.data(), 8);
    for (size_t cut : {size_t{0}, size_t{7}, size_t{8}, size_t{9}, static_cast<size_t>(8 + hlen / 2),
                       static_cast<size_t>(8 + hlen - 1)}) {
        SCOPED_TRACE(cut);
        st("cut" + std::to_string(cut) + ".safetensors",
           Bytes(ok.begin(), ok.begin() + static_cast<long>(cut)), {cut < 8 ? "too short" : "header length"});
    }
    // Cut inside the data area: the last tensor's bytes are missing.
    st("cut_data.safetensors", Bytes(ok.begin(), ok.end() - 3), {"model.norm.weight", "past the end"});
}

TEST_F(BrokenFiles, StHeaderLengthPastEof) {
    Bytes b = valid_st();
    const uint64_t n = b.size();  // one header byte more than the file has
    std::memcpy(b.data(), &n, 8);
    st("hlen_eof.safetensors", b, {"header length"});
}

TEST_F(BrokenFiles, StHeaderLengthHuge) {
    Bytes b = valid_st();
    const uint64_t n = ~0ull - 3;
    std::memcpy(b.data(), &n, 8);
    st("hlen_huge.safetensors", b, {"header length"});
}

TEST_F(BrokenFiles, StHeaderNotJson) {
    st("notjson.safetensors", st_file("{\"a\": [1, 2,, }   "), {"not valid JSON"});
    st("notobject.safetensors", st_file("[1,2,3] "), {"JSON object"});
    st("empty_header.safetensors", st_file(""), {"JSON object"});
}

TEST_F(BrokenFiles, StWrongDtypeString) {
    st("dtype.safetensors", st_file(hdr(R"({"dtype":"F33","shape":[8],"data_offsets":[128,144]})")),
       {"model.norm.weight", "F33"});
    st("dtype_num.safetensors", st_file(hdr(R"({"dtype":7,"shape":[8],"data_offsets":[128,144]})")),
       {"model.norm.weight", "dtype"});
}

TEST_F(BrokenFiles, StShapeSizeMismatch) {
    st("mismatch.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[9],"data_offsets":[128,144]})")),
       {"model.norm.weight", "16 data bytes"});
}

TEST_F(BrokenFiles, StOverlappingOffsets) {
    st("overlap.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[8],"data_offsets":[120,136]})")),
       {"model.norm.weight", "overlaps", "model.embed.weight"});
}

TEST_F(BrokenFiles, StOffsetsPastEof) {
    st("past.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[8],"data_offsets":[144,160]})")),
       {"model.norm.weight", "past the end"});
    st("past_huge.safetensors",
       st_file(
           hdr(R"({"dtype":"BF16","shape":[8],"data_offsets":[18446744073709551600,18446744073709551615]})")),
       {"model.norm.weight"});
}

TEST_F(BrokenFiles, StBeginAfterEnd) {
    st("reversed.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[0],"data_offsets":[144,128]})")),
       {"model.norm.weight", "begin"});
}

TEST_F(BrokenFiles, StNegativeOrNonIntegerDims) {
    st("negdim.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[-8],"data_offsets":[128,144]})")),
       {"model.norm.weight", "non-negative"});
    st("floatdim.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[8.0],"data_offsets":[128,144]})")),
       {"model.norm.weight"});
    st("strdim.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":["8"],"data_offsets":[128,144]})")),
       {"model.norm.weight"});
}

TEST_F(BrokenFiles, StDimProductOverflow) {
    st("overflow.safetensors",
       st_file(hdr(R"({"dtype":"BF16","shape":[4294967296,4294967296,16],"data_offsets":[128,144]})")),
       {"model.norm.weight", "overflow"});
    st("overflow_zero.safetensors",
       st_file(hdr(R"({"dtype":"BF16","shape":[4294967296,4294967296,0],"data_offsets":[128,128]})")),
       {"model.norm.weight", "overflow"});
    // numel fits in int64 but numel x 4 bytes does not.
    st("overflow_bytes.safetensors",
       st_file(hdr(R"({"dtype":"F32","shape":[4611686018427387904],"data_offsets":[128,144]})")),
       {"model.norm.weight"});
}

TEST_F(BrokenFiles, StMissingFields) {
    st("no_offsets.safetensors", st_file(hdr(R"({"dtype":"BF16","shape":[8]})")),
       {"model.norm.weight", "data_offsets"});
    st("no_shape.safetensors", st_file(hdr(R"({"dtype":"BF16","data_offsets":[128,144]})")),
       {"model.norm.weight", "shape"});
    st("three_offsets.safetensors",
       st_file(hdr(R"({"dtype":"BF16","shape":[8],"data_offsets":[128,136,144]})")),
       {"model.norm.weight", "data_offsets"});
    st("entry_not_object.safetensors", st_file(hdr("[1]")), {"model.norm.weight"});
}

TEST_F(BrokenFiles, StBadMetadata) {
    st("meta.safetensors", st_file(std::string("{\"__metadata__\":{\"format\":1},") + kOkEmbed + "}"),
       {"format"});
    st("meta2.safetensors", st_file(std::string("{\"__metadata__\":[],") + kOkEmbed + "}"), {"__metadata__"});
}

TEST_F(BrokenFiles, StDuplicateTensorName) {
    st("dup.safetensors", st_file(std::string("{") + kOkEmbed + "," + kOkEmbed + "}"),
       {"model.embed.weight", "duplicate"});
}

TEST_F(BrokenFiles, StJsonNestingBomb) {
    std::string deep(5000, '[');
    deep += std::string(5000, ']');
    st("deep.safetensors",
       st_file(hdr(R"({"dtype":"BF16","shape":)" + deep + R"(,"data_offsets":[128,144]})")),
       {"nests deeper"});
}

void write_index(const fs::path& dir, const nlohmann::json& weight_map) {
    std::ofstream(dir / "model.safetensors.index.json") << nlohmann::json{{"weight_map", weight_map}}.dump();
}

TEST_F(BrokenFiles, StIndexNamesMissingShard) {
    write("model-00001-of-00002.safetensors", valid_st());
    write_index(dir_, {{"model.embed.weight", "model-00001-of-00002.safetensors"},
                       {"model.norm.weight", "model-00001-of-00002.safetensors"},
                       {"lm_head.weight", "model-00002-of-00002.safetensors"}});
    expect_error([&] { open_safetensors(dir_.string()); }, (dir_ / "model.safetensors.index.json").string(),
                 {"lm_head.weight", "model-00002-of-00002.safetensors", "cannot open"});
}

TEST_F(BrokenFiles, StIndexPointsToWrongShard) {
    write("a.safetensors", valid_st());
    const std::vector<float> h(8, 1.0f);
    write("b.safetensors", serialize_safetensors({{"lm_head.weight", DType::F32, {8}, h.data(), 32}}));
    write_index(dir_, {{"model.embed.weight", "a.safetensors"},
                       {"model.norm.weight", "b.safetensors"},  // wrong: it is in a.safetensors
                       {"lm_head.weight", "b.safetensors"}});
    expect_error([&] { open_safetensors(dir_.string()); }, (dir_ / "model.safetensors.index.json").string(),
                 {"model.norm.weight", "b.safetensors"});
}

TEST_F(BrokenFiles, StIndexBrokenShardFile) {
    Bytes bad = valid_st();
    bad.resize(20);
    write("a.safetensors", bad);
    write_index(dir_, {{"model.embed.weight", "a.safetensors"}});
    expect_error([&] { open_safetensors(dir_.string()); }, (dir_ / "a.safetensors").string(),
                 {"model.embed.weight", "header length"});
}

TEST_F(BrokenFiles, StIndexMalformed) {
    const std::string p = write_text("model.safetensors.index.json", "{\"weight_map\": {\"a\": ");
    expect_error([&] { open_safetensors(dir_.string()); }, p, {"not valid JSON"});
    write_text("model.safetensors.index.json", R"({"weight_map": {"a": "../../etc/passwd"}})");
    expect_error([&] { open_safetensors(dir_.string()); }, p, {"'a'", "invalid shard"});
    write_text("model.safetensors.index.json", R"({"weight_map": {"a": 3}})");
    expect_error([&] { open_safetensors(dir_.string()); }, p, {"'a'"});
    write_text("model.safetensors.index.json", R"({"metadata": {}})");
    expect_error([&] { open_safetensors(dir_.string()); }, p, {"weight_map"});
}

TEST_F(BrokenFiles, StTensorInTwoShards) {
    write("a.safetensors", valid_st());
    write("b.safetensors", valid_st());
    write_index(dir_, {{"model.embed.weight", "a.safetensors"}, {"model.norm.weight", "b.safetensors"}});
    expect_error([&] { open_safetensors(dir_.string()); }, (dir_ / "b.safetensors").string(),
                 {"model.embed.weight", "another shard"});
}

// --- GGUF -------------------------------------------------------------------------------------------

struct Raw {
    Bytes b;
    Raw& u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
    Raw& u64(uint64_t v) {
        for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
    Raw& str(const std::string& s) {
        u64(s.size());
        b.insert(b.end(), s.begin(), s.end());
        return *this;
    }
    Raw& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        b.insert(b.end(), {'G', 'G', 'U', 'F'});
        return u32(version).u64(n_tensors).u64(n_kv);
    }
    Raw& kv_u32(const std::string& k, uint32_t v) { return str(k).u32(4).u32(v); }
    Raw& kv_str(const std::string& k, const std::string& v) { return str(k).u32(8).str(v); }
    // A tensor info with ne in GGUF order.
    Raw& info(const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(ne.size()));
        for (uint64_t d : ne) u64(d);
        return u32(type).u64(offset);
    }
    Raw& pad(size_t align = 32) {
        while (b.size() % align) b.push_back(0);
        return *this;
    }
    Raw& zeros(size_t n) {
        b.resize(b.size() + n, 0);
        return *this;
    }
};

const std::vector<float> kW(16, 1.0f);

Bytes valid_gguf() {
    GgufWriter w;
    w.add("general.architecture", GgufValue::string("nemotron_h"));
    w.add("nemotron_h.block_count", GgufValue::u32(2));
    w.add("tokenizer.ggml.tokens", GgufValue::string_array({"a", "b", "c"}));
    w.add_tensor("token_embd.weight", DType::F32, {2, 8}, kW.data(), 64);
    w.add_tensor("output_norm.weight", DType::F32, {8}, kW.data(), 32);
    return w.serialize();
}

TEST_F(BrokenFiles, ValidGgufBaseOpens) {
    const std::string p = write("ok.gguf", valid_gguf());
    EXPECT_EQ(open_gguf(p).tensors.size(), 2u);
    // The raw builder makes valid files too (so the cases below break exactly one thing).
    Raw r;
    r.header(1, 1).kv_u32("general.alignment", 32).info("w", {8}, 0, 0).pad().zeros(32);
    const std::string q = write("ok_raw.gguf", r.b);
    EXPECT_EQ(open_gguf(q).tensors.size(), 1u);
}

TEST_F(BrokenFiles, GgufBadMagic) {
    Bytes b = valid_gguf();
    b[3] = 'X';
    gg("magic.gguf", b, {"bad magic"});
    gg("empty.gguf", Bytes{}, {"magic"});
}

TEST_F(BrokenFiles, GgufBadVersion) {
    Bytes b = valid_gguf();
    b[4] = 1;
    gg("v1.gguf", b, {"version 1"});
    b[4] = 0, b[7] = 3;
    gg("bigendian.gguf", b, {"big-endian"});
}

TEST_F(BrokenFiles, GgufTruncatedAtSeveralPoints) {
    const Bytes ok = valid_gguf();
    // header fields, first key name, value of the second key, the string array, the tensor infos.
    struct Cut {
        size_t at;
        std::string needle;
    };
    const std::vector<Cut> cuts = {
        {2, "magic"},
        {6, "version"},
        {12, "tensor count"},
        {20, "metadata key count"},
        {30, "metadata key count"},  // 3 keys cannot fit in what is left
    };
    for (const auto& c : cuts) {
        SCOPED_TRACE(c.at);
        gg("cut" + std::to_string(c.at) + ".gguf", Bytes(ok.begin(), ok.begin() + static_cast<long>(c.at)),
           {c.needle, c.at < 24 ? "truncated" : "larger than the file could hold"});
    }
    // Inside one key/value pair: its name, its type, its value.
    Raw one;
    one.header(0, 1).kv_str("general.architecture", "nemotron_h");
    const size_t key_at = 24;
    for (size_t cut :
         {key_at + 8 + 5, key_at + 8 + 20 + 2, key_at + 8 + 20 + 4 + 3, key_at + 8 + 20 + 4 + 8 + 4}) {
        SCOPED_TRACE(cut);
        gg("kv" + std::to_string(cut) + ".gguf", Bytes(one.b.begin(), one.b.begin() + static_cast<long>(cut)),
           {cut < key_at + 8 + 20 ? "metadata key #0" : "general.architecture"});
    }
    // Locate later sections by searching for their names.
    auto find = [&](const std::string& s) {
        return static_cast<size_t>(std::search(ok.begin(), ok.end(), s.begin(), s.end()) - ok.begin());
    };
    gg("cut_tokens.gguf",
       Bytes(ok.begin(), ok.begin() + static_cast<long>(find("tokenizer.ggml.tokens") + 30)),
       {"tokenizer.ggml.tokens"});
    gg("cut_info.gguf", Bytes(ok.begin(), ok.begin() + static_cast<long>(find("output_norm.weight") + 22)),
       {"output_norm.weight", "truncated"});
    // Cut inside the data area: the last tensor's bytes are missing.
    gg("cut_data.gguf", Bytes(ok.begin(), ok.end() - 8), {"output_norm.weight", "outside the data area"});
    // Cut right after the tensor infos, before the aligned data area begins.
    gg("cut_pad.gguf",
       Bytes(ok.begin(), ok.begin() + static_cast<long>(find("output_norm.weight") + 18 + 4 + 8 + 4 + 8)),
       {"token_embd.weight", "outside the data area"});
}

TEST_F(BrokenFiles, GgufAbsurdTensorCount) {
    Raw r;
    r.header(1ull << 60, 0).zeros(64);
    gg("tcount.gguf", r.b, {"tensor count"});
}

TEST_F(BrokenFiles, GgufAbsurdKvCount) {
    Raw r;
    r.header(0, ~0ull).zeros(64);
    gg("kvcount.gguf", r.b, {"metadata key count"});
}

TEST_F(BrokenFiles, GgufStringLengthPastEof) {
    Raw r;
    r.header(0, 1).u64(1ull << 40).zeros(16);
    gg("keylen.gguf", r.b, {"metadata key #0", "string length"});
    Raw v;
    v.header(0, 1).str("general.name").u32(8).u64(~0ull).zeros(16);
    gg("vallen.gguf", v.b, {"general.name", "string length"});
    Raw n;
    n.header(1, 0).u64(1ull << 62).zeros(16);
    gg("namelen.gguf", n.b, {"tensor #0 name", "string length"});
}

TEST_F(BrokenFiles, GgufUnknownValueType) {
    Raw r;
    r.header(0, 1).str("general.thing").u32(13).u32(0);
    gg("vtype.gguf", r.b, {"general.thing", "value type 13"});
    Raw a;
    a.header(0, 1).str("general.list").u32(9).u32(77).u64(0);
    gg("atype.gguf", a.b, {"general.list", "value type 77"});
}

TEST_F(BrokenFiles, GgufUnknownGgmlType) {
    Raw r;
    r.header(1, 0).info("blk.0.ffn_up.weight", {32}, 99, 0).pad().zeros(64);
    gg("gtype.gguf", r.b, {"blk.0.ffn_up.weight", "ggml type 99"});
    Raw q;  // a real ggml type this reader does not handle (Q5_K)
    q.header(1, 0).info("blk.0.ffn_down.weight", {256}, 13, 0).pad().zeros(256);
    gg("q5k.gguf", q.b, {"blk.0.ffn_down.weight", "ggml type 13"});
}

TEST_F(BrokenFiles, GgufTooManyDims) {
    Raw r;
    r.header(1, 0).info("blk.0.attn_q.weight", {1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, 0).pad().zeros(32);
    gg("ndims.gguf", r.b, {"blk.0.attn_q.weight", "n_dims 9"});
}

TEST_F(BrokenFiles, GgufDimProductOverflow) {
    Raw r;
    r.header(1, 0).info("blk.0.attn_k.weight", {1ull << 32, 1ull << 32}, 0, 0).pad().zeros(32);
    gg("dims_overflow.gguf", r.b, {"blk.0.attn_k.weight", "overflow"});
    Raw h;
    h.header(1, 0).info("blk.0.attn_v.weight", {~0ull}, 0, 0).pad().zeros(32);
    gg("dim_huge.gguf", h.b, {"blk.0.attn_v.weight"});
    Raw z;  // a zero dim does not excuse the others: numel() multiplies them all
    z.header(1, 0).info("blk.0.attn_z.weight", {0, 1ull << 32, 1ull << 32}, 0, 0).pad().zeros(32);
    gg("dims_zero_overflow.gguf", z.b, {"blk.0.attn_z.weight", "overflow"});
    Raw y;  // element count fits, byte count (x 4) does not
    y.header(1, 0).info("blk.0.attn_o.weight", {1ull << 62}, 0, 0).pad().zeros(32);
    gg("bytes_overflow.gguf", y.b, {"blk.0.attn_o.weight", "overflow"});
}

TEST_F(BrokenFiles, GgufRowNotBlockMultiple) {
    Raw r;
    r.header(1, 0).info("blk.1.ffn_up.weight", {33, 2}, 8, 0).pad().zeros(128);
    gg("block.gguf", r.b, {"blk.1.ffn_up.weight", "block size"});
}

TEST_F(BrokenFiles, GgufMisalignedOffset) {
    Raw r;
    r.header(2, 0).info("a.weight", {8}, 0, 0).info("b.weight", {8}, 0, 36).pad().zeros(96);
    gg("misaligned.gguf", r.b, {"b.weight", "alignment"});
}

TEST_F(BrokenFiles, GgufBadAlignment) {
    Raw z;
    z.header(1, 1).kv_u32("general.alignment", 0).info("w", {8}, 0, 0).pad().zeros(32);
    gg("align0.gguf", z.b, {"general.alignment"});
    Raw t;
    t.header(1, 1).kv_u32("general.alignment", 48).info("w", {8}, 0, 0).pad().zeros(64);
    gg("align48.gguf", t.b, {"general.alignment"});
    Raw s;
    s.header(0, 1).kv_str("general.alignment", "32");
    gg("align_str.gguf", s.b, {"general.alignment"});
    Raw h;
    h.header(0, 1).str("general.alignment").u32(10).u64(1ull << 63);
    gg("align_huge.gguf", h.b, {"general.alignment"});
}

TEST_F(BrokenFiles, GgufOffsetOverflowAndOutsideFile) {
    Raw o;
    o.header(1, 0).info("output.weight", {8}, 0, ~0ull - 31).pad().zeros(32);
    gg("offset_overflow.gguf", o.b, {"output.weight", "outside the data area"});
    Raw p;
    p.header(1, 0).info("output.weight", {8}, 0, 1ull << 20).pad().zeros(32);
    gg("offset_past.gguf", p.b, {"output.weight", "outside the data area"});
}

TEST_F(BrokenFiles, GgufOverlappingTensors) {
    Raw r;
    r.header(2, 0).info("a.weight", {16}, 0, 0).info("b.weight", {8}, 0, 32).pad().zeros(64);
    gg("overlap.gguf", r.b, {"b.weight", "overlaps", "a.weight"});
}

TEST_F(BrokenFiles, GgufDuplicateNames) {
    Raw r;
    r.header(2, 0).info("a.weight", {8}, 0, 0).info("a.weight", {8}, 0, 32).pad().zeros(64);
    gg("dup_tensor.gguf", r.b, {"duplicate", "a.weight"});
    Raw k;
    k.header(0, 2).kv_u32("general.x", 1).kv_u32("general.x", 2);
    gg("dup_key.gguf", k.b, {"duplicate", "general.x"});
}

TEST_F(BrokenFiles, GgufArrayOfAbsurdLength) {
    Raw r;
    r.header(0, 1).str("tokenizer.ggml.token_type").u32(9).u32(5).u64(1ull << 61).zeros(64);
    gg("array_len.gguf", r.b, {"tokenizer.ggml.token_type", "array length"});
    Raw s;  // strings: each needs >= 8 bytes
    s.header(0, 1).str("tokenizer.ggml.tokens").u32(9).u32(8).u64(20).zeros(64);
    gg("array_strs.gguf", s.b, {"tokenizer.ggml.tokens", "array length"});
    Raw e;  // a string element whose length runs past EOF
    e.header(0, 1).str("tokenizer.ggml.merges").u32(9).u32(8).u64(2).str("a b").u64(1000).zeros(8);
    gg("array_elem.gguf", e.b, {"'tokenizer.ggml.merges'[1]", "string length"});
}

TEST_F(BrokenFiles, GgufNestedArrayBomb) {
    Raw r;
    r.header(0, 1).str("general.bomb").u32(9);
    for (int i = 0; i < 1000; ++i) r.u32(9).u64(1);  // array of array of array ...
    r.b.resize(r.b.size() - 12);                     // (fix up: the first level's type is above)
    r.u32(9).u64(1).u32(4).u64(0);
    gg("bomb.gguf", r.b, {"general.bomb", "nested"});
}

}  // namespace
}  // namespace hy
