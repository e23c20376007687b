// GGUF writer -> reader round trips (every metadata type, every tensor type, alignment) and a check of
// the reader against the llama.cpp-written reference models in ../shared/models (skipped when absent).
#include "model/gguf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/dequant.h"
#include "model/gguf_writer.h"

namespace hy {
namespace {

namespace fs = std::filesystem;

std::string temp_file(const std::string& stem) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return (fs::temp_directory_path() /
            ("hy_gguf_" + std::to_string(::getpid()) + "_" + info->name() + "_" + stem + ".gguf"))
        .string();
}

GgufFile reparse(const GgufWriter& w, std::vector<uint8_t>& keep) {
    keep = w.serialize();
    return parse_gguf(keep.data(), keep.size(), "mem.gguf");
}

TEST(Gguf, EveryMetadataType) {
    GgufWriter w;
    w.add("general.architecture", GgufValue::string("nemotron_h"));
    w.add("u8", GgufValue::u8(250));
    w.add("i8", GgufValue::i8(-100));
    w.add("u16", GgufValue::u16(65000));
    w.add("i16", GgufValue::i16(-30000));
    w.add("u32", GgufValue::u32(4000000000u));
    w.add("i32", GgufValue::i32(-2000000000));
    w.add("u64", GgufValue::u64(1ull << 62));
    w.add("u64.big", GgufValue::u64(~0ull));
    w.add("i64", GgufValue::i64(-(1ll << 50)));
    w.add("f32", GgufValue::f32(0.125f));
    w.add("f64", GgufValue::f64(1e-300));
    w.add("bool", GgufValue::boolean(true));
    w.add("empty.string", GgufValue::string(""));
    w.add("tokens", GgufValue::string_array({"a", "", "<think>", std::string("\0x", 2)}));
    w.add("i32s", GgufValue::i32_array({1, -2, 3}));
    w.add("u32s", GgufValue::u32_array({7}));
    w.add("i64s", GgufValue::i64_array({-1, 1ll << 40}));
    w.add("f32s", GgufValue::f32_array({0.5f, -1.0f}));
    w.add("bools", GgufValue::bool_array({true, false, true}));
    w.add("u8s", GgufValue::array(GgufType::UINT8, {GgufValue::u8(1), GgufValue::u8(2)}));
    w.add("f64s", GgufValue::array(GgufType::FLOAT64, {GgufValue::f64(2.5)}));
    w.add("empty.array", GgufValue::array(GgufType::INT32, {}));
    w.add("nested",
          GgufValue::array(GgufType::ARRAY, {GgufValue::i32_array({1, 2}), GgufValue::string_array({"x"}),
                                             GgufValue::array(GgufType::ARRAY, {GgufValue::f32_array({})})}));
    std::vector<uint8_t> img;
    const GgufFile f = reparse(w, img);
    EXPECT_EQ(f.version, 3u);
    ASSERT_EQ(f.metadata.size(), 24u);
    EXPECT_EQ(f.metadata[0].first, "general.architecture");  // file order
    EXPECT_EQ(f.metadata[23].first, "nested");
    EXPECT_EQ(f.get("general.architecture").as_string(), "nemotron_h");
    EXPECT_EQ(f.get("u8").as_int(), 250);
    EXPECT_EQ(f.get("i8").as_int(), -100);
    EXPECT_EQ(f.get("u16").as_int(), 65000);
    EXPECT_EQ(f.get("i16").as_int(), -30000);
    EXPECT_EQ(f.get("u32").as_int(), 4000000000ll);
    EXPECT_EQ(f.get("i32").as_int(), -2000000000);
    EXPECT_EQ(f.get("u64").as_int(), 1ll << 62);
    EXPECT_EQ(f.get("u64.big").as_uint(), ~0ull);
    EXPECT_THROW((void)f.get("u64.big").as_int(), Error);
    EXPECT_EQ(f.get("i64").as_int(), -(1ll << 50));
    EXPECT_THROW((void)f.get("i64").as_uint(), Error);
    EXPECT_EQ(f.get("f32").as_float(), 0.125);
    EXPECT_EQ(f.get("f64").as_float(), 1e-300);
    EXPECT_EQ(f.get("u32").as_float(), 4e9);  // integers widen to float
    EXPECT_TRUE(f.get("bool").as_bool());
    EXPECT_EQ(f.get("empty.string").as_string(), "");
    EXPECT_EQ(f.get("tokens").as_string_array(),
              (std::vector<std::string>{"a", "", "<think>", std::string("\0x", 2)}));
    EXPECT_EQ(f.get("tokens").size(), 4u);
    EXPECT_EQ(f.get("tokens").at(2).as_string(), "<think>");
    EXPECT_EQ(f.get("i32s").as_int_array(), (std::vector<int64_t>{1, -2, 3}));
    EXPECT_EQ(f.get("i32s").array_type(), GgufType::INT32);
    EXPECT_EQ(f.get("i32s").at(1).as_int(), -2);
    EXPECT_EQ(f.get("u32s").as_int_array(), (std::vector<int64_t>{7}));
    EXPECT_EQ(f.get("i64s").as_int_array(), (std::vector<int64_t>{-1, 1ll << 40}));
    EXPECT_EQ(f.get("f32s").as_float_array(), (std::vector<double>{0.5, -1.0}));
    EXPECT_EQ(f.get("i32s").as_float_array(), (std::vector<double>{1, -2, 3}));
    EXPECT_EQ(f.get("bools").as_int_array(), (std::vector<int64_t>{1, 0, 1}));
    EXPECT_TRUE(f.get("bools").at(0).as_bool());
    EXPECT_EQ(f.get("u8s").as_int_array(), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(f.get("f64s").as_float_array(), (std::vector<double>{2.5}));
    EXPECT_EQ(f.get("empty.array").size(), 0u);
    const GgufValue& nested = f.get("nested");
    ASSERT_EQ(nested.size(), 3u);
    EXPECT_EQ(nested.as_array_array()[0].as_int_array(), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(nested.at(1).as_string_array(), (std::vector<std::string>{"x"}));
    EXPECT_EQ(nested.at(2).at(0).size(), 0u);
    EXPECT_EQ(f.find("missing"), nullptr);
}

TEST(Gguf, TypeMismatchNamesKeyAndFile) {
    GgufWriter w;
    w.add("llm.block_count", GgufValue::string("eight"));
    w.add("llm.list", GgufValue::f32_array({1.0f}));
    std::vector<uint8_t> img;
    const GgufFile f = reparse(w, img);
    auto expect_msg = [](auto fn, const std::string& key) {
        try {
            fn();
            ADD_FAILURE() << "no error for " << key;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("mem.gguf"), std::string::npos) << e.what();
        }
    };
    expect_msg([&] { (void)f.get("llm.block_count").as_int(); }, "llm.block_count");
    expect_msg([&] { (void)f.get("llm.block_count").as_float(); }, "llm.block_count");
    expect_msg([&] { (void)f.get("llm.block_count").as_bool(); }, "llm.block_count");
    expect_msg([&] { (void)f.get("llm.block_count").size(); }, "llm.block_count");
    expect_msg([&] { (void)f.get("llm.list").as_string(); }, "llm.list");
    expect_msg([&] { (void)f.get("llm.list").as_int_array(); }, "llm.list");
    expect_msg([&] { (void)f.get("llm.list").as_string_array(); }, "llm.list");
    expect_msg([&] { (void)f.get("llm.list").at(5); }, "llm.list");
    expect_msg([&] { (void)f.get("llm.list").at(0).as_string(); }, "llm.list[0]");
    expect_msg([&] { (void)f.get("no.such.key"); }, "no.such.key");
    expect_msg([&] { (void)f.get_tensor("no.such.tensor"); }, "no.such.tensor");
}

TEST(Gguf, TensorsOfEveryType) {
    // Shapes are given in PyTorch order and read back the same; GGUF stores ne = shape reversed.
    std::vector<float> f32(6);
    for (int i = 0; i < 6; ++i) f32[i] = static_cast<float>(i) - 2.5f;
    std::vector<uint16_t> f16(64), bf16(3);
    for (int i = 0; i < 64; ++i) f16[i] = f32_to_f16(static_cast<float>(i));
    for (int i = 0; i < 3; ++i) bf16[i] = f32_to_bf16(static_cast<float>(i) * 0.5f);
    std::vector<float> src(64);
    for (int i = 0; i < 64; ++i) src[i] = std::sin(static_cast<float>(i));
    std::vector<uint8_t> q8(68), q4(36), q4k(144, 0x11), q6k(210, 0x22);
    quantize_row_q8_0(src.data(), q8.data(), 64);
    quantize_row_q4_0(src.data(), q4.data(), 64);
    const std::vector<int32_t> i32 = {1, -1};
    const std::vector<double> f64 = {0.1};

    GgufWriter w;
    w.add("general.architecture", GgufValue::string("test"));
    w.add_tensor("t.f32", DType::F32, {2, 3}, f32.data(), 24);
    w.add_tensor("t.f16", DType::F16, {64}, f16.data(), 128);
    w.add_tensor("t.bf16", DType::BF16, {3, 1}, bf16.data(), 6);
    w.add_tensor("t.q8", DType::Q8_0, {2, 32}, q8.data(), q8.size());
    w.add_tensor("t.q4", DType::Q4_0, {1, 64}, q4.data(), q4.size());
    w.add_tensor("t.q4k", DType::Q4_K, {256}, q4k.data(), q4k.size());
    w.add_tensor("t.q6k", DType::Q6_K, {1, 1, 256}, q6k.data(), q6k.size());
    w.add_tensor("t.i32", DType::I32, {2}, i32.data(), 8);
    w.add_tensor("t.f64", DType::F64, {1, 1, 1, 1}, f64.data(), 8);
    w.add_tensor("t.scalar", DType::F32, {}, f32.data(), 4);
    const std::string path = temp_file("types");
    w.write(path);
    const GgufFile f = open_gguf(path);
    fs::remove(path);
    ASSERT_EQ(f.tensors.size(), 10u);
    EXPECT_EQ(f.alignment, 32u);
    EXPECT_EQ(f.data_offset % 32, 0u);
    for (const TensorView& t : f.tensors)
        EXPECT_EQ((t.data - f.file->data() - static_cast<int64_t>(f.data_offset)) % 32, 0) << t.name;
    const TensorView& a = f.get_tensor("t.f32");
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(tensor_to_f32(a), f32);
    EXPECT_EQ(f.get_tensor("t.f16").shape, (std::vector<int64_t>{64}));
    EXPECT_EQ(tensor_to_f32(f.get_tensor("t.f16"))[63], 63.0f);
    EXPECT_EQ(tensor_to_f32(f.get_tensor("t.bf16")), (std::vector<float>{0.0f, 0.5f, 1.0f}));
    const TensorView& q8t = f.get_tensor("t.q8");
    EXPECT_EQ(q8t.dtype, DType::Q8_0);
    EXPECT_EQ(q8t.shape, (std::vector<int64_t>{2, 32}));
    EXPECT_EQ(q8t.nbytes, 68u);
    EXPECT_EQ(q8t.row_bytes(), 34u);
    EXPECT_EQ(std::memcmp(q8t.data, q8.data(), 68), 0);
    const auto q8f = tensor_to_f32(q8t);
    for (int i = 0; i < 64; ++i) EXPECT_NEAR(q8f[i], src[i], 0.01f);
    // Q4_0 maps the extreme to -8 * d, so the other sign only reaches 7 * d: error up to d = 1/8.
    const auto q4f = tensor_to_f32(f.get_tensor("t.q4"));
    for (int i = 0; i < 64; ++i) EXPECT_NEAR(q4f[i], src[i], 0.13f);
    EXPECT_EQ(f.get_tensor("t.q4k").nbytes, 144u);
    EXPECT_EQ(std::memcmp(f.get_tensor("t.q6k").data, q6k.data(), 210), 0);
    EXPECT_EQ(f.get_tensor("t.q6k").shape, (std::vector<int64_t>{1, 1, 256}));
    EXPECT_EQ(tensor_to_f32(f.get_tensor("t.i32")), (std::vector<float>{1.0f, -1.0f}));
    EXPECT_EQ(f.get_tensor("t.f64").shape, (std::vector<int64_t>{1, 1, 1, 1}));
    EXPECT_TRUE(f.get_tensor("t.scalar").shape.empty());
    EXPECT_EQ(f.get_tensor("t.scalar").numel(), 1);
}

TEST(Gguf, LayoutMatchesLlamaCpp) {
    // One tensor, one key: check the exact bytes gguf-py would write.
    GgufWriter w;
    w.add("k", GgufValue::u32(7));
    const float v[2] = {1.0f, 2.0f};
    w.add_tensor("w", DType::F32, {1, 2}, v, 8);
    const auto img = w.serialize();
    std::vector<uint8_t> want = {'G', 'G', 'U', 'F', 3, 0, 0, 0};
    auto u64 = [&](uint64_t x) {
        for (int i = 0; i < 8; ++i) want.push_back(static_cast<uint8_t>(x >> (8 * i)));
    };
    auto u32 = [&](uint32_t x) {
        for (int i = 0; i < 4; ++i) want.push_back(static_cast<uint8_t>(x >> (8 * i)));
    };
    u64(1);  // tensors
    u64(1);  // kv
    u64(1);  // key length
    want.push_back('k');
    u32(4);  // UINT32
    u32(7);
    u64(1);  // tensor name length
    want.push_back('w');
    u32(2);  // n_dims
    u64(2);  // ne[0] = innermost = 2
    u64(1);  // ne[1]
    u32(0);  // F32
    u64(0);  // offset
    while (want.size() % 32) want.push_back(0);
    const auto* vb = reinterpret_cast<const uint8_t*>(v);
    want.insert(want.end(), vb, vb + 8);
    while (want.size() % 32) want.push_back(0);
    EXPECT_EQ(img, want);
}

TEST(Gguf, CustomAlignment) {
    GgufWriter w(64);
    const float v[3] = {1, 2, 3};
    w.add_tensor("a", DType::F32, {3}, v, 12);
    w.add_tensor("b", DType::F32, {1}, v, 4);
    std::vector<uint8_t> img;
    const GgufFile f = reparse(w, img);
    EXPECT_EQ(f.alignment, 64u);
    EXPECT_EQ(f.get("general.alignment").as_int(), 64);
    EXPECT_EQ(f.data_offset % 64, 0u);
    EXPECT_EQ(f.get_tensor("b").data - f.get_tensor("a").data, 64);
    EXPECT_THROW(GgufWriter(48), Error);
}

TEST(Gguf, Version2IsAccepted) {
    GgufWriter w;
    w.add("a", GgufValue::i32(5));
    auto img = w.serialize();
    img[4] = 2;
    const GgufFile f = parse_gguf(img.data(), img.size(), "v2.gguf");
    EXPECT_EQ(f.version, 2u);
    EXPECT_EQ(f.get("a").as_int(), 5);
}

TEST(Gguf, WriterRejectsBadTensors) {
    GgufWriter w;
    const std::vector<uint8_t> buf(1024);
    EXPECT_THROW(w.add_tensor("a", DType::Q8_0, {16}, buf.data(), 17), Error);  // row not a block multiple
    EXPECT_THROW(w.add_tensor("a", DType::F32, {4}, buf.data(), 12), Error);    // size mismatch
    EXPECT_THROW(w.add_tensor("a", DType::F32, {1, 1, 1, 1, 1}, buf.data(), 4), Error);
    EXPECT_THROW(w.add_tensor("a", DType::F8_E4M3, {1}, buf.data(), 1), Error);
    w.add_tensor("a", DType::F32, {1}, buf.data(), 4);
    EXPECT_THROW(w.add_tensor("a", DType::F32, {1}, buf.data(), 4), Error);
    w.add("k", GgufValue::u8(1));
    EXPECT_THROW(w.add("k", GgufValue::u8(1)), Error);
    EXPECT_THROW(GgufValue::array(GgufType::INT32, {GgufValue::u8(1)}), Error);
}

TEST(Gguf, ValueToString) {
    EXPECT_EQ(GgufValue::i32(-3).to_string(), "-3");
    EXPECT_EQ(GgufValue::string("x").to_string(), "\"x\"");
    EXPECT_EQ(GgufValue::boolean(false).to_string(), "false");
    EXPECT_EQ(GgufValue::i32_array({1, 2, 3}).to_string(2), "[1, 2, ... (3 i32)]");
}

// The reference models written by llama.cpp's gguf-py: every tensor in NAME.json is present with the
// listed ggml shape (ne order), dtype and byte size, and the metadata agrees with the config.
TEST(Gguf, SharedReferenceModels) {
    const fs::path dir = fs::path(HYSERVE_SOURCE_DIR).parent_path() / "shared" / "models";
    if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
    int checked = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".gguf") continue;
        fs::path json_path = entry.path();
        json_path.replace_extension(".json");
        if (!fs::exists(json_path)) continue;
        SCOPED_TRACE(entry.path().string());
        std::ifstream js(json_path);
        const auto ref = nlohmann::json::parse(js);
        const GgufFile f = open_gguf(entry.path().string());
        EXPECT_EQ(f.version, 3u);
        EXPECT_EQ(f.file->size(), ref["file_bytes"].get<size_t>());
        EXPECT_EQ(f.get("general.architecture").as_string(), ref["config"]["arch"].get<std::string>());
        const std::string arch = ref["config"]["arch"];
        EXPECT_EQ(f.get(arch + ".block_count").as_int(), ref["n_layer"].get<int64_t>());
        EXPECT_EQ(f.get(arch + ".embedding_length").as_int(), ref["config"]["n_embd"].get<int64_t>());
        EXPECT_EQ(f.get("tokenizer.ggml.tokens").size(), ref["n_vocab"].get<size_t>());
        EXPECT_EQ(f.get("tokenizer.ggml.merges").size(), ref["tokenizer"]["n_merges"].get<size_t>());
        ASSERT_EQ(f.tensors.size(), ref["tensors"].size());
        uint64_t total = 0;
        for (const auto& t : ref["tensors"]) {
            const std::string name = t["name"];
            const TensorView* v = f.find_tensor(name);
            ASSERT_NE(v, nullptr) << name;
            std::vector<int64_t> ne = t["ggml_shape"].get<std::vector<int64_t>>();
            EXPECT_EQ(v->shape, std::vector<int64_t>(ne.rbegin(), ne.rend())) << name;
            EXPECT_EQ(std::string(dtype_name(v->dtype)), t["dtype"].get<std::string>()) << name;
            EXPECT_EQ(v->nbytes, t["nbytes"].get<uint64_t>()) << name;
            total += v->nbytes;
            // Every value decodes to something finite.
            const auto vals = tensor_to_f32(*v);
            for (float x : vals) ASSERT_TRUE(std::isfinite(x)) << name;
        }
        EXPECT_EQ(total, ref["tensor_bytes"].get<uint64_t>());
        ++checked;
    }
    EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace hy

namespace hy {
namespace {

// The fuzz seeds are written by an independent (Python) implementation of the format
// (fuzz/seeds/make_seeds.py): every one must parse, and the values it holds must come back.
TEST(Gguf, ReadsIndependentlyWrittenSeeds) {
    const fs::path dir = fs::path(HYSERVE_SOURCE_DIR) / "fuzz" / "seeds" / "gguf";
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        SCOPED_TRACE(e.path().string());
        EXPECT_NO_THROW(open_gguf(e.path().string()));
        ++n;
    }
    EXPECT_GE(n, 4);
    const GgufFile kv = open_gguf((dir / "every_kv.gguf").string());
    EXPECT_EQ(kv.get("i16").as_int(), -700);
    EXPECT_EQ(kv.get("i64").as_int(), -(1ll << 40));
    EXPECT_EQ(kv.get("f32").as_float(), 0.5);
    EXPECT_EQ(kv.get("tokens").as_string_array(), (std::vector<std::string>{"a", "b", "<think>"}));
    EXPECT_EQ(kv.get("nested").at(0).as_int_array(), (std::vector<int64_t>{1, 2}));
    const GgufFile ty = open_gguf((dir / "every_type.gguf").string());
    EXPECT_EQ(ty.get_tensor("f32").shape, (std::vector<int64_t>{2, 4}));
    EXPECT_EQ(tensor_to_f32(ty.get_tensor("f32"))[7], 7.0f);
    EXPECT_EQ(tensor_to_f32(ty.get_tensor("f16")), (std::vector<float>{1.0f, 2.0f, -2.0f, 0.0f}));
    EXPECT_EQ(tensor_to_f32(ty.get_tensor("q8_0"))[3], 1.5f);  // d = 0.5, q = 3
    EXPECT_EQ(ty.get_tensor("q6_k").dtype, DType::Q6_K);
    EXPECT_EQ(open_gguf((dir / "align64.gguf").string()).alignment, 64u);
}

}  // namespace
}  // namespace hy
