"""``glmlx.glmnet``: elastic-net regularization paths with R glmnet's options and answers."""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Optional, Union

import mlx.core as mx
import numpy as np

from . import _control, _sparse, families as _families
from .families import get_family
from . import gaussian, glm, mgaussian
from ._progress import solver_scope
from ._frames import check_predict_names, frame_to_numpy, response_to_numpy
from ._validation import as_array, device_stream, refuse_transforms

FAMILIES = tuple(_families.FAMILIES)
PREDICT_TYPES = ("link", "response", "coefficients", "nonzero", "class")
_EPS = float(np.finfo(float).eps)


def _as_data_matrix(X, dtype):
    """X as a float32/float64 numpy array (kept as is when it is one: no copy), or a canonical CSC copy of a
    scipy.sparse X (never densified)."""
    if dtype is not None and dtype not in (mx.float32, mx.float64):
        raise TypeError(f"dtype must be mx.float32 or mx.float64, got {dtype}")
    if _sparse.is_sparse(X):
        if dtype is None:
            dtype = mx.float32 if X.dtype == np.float32 else mx.float64
        return _sparse.as_csc(X, "X", np.float64 if dtype == mx.float64 else np.float32), dtype
    if isinstance(X, np.ndarray) and X.dtype in (np.float64, np.float32):
        Xm = X
    else:
        Xm = as_array(X, "X")
        if Xm.dtype in (mx.complex64,):
            raise TypeError("X must be real")
    if Xm.ndim != 2:
        raise ValueError(f"X must be a 2-D matrix (n, p), got shape {tuple(Xm.shape)}")
    if dtype is None:
        dtype = mx.float32 if Xm.dtype in (mx.float32, np.float32) else mx.float64
    want = np.float64 if dtype == mx.float64 else np.float32
    if isinstance(Xm, np.ndarray):
        # C order whatever the caller's layout: the Gram products' summation order follows the layout, and
        # the same numbers must give the same path bit for bit (one copy for Fortran-ordered or strided X)
        Xm = np.ascontiguousarray(Xm, dtype=want)
    else:
        Xm = np.asarray(Xm.astype(dtype, stream=mx.cpu))  # a view of the MLX buffer
    # NaN/Inf in X are caught from the Gram matrix (gaussian.standardize): no extra pass.
    return Xm, dtype


def _vector(v, p, name, default):
    if v is None:
        return np.full(p, default, dtype=np.float64)
    if isinstance(v, bool):
        raise TypeError(f"{name} must be a number or a length-{p} vector, got bool")
    try:
        arr = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or a numeric vector of length {p}, got {type(v).__name__}") from None
    if arr.ndim == 0 or arr.size == 1:
        return np.full(p, float(arr.reshape(-1)[0]))
    if arr.ndim != 1 or arr.shape[0] != p:
        raise ValueError(f"{name} must be a scalar or a vector of length {p}, got shape {arr.shape}")
    return arr.copy()


_INT32_MAX = 2**31 - 1
PATH_MEMORY_LIMIT = 4 * 2**30  # bytes of path coefficients one fit may return (as the Gram matrix check)


def check_path_memory(nlam, p: int, nresp: int, name: str, copies: int = 1) -> None:
    """Reject a grid whose path coefficients (nlam x (p + 1) per response or class, float64) are too large.

    The solvers allocate the whole path before fitting, so a huge ``nlambda``
    would take all memory (or hang) rather than fail.
    """
    need = float(nlam) * (p + 1) * nresp * 8 * copies
    if need > PATH_MEMORY_LIMIT:
        what = f"{name}={int(nlam)}" if name == "nlambda" else f"{name} with {int(nlam)} values"
        per = f", times {copies} paths: the fit and its CV folds" if copies > 1 else ""
        raise ValueError(f"{what} would need {need / 2**30:.3g} GiB for the path's coefficients "
                         f"({int(nlam)} lambdas x {p + 1} coefficients x {nresp} response(s), float64{per}); "
                         f"the limit is {PATH_MEMORY_LIMIT / 2**30:.0f} GiB: use fewer lambdas")


def _check_scalar(v, name, lo=None, hi=None, integer=False):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(v).__name__}")
    if integer and int(v) != v:
        raise ValueError(f"{name} must be an integer, got {v}")
    if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{name} must be finite and in {rng}, got {v}")


def lambda_interp(lam: np.ndarray, s):
    """glmnet's lambda.interp: left/right path points and the weight of the left one."""
    if isinstance(s, str) or np.asarray(s).dtype.kind not in "fiu":
        raise TypeError(f"s must be a lambda value or a sequence of them (numbers), got {s!r}; "
                        "'lambda_min' and 'lambda_1se' are accepted by cv_glmnet results")
    s = np.atleast_1d(np.asarray(s, dtype=np.float64))
    if s.ndim != 1 or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("s must be non-negative finite lambda values")
    left, right, frac = interp_points([lam], s)
    return left[0], right[0], frac[0]


