"""Argument conversion and checks shared by the Python API.

Every failure is a TypeError (wrong kind of thing) or ValueError (wrong value or
shape) that names the argument.

Shape and dtype checks read only metadata and always run. Value checks (NaN/Inf,
weights) read the data, which ``mx.compile`` and ``mx.vmap`` forbid while they
trace; every op runs them through :func:`run_value_checks`, which skips them
there instead of failing.
"""
from __future__ import annotations

import numbers
from typing import Callable

import mlx.core as mx
import numpy as np

from ._frames import numeric_to_numpy

_FLOATS = (mx.float16, mx.bfloat16, mx.float32, mx.float64)


def is_floating(dtype) -> bool:
    return dtype in _FLOATS


def as_array(a, name: str) -> mx.array:
    """Convert array-likes to mx.array without copying mx.arrays."""
    if isinstance(a, mx.array):
        return a
    if a is None:
        raise TypeError(f"{name} must be an array, got None")
    a = numeric_to_numpy(a, name)  # pandas: nullable dtypes and NA checks by column
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} could not be converted to an array: {exc}") from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"{name} must be numeric, got numpy dtype {arr.dtype}")
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if any(st < 0 for st in arr.strides):
        # MLX cannot import negative strides (reversed views); a copy leaves the caller's array alone.
        arr = np.ascontiguousarray(arr)
    if arr.dtype == np.float64:
        # mx.array would silently narrow float64 to float32.
        return mx.array(arr, dtype=mx.float64)
    return mx.array(arr)


def as_float_array(a, name: str, allow_int: bool = False) -> mx.array:
    """An mx.array of a real floating dtype; integers are promoted when allowed."""
    arr = as_array(a, name)
    if arr.dtype in (mx.complex64,):
        raise TypeError(f"{name} must be real, got {arr.dtype}")
    if not is_floating(arr.dtype):
        if not allow_int:
            raise TypeError(
                f"{name} must be a floating-point array (float16, bfloat16, float32, float64), got {arr.dtype}"
            )
        arr = arr.astype(mx.float32)
    return arr


def as_param(v, dtype, name: str) -> mx.array:
    """Scalars take the data's dtype; arrays keep theirs (and must be real)."""
    if isinstance(v, bool):
        raise TypeError(f"{name} must be a real number or array, got bool")
    if isinstance(v, numbers.Real):
        return mx.array(v, dtype=dtype)
    if isinstance(v, numbers.Complex):
        raise TypeError(f"{name} must be real, got complex {v!r}")
    arr = as_array(v, name)
    if arr.dtype == mx.complex64:
        raise TypeError(f"{name} must be real, got {arr.dtype}")
    if arr.dtype == mx.bool_:
        raise TypeError(f"{name} must be numeric, got bool")
    return arr


def all_finite(a: mx.array) -> bool:
    if a.dtype in (mx.float32, mx.float64, mx.float16):
        # numpy reads the CPU buffer without a copy, much faster than an MLX reduction
        # (figure: docs/PERFORMANCE.md, "Design measurements")
        return bool(np.isfinite(np.asarray(a)).all())
    return bool(mx.all(mx.isfinite(a)).item())


def require_finite(a: mx.array, name: str) -> None:
    if not all_finite(a):
        raise ValueError(f"{name} contains NaN or infinite values")


def check_weights(w: mx.array, n: int, name: str = "weights") -> None:
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), got {tuple(w.shape)}")
    require_finite(w, name)
    if bool(mx.any(w < 0).item()):
        raise ValueError(f"{name} must be non-negative")
    if not bool((mx.sum(w) > 0).item()):
        raise ValueError(f"{name} must have a positive sum (all weights are zero)")


def device_stream(stream, name: str = "stream"):
    """The GPU stream a gaussian path is asked to run on, or None for the CPU (None, a CPU stream or device).

    A GPU device (``mx.gpu``) means its default stream. A GPU this MLX build
    does not have (the Linux CPU wheels) is a ValueError naming the argument.
    """
    if stream is None:
        return None
    if isinstance(stream, mx.Stream):
        kind = stream.device.type
    elif isinstance(stream, mx.Device):
        kind = stream.type
    elif isinstance(stream, mx.DeviceType):
        kind = stream
    else:
        raise TypeError(f"{name} must be None, an mx.Stream or an mx.Device, got {type(stream).__name__}")
    if kind == mx.cpu:
        return None
    if not mx.is_available(mx.gpu):
        raise ValueError(f"{name}: this MLX build has no GPU (got {stream}); pass stream=None or mx.cpu, or install "
                         "MLX with a GPU backend (Metal on Apple silicon, mlx[cuda13] on Linux)")
    if isinstance(stream, mx.Stream):
        return stream
    return mx.default_stream(stream if isinstance(stream, mx.Device) else mx.Device(mx.gpu))


def is_tracing_error(exc: BaseException) -> bool:
    """True for MLX's refusal to evaluate an array while ``mx.compile``/``mx.vmap`` trace."""
    # MLX 0.32 has no public "am I tracing" flag; its eval raises this ValueError
    # ("[eval] Attempting to eval an array during function transformations ...").
    return isinstance(exc, ValueError) and "function transformations" in str(exc)


def run_value_checks(checks: Callable[[], None]) -> bool:
    """Run checks that evaluate arrays, unless MLX is tracing them.

    Parameters
    ----------
    checks : callable
        Raises ValueError (or TypeError) naming the argument when a value is bad.

    Returns
    -------
    bool
        True when the checks ran (and passed); False when they were skipped
        because the arrays are tracers of ``mx.compile``/``mx.vmap`` (under
        ``mx.grad`` arrays can be evaluated, so the checks run).
    """
    try:
        checks()
    except ValueError as exc:
        if not is_tracing_error(exc):
            raise
        return False
    return True


def is_traced(a) -> bool:
    """True when ``a`` is an mx.array that ``mx.grad``, ``mx.vmap`` or ``mx.compile`` is tracing."""
    from ._ext_loader import _ext  # here, so that this module imports without the extension

    return isinstance(a, mx.array) and _ext.is_tracer(a)


def refuse_transforms(func: str, why: str, **arrays) -> None:
    """Raise a ValueError naming ``func`` when one of ``arrays`` is being traced.

    For the host-loop drivers (glmnet, fit_gd, ...), which read values back
    every iteration: inside ``mx.compile``/``mx.vmap`` that fails with MLX's
    generic eval error, and under ``mx.grad`` their results would carry no
    gradient, so MLX would silently return zeros.

    Parameters
    ----------
    func : str
        Public name, as ``"glmnet"``.
    why : str
        The reason, shown in the message.
    **arrays
        The arguments by name; anything that is not an mx.array is ignored.
    """
    for name, a in arrays.items():
        if is_traced(a):
            raise ValueError(f"glmlx.{func} cannot run under mx.grad, mx.vmap or mx.compile ({name} is traced): "
                             f"{why}; call it outside the transformation")
