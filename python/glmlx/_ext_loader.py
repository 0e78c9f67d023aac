"""Load the compiled extension after its two native dependencies.

``mlx.core`` must be imported first: the extension shares MLX's nanobind domain
and type registrations. On Linux the BLAS comes from the ``scipy-openblas32``
wheel; preloading it makes the extension work however it was installed (wheel,
editable, build tree), not only where its relative rpath resolves.
"""
import ctypes
import os
import sys

import mlx.core  # noqa: F401  (registers mx.array with nanobind before _ext)

if sys.platform != "darwin":
    try:
        import scipy_openblas32 as _openblas

        ctypes.CDLL(
            os.path.join(_openblas.get_lib_dir(), _openblas.get_library(fullname=True)),
            mode=ctypes.RTLD_GLOBAL,
        )
    except ImportError:  # rpath or the system loader may still find it
        pass

from . import _ext  # noqa: E402

__all__ = ["_ext"]