def interp_points(lams: list, s: np.ndarray):
    """``lambda_interp`` of several paths at one checked 1-D float64 ``s`` (CV: every fold at once).

    Returns left, right (int) and frac, each (len(lams), s.size).
    """
    size = np.array([lam.size for lam in lams])
    lam = np.empty((size.size, size.max()))
    for k, path in enumerate(lams):  # padded with its last lambda: a path's extremes stay its own
        lam[k, :path.size] = path
        lam[k, path.size:] = path[-1]
    first, last = lam[:, :1], lam[np.arange(size.size), size - 1][:, None]
    s = np.minimum(np.maximum(s, lam.min(axis=1, keepdims=True)), lam.max(axis=1, keepdims=True))
    span = np.where(size[:, None] > 1, first - last, 1.0)  # a one-point path: that point (at_point below)
    sfrac = (first - s) / span
    lam_n = (first - lam) / span
    coord = np.stack([np.interp(sfrac[k], lam_n[k, :m], np.arange(m, dtype=np.float64)) for k, m in enumerate(size)])
    left, right = np.floor(coord).astype(int), np.ceil(coord).astype(int)
    gap = np.take_along_axis(lam_n, left, 1) - np.take_along_axis(lam_n, right, 1)
    at_point = np.abs(gap) < _EPS  # includes left == right; these take the left point alone
    frac = (sfrac - np.take_along_axis(lam_n, right, 1)) / np.where(at_point, 1.0, gap)
    frac[at_point] = 1.0
    return left, right, frac


def interpolate_at(full: np.ndarray, left, right, frac) -> np.ndarray:
    """Columns of ``full`` (rows x nlam) between path points ``left`` and ``right``, ``frac`` of the left one."""
    return full[:, left] * frac + full[:, right] * (1 - frac)


def interpolate_coef(lam: np.ndarray, full: np.ndarray, s) -> np.ndarray:
    """Columns of ``full`` (rows x nlam) at lambdas ``s``, linear in lambda as glmnet."""
    return interpolate_at(full, *lambda_interp(lam, s))


class _MxPickle:
    """Pickling (and so deep copies, joblib, scikit-learn's estimators) of results holding MLX objects.

    mx.Dtype does not pickle, and MLX's own pickling of an mx.array turns
    float64 into float32: both travel as numpy arrays and dtype names instead.
    """

    def __getstate__(self):
        state = {}
        for key, value in self.__dict__.items():
            if isinstance(value, mx.array):
                value = ("mx.array", np.array(value), str(value.dtype).rsplit(".", 1)[-1])
            elif isinstance(value, mx.Dtype):
                value = ("mx.Dtype", str(value).rsplit(".", 1)[-1])
            state[key] = value
        return state

    def __setstate__(self, state):
        for key, value in state.items():
            if isinstance(value, tuple) and value and value[0] == "mx.array":
                value = mx.array(value[1], dtype=getattr(mx, value[2]))
            elif isinstance(value, tuple) and value and value[0] == "mx.Dtype":
                value = getattr(mx, value[1])
            self.__dict__[key] = value


