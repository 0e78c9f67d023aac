"""glmlx: regularized linear models (glmnet's job) as MLX primitives."""
from __future__ import annotations

import os as _os
import typing as _typing

__version__ = "0.1.0"

from ._ext_loader import _ext  # noqa: E402  (loads mlx.core and the BLAS first)
from .primitives import gram, soft_threshold  # noqa: E402
from .gd import GDResult, GradCheckResult, check_grad, fit_gd  # noqa: E402
from .lstsq import ConditioningWarning, LstsqInfo, LstsqResult, lstsq  # noqa: E402

__all__ = ["__version__", "gram", "soft_threshold", "cmake_dir", "gpu_backend", "clear_cache"]
__all__ += ["lstsq", "LstsqResult", "LstsqInfo", "ConditioningWarning", "fit_gd", "GDResult", "check_grad",
            "GradCheckResult"]


def cmake_dir() -> str:
    """Folder holding glmlxConfig.cmake, for C++ projects that link glmlx's ops."""
    return _os.path.join(_os.path.dirname(__file__), "share", "cmake", "glmlx")


def clear_cache() -> None:
    """Free the host buffers glmlx keeps between calls (as ``mx.clear_cache`` does for MLX's).

    Kept for the next call of the same size, whose pages are then already
    mapped (fresh pages cost a page fault each): the GLM paths' copies of X
    (1 MiB and up, 4 buffers and 256 MiB at most), the gaussian residual
    solver's last column-major and screening copies of a wide X (1 GiB at
    most each) and the CV routines' outputs (64 KiB to 4 MiB, 16 MiB at most).
    """
    _ext.clear_cache()


def gpu_backend() -> str:
    """GPU backend compiled into this build: "none", "metal" or "cuda"."""
    return _ext.gpu_backend()

from .glmnet import GlmnetFit, glmnet  # noqa: E402

__all__ += ["glmnet", "GlmnetFit"]

from .many import glmnet_many  # noqa: E402

__all__ += ["glmnet_many"]

from .cv import CVGlmnet, cv_glmnet  # noqa: E402

__all__ += ["cv_glmnet", "CVGlmnet"]

from .cva import CVAGlmnet, cva_glmnet  # noqa: E402

__all__ += ["cva_glmnet", "CVAGlmnet"]

from .model_io import load_model, save_model  # noqa: E402

__all__ += ["save_model", "load_model"]

from .assess import ConfusionTable, RocCurve, assess_glmnet, confusion_glmnet, roc_glmnet  # noqa: E402

__all__ += ["assess_glmnet", "roc_glmnet", "confusion_glmnet", "RocCurve", "ConfusionTable"]

# scikit-learn estimators (glmlx.estimators), imported on first use so that `import glmlx`
# does not need scikit-learn: it is an optional extra, glmlx[sklearn]
_ESTIMATORS = ("GlmnetRegressor", "GlmnetPoissonRegressor", "GlmnetMultiTaskRegressor", "GlmnetClassifier",
               "GlmnetRegressorCV", "GlmnetPoissonRegressorCV", "GlmnetMultiTaskRegressorCV", "GlmnetClassifierCV")


def _has_sklearn() -> bool:
    from importlib.util import find_spec  # finds without importing

    try:
        return find_spec("sklearn") is not None
    except (ImportError, ValueError):  # a blocked or half-imported sklearn
        return False


if _has_sklearn():  # else `from glmlx import *` would fail on them
    __all__ += list(_ESTIMATORS)


if _typing.TYPE_CHECKING:  # checkers see the classes; a module __getattr__ would make every glmlx.<typo> valid
    from .estimators import GlmnetRegressor as GlmnetRegressor
    from .estimators import GlmnetPoissonRegressor as GlmnetPoissonRegressor
    from .estimators import GlmnetMultiTaskRegressor as GlmnetMultiTaskRegressor
    from .estimators import GlmnetClassifier as GlmnetClassifier
    from .estimators import GlmnetRegressorCV as GlmnetRegressorCV
    from .estimators import GlmnetPoissonRegressorCV as GlmnetPoissonRegressorCV
    from .estimators import GlmnetMultiTaskRegressorCV as GlmnetMultiTaskRegressorCV
    from .estimators import GlmnetClassifierCV as GlmnetClassifierCV
else:
    def __getattr__(name):
        if name in _ESTIMATORS:
            from . import estimators  # raises an ImportError naming glmlx[sklearn] without scikit-learn

            return getattr(estimators, name)
        raise AttributeError(f"module 'glmlx' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_ESTIMATORS))
