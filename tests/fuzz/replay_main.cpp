// Runs every input file in the directories (or files) named on the command
// line through LLVMFuzzerTestOneInput, once each, in name order: the fuzz
// targets' seed corpus and regression inputs as an ordinary test, built by
// any compiler and without libFuzzer. A target reports a failed property by
// aborting, so the test fails with the input's name as the last line printed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

// Hidden files (".keep" holding an empty regressions directory in git) are not inputs.
bool isInput(const fs::path& path)
{
    return path.filename().string().front() != '.';
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    std::size_t total = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        std::error_code ec;
        std::vector<fs::path> inputs;
        if (fs::is_directory(arg, ec)) {
            for (const auto& entry : fs::directory_iterator(arg, ec))
                if (entry.is_regular_file() && isInput(entry.path())) inputs.push_back(entry.path());
            std::sort(inputs.begin(), inputs.end());
        } else if (fs::is_regular_file(arg, ec)) {
            inputs.push_back(arg);
        } else {
            std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
            return 2;
        }
        for (const fs::path& input : inputs) {
            std::printf("%s\n", input.c_str());
            std::fflush(stdout);
            std::ifstream in(input, std::ios::binary);
            const std::vector<char> bytes {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            if (!in.good() && !in.eof()) {
                std::fprintf(stderr, "%s: cannot read\n", input.c_str());
                return 2;
            }
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        }
        std::printf("%zu inputs from %s\n", inputs.size(), argv[i]);
        total += inputs.size();
    }
    // A corpus that went missing must not pass as zero inputs run cleanly.
    if (total == 0) {
        std::fprintf(stderr, "no inputs found\n");
        return 1;
    }
    std::printf("replayed %zu inputs: ok\n", total);
    return 0;
}