class GlmnetFit(_MxPickle):
    """A fitted regularization path (R's ``glmnet`` object).

    Attributes
    ----------
    lambdas : mx.array (nlam,)
    a0 : mx.array (nlam,), or (K, nlam) for multinomial     intercepts
    beta : mx.array (p, nlam), or (K, p, nlam) for multinomial  coefficients on the original scale
    dev_ratio : mx.array (nlam,)  fraction of null deviance explained
    nulldev : float               null deviance (gaussian: sum_i w_i (y_i - ybar)^2; others: 2 (loglik_sat - loglik_null))
    df : mx.array (nlam,)         number of nonzero coefficients (multinomial: variables nonzero in any class)
    npasses : int                 total coordinate-descent passes
    jerr : int                    glmnet's error code (0, or negative when the path was cut short)
    classes : np.ndarray or None  class labels (binomial: [negative, positive]; multinomial: K classes)
    offset : bool                 fitted with an offset (then predict needs ``newoffset``)
    dtype : mx.Dtype              the dtype of the arrays above and of ``coef``/``predict`` (the data's, or
                                  the one asked for with ``glmnet(dtype=...)``)
    feature_names : np.ndarray or None   X's column names when X was a DataFrame with string column names
    response_names : np.ndarray or None  mgaussian: y's column names when y was such a DataFrame
    """

    def __init__(self, family, result, nobs: int, user_lambda: bool, classes=None, offset: bool = False, *,
                 dtype=mx.float64, feature_names=None, response_names=None):
        self.family = family
        self.dtype = dtype
        self.lambdas = mx.array(result.lambdas, dtype=dtype)
        self.a0 = mx.array(result.a0, dtype=dtype)
        self.beta = mx.array(result.beta, dtype=dtype)
        self.dev_ratio = mx.array(result.dev_ratio, dtype=dtype)
        self.nulldev = float(result.nulldev)
        nonzero = result.beta != 0 if result.beta.ndim == 2 else np.any(result.beta != 0, axis=0)
        self.df = mx.array(np.count_nonzero(nonzero, axis=0).astype(np.int32))
        self.npasses = int(result.npasses)
        self.jerr = int(result.jerr)
        self.nobs = nobs
        self.user_lambda = user_lambda
        self.classes = classes
        self.offset = bool(offset)
        self.feature_names = feature_names
        self.response_names = response_names
        # float64 copies: predictions, interpolation and CV work from these whatever the results' dtype
        self._beta_np = np.asarray(result.beta, dtype=np.float64)
        self._a0_np = np.asarray(result.a0, dtype=np.float64)
        self._lam_np = np.asarray(result.lambdas, dtype=np.float64)

    @property
    def nclass(self) -> int:
        """K coefficient sets (multinomial), else 1."""
        return 1 if self._beta_np.ndim == 2 else self._beta_np.shape[0]

    def __repr__(self):
        return (f"GlmnetFit(family={self.family!r}, nlambda={self._lam_np.size}, p={self._beta_np.shape[-2]}, "
                f"dev_ratio_max={float(np.max(np.asarray(self.dev_ratio), initial=0)):.4f})")

    def __str__(self):
        """R's print.glmnet table: Df, %Dev and Lambda at each point of the path."""
        from .printing import path_table

        return path_table(self)

    def summary(self):
        """The path as a pandas DataFrame (Df, %Dev, Lambda; one row per lambda), print(fit)'s table as data."""
        from .printing import path_columns

        return _data_frame(path_columns(self), index=np.arange(1, len(self._lam_np) + 1))

    # -- coefficients ---------------------------------------------------------------------
    def _coef_np(self, s=None):
        """(p + 1, len(s)), or (K, p + 1, len(s)) for multinomial."""
        if s is not None and self._lam_np.size == 0:
            # nothing to interpolate between (the solver stopped before the first lambda)
            raise ValueError(f"s: this fit's path is empty (glmnet error code {self.jerr}: no lambda was fit), "
                             "so there are no coefficients at any s; refit, e.g. with a larger maxit")
        if self._beta_np.ndim == 2:
            full = np.vstack([self._a0_np[None, :], self._beta_np])
            return full if s is None else interpolate_coef(self._lam_np, full, s)
        full = np.concatenate([self._a0_np[:, None, :], self._beta_np], axis=1)
        if s is None:
            return full
        K, q, nlam = full.shape
        return interpolate_coef(self._lam_np, full.reshape(K * q, nlam), s).reshape(K, q, -1)

    def coef(self, s=None) -> mx.array:
        """Coefficients (p + 1, len(s)), intercept first, or (K, p + 1, len(s)) for multinomial;
        linear in lambda between path points.

        ``s``: lambda values (numbers; a TypeError otherwise, e.g. for strings: the "lambda_min" and
        "lambda_1se" names belong to cv_glmnet results). A ValueError when the path is empty (the
        solver stopped before its first lambda) and ``s`` is given; ``predict`` behaves the same.
        """
        return mx.array(self._coef_np(s), dtype=self.dtype)

    def coef_table(self, s=None):
        """Coefficients as a pandas DataFrame, R's ``coef()`` with its row names.

        Rows "(Intercept)" then the feature names (X's column names, else R's
        "V1".."Vp"); one column per lambda (``s``, or the whole path), named
        "s0", "s1", ... as R. Multinomial and mgaussian fits give one column
        block per class or response (a two-level column index: class or
        response, then "s0", ...).

        Returns
        -------
        pandas.DataFrame
            float64 coefficients; ``df.attrs["lambdas"]`` holds the lambda of each column.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is optional
            raise ImportError("coef_table needs pandas: pip install pandas") from None
        coefs = self._coef_np(s)
        p = self._beta_np.shape[-2]
        rows = ["(Intercept)"] + (list(self.feature_names) if self.feature_names is not None
                                  else [f"V{j + 1}" for j in range(p)])
        lams = self._lam_np if s is None else np.atleast_1d(np.asarray(s, dtype=np.float64))
        cols = [f"s{j}" for j in range(coefs.shape[-1])]
        if coefs.ndim == 2:
            out = pd.DataFrame(coefs, index=rows, columns=cols)
        else:
            groups = self.classes if self.classes is not None else self.response_names
            groups = list(groups) if groups is not None else [f"y{k + 1}" for k in range(coefs.shape[0])]
            index = pd.MultiIndex.from_product([[str(g) for g in groups], cols])
            out = pd.DataFrame(np.concatenate(list(coefs), axis=1), index=rows, columns=index)
        out.attrs["lambdas"] = lams.copy()
        return out

    def plot(self, xvar: str = "lambda", path: Optional[str] = None, *, label: bool = False, ax=None):
        """Coefficient paths against log(lambda), L1 norm or deviance ratio (matplotlib), as R's plot.glmnet.

        ``label``: name each curve at its end; ``ax``: Axes to draw on (one per class or response for
        multinomial/mgaussian); ``path``: save the figure there. Returns the Axes (a list for several panels).
        """
        from .plotting import plot_path

        return plot_path(self, xvar, path, label=label, ax=ax)

    def predict(self, Xnew=None, s=None, type: str = "link", newoffset=None) -> Union[mx.array, np.ndarray, list]:
        """Predictions at lambdas ``s`` (all path lambdas when None), as glmnet's predict:

        - "link": the linear predictor (n, len(s)), or (n, K, len(s)) for multinomial;
        - "response": fitted means (probabilities for binomial/multinomial, rates for poisson);
        - "class": the predicted class labels (binomial, multinomial), a numpy array (n, len(s));
        - "coefficients": as ``coef``; "nonzero": indices of nonzero coefficients per lambda
          (per class and lambda for multinomial).

        ``newoffset`` (n,) or (n, K) is required when the fit used an offset.
        """
        if type not in PREDICT_TYPES:
            raise ValueError(f"type must be one of {PREDICT_TYPES}, got {type!r}")
        if type == "class" and not get_family(self.family).classifies:
            raise ValueError(f"type='class' is for the binomial and multinomial families, not {self.family!r}")
        coefs = self._coef_np(s)
        if type == "coefficients":
            return mx.array(coefs, dtype=self.dtype)
        if type == "nonzero":
            if coefs.ndim == 2:
                return [np.flatnonzero(coefs[1:, j]) for j in range(coefs.shape[1])]
            return [[np.flatnonzero(c[1:, j]) for j in range(c.shape[1])] for c in coefs]
        if Xnew is None:
            raise ValueError(f"Xnew is required for type={type!r}")
        p = self._beta_np.shape[-2]
        check_predict_names(self.feature_names, Xnew)
        Xnew, _ = frame_to_numpy(Xnew, "Xnew")
        if _sparse.is_sparse(Xnew):  # products from the stored entries, never densified
            Xn = _sparse.as_csc(Xnew, "Xnew")
        else:
            Xn = np.ascontiguousarray(as_array(Xnew, "Xnew"), dtype=np.float64)  # layout-independent products
        if Xn.ndim != 2 or Xn.shape[1] != p:
            raise ValueError(f"Xnew must have shape (n, {p}), got {Xn.shape}")
        if self.offset and newoffset is None:
            raise ValueError("newoffset is required: the fit used an offset")
        if coefs.ndim == 2:
            eta = coefs[0][None, :] + np.asarray(Xn @ coefs[1:])
        elif _sparse.is_sparse(Xn):
            eta = coefs[:, 0, :][None] + np.stack([np.asarray(Xn @ c[1:]) for c in coefs], axis=1)
        else:
            eta = coefs[:, 0, :][None] + np.einsum("np,kps->nks", Xn, coefs[:, 1:, :])
        if self.offset:
            o = glm.prepare_offset(newoffset, Xn.shape[0], self.nclass, self.family)
            eta = eta + (o[:, None] if o.ndim == 1 else o.T[:, :, None])
        if type == "link":
            return mx.array(eta, dtype=self.dtype)
        if type == "response":
            return mx.array(glm.link_to_response(self.family, eta), dtype=self.dtype)
        idx = (eta > 0).astype(np.int64) if eta.ndim == 2 else np.argmax(eta, axis=1)
        return self.classes[idx]


def _data_frame(columns: dict, index):
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        raise ImportError("summary() returns a pandas DataFrame: pip install pandas (print() needs nothing)") from None
    return pd.DataFrame(columns, index=index)


# Why glmnet and cv_glmnet refuse MLX's transformations.
_NOT_TRACEABLE = ("its coordinate-descent path is an optimizer's iterates, read back to the host between "
                  "steps (no gradient, and nothing to trace)")


def glmnet(X, y, family: str = "gaussian", alpha: float = 1.0, nlambda: int = 100,
           lambda_min_ratio: Optional[float] = None, lambdas=None, weights=None, penalty_factor=None,
           lower_limits=-np.inf, upper_limits=np.inf, standardize: bool = True, fit_intercept: bool = True,
           thresh: float = 1e-7, maxit: int = 100_000, dfmax: Optional[int] = None, pmax: Optional[int] = None,
           exclude=None, type_gaussian: str = "auto", offset=None, type_logistic: str = "Newton",
           type_multinomial: str = "ungrouped", standardize_response: bool = False, dtype=None,
           stream=None, trace_it: int = 0) -> GlmnetFit:
    r"""Fit an elastic-net regularization path, as R's ``glmnet``.

    For ``family="gaussian"`` each path point minimizes, with weights ``w``
    normalized to sum to one,

    .. math::
        \frac12 \sum_i w_i (y_i - a_0 - x_i^\top b)^2 + \lambda \sum_j v_j
        \Big(\frac{1-\alpha}{2}\frac{b_j^2 s_j^2}{s_y} + \alpha s_j |b_j|\Big)

    with ``s_j`` the weighted standard deviation of column j (1 when
    ``standardize=False``), ``s_y`` that of y, and ``v`` the penalty factors
    rescaled to sum to p (glmnet's exact objective, quirks included).

    For ``family="binomial"``, ``"poisson"`` and ``"multinomial"`` each path
    point minimizes the weighted negative log-likelihood plus the same penalty
    (without the ``s_y`` quirk); see ``glmlx.glm`` for the objective.

    Parameters
    ----------
    X : array_like (n, p), p >= 2, or a pandas DataFrame
        Any layout (strides, order, read-only) and numeric dtype. DataFrame
        columns may use pandas' nullable dtypes; a missing value or a
        non-numeric column is an error naming the column. String column names
        become ``feature_names`` (used by ``coef_table`` and checked by
        ``predict``, as scikit-learn does).
    y : array_like, pandas Series or DataFrame
        gaussian: (n,) numbers; binomial: (n,) labels with two levels (0/1,
        booleans, strings; the second sorted level is the positive class) or
        an (n, 2) count matrix (failures, successes); poisson: (n,)
        non-negative counts; multinomial: (n,) labels or an (n, K) count matrix;
        mgaussian: an (n, K) matrix of responses.
    family : "gaussian", "binomial", "poisson", "multinomial" or "mgaussian"
        mgaussian: K gaussian responses sharing a group penalty per variable
        (``glmlx.mgaussian``); beta is then (K, p, nlam).
    alpha : float in [0, 1]            1 lasso, 0 ridge
    nlambda : int >= 1                  grid length when ``lambdas`` is None. 1: a one-point path, the fit
        at lambda_max (R reports its placeholder 9.9e35 as that lambda). A grid whose coefficients
        (nlambda x (p + 1) per response or class, float64) would exceed 4 GiB is rejected.
    lambda_min_ratio : float in [0, 1), optional  smallest lambda / lambda_max (0.01 if n < p else 1e-4;
        floored at 1e-6, as glmnet)
    lambdas : array_like, optional      a user grid (sorted decreasing, as glmnet; the 4 GiB bound as nlambda)
    weights : array_like (n,), optional observation weights (>= 0, positive sum)
    penalty_factor : scalar or (p,)     per-variable penalty multipliers (0 = unpenalized, inf = excluded)
    lower_limits, upper_limits : scalar or (p,)  box constraints (lower <= 0 <= upper)
    standardize, fit_intercept : bool
    thresh : float                      convergence threshold relative to the null deviance
    maxit : int                         most coordinate-descent passes in total (at most 2**31 - 1)
    dfmax, pmax : int, optional         stop once more than dfmax variables are nonzero; at most pmax ever enter
    exclude : sequence of int, optional 0-based indices of variables left out
    type_gaussian : "auto", "covariance" or "naive"
        glmnet's two schemes, with the same iterates as glmnet: "covariance"
        sweeps all variables; "naive" sweeps the variables admitted by the
        sequential strong rule and checks KKT conditions. "auto" is glmnet's
        rule (naive from p = 500). "covariance" forms the Gram matrix in one
        BLAS pass; "naive" updates residuals over a column-major copy of X,
        as glmnet does (p > n, or n <= 10 p), else uses Gram columns (one BLAS
        pass when p^2 fits, otherwise formed for the candidate variables).
    offset : array_like (n,), or (n, K) for multinomial, optional
        a known part of the linear predictor (gaussian: subtracted from y);
        ``predict`` then needs ``newoffset``
    type_logistic : "Newton" or "modified.Newton"   binomial/multinomial curvature (exact, or the bound 1/4)
    type_multinomial : "ungrouped" or "grouped"     grouped: a group-lasso penalty across the classes
    standardize_response : bool                    mgaussian: scale each response to unit variance
    dtype : mx.float32 or mx.float64, optional
        The dtype of the results (``beta``, ``lambdas``, ``coef``, ``predict``...); by default X's
        (float32 for float32 X, else float64). X is read in this dtype; gaussian paths compute in it,
        the other families compute in float64 and round their results.
    stream : None, or an mx.Stream / mx.Device
        None or the CPU: the path solvers run on the CPU. A GPU stream or device (``mx.gpu``; MLX built
        with Metal or CUDA) runs ``family="gaussian"`` there, in float32: standardization and the Gram
        matrix on the device, then glmnet's covariance scheme in glmlx's kernel (whatever
        ``type_gaussian``). Other families, sparse X and float64 are errors there; a GPU this MLX lacks
        is a ValueError.
    trace_it : int
        1: a progress bar over the lambdas on stderr while the path is fit (R's ``trace.it``); 0: quiet.
        Either way Ctrl-C stops the solvers at their next pass and raises KeyboardInterrupt.

    Returns
    -------
    GlmnetFit

    Notes
    -----
    Not differentiable and not traceable: under ``mx.grad``, ``mx.vmap`` or
    ``mx.compile`` (a traced ``X``, ``y``, ``weights`` or ``offset``) it raises
    ValueError naming ``glmlx.glmnet``. Call it on concrete arrays (for many
    responses at once, ``family="mgaussian"`` or one call per response).
    """
    refuse_transforms("glmnet", _NOT_TRACEABLE, X=X, y=y, weights=weights, offset=offset)
    gpu = device_stream(stream)
    if gpu is not None:
        dtype = check_device_request(family, X, dtype)
    prob = _prepare(X, y, family=family, alpha=alpha, nlambda=nlambda, lambda_min_ratio=lambda_min_ratio,
                    lambdas=lambdas, weights=weights, penalty_factor=penalty_factor, lower_limits=lower_limits,
                    upper_limits=upper_limits, standardize=standardize, fit_intercept=fit_intercept,
                    thresh=thresh, maxit=maxit, dfmax=dfmax, pmax=pmax, exclude=exclude,
                    type_gaussian=type_gaussian, offset=offset, type_logistic=type_logistic,
                    type_multinomial=type_multinomial, standardize_response=standardize_response, dtype=dtype)
    with solver_scope(trace_it, prob.path_points(), f"glmnet ({family})"):
        return _fit(prob) if gpu is None else _fit_on_device(prob, gpu)


def check_device_request(family, X, dtype):
    """The dtype of a fit asked to run on a GPU (float32), after checking that it can."""
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES} in this release, got {family!r}")
    if not get_family(family).gpu_path:
        takes = ", ".join(repr(f) for f in FAMILIES if get_family(f).gpu_path)
        raise ValueError(f"stream: on a GPU only family {takes} runs (glmlx's covariance-scheme kernel); "
                         f"pass stream=None to fit family={family!r} on the CPU")
    if _sparse.is_sparse(X):
        raise ValueError("stream: a sparse X is fit on the CPU (the GPU kernel takes a dense Gram matrix); "
                         "pass stream=None")
    if dtype is not None and dtype != mx.float32:
        raise ValueError(f"dtype: a GPU computes in float32 (MLX has no float64 there), got {dtype}; "
                         "pass dtype=None or mx.float32")
    return mx.float32


def device_path_problem(prob) -> None:
    """Refuse a problem the GPU kernel cannot hold: its p x p Gram is indexed in 32 bits."""
    p = prob.X.shape[1]
    if p * p >= 2**31:
        raise ValueError(f"stream: the GPU kernel runs glmnet's covariance scheme over a {p} x {p} Gram matrix, "
                         "more than it indexes (2**31 entries); pass stream=None for the CPU's naive scheme")


def _fit_on_device(prob: "_Problem", stream) -> GlmnetFit:
    """glmnet's gaussian path on a GPU stream: standardization and Gram there, then the covariance kernel."""
    device_path_problem(prob)
    std = gaussian.standardize_on_device(prob.X, prob.y[:, None], prob.weights[None], prob.excluded,
                                         prob.standardize, prob.fit_intercept, stream)[0]
    res = gaussian.fit_path(std, **prob.path_options(stream))
    return fit_result(prob, res)


@dataclass
class _Problem:
    """A glmnet call's arguments after checking and glmnet's preprocessing."""

    family: str
    X: mx.array
    dtype: object
    y: np.ndarray
    weights: np.ndarray
    penalty: np.ndarray  # rescaled to sum to p
    lower: np.ndarray  # +-BIG for infinite limits
    upper: np.ndarray
    excluded: np.ndarray
    alpha: float
    nlambda: int
    flmin: float
    user_lambdas: Optional[np.ndarray]
    thresh: float
    maxit: int
    dfmax: int
    pmax: int
    sml: float
    standardize: bool
    fit_intercept: bool
    strong: bool  # glmnet's naive scheme (strong rules + KKT), else its covariance scheme
    lazy: bool  # Gram columns computed on demand (needs strong)
    resp: Optional[glm.Response] = None  # the response in glmnet's form (non-gaussian families)
    offset: Optional[np.ndarray] = None  # (n,) or (K, n); gaussian offsets are already taken from y
    has_offset: bool = False
    kopt: int = 0  # glmnet's kopt: 0 Newton, 1 modified Newton, 2 grouped multinomial
    standardize_response: bool = False  # mgaussian
    residual: bool = False  # the naive scheme by residual updates, no Gram columns (needs strong)

    def path_options(self, stream=None, **overrides) -> dict:
        """``gaussian.fit_paths``'s keywords for this problem (``overrides`` replace them). On a GPU ``stream``
        glmnet's covariance scheme runs (the device kernel), whatever the CPU would pick."""
        opts = dict(alpha=self.alpha, penalty=self.penalty, lower=self.lower, upper=self.upper, nlambda=self.nlambda,
                    flmin=self.flmin, user_lambdas=self.user_lambdas, thresh=self.thresh, maxit=self.maxit,
                    dfmax=self.dfmax, pmax=self.pmax, sml=self.sml, dtype=self.dtype,
                    strong=self.strong and stream is None, screen=self.screen, stream=stream)
        opts.update(overrides)
        return opts

    def path_points(self) -> int:
        """Lambdas the solver will visit at most (the grid, or the three points behind nlambda=1)."""
        return self.user_lambdas.size if self.user_lambdas is not None else _path_grid(self)[0]

    def check_grid_memory(self, copies: int = 1) -> None:
        """check_path_memory for this problem's grid, held ``copies`` times (CV: the fit and its folds)."""
        several = get_family(self.family).solver == "mgaussian"
        nresp = self.y.shape[1] if several else (self.resp.nclass if self.resp is not None else 1)
        if self.user_lambdas is not None:
            check_path_memory(self.user_lambdas.size, self.X.shape[1], nresp, "lambdas", copies)
        else:
            check_path_memory(self.nlambda, self.X.shape[1], nresp, "nlambda", copies)
    screen: int = -1  # residual solver's screening of KKT passes (-1 where it pays; tests force 0/1/2)
    feature_names: Optional[np.ndarray] = None  # X's column names (DataFrame input)
    response_names: Optional[np.ndarray] = None  # mgaussian y's column names


def _prepare(X, y, **kwargs) -> _Problem:
    """Check a glmnet call's arguments; DataFrames/Series give their names to the problem."""
    X, feature_names = frame_to_numpy(X, "X")
    y, response_names = response_to_numpy(y, "y")
    prob = _prepare_arrays(X, y, **kwargs)
    prob.feature_names, prob.response_names = feature_names, response_names
    return prob


def _prepare_arrays(X, y, *, family, alpha, nlambda, lambda_min_ratio, lambdas, weights, penalty_factor, lower_limits,
             upper_limits, standardize, fit_intercept, thresh, maxit, dfmax, pmax, exclude, type_gaussian,
             dtype, offset=None, type_logistic="Newton", type_multinomial="ungrouped",
             standardize_response=False) -> _Problem:
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES} in this release, got {family!r}")
    if type_gaussian not in ("auto", "covariance", "naive"):
        raise ValueError(f"type_gaussian must be 'auto', 'covariance' or 'naive', got {type_gaussian!r}")
    if type_logistic not in glm.TYPE_LOGISTIC:
        raise ValueError(f"type_logistic must be 'Newton' or 'modified.Newton', got {type_logistic!r}")
    if type_multinomial not in ("ungrouped", "grouped"):
        raise ValueError(f"type_multinomial must be 'ungrouped' or 'grouped', got {type_multinomial!r}")
    Xm, dtype = _as_data_matrix(X, dtype)
    n, p = Xm.shape
    if p < 2:
        raise ValueError(f"X must have 2 or more columns (as glmnet), got {p}")
    if n < 2:
        raise ValueError(f"X must have at least 2 rows, got {n}")
    fam = get_family(family)
    sparse = _sparse.is_sparse(Xm)
    if sparse and not fam.sparse_x:
        takes = ", ".join(repr(f) for f in FAMILIES if get_family(f).sparse_x)
        raise TypeError(f"a sparse X is supported for the families {takes} in this release, not {family!r}; "
                        "pass X.toarray() for a dense fit")
    if fam.gaussian_losses:  # gaussian and mgaussian: y as numbers, one column per response
        yv = np.asarray(as_array(y, "y"), dtype=np.float64)
        if not fam.several_responses and yv.ndim == 2 and yv.shape[1] == 1:
            yv = yv[:, 0]
        if fam.several_responses and yv.ndim == 1:
            yv = yv[:, None]
        want = f"({n}, K)" if fam.several_responses else f"({n},)"
        if yv.ndim != (2 if fam.several_responses else 1) or yv.shape[0] != n:
            raise ValueError(f"y must have shape {want} to match X, got {yv.shape}")
        if not np.all(np.isfinite(yv)):
            raise ValueError("y contains NaN or infinite values")
    _check_scalar(alpha, "alpha", 0.0, 1.0)
    _check_scalar(thresh, "thresh", 0.0)
    if thresh <= 0:
        raise ValueError(f"thresh must be positive, got {thresh}")
    _check_scalar(maxit, "maxit", 1, integer=True)
    if maxit > _INT32_MAX:
        # the C++ solvers count passes in int32: say so here rather than fail in the binding
        raise ValueError(f"maxit must be at most 2**31 - 1 = {_INT32_MAX}, got {maxit}")
    w = _vector(weights, n, "weights", 1.0)
    if not np.all(np.isfinite(w)):
        raise ValueError("weights contains NaN or infinite values")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    if not w.sum() > 0:
        raise ValueError("weights must have a positive sum (all weights are zero)")
    with np.errstate(over="ignore"):
        w_sum = w.sum()
    if not np.isfinite(w_sum):
        raise ValueError(f"weights: their sum overflows (largest weight {w.max():.3g}); only their ratios "
                         "matter, so rescale them (e.g. divide by their largest)")
    resp, off = None, None
    if fam.solver == "gaussian":
        if offset is not None:
            yv = yv - glm.prepare_offset(offset, n, 1, family)  # elnet.R: y - offset
    elif fam.solver == "mgaussian":
        if offset is not None:
            yv = yv - glm.prepare_offset(offset, n, yv.shape[1], family).T  # mrelnet.R: y - offset
    else:
        resp = glm.prepare_response(family, y, n, w)
        yv = resp.y
        off = glm.prepare_offset(offset, n, resp.nclass, family)
    pf = _vector(penalty_factor, p, "penalty_factor", 1.0)
    if np.any(np.isnan(pf)):
        raise ValueError("penalty_factor contains NaN")
    excl = np.zeros(p, dtype=bool)
    if exclude is not None:
        idx = np.asarray(exclude).reshape(-1)
        if idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= p):
            raise ValueError(f"exclude must hold 0-based column indices in [0, {p - 1}], got {exclude!r}")
        excl[idx] = True
    excl |= np.isinf(pf)
    pf[excl] = 1.0  # glmnet gives excluded variables unit penalties before rescaling
    vp = np.maximum(pf, 0.0)
    if vp.max() <= 0:
        raise ValueError("penalty_factor: all penalty factors are <= 0")
    vp = vp * p / vp.sum()
    lower = _vector(lower_limits, p, "lower_limits", -np.inf)
    upper = _vector(upper_limits, p, "upper_limits", np.inf)
    if np.any(np.isnan(lower)) or np.any(lower > 0):
        raise ValueError("lower_limits must be non-positive")
    if np.any(np.isnan(upper)) or np.any(upper < 0):
        raise ValueError("upper_limits must be non-negative")
    sml = 0.0 if (np.any(lower == 0) or np.any(upper == 0)) else _control.FDEV
    lower = np.where(np.isinf(lower), -_control.BIG, lower)
    upper = np.where(np.isinf(upper), _control.BIG, upper)
    if dfmax is None:
        dfmax = p + 1
    _check_scalar(dfmax, "dfmax", 0, integer=True)
    if pmax is None:
        pmax = min(dfmax * 2 + 20, p)
    _check_scalar(pmax, "pmax", 0, integer=True)
    dfmax, pmax = min(dfmax, _INT32_MAX), min(pmax, _INT32_MAX)  # beyond p both mean "no limit"
    nresp = yv.shape[1] if fam.solver == "mgaussian" else (resp.nclass if resp is not None else 1)
    user = None
    if lambdas is not None:
        if np.asarray(lambdas).dtype.kind == "c":
            raise TypeError("lambdas must be real, got complex values")
        user = np.asarray(lambdas, dtype=np.float64).reshape(-1)
        if user.size == 0 or not np.all(np.isfinite(user)) or np.any(user < 0):
            raise ValueError("lambdas must be a non-empty sequence of non-negative finite values")
        check_path_memory(user.size, p, nresp, "lambdas")
        user = np.sort(user)[::-1]  # glmnet sorts a user grid decreasing
        flmin = 1.0
    else:
        _check_scalar(nlambda, "nlambda", 1, integer=True)
        check_path_memory(nlambda, p, nresp, "nlambda")
        if lambda_min_ratio is None:
            lambda_min_ratio = 0.01 if n < p else 1e-4
        _check_scalar(lambda_min_ratio, "lambda_min_ratio", 0.0)
        if lambda_min_ratio >= 1:
            raise ValueError(f"lambda_min_ratio must be less than 1, got {lambda_min_ratio}")
        flmin = float(lambda_min_ratio)
    if fam.solver == "mgaussian":
        return _Problem(family, Xm, dtype, yv, w, vp, lower, upper, excl, float(alpha), int(nlambda), flmin, user,
                        float(thresh), int(maxit), int(dfmax), int(pmax), sml, bool(standardize),
                        bool(fit_intercept), False, False, has_offset=offset is not None,
                        standardize_response=bool(standardize_response))
    if fam.solver == "glm":
        kopt = 2 if (fam.grouped_type and type_multinomial == "grouped") else glm.TYPE_LOGISTIC[type_logistic]
        return _Problem(family, Xm, dtype, yv, w, vp, lower, upper, excl, float(alpha), int(nlambda), flmin, user,
                        float(thresh), int(maxit), int(dfmax), int(pmax), sml, bool(standardize),
                        bool(fit_intercept), False, False, resp, off, off is not None, kopt)
    strong = type_gaussian == "naive" or (type_gaussian == "auto" and gaussian.prefer_strong(n, p))
    residual = strong and gaussian.prefer_residual(n, p)
    lazy = strong and not residual and gaussian.prefer_lazy(n, p)
    if sparse:  # never a dense X: glmnet's naive scheme by residual updates from each column's entries; its
        # covariance scheme with the Gram from the entries (row by row: cheap), or its columns on demand where the
        # p x p matrix would not fit
        residual = strong
        lazy = not strong and gaussian.prefer_lazy_sparse(p)
    if not (lazy or residual) and p * p * 8 > 4 * 2**30:
        raise ValueError(f"type_gaussian={type_gaussian!r} would form a {p} x {p} Gram matrix "
                         f"({p * p * 8 / 2**30:.0f} GiB); use type_gaussian='naive' or 'auto'")
    return _Problem(family, Xm, dtype, yv, w, vp, lower, upper, excl, float(alpha), int(nlambda), flmin, user,
                    float(thresh), int(maxit), int(dfmax), int(pmax), sml, bool(standardize), bool(fit_intercept),
                    strong, lazy, has_offset=offset is not None, residual=residual)


