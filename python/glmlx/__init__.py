"""glmlx: regularized linear models (glmnet's job) as MLX primitives."""
from __future__ import annotations

import os as _os

__version__ = "0.1.0"

from ._ext_loader import _ext  # noqa: E402  (loads mlx.core and the BLAS first)
from .primitives import gram, soft_threshold  # noqa: E402

__all__ = ["__version__", "gram", "soft_threshold", "cmake_dir", "gpu_backend"]


def cmake_dir() -> str:
    """Folder holding glmlxConfig.cmake, for C++ projects that link glmlx's ops."""
    return _os.path.join(_os.path.dirname(__file__), "share", "cmake", "glmlx")


def gpu_backend() -> str:
    """GPU backend compiled into this build: "none", "metal" or "cuda"."""
    return _ext.gpu_backend()
