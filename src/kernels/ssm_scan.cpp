#include "kernels/ssm_scan.h"

#include "kernels/isa.h"

namespace hy::kernels {

int64_t ssm_chunked_scratch_floats(const SsmInputs& in, int64_t chunk) {
    return 6 * chunk + 2 * chunk * chunk + in.N * in.P;  // M has 3 padding rows for the 4-row blocks
}

void ssm_scan_serial(const SsmInputs& in) {
    const KernelTable& k = kernels();
    for (int64_t h = 0; h < in.H; ++h) k.ssm_serial_head(SsmHeadArgs{&in, h});
}

void ssm_scan_chunked(const SsmInputs& in, int64_t chunk, float* scratch) {
    const KernelTable& k = kernels();
    const int64_t hpg = in.H / in.G;
    for (int64_t g = 0; g < in.G; ++g)
        k.ssm_chunked_group(SsmGroupArgs{&in, g, g * hpg, (g + 1) * hpg, chunk, scratch});
}

}  // namespace hy::kernels
