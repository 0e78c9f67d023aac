"""Another C++ MLX project can find, link and call glmlx's ops (glmlx/ops.h)."""
import os
import shutil
import subprocess
import sys
import textwrap

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
namespace mx = mlx::core;
int main() {
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
