// MappedFile: the file mapping and the copy into 2 MiB pages hold the same bytes; the copy is
// 2 MiB-aligned and leaves no mapping of the file behind (its page cache must not count in RSS
// on top of the copy: issue 10's peak-RSS bound).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/huge_pages.h"
#include "core/mapped_file.h"

namespace hy {
namespace {

struct TempFile {
    std::string path;
    explicit TempFile(const std::vector<uint8_t>& bytes) {
        path = (std::filesystem::path(::testing::TempDir()) /
                ("hy_mapped_" + std::to_string(::getpid()) + "_" + std::to_string(bytes.size())))
                   .string();
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    ~TempFile() { std::remove(path.c_str()); }
};

std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> b(n);
    uint32_t s = 12345;
    for (auto& x : b) x = static_cast<uint8_t>((s = s * 1664525u + 1013904223u) >> 24);
    return b;
}

// Whether /proc/self/maps names `path` (a live mapping of the file).
bool file_is_mapped(const std::string& path) {
    std::ifstream in("/proc/self/maps");
    std::string line;
    while (std::getline(in, line))
        if (line.find(path) != std::string::npos) return true;
    return false;
}

TEST(MappedFile, HugePageCopyHoldsTheFileBytesAlignedAndUnmapped) {
    const std::vector<uint8_t> bytes = pattern(kHugePageBytes * 2 + 12345);  // ends inside a huge page
    TempFile f(bytes);
    auto mapped = MappedFile::open(f.path, FileResidency::MAPPED);
    EXPECT_EQ(mapped->residency(), FileResidency::MAPPED);
    ASSERT_EQ(mapped->size(), bytes.size());
    EXPECT_EQ(0, std::memcmp(mapped->data(), bytes.data(), bytes.size()));
    EXPECT_TRUE(file_is_mapped(f.path));
    {
        const auto copy = MappedFile::open(f.path, FileResidency::HUGE_PAGE_COPY);
        EXPECT_EQ(copy->residency(), FileResidency::HUGE_PAGE_COPY);
        ASSERT_EQ(copy->size(), bytes.size());
        EXPECT_EQ(0, std::memcmp(copy->data(), bytes.data(), bytes.size()));
        EXPECT_EQ(reinterpret_cast<uintptr_t>(copy->data()) % kHugePageBytes, 0u);
        // Huge pages are advice (THP may be off or memory fragmented), so only report them.
        std::printf("AnonHugePages over the copy: %lld bytes\n",
                    static_cast<long long>(anon_huge_bytes(copy->data(), copy->size())));
    }
    mapped.reset();
    EXPECT_FALSE(file_is_mapped(f.path));
    const auto copy = MappedFile::open(f.path, FileResidency::HUGE_PAGE_COPY);
    EXPECT_FALSE(file_is_mapped(f.path)) << "the copy must not keep a mapping of the file";
}

TEST(MappedFile, SmallAndEmptyFilesStayMapped) {
    TempFile small(pattern(1000));
    const auto s = MappedFile::open(small.path, FileResidency::HUGE_PAGE_COPY);
    EXPECT_EQ(s->residency(), FileResidency::MAPPED);  // below one huge page nothing gains
    ASSERT_EQ(s->size(), 1000u);
    EXPECT_EQ(0, std::memcmp(s->data(), pattern(1000).data(), 1000));
    TempFile empty({});
    EXPECT_EQ(MappedFile::open(empty.path, FileResidency::HUGE_PAGE_COPY)->size(), 0u);
}

TEST(MappedFile, MissingFileThrowsNamingIt) {
    for (FileResidency r : {FileResidency::MAPPED, FileResidency::HUGE_PAGE_COPY}) {
        try {
            MappedFile::open("/nonexistent/hy_weights.gguf", r);
            FAIL() << "no exception";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("/nonexistent/hy_weights.gguf"), std::string::npos);
        }
    }
}

TEST(MappedFile, OpenMapsUnlessAskedToCopy) {
    TempFile f(pattern(kHugePageBytes + 1));
    EXPECT_EQ(MappedFile::open(f.path)->residency(), FileResidency::MAPPED);  // metadata readers
    const FileResidency before = weights_file_residency();
    set_weights_file_residency(FileResidency::MAPPED);
    EXPECT_EQ(weights_file_residency(), FileResidency::MAPPED);
    set_weights_file_residency(FileResidency::HUGE_PAGE_COPY);
    EXPECT_EQ(weights_file_residency(), FileResidency::HUGE_PAGE_COPY);
    set_weights_file_residency(before);
}

TEST(HugePageRegion, IsAlignedZeroedAndMovable) {
    HugePageRegion r(kHugePageBytes + 1);
    EXPECT_EQ(r.size(), 2 * kHugePageBytes);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r.data()) % kHugePageBytes, 0u);
    EXPECT_EQ(r.data()[0], 0);
    EXPECT_EQ(r.data()[r.size() - 1], 0);
    r.data()[5] = 7;
    HugePageRegion m = std::move(r);
    EXPECT_EQ(r.data(), nullptr);
    EXPECT_EQ(m.data()[5], 7);
    EXPECT_GE(anon_huge_bytes(m.data(), m.size()), 0);
}

}  // namespace
}  // namespace hy
