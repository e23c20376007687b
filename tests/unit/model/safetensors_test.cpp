// safetensors writer -> reader round trips: every dtype, metadata, sharded checkpoints, FP8 scales.
#include "model/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/dequant.h"
#include "model/safetensors_writer.h"

namespace hy {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path;
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path = fs::temp_directory_path() /
               ("hy_st_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

template <typename T>
SafetensorsTensorIn tin(const std::string& name, DType dt, std::vector<int64_t> shape,
                        const std::vector<T>& v) {
    return {name, dt, std::move(shape), v.data(), v.size() * sizeof(T)};
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(Safetensors, RoundTripAllDtypes) {
    TempDir dir;
    const std::vector<float> f32 = {1.0f, -2.0f, 3.5f, 0.0f, 5.0f, 6.0f};
    const std::vector<uint16_t> f16 = {f32_to_f16(1.0f), f32_to_f16(-0.5f)};
    const std::vector<uint16_t> bf16 = {f32_to_bf16(2.0f), f32_to_bf16(-4.0f), f32_to_bf16(0.25f)};
    const std::vector<uint8_t> f8 = {0x38, 0x40};
    const std::vector<double> f64 = {1.5};
    const std::vector<int8_t> i8 = {-1, 2};
    const std::vector<int16_t> i16 = {-300};
    const std::vector<int32_t> i32 = {70000, -5};
    const std::vector<int64_t> i64 = {1ll << 40};
    const std::vector<uint8_t> u8 = {200};
    const std::vector<uint8_t> b = {1, 0, 1};
    const std::vector<float> empty;
    const std::string path = dir.file("m.safetensors");
    write_safetensors(path,
                      {tin("a.f32", DType::F32, {2, 3}, f32), tin("b.f16", DType::F16, {2}, f16),
                       tin("c.bf16", DType::BF16, {3, 1}, bf16), tin("d.f8", DType::F8_E4M3, {2}, f8),
                       tin("e.f64", DType::F64, {}, f64), tin("f.i8", DType::I8, {2}, i8),
                       tin("g.i16", DType::I16, {1}, i16), tin("h.i32", DType::I32, {2}, i32),
                       tin("i.i64", DType::I64, {1, 1}, i64), tin("j.u8", DType::U8, {1}, u8),
                       tin("k.bool", DType::BOOL, {3}, b), tin("l.empty", DType::F32, {0, 4}, empty)},
                      {{"format", "pt"}, {"note", "hello"}});

    // The header is padded with spaces to a multiple of 8.
    const std::string bytes = slurp(path);
    uint64_t hlen;
    std::memcpy(&hlen, bytes.data(), 8);
    EXPECT_EQ(hlen % 8, 0u);
    EXPECT_EQ(bytes[8], '{');

    const SafetensorsArchive ar = open_safetensors(path);
    ASSERT_EQ(ar.tensors.size(), 12u);
    EXPECT_EQ(ar.metadata.at("format"), "pt");
    EXPECT_EQ(ar.metadata.at("note"), "hello");
    EXPECT_EQ(ar.files.size(), 1u);
    // Header order is kept.
    EXPECT_EQ(ar.tensors[0].name, "a.f32");
    EXPECT_EQ(ar.tensors[11].name, "l.empty");

    const TensorView& a = ar.get("a.f32");
    EXPECT_EQ(a.dtype, DType::F32);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.nbytes, 24u);
    EXPECT_EQ(tensor_to_f32(a), f32);
    EXPECT_EQ(tensor_to_f32(ar.get("b.f16")), (std::vector<float>{1.0f, -0.5f}));
    EXPECT_EQ(ar.get("c.bf16").shape, (std::vector<int64_t>{3, 1}));
    EXPECT_EQ(tensor_to_f32(ar.get("c.bf16")), (std::vector<float>{2.0f, -4.0f, 0.25f}));
    EXPECT_EQ(tensor_to_f32(ar.get("d.f8")), (std::vector<float>{1.0f, 2.0f}));
    EXPECT_EQ(ar.get("d.f8").scale, 1.0f);  // no sidecar
    EXPECT_TRUE(ar.get("e.f64").shape.empty());
    EXPECT_EQ(tensor_to_f32(ar.get("e.f64")), (std::vector<float>{1.5f}));
    EXPECT_EQ(tensor_to_f32(ar.get("f.i8")), (std::vector<float>{-1.0f, 2.0f}));
    EXPECT_EQ(tensor_to_f32(ar.get("g.i16")), (std::vector<float>{-300.0f}));
    EXPECT_EQ(tensor_to_f32(ar.get("h.i32")), (std::vector<float>{70000.0f, -5.0f}));
    EXPECT_EQ(tensor_to_f32(ar.get("i.i64")), (std::vector<float>{static_cast<float>(1ll << 40)}));
    EXPECT_EQ(tensor_to_f32(ar.get("j.u8")), (std::vector<float>{200.0f}));
    EXPECT_EQ(tensor_to_f32(ar.get("k.bool")), (std::vector<float>{1.0f, 0.0f, 1.0f}));
    EXPECT_EQ(ar.get("l.empty").numel(), 0);
    EXPECT_EQ(ar.find("nope"), nullptr);
    try {
        (void)ar.get("nope");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    }
    // Views point into the mapping: nothing was copied.
    const uint8_t* base = ar.files[0]->data();
    EXPECT_GE(a.data, base);
    EXPECT_LE(a.data + a.nbytes, base + ar.files[0]->size());
}

TEST(Safetensors, HeaderIsPlainJson) {
    // The header is what other readers expect: compact JSON with dtype/shape/data_offsets.
    const std::vector<float> v = {1, 2, 3, 4};
    const auto img = serialize_safetensors({tin("w", DType::F32, {2, 2}, v)}, {{"format", "pt"}});
    uint64_t hlen;
    std::memcpy(&hlen, img.data(), 8);
    const auto j = nlohmann::json::parse(img.begin() + 8, img.begin() + 8 + static_cast<long>(hlen));
    EXPECT_EQ(j["w"]["dtype"], "F32");
    EXPECT_EQ(j["w"]["shape"], nlohmann::json({2, 2}));
    EXPECT_EQ(j["w"]["data_offsets"], nlohmann::json({0, 16}));
    EXPECT_EQ(j["__metadata__"]["format"], "pt");
    EXPECT_EQ(img.size(), 8 + hlen + 16);
}

TEST(Safetensors, ParseInMemory) {
    const std::vector<uint16_t> v = {f32_to_bf16(1.0f), f32_to_bf16(2.0f)};
    const auto img = serialize_safetensors({tin("x", DType::BF16, {1, 2}, v)});
    const SafetensorsArchive ar = parse_safetensors(img.data(), img.size(), "mem");
    ASSERT_EQ(ar.tensors.size(), 1u);
    EXPECT_TRUE(ar.files.empty());
    EXPECT_EQ(tensor_to_f32(ar.tensors[0]), (std::vector<float>{1.0f, 2.0f}));
}

TEST(Safetensors, Fp8WeightScaleSidecar) {
    TempDir dir;
    const std::vector<uint8_t> w = {0x38, 0x40, 0xb8, 0x00};  // 1, 2, -1, 0
    const std::vector<float> ws = {0.125f};
    const std::vector<float> is = {3.0f};
    const std::vector<uint8_t> w2 = {0x38};
    const std::vector<uint16_t> w2s = {f32_to_bf16(4.0f)};
    const std::string path = dir.file("fp8.safetensors");
    write_safetensors(
        path,
        {tin("l.proj.weight", DType::F8_E4M3, {2, 2}, w), tin("l.proj.weight_scale", DType::F32, {}, ws),
         tin("l.proj.input_scale", DType::F32, {1}, is), tin("l.o.weight", DType::F8_E4M3, {1, 1}, w2),
         tin("l.o.weight_scale", DType::BF16, {1}, w2s)});
    const SafetensorsArchive ar = open_safetensors(path);
    EXPECT_EQ(ar.get("l.proj.weight").scale, 0.125f);
    EXPECT_EQ(tensor_to_f32(ar.get("l.proj.weight")), (std::vector<float>{0.125f, 0.25f, -0.125f, 0.0f}));
    EXPECT_EQ(ar.get("l.o.weight").scale, 4.0f);
    EXPECT_NE(ar.find("l.proj.weight_scale"), nullptr);  // sidecars stay visible
    EXPECT_EQ(ar.get("l.proj.input_scale").scale, 1.0f);
}

TEST(Safetensors, Fp8PerChannelScaleIsRejected) {
    TempDir dir;
    const std::vector<uint8_t> w = {0x38, 0x40};
    const std::vector<float> ws = {0.5f, 0.25f};
    const std::string path = dir.file("fp8.safetensors");
    write_safetensors(
        path, {tin("p.weight", DType::F8_E4M3, {2, 1}, w), tin("p.weight_scale", DType::F32, {2}, ws)});
    try {
        open_safetensors(path);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("p.weight_scale"), std::string::npos) << e.what();
    }
}

void write_index(const std::string& path, const nlohmann::json& weight_map) {
    std::ofstream(path)
        << nlohmann::json{{"metadata", {{"total_size", 48}}}, {"weight_map", weight_map}}.dump(1);
}

TEST(Safetensors, ShardedDirectory) {
    TempDir dir;
    const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6}, c = {7};
    const std::vector<uint8_t> f8 = {0x40};
    const std::vector<float> s = {0.5f};
    write_safetensors(dir.file("model-00001-of-00002.safetensors"),
                      {tin("a", DType::F32, {2, 2}, a), tin("q.weight", DType::F8_E4M3, {1}, f8)},
                      {{"format", "pt"}});
    write_safetensors(dir.file("model-00002-of-00002.safetensors"),
                      {tin("b", DType::F32, {2}, b), tin("c", DType::F32, {1}, c),
                       tin("q.weight_scale", DType::F32, {}, s)});
    write_index(dir.file("model.safetensors.index.json"),
                {{"a", "model-00001-of-00002.safetensors"},
                 {"q.weight", "model-00001-of-00002.safetensors"},
                 {"b", "model-00002-of-00002.safetensors"},
                 {"c", "model-00002-of-00002.safetensors"},
                 {"q.weight_scale", "model-00002-of-00002.safetensors"}});
    const SafetensorsArchive ar = open_safetensors(dir.path.string());
    EXPECT_EQ(ar.files.size(), 2u);
    EXPECT_EQ(ar.tensors.size(), 5u);
    EXPECT_EQ(tensor_to_f32(ar.get("a")), a);
    EXPECT_EQ(tensor_to_f32(ar.get("b")), b);
    EXPECT_EQ(tensor_to_f32(ar.get("c")), c);
    EXPECT_EQ(ar.get("q.weight").scale, 0.5f);  // the scale lives in the other shard
    EXPECT_EQ(ar.metadata.at("format"), "pt");
    EXPECT_EQ(ar.metadata.at("total_size"), "48");
}

