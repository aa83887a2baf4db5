// Replays a fuzz target over every file of a corpus directory (and over a few synthetic edge
// inputs) without libFuzzer, so ctest exercises each decoder entry point under g++/ASan.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
        return 2;
    }
    size_t n = 0;
    // Edge inputs every decoder must survive.
    const std::vector<uint8_t> empty;
    LLVMFuzzerTestOneInput(empty.data(), 0);
    std::vector<uint8_t> ff(8192, 0xFF), zz(8192, 0x00);
    LLVMFuzzerTestOneInput(ff.data(), ff.size());
    LLVMFuzzerTestOneInput(zz.data(), zz.size());
    for (int a = 1; a < argc; ++a) {
        std::error_code ec;
        for (const auto &e : std::filesystem::recursive_directory_iterator(argv[a], ec)) {
            if (!e.is_regular_file())
                continue;
            std::ifstream f(e.path(), std::ios::binary);
            std::vector<uint8_t> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
            LLVMFuzzerTestOneInput(buf.data(), buf.size());
            ++n;
        }
    }
    std::printf("replayed %zu corpus inputs\n", n);
    return n > 0 ? 0 : 1; // an empty corpus means the test would prove nothing
}