_ONE_POINT_FLMIN = 0.9  # the short grid behind a one-point path: close to lambda_max, so little to fit


def _one_point(paths: list) -> list:
    """One-point paths (nlambda=1) from three-point ones, as R's one point but at lambda_max.

    The GLM and mgaussian solvers need two grid points to form their grid, so
    they fit three near lambda_max; the first, fitted at glmnet's "infinity"
    (no penalized variable in), is the fit at lambda_max, which fix.lam's
    extrapolation from the other two recovers. R reports 9.9e35 there instead.
    ``npasses`` still counts the passes of the two extra points.
    """
    out = []
    for r in paths:
        k = min(r.lambdas.size, 1)
        out.append(glm.GlmPath(r.lambdas[:k].copy(), r.a0[..., :k].copy(), r.beta[..., :k].copy(),
                               r.dev_ratio[:k].copy(), r.nulldev, r.npasses, 0 if k else r.jerr))
    return out


def _path_grid(prob: _Problem):
    """(nlambda, flmin) given to the GLM and mgaussian solvers (three points behind nlambda=1)."""
    if prob.user_lambdas is None and prob.nlambda == 1:
        return 3, _ONE_POINT_FLMIN
    return prob.nlambda, prob.flmin


def glm_paths(prob: _Problem, subsets=(), names=None) -> list:
    """The non-gaussian path of the whole data, or of each row subset (CV folds)."""
    nlambda, flmin = _path_grid(prob)
    paths = glm.glm_paths(prob.family, prob.X, prob.resp, prob.offset, include=~prob.excluded,
                          penalty=prob.penalty, lower=prob.lower, upper=prob.upper, alpha=prob.alpha,
                          nlambda=nlambda, flmin=flmin, user_lambdas=prob.user_lambdas, thresh=prob.thresh,
                          maxit=prob.maxit, dfmax=prob.dfmax, pmax=prob.pmax, sml=prob.sml,
                          standardize=prob.standardize, fit_intercept=prob.fit_intercept, kopt=prob.kopt,
                          subsets=subsets, names=names)
    return _one_point(paths) if nlambda != prob.nlambda else paths