TEST(Safetensors, DirectoryWithSingleFile) {
    TempDir dir;
    const std::vector<float> a = {1, 2};
    write_safetensors(dir.file("model.safetensors"), {tin("a", DType::F32, {2}, a)});
    const SafetensorsArchive ar = open_safetensors(dir.path.string());
    EXPECT_EQ(tensor_to_f32(ar.get("a")), a);
    EXPECT_THROW(open_safetensors(dir.file("missing-dir")), Error);
}

TEST(Safetensors, EmptyDirectoryIsAnError) {
    TempDir dir;
    try {
        open_safetensors(dir.path.string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos);
    }
}

TEST(Safetensors, WriterRejectsBadInput) {
    const std::vector<float> v = {1, 2, 3};
    EXPECT_THROW(serialize_safetensors({tin("a", DType::F32, {2}, v)}), Error);  // size mismatch
    EXPECT_THROW(serialize_safetensors({tin("a", DType::F32, {3}, v), tin("a", DType::F32, {3}, v)}), Error);
    const std::vector<uint8_t> q(34);
    EXPECT_THROW(serialize_safetensors({tin("a", DType::Q8_0, {32}, q)}), Error);
}

}  // namespace
}  // namespace hy

namespace hy {
namespace {

// Seeds written by an independent (Python) implementation of the format (fuzz/seeds/make_seeds.py).
TEST(Safetensors, ReadsIndependentlyWrittenSeeds) {
    const fs::path dir = fs::path(HYSERVE_SOURCE_DIR) / "fuzz" / "seeds" / "safetensors";
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        SCOPED_TRACE(e.path().string());
        EXPECT_NO_THROW(open_safetensors(e.path().string()));
        ++n;
    }
    EXPECT_GE(n, 4);
    const SafetensorsArchive d = open_safetensors((dir / "dtypes.safetensors").string());
    EXPECT_EQ(tensor_to_f32(d.get("a")), (std::vector<float>{1, 2, 3, 4}));
    EXPECT_EQ(tensor_to_f32(d.get("c")), (std::vector<float>{1, -2}));
    EXPECT_EQ(d.get("h").shape, (std::vector<int64_t>{0, 3}));
    const SafetensorsArchive f = open_safetensors((dir / "fp8_scale.safetensors").string());
    EXPECT_EQ(f.get("x.weight").scale, 0.5f);
    EXPECT_TRUE(open_safetensors((dir / "empty.safetensors").string()).tensors.empty());
}

}  // namespace
}  // namespace hy
