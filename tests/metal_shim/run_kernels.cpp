// Runs glmlx's Metal kernels under the emulator (metal_stdlib in this folder)
// on arrays that tests/ops/test_device_kernels.py writes as raw files:
//   run_kernels gaussian_cd DIR THREADS
//   run_kernels soft_threshold DIR THREADS contiguous|strided float32|float16|bfloat16
// Outputs go to DIR as raw files too. After the includes below, Metal's
// address-space words are macros: this file does not use them as names.
#include "backend/metal/kernels/gaussian_cd.metal"
#include "backend/metal/kernels/soft_threshold.metal"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

namespace {

std::string path_of(const std::string& dir, const char* name) {
  return dir + "/" + name + ".bin";
}

template <typename T>
std::vector<T> load(const std::string& dir, const char* name) {
  const std::string path = path_of(dir, name);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "run_kernels: cannot open %s\n", path.c_str());
    std::exit(2);
  }
  std::fseek(f, 0, SEEK_END);
  const long bytes = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  std::vector<T> out(size_t(bytes) / sizeof(T));
  if (!out.empty() && std::fread(out.data(), sizeof(T), out.size(), f) != out.size()) {
    std::fprintf(stderr, "run_kernels: short read of %s\n", path.c_str());
    std::exit(2);
  }
  std::fclose(f);
  return out;
}

template <typename T>
void save(const std::string& dir, const char* name, const std::vector<T>& v) {
  const std::string path = path_of(dir, name);
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(v.data(), sizeof(T), v.size(), f);
  std::fclose(f);
}

int run_gaussian_cd(const std::string& dir, unsigned nt) {
  GaussianCDParams prm = load<GaussianCDParams>(dir, "params").at(0);
  const size_t B = size_t(prm.B), p = size_t(prm.p), L = size_t(prm.L);
  auto C = load<float>(dir, "C");
  auto g = load<float>(dir, "g"), beta = load<float>(dir, "beta"), rsq = load<float>(dir, "rsq");
  auto rank = load<int>(dir, "rank"), warm = load<int>(dir, "warm");
  auto lam = load<float>(dir, "lambdas"), vp = load<float>(dir, "penalty"), lim = load<float>(dir, "limits");
  auto ju = load<float>(dir, "include"), xv = load<float>(dir, "xv"), alphas = load<float>(dir, "alphas");
  std::vector<float> beta_path(B * L * p), rsq_path(B * (L + 1)), g_out(B * p), beta_out(B * p);
  std::vector<float> scratch(B * 2 * p);
  std::vector<int> rank_out(B * p), stats(B * 4), active(B * p);
  glmlx_shim::dispatch_groups(unsigned(B), nt, [&](unsigned grp, unsigned t) {
    glmlx_gaussian_cd_path(C.data(), g.data(), beta.data(), rsq.data(), rank.data(), lam.data(), vp.data(),
                           lim.data(), ju.data(), warm.data(), xv.data(), beta_path.data(), rsq_path.data(),
                           g_out.data(), beta_out.data(), rank_out.data(), stats.data(), active.data(),
                           scratch.data(), prm, alphas.data(), grp, t, nt);
  });
  save(dir, "beta_path", beta_path);
  save(dir, "rsq_path", rsq_path);
  save(dir, "g_out", g_out);
  save(dir, "beta_out", beta_out);
  save(dir, "rank_out", rank_out);
  save(dir, "stats", stats);
  return 0;
}

template <typename T>
int run_soft_threshold(const std::string& dir, unsigned nt, bool strided) {
  SoftThresholdShape sh = load<SoftThresholdShape>(dir, "shape").at(0);
  auto x = load<T>(dir, "x"), t = load<T>(dir, "t"), s = load<T>(dir, "s");
  uint n = uint(load<uint>(dir, "n").at(0));
  std::vector<T> out(n);
  const unsigned groups = (n + nt - 1) / nt;
  glmlx_shim::dispatch_groups(groups, nt, [&](unsigned grp, unsigned tid) {
    const uint i = grp * nt + tid;
#define GLMLX_CALL(NAME)                                                                           \
  if (strided) {                                                                                   \
    glmlx_soft_threshold_strided_##NAME(x.data(), t.data(), s.data(), out.data(), sh, n, i);       \
  } else {                                                                                         \
    glmlx_soft_threshold_contiguous_##NAME(x.data(), t.data(), s.data(), out.data(), sh, n, i);    \
  }
    if constexpr (std::is_same_v<T, float>) {
      GLMLX_CALL(float32)
    } else if constexpr (std::is_same_v<T, half>) {
      GLMLX_CALL(float16)
    } else {
      GLMLX_CALL(bfloat16)
    }
#undef GLMLX_CALL
  });
  save(dir, "out", out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: run_kernels gaussian_cd|soft_threshold DIR THREADS [kind dtype]\n");
    return 2;
  }
  const std::string what = argv[1], dir = argv[2];
  const unsigned nt = unsigned(std::atoi(argv[3]));
  if (what == "gaussian_cd") {
    return run_gaussian_cd(dir, nt);
  }
  if (what == "soft_threshold" && argc == 6) {
    const bool strided = std::string(argv[4]) == "strided";
    const std::string dt = argv[5];
    if (dt == "float32") {
      return run_soft_threshold<float>(dir, nt, strided);
    }
    if (dt == "float16") {
      return run_soft_threshold<half>(dir, nt, strided);
    }
    if (dt == "bfloat16") {
      return run_soft_threshold<Bf16>(dir, nt, strided);
    }
  }
  std::fprintf(stderr, "run_kernels: unknown request\n");
  return 2;
}