def mgaussian_paths(prob: _Problem, subsets=None, names=None) -> list:
    """The mgaussian path (glmlx.mgaussian) of the whole data, or of each row subset (CV folds), as GlmPaths."""
    X = prob.X if _sparse.is_sparse(prob.X) or prob.X.dtype in (np.float64, np.float32) else prob.X.astype(np.float64)
    nlambda, flmin = _path_grid(prob)
    fits = mgaussian.fit_mgaussian(X, prob.y, weights=prob.weights, penalty=prob.penalty, lower=prob.lower,
                                   upper=prob.upper, include=(~prob.excluded).astype(np.uint8), alpha=prob.alpha,
                                   nlambda=nlambda, flmin=flmin if prob.user_lambdas is None else None,
                                   user_lambdas=prob.user_lambdas, thresh=prob.thresh, maxit=prob.maxit,
                                   dfmax=prob.dfmax, pmax=prob.pmax, standardize=prob.standardize,
                                   fit_intercept=prob.fit_intercept, standardize_response=prob.standardize_response,
                                   subsets=subsets, names=names)
    paths = [glm.GlmPath(r["lambdas"], r["a0"], r["beta"], r["dev_ratio"], r["nulldev"], r["npasses"], r["jerr"])
             for r in (fits if subsets is not None else [fits])]
    return _one_point(paths) if nlambda != prob.nlambda else paths


