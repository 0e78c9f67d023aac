"""Another C++ MLX project can find, link and call glmlx's ops (glmlx/ops.h)."""
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import glmlx

pytestmark = pytest.mark.skipif(
    shutil.which("cmake") is None or shutil.which(os.environ.get("CXX", "c++")) is None,
    reason="needs cmake and a C++ compiler",
)

MAIN = r"""
#include <iostream>
#include "mlx/mlx.h"
#include "glmlx/ops.h"
#include "glmlx/glm.h"
#include <vector>
namespace mx = mlx::core;
// A binomial lasso path on host buffers, inputs by name (glmlx/glm.h).
glmlx::GlmPathResult binomial_path() {
  const int n = 40, p = 3;
  std::vector<double> X(n * p), y(n), w(n, 1.0), vp(p, 1.0), lo(p, -9.9e35), hi(p, 9.9e35);
  std::vector<uint8_t> inc(p, 1);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < p; ++j) X[i * p + j] = double((i * (j + 3) * 7919) % 23) / 23.0 - 0.5;
    y[i] = (X[i * p] + 0.3 * X[i * p + 1] + double((i * 31) % 7) / 14.0 > 0.2) ? 1.0 : 0.0;
  }
  std::vector<double> lam = {0.1, 0.05, 0.01};
  glmlx::HostMatrix hx{X.data(), n, p, p, 1};
  glmlx::GlmPathInputs in;
  in.X = &hx; in.y = y.data(); in.weights = w.data(); in.include = inc.data(); in.penalty = vp.data();
  in.lower = lo.data(); in.upper = hi.data(); in.user_lambdas = lam.data(); in.n_user = 3;
  glmlx::GlmPathSettings st;
  st.flmin = 1.0;
  return glmlx::glm_path_host(in, st);
}

int main() {
  const int p = 3;
  const glmlx::GlmPathResult path = binomial_path();
  auto x = mx::array({-2.0f, -0.5f, 0.0f, 0.5f, 3.0f});
  auto y = glmlx::soft_threshold(x, mx::array(1.0f), mx::array(2.0f));
  auto G = glmlx::gram(mx::reshape(mx::arange(6.0f), {3, 2}))[0];
  auto df = mx::grad([](const mx::array& a) {
    return mx::sum(glmlx::soft_threshold(a, mx::array(1.0f)));
  });
  auto g = df(x);
  mx::eval({y, G, g});
  for (int i = 0; i < 5; ++i) std::cout << y.data<float>()[i] << " ";
  std::cout << "\n";
  for (int i = 0; i < 4; ++i) std::cout << G.data<float>()[i] << " ";
  std::cout << "\n";
  for (int i = 0; i < 5; ++i) std::cout << g.data<float>()[i] << " ";
  std::cout << "\n" << glmlx::gpu_backend() << std::endl;
  std::cout.precision(17);
  std::cout << path.lmu << " " << path.jerr;
  for (int j = 0; j < p; ++j) std::cout << " " << path.beta[2 * p + j];
  std::cout << std::endl;
  return 0;
}
"""


def test_cmake_project_links_and_calls_ops(tmp_path):
    (tmp_path / "main.cpp").write_text(MAIN)
    (tmp_path / "CMakeLists.txt").write_text(textwrap.dedent("""
        cmake_minimum_required(VERSION 3.24)
        project(embed LANGUAGES CXX)
        set(CMAKE_CXX_STANDARD 20)
        find_package(glmlx CONFIG REQUIRED)
        add_executable(embed main.cpp)
        target_link_libraries(embed PRIVATE glmlx::glmlx)
    """))
    build = tmp_path / "build"
    subprocess.run(["cmake", "-S", str(tmp_path), "-B", str(build), f"-Dglmlx_DIR={glmlx.cmake_dir()}",
                    f"-DPython_EXECUTABLE={sys.executable}", "-DCMAKE_BUILD_TYPE=Release"],
                   check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True)
    out = subprocess.run([str(build / "embed")], check=True, capture_output=True, text=True).stdout.split("\n")
    assert [float(v) for v in out[0].split()] == [-0.5, 0.0, 0.0, 0.0, 1.0]
    # X = [[0,1],[2,3],[4,5]]: X'X = [[20, 26], [26, 35]]
    assert [float(v) for v in out[1].split()] == [20.0, 26.0, 26.0, 35.0]
    assert [float(v) for v in out[2].split()] == [1.0, 0.0, 0.0, 0.0, 1.0]
    assert out[3] == glmlx.gpu_backend()
    # the binomial path through the named inputs equals glmnet() on the same data and lambdas
    lmu, jerr, *beta = out[4].split()
    assert (int(lmu), int(jerr)) == (3, 0)
    i, j = np.arange(40)[:, None], np.arange(3)[None, :]
    X = ((i * (j + 3) * 7919) % 23) / 23.0 - 0.5
    y = ((X[:, 0] + 0.3 * X[:, 1] + ((np.arange(40) * 31) % 7) / 14.0) > 0.2).astype(float)
    fit = glmlx.glmnet(X, y, family="binomial", lambdas=[0.1, 0.05, 0.01])
    np.testing.assert_allclose([float(b) for b in beta], fit._beta_np[:, 2], rtol=1e-12, atol=1e-14)
