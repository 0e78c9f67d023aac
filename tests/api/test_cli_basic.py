import subprocess
import sys

import glmlx


def test_version_flag():
    out = subprocess.run([sys.executable, "-m", "glmlx", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"glmlx {glmlx.__version__}"


def test_cmake_dir_points_at_config():
    import os

    out = subprocess.run([sys.executable, "-m", "glmlx", "--cmake-dir"], capture_output=True, text=True, check=True)
    assert os.path.isfile(os.path.join(out.stdout.strip(), "glmlxConfig.cmake"))