def _fit(prob: _Problem) -> GlmnetFit:
    classes = None
    solver = get_family(prob.family).solver
    if solver == "mgaussian":
        res = mgaussian_paths(prob)[0]
        if res.jerr == mgaussian.BNORM_MAXIT:
            warnings.warn("the bounded group update did not converge (glmnet error 90000); as glmnet, the "
                          "coefficients are left on the standardized scale", gaussian.GlmnetWarning, stacklevel=3)
        else:
            gaussian.warn_path_errors(res, prob.maxit, prob.pmax)
    elif solver == "glm":
        res = glm_paths(prob)[0]
        gaussian.warn_path_errors(res, prob.maxit, prob.pmax)
        classes = prob.resp.classes
    else:
        if _sparse.is_sparse(prob.X):
            std = gaussian.standardize_sparse(prob.X, prob.y, prob.weights, prob.excluded, prob.standardize,
                                              prob.fit_intercept, mode=gaussian.sparse_mode(prob.residual, prob.lazy))
        else:
            std = gaussian.standardize(prob.X, prob.y, prob.weights, prob.excluded, prob.standardize,
                                       prob.fit_intercept, lazy=prob.lazy, residual=prob.residual)
        res = gaussian.fit_path(std, **prob.path_options())
    return fit_result(prob, res, classes)


def fit_result(prob: _Problem, res, classes=None) -> GlmnetFit:
    """The GlmnetFit of a solver's path for ``prob``: its dtype and the data's names carried over."""
    return GlmnetFit(prob.family, res, prob.X.shape[0], prob.user_lambdas is not None, classes, prob.has_offset,
                     dtype=prob.dtype, feature_names=prob.feature_names, response_names=prob.response_names)
