r"""scikit-learn estimators over ``glmnet`` and ``cv_glmnet`` (needs ``pip install glmlx[sklearn]``).

Each estimator fits glmnet's whole regularization path with the functional API
(R glmnet's exact iterates) and exposes the coefficients at one lambda, the
parameter ``s``, in scikit-learn's shapes. For the gaussian family each path
point minimizes, with the sample weights ``w`` normalized to sum to one,

.. math::
    \frac12 \sum_i w_i (y_i - a_0 - x_i^\top b)^2 + \lambda \sum_j v_j
    \Big(\frac{1-\alpha}{2}\frac{b_j^2 s_j^2}{s_y} + \alpha s_j |b_j|\Big)

(``s_j`` the weighted standard deviation of column j, 1 when
``standardize=False``; ``s_y`` that of y; ``v`` the penalty factors rescaled to
sum to p). The poisson, binomial and multinomial families replace the squared
error by the weighted mean negative log-likelihood (and have no ``s_y``); the
multi-task family sums the K responses' squared errors and penalizes each
variable's K coefficients as a group (their Euclidean norm for the lasso part).
See ``glmlx.glmnet`` for every option.

Parameters are ``glmnet()``'s, under its names: ``alpha`` is glmnet's mixing
parameter in [0, 1] (1 lasso, 0 ridge), not scikit-learn's penalty strength,
which is lambda, chosen by ``s``. The CV variants run ``cv_glmnet`` and take
``s="lambda_1se"`` (R's default) or ``"lambda_min"``.

X needs 2 or more columns, as glmnet: a one-column X raises scikit-learn's
"Found array with 1 feature(s)" ValueError (append a zero column and
``exclude`` it to fit one variable). X is converted to float64 (R's precision);
sparse X is refused (the solvers are dense).
"""
from __future__ import annotations

import numbers

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin, RegressorMixin
    from sklearn.metrics import d2_tweedie_score
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
except ImportError as exc:  # pragma: no cover - exercised only without scikit-learn
    raise ImportError("glmlx's scikit-learn estimators need scikit-learn >= 1.6: "
                      "pip install glmlx[sklearn]") from exc

from .cv import cv_glmnet
from .glmnet import glmnet

__all__ = ["GlmnetRegressor", "GlmnetPoissonRegressor", "GlmnetMultiTaskRegressor", "GlmnetClassifier",
           "GlmnetRegressorCV", "GlmnetPoissonRegressorCV", "GlmnetMultiTaskRegressorCV", "GlmnetClassifierCV"]

# glmnet() arguments every estimator passes on under the same name
_GLMNET_PARAMS = ("alpha", "nlambda", "lambda_min_ratio", "lambdas", "penalty_factor", "lower_limits",
                  "upper_limits", "standardize", "fit_intercept", "thresh", "maxit", "dfmax", "pmax", "exclude")
_CV_PARAMS = ("nfolds", "type_measure", "grouped")


class _GlmnetBase(BaseEstimator):
    """Parameters and the fit/predict plumbing of every estimator (not for direct use).

    A family states ``_family`` (None: chosen from y by ``_validate_y``), its own
    glmnet arguments (``_family_params``) and whether y is 2-D (``_multi_output``);
    the CV variants derive from ``_GlmnetCVBase``.
    """

    _family = "gaussian"
    _family_params: tuple = ()
    _multi_output = False
    _cv = False

    def __init__(self, *, alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, penalty_factor=None,
                 lower_limits=-np.inf, upper_limits=np.inf, standardize=True, fit_intercept=True, thresh=1e-7,
                 maxit=100_000, dfmax=None, pmax=None, exclude=None, s=None):
        self.alpha = alpha
        self.nlambda = nlambda
        self.lambda_min_ratio = lambda_min_ratio
        self.lambdas = lambdas
        self.penalty_factor = penalty_factor
        self.lower_limits = lower_limits
        self.upper_limits = upper_limits
        self.standardize = standardize
        self.fit_intercept = fit_intercept
        self.thresh = thresh
        self.maxit = maxit
        self.dfmax = dfmax
        self.pmax = pmax
        self.exclude = exclude
        self.s = s

    def _validate_y(self, y, weights):
        """y as glmnet takes it, and the family to fit (the classifier encodes its labels here)."""
        return y, self._family

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the regularization path (the CV variants: and its cross-validation).

        Parameters
        ----------
        X : array_like or DataFrame (n_samples, n_features), n_features >= 2
        y : array_like (n_samples,), or (n_samples, n_tasks) for the multi-task estimators
        sample_weight : array_like (n_samples,), optional
            Non-negative observation weights (glmnet's ``weights``; only their ratios matter).
        **fit_params
            CV variants only: ``foldid``, fold labels (n_samples,) as ``cv_glmnet`` takes them.

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2, ensure_min_features=2,
                             multi_output=self._multi_output, y_numeric=not isinstance(self, ClassifierMixin))
        weights = None if sample_weight is None else \
            _check_sample_weight(sample_weight, X, dtype=np.float64)  # glmnet rejects negatives
        y, family = self._validate_y(y, weights)
        self._check_s()
        kw = {name: getattr(self, name) for name in _GLMNET_PARAMS + self._family_params}
        unknown = set(fit_params) - ({"foldid"} if self._cv else set())
        if unknown:
            raise TypeError(f"{type(self).__name__}.fit() got unexpected arguments {sorted(unknown)}")
        if self._cv:
            kw.update({name: getattr(self, name) for name in _CV_PARAMS})
            self.cv_ = cv_glmnet(X, y, family=family, weights=weights, seed=self._seed(), **fit_params, **kw)
            self.path_ = self.cv_.fit
            self.lambda_min_, self.lambda_1se_ = self.cv_.lambda_min, self.cv_.lambda_1se
            self.cv_mean_, self.cv_std_ = np.asarray(self.cv_.cvm), np.asarray(self.cv_.cvsd)
        else:
            self.path_ = glmnet(X, y, family=family, weights=weights, **kw)
        if hasattr(self, "feature_names_in_"):
            # validate_data handed glmnet a numpy X: give the path its names (coef_table, plot labels)
            self.path_.feature_names = np.asarray(self.feature_names_in_, dtype=object)
        self.lambdas_ = np.asarray(self.path_.lambdas)
        self.lambda_ = self._chosen_lambda()
        full = np.asarray(self.path_.coef())  # (p + 1, nlam), or (K, p + 1, nlam)
        at = np.asarray(self.path_.coef(s=self.lambda_))[..., 0]  # glmnet's coef(fit, s): its interpolation
        if full.ndim == 2 and isinstance(self, ClassifierMixin):  # binary: scikit-learn's (1, p) coef_
            full, at = full[None], at[None]
        self.intercept_path_, self.coef_path_ = full[..., 0, :], full[..., 1:, :]
        self.intercept_, self.coef_ = at[..., 0], at[..., 1:]
        if self.intercept_.ndim == 0:
            self.intercept_ = float(self.intercept_)
        self.n_iter_ = self.path_.npasses
        return self

    def _check_s(self) -> None:
        """Reject a bad ``s`` before the path is fit (the fit may take long)."""
        s = self.s
        if s is not None and (isinstance(s, bool) or not isinstance(s, numbers.Real) or not s >= 0):
            raise ValueError(f"s must be None (the path's smallest lambda) or a non-negative number, got {s!r}")

    def _chosen_lambda(self) -> float:
        """The lambda ``s`` names: None, the path's last (smallest); a number, itself."""
        if self.s is None:
            if self.lambdas_.size == 0:  # glmnet has warned why
                raise ValueError(f"the path is empty (glmnet error code {self.path_.jerr}): no lambda was fit")
            return float(self.lambdas_[-1])
        return float(self.s)

    def _path_predict(self, X, type):
        """glmnet's predict at ``lambda_`` as a numpy array, without the lambda axis."""
        check_is_fitted(self, "path_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self.path_.predict(X, s=self.lambda_, type=type))[..., 0]


class _GlmnetCVBase(_GlmnetBase):
    """The CV variants' parameters: the common ones, then cv_glmnet's (``random_state`` is its ``seed``)."""

    _cv = True

    def __init__(self, *, alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, penalty_factor=None,
                 lower_limits=-np.inf, upper_limits=np.inf, standardize=True, fit_intercept=True, thresh=1e-7,
                 maxit=100_000, dfmax=None, pmax=None, exclude=None, s="lambda_1se", nfolds=10,
                 type_measure="default", grouped=True, random_state=None):
        super().__init__(alpha=alpha, nlambda=nlambda, lambda_min_ratio=lambda_min_ratio, lambdas=lambdas,
                         penalty_factor=penalty_factor, lower_limits=lower_limits, upper_limits=upper_limits,
                         standardize=standardize, fit_intercept=fit_intercept, thresh=thresh, maxit=maxit,
                         dfmax=dfmax, pmax=pmax, exclude=exclude, s=s)
        self.nfolds = nfolds
        self.type_measure = type_measure
        self.grouped = grouped
        self.random_state = random_state

    def _check_s(self) -> None:
        if isinstance(self.s, str) and self.s in ("lambda_min", "lambda_1se"):
            return
        if self.s is None or isinstance(self.s, str):
            raise ValueError(f"s must be 'lambda_1se', 'lambda_min' or a non-negative number, got {self.s!r}")
        super()._check_s()

    def _chosen_lambda(self) -> float:
        return float(getattr(self.cv_, self.s)) if isinstance(self.s, str) else float(self.s)

    def _seed(self):
        # cv_glmnet draws folds by numpy's default_rng(seed): an int or None passes unchanged (the folds
        # of cv_glmnet(seed=...)); a RandomState gives an int, so the draw follows that state
        rs = self.random_state
        if rs is None or isinstance(rs, (numbers.Integral, np.random.Generator)):
            return rs
        return int(check_random_state(rs).randint(np.iinfo(np.int32).max))


# -- families: what each adds to the base ------------------------------------------------------
class _Regression(RegressorMixin):
    def predict(self, X):
        """Predicted means at ``lambda_``: (n_samples,), or (n_samples, n_tasks) for multi-task.

        Parameters
        ----------
        X : array_like or DataFrame (n_samples, n_features)

        Returns
        -------
        np.ndarray
        """
        return self._path_predict(X, "response")


class _Poisson(_Regression):
    _family = "poisson"

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of Poisson deviance explained (as scikit-learn's PoissonRegressor).

        Parameters
        ----------
        X : array_like (n_samples, n_features)
        y : array_like (n_samples,) of non-negative counts
        sample_weight : array_like (n_samples,), optional

        Returns
        -------
        float
        """
        return d2_tweedie_score(y, self.predict(X), sample_weight=sample_weight, power=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags


class _MultiTask(MultiOutputMixin, _Regression):
    _family = "mgaussian"
    _family_params = ("standardize_response",)
    _multi_output = True

    def _validate_y(self, y, weights):
        if y.ndim != 2:  # as MultiTaskLasso: one response is GlmnetRegressor's job
            raise ValueError(f"y must be 2-D (n_samples, n_tasks) for {type(self).__name__}, got shape "
                             f"{y.shape}; use GlmnetRegressor for one response")
        return y, self._family

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class _Classification(ClassifierMixin):
    _family = None  # binomial for 2 classes, multinomial for more (as LogisticRegression)
    _family_params = ("type_logistic", "type_multinomial")

    def _validate_y(self, y, weights):
        check_classification_targets(y)
        # glmnet fits the codes 0..K-1, so its classes are positions in classes_ (any label type works)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes in the data, but the "
                             f"data contains only one class: {self.classes_[0]!r}")
        if weights is not None and np.unique(codes[weights > 0]).size < 2:
            # glmnet would fit a degenerate path (and cv_glmnet fail on a fold): say why instead
            raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes with positive "
                             "sample_weight, but only one class has any")
        return codes, ("binomial" if self.classes_.size == 2 else "multinomial")

    def decision_function(self, X):
        """Linear predictors at ``lambda_``: (n_samples,) binary (the second class's log-odds), else (n, K).

        Parameters
        ----------
        X : array_like or DataFrame (n_samples, n_features)

        Returns
        -------
        np.ndarray
        """
        return self._path_predict(X, "link")

    def predict_proba(self, X):
        """Class probabilities at ``lambda_`` (n_samples, n_classes), columns in ``classes_`` order.

        Parameters
        ----------
        X : array_like or DataFrame (n_samples, n_features)

        Returns
        -------
        np.ndarray
        """
        prob = self._path_predict(X, "response")
        return np.column_stack([1.0 - prob, prob]) if prob.ndim == 1 else prob

    def predict_log_proba(self, X):
        """Log of ``predict_proba``.

        Parameters
        ----------
        X : array_like or DataFrame (n_samples, n_features)

        Returns
        -------
        np.ndarray
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predicted labels (from ``classes_``) at ``lambda_``, glmnet's type="class".

        Parameters
        ----------
        X : array_like or DataFrame (n_samples, n_features)

        Returns
        -------
        np.ndarray (n_samples,)
        """
        codes = self._path_predict(X, "class")  # first: it raises NotFittedError before classes_ is read
        return self.classes_[codes]


# -- docstrings: one copy of each shared part, %-substituted into the classes' docstrings ----------
_DOC = {
    "gaussian_objective": r"""Each path point minimizes, with the sample weights ``w`` normalized to sum to one,

    .. math::
        \frac12 \sum_i w_i (y_i - a_0 - x_i^\top b)^2 + \lambda \sum_j v_j
        \Big(\frac{1-\alpha}{2}\frac{b_j^2 s_j^2}{s_y} + \alpha s_j |b_j|\Big)

    with ``s_j`` the weighted standard deviation of column j (1 when
    ``standardize=False``), ``s_y`` that of y, and ``v`` the penalty factors
    rescaled to sum to p (glmnet's exact objective, quirks included).""",
    "glm_objective": r"""Each path point minimizes, with the sample weights ``w`` normalized to sum to one,

    .. math::
        -\sum_i w_i \,\ell(y_i, \eta_i) + \lambda \sum_j v_j
        \Big(\frac{1-\alpha}{2} b_j^2 s_j^2 + \alpha\, s_j |b_j|\Big),
        \qquad \eta_i = a_0 + x_i^\top b,

    with ``s_j`` the weighted standard deviation of column j (1 when
    ``standardize=False``) and ``v`` the penalty factors rescaled to sum to p.""",
    "common": """alpha : float in [0, 1], default=1.0
        glmnet's elastic-net mixing: 1 lasso, 0 ridge (not scikit-learn's
        penalty strength, which is lambda).
    nlambda : int >= 1, default=100
        Length of the lambda grid when ``lambdas`` is None (the path may stop
        earlier, as glmnet's, once the deviance explained stops changing).
    lambda_min_ratio : float in [0, 1), default=None
        Smallest lambda of the grid over the largest (None: 0.01 if
        n_samples < n_features, else 1e-4).
    lambdas : array_like, default=None
        A user lambda grid (sorted decreasing, as glmnet).
    penalty_factor : float or array_like (n_features,), default=None
        Per-variable penalty multipliers (0 unpenalized, inf excluded).
    lower_limits, upper_limits : float or array_like (n_features,), default=-inf, inf
        Box constraints on the coefficients (lower <= 0 <= upper).
    standardize : bool, default=True
        Penalize the coefficients of the standardized columns (reported on
        the original scale).
    fit_intercept : bool, default=True
    thresh : float > 0, default=1e-7
        Coordinate-descent convergence threshold (relative to the null deviance).
    maxit : int, default=100000
        Most coordinate-descent passes over the whole path.
    dfmax, pmax : int, default=None
        Stop the path once more than ``dfmax`` variables are nonzero; at most
        ``pmax`` variables ever enter.
    exclude : sequence of int, default=None
        0-based indices of columns left out of the model.""",
    "s": """s : float or None, default=None
        The lambda at which ``coef_``, ``intercept_`` and the predictions are
        taken (glmnet's ``s``, interpolated linearly in lambda between path
        points); None: the path's last, smallest lambda.""",
    "s_cv": """s : "lambda_1se", "lambda_min" or float, default="lambda_1se"
        The lambda at which ``coef_``, ``intercept_`` and the predictions are
        taken: cv_glmnet's lambda_1se (the largest lambda whose CV error is
        within one standard error of the least, R's default), lambda_min (the
        least CV error), or a number.
    nfolds : int >= 3, default=10
        Number of folds drawn at random (``fit(..., foldid=...)`` gives them instead).
    type_measure : str, default="default"
        cv_glmnet's loss: "mse", "mae", "deviance", "class" or "auc" as the
        family allows ("default": mse for gaussian responses, deviance otherwise).
    grouped : bool, default=True
        Per-fold errors first (R's default), else per observation.
    random_state : int, RandomState instance or None, default=None
        The fold draw (an int is cv_glmnet's ``seed``: the same folds).""",
    "attrs": """coef_ : ndarray
        Coefficients at ``lambda_``: (n_features,) for one response,
        (n_tasks or n_classes, n_features) for multi-task and multiclass,
        (1, n_features) for a binary classifier.
    intercept_ : float or ndarray
        Intercept(s) at ``lambda_``: a float for one response, else (n_tasks
        or n_classes,), or (1,) for a binary classifier.
    lambda_ : float
        The lambda ``s`` chose.
    lambdas_ : ndarray (n_lambdas,)
        The path's lambdas, decreasing.
    coef_path_ : ndarray (..., n_features, n_lambdas)
        ``coef_`` at every path lambda (leading axes as ``coef_``).
    intercept_path_ : ndarray (..., n_lambdas)
        ``intercept_`` at every path lambda.
    path_ : GlmnetFit
        The fitted path (``glmlx.glmnet``'s result).
    n_iter_ : int
        Coordinate-descent passes over the whole path (glmnet's npasses).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names (a DataFrame).""",
    "attrs_cv": """cv_ : CVGlmnet
        ``glmlx.cv_glmnet``'s result (``cv_.fit`` is ``path_``).
    lambda_min_, lambda_1se_ : float
        The lambda of least mean CV error, and the largest within one
        standard error of it.
    cv_mean_, cv_std_ : ndarray (n_lambdas,)
        Mean CV error at each path lambda, and its standard error.""",
}


def _doc(cls):
    cls.__doc__ = cls.__doc__ % _DOC
    return cls


# -- the estimators ----------------------------------------------------------------------------
@_doc
class GlmnetRegressor(_Regression, _GlmnetBase):
    r"""Linear regression with glmnet's elastic-net path (family "gaussian"), taken at lambda ``s``.

    %(gaussian_objective)s

    Parameters
    ----------
    %(common)s
    %(s)s

    Attributes
    ----------
    %(attrs)s

    See Also
    --------
    GlmnetRegressorCV : lambda chosen by cross-validation.
    glmlx.glmnet : the functional API (R's glmnet), which this wraps.

    Examples
    --------
    >>> import numpy as np
    >>> from glmlx import GlmnetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 4)); y = X[:, 0] - 2 * X[:, 1]
    >>> est = GlmnetRegressor(alpha=0.5, s=0.1).fit(X, y)
    >>> est.coef_.shape
    (4,)
    """

    _family = "gaussian"


@_doc
class GlmnetPoissonRegressor(_Poisson, _GlmnetBase):
    r"""Poisson regression (log link) with glmnet's elastic-net path (family "poisson"), taken at lambda ``s``.

    %(glm_objective)s

    Here :math:`\ell(y, \eta) = y \eta - e^\eta`. ``predict`` gives the mean
    :math:`e^\eta`; ``score`` the fraction of Poisson deviance explained (D^2).

    Parameters
    ----------
    %(common)s
    %(s)s

    Attributes
    ----------
    %(attrs)s

    See Also
    --------
    GlmnetPoissonRegressorCV : lambda chosen by cross-validation.
    glmlx.glmnet : the functional API (R's glmnet), which this wraps.
    """


@_doc
class GlmnetMultiTaskRegressor(_MultiTask, _GlmnetBase):
    r"""Multi-task linear regression with glmnet's group elastic-net path (family "mgaussian"), at lambda ``s``.

    Each path point minimizes, with the sample weights ``w`` normalized to sum to one,

    .. math::
        \frac12 \sum_i w_i \lVert y_i - a_0 - B^\top x_i \rVert_2^2 + \lambda \sum_j v_j
        \Big(\frac{1-\alpha}{2} \lVert \beta_j \rVert_2^2 + \alpha \lVert \beta_j \rVert_2\Big)

    over the K responses (y_i in R^K), with :math:`\beta_j` the K coefficients
    of variable j (of the standardized columns when ``standardize``) and ``v``
    the penalty factors rescaled to sum to p: a variable enters all responses
    or none. y must be 2-D (n_samples, n_tasks).

    Parameters
    ----------
    %(common)s
    %(s)s
    standardize_response : bool, default=False
        Scale each response to unit variance before fitting.

    Attributes
    ----------
    %(attrs)s

    See Also
    --------
    GlmnetMultiTaskRegressorCV : lambda chosen by cross-validation.
    glmlx.glmnet : the functional API (R's glmnet), which this wraps.
    """

    def __init__(self, *, alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, penalty_factor=None,
                 lower_limits=-np.inf, upper_limits=np.inf, standardize=True, fit_intercept=True, thresh=1e-7,
                 maxit=100_000, dfmax=None, pmax=None, exclude=None, s=None, standardize_response=False):
        super().__init__(alpha=alpha, nlambda=nlambda, lambda_min_ratio=lambda_min_ratio, lambdas=lambdas,
                         penalty_factor=penalty_factor, lower_limits=lower_limits, upper_limits=upper_limits,
                         standardize=standardize, fit_intercept=fit_intercept, thresh=thresh, maxit=maxit,
                         dfmax=dfmax, pmax=pmax, exclude=exclude, s=s)
        self.standardize_response = standardize_response


@_doc
class GlmnetClassifier(_Classification, _GlmnetBase):
    r"""Logistic regression with glmnet's elastic-net path, taken at lambda ``s``.

    Two classes fit family "binomial" (``coef_`` (1, n_features): the second
    class of ``classes_`` is the positive one), more fit "multinomial" (one
    coefficient row per class), as LogisticRegression.

    %(glm_objective)s

    Here :math:`\ell` is the binomial log-likelihood with the logit link
    (multinomial: the softmax over the classes' linear predictors, the penalty
    applying to each class's coefficients, or, ``type_multinomial="grouped"``,
    to each variable's K coefficients as a group).

    Parameters
    ----------
    %(common)s
    %(s)s
    type_logistic : "Newton" or "modified.Newton", default="Newton"
        Curvature of the IRLS steps: exact, or its bound 1/4.
    type_multinomial : "ungrouped" or "grouped", default="ungrouped"
        Multiclass only: grouped puts a group-lasso penalty across the classes.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
        The class labels, sorted.
    %(attrs)s

    See Also
    --------
    GlmnetClassifierCV : lambda chosen by cross-validation.
    glmlx.glmnet : the functional API (R's glmnet), which this wraps.
    """

    def __init__(self, *, alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, penalty_factor=None,
                 lower_limits=-np.inf, upper_limits=np.inf, standardize=True, fit_intercept=True, thresh=1e-7,
                 maxit=100_000, dfmax=None, pmax=None, exclude=None, s=None, type_logistic="Newton",
                 type_multinomial="ungrouped"):
        super().__init__(alpha=alpha, nlambda=nlambda, lambda_min_ratio=lambda_min_ratio, lambdas=lambdas,
                         penalty_factor=penalty_factor, lower_limits=lower_limits, upper_limits=upper_limits,
                         standardize=standardize, fit_intercept=fit_intercept, thresh=thresh, maxit=maxit,
                         dfmax=dfmax, pmax=pmax, exclude=exclude, s=s)
        self.type_logistic = type_logistic
        self.type_multinomial = type_multinomial


@_doc
class GlmnetRegressorCV(_Regression, _GlmnetCVBase):
    r"""Linear regression with glmnet's path, lambda chosen by cross-validation (R's cv.glmnet).

    ``fit`` runs ``glmlx.cv_glmnet``: the full-data path as GlmnetRegressor's, and
    ``nfolds`` folds each fit on its own path and evaluated at the full-data
    lambdas; ``s`` then picks lambda_1se (default) or lambda_min.

    %(gaussian_objective)s

    Parameters
    ----------
    %(common)s
    %(s_cv)s

    Attributes
    ----------
    %(attrs)s
    %(attrs_cv)s

    See Also
    --------
    GlmnetRegressor : one lambda given by ``s``.
    glmlx.cv_glmnet : the functional API (R's cv.glmnet), which this wraps.
    """

    _family = "gaussian"


@_doc
class GlmnetPoissonRegressorCV(_Poisson, _GlmnetCVBase):
    r"""Poisson regression with glmnet's path, lambda chosen by cross-validation (R's cv.glmnet).

    ``fit`` runs ``glmlx.cv_glmnet``: the full-data path as GlmnetPoissonRegressor's, and
    ``nfolds`` folds each fit on its own path and evaluated at the full-data
    lambdas; ``s`` then picks lambda_1se (default) or lambda_min.

    %(glm_objective)s

    Here :math:`\\ell(y, \\eta) = y \\eta - e^\\eta`; ``score`` is D^2, as GlmnetPoissonRegressor's.

    Parameters
    ----------
    %(common)s
    %(s_cv)s

    Attributes
    ----------
    %(attrs)s
    %(attrs_cv)s

    See Also
    --------
    GlmnetPoissonRegressor : one lambda given by ``s``.
    glmlx.cv_glmnet : the functional API (R's cv.glmnet), which this wraps.
    """


@_doc
class GlmnetMultiTaskRegressorCV(_MultiTask, _GlmnetCVBase):
    r"""Multi-task linear regression with glmnet's path, lambda chosen by cross-validation (R's cv.glmnet).

    ``fit`` runs ``glmlx.cv_glmnet``: the full-data path as GlmnetMultiTaskRegressor's, and
    ``nfolds`` folds each fit on its own path and evaluated at the full-data
    lambdas; ``s`` then picks lambda_1se (default) or lambda_min.

    The objective is GlmnetMultiTaskRegressor's (see there).

    Parameters
    ----------
    %(common)s
    %(s_cv)s
    standardize_response : bool, default=False
        Scale each response to unit variance before fitting.

    Attributes
    ----------
    %(attrs)s
    %(attrs_cv)s

    See Also
    --------
    GlmnetMultiTaskRegressor : one lambda given by ``s``.
    glmlx.cv_glmnet : the functional API (R's cv.glmnet), which this wraps.
    """

    def __init__(self, *, alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, penalty_factor=None,
                 lower_limits=-np.inf, upper_limits=np.inf, standardize=True, fit_intercept=True, thresh=1e-7,
                 maxit=100_000, dfmax=None, pmax=None, exclude=None, s="lambda_1se", nfolds=10,
                 type_measure="default", grouped=True, random_state=None, standardize_response=False):
        super().__init__(alpha=alpha, nlambda=nlambda, lambda_min_ratio=lambda_min_ratio, lambdas=lambdas,
                         penalty_factor=penalty_factor, lower_limits=lower_limits, upper_limits=upper_limits,
                         standardize=standardize, fit_intercept=fit_intercept, thresh=thresh, maxit=maxit,
                         dfmax=dfmax, pmax=pmax, exclude=exclude, s=s, nfolds=nfolds, type_measure=type_measure,
                         grouped=grouped, random_state=random_state)
        self.standardize_response = standardize_response


@_doc
class GlmnetClassifierCV(_Classification, _GlmnetCVBase):
    r"""Logistic regression (binomial, multinomial) with glmnet's path, lambda chosen by cross-validation (cv.glmnet).

    ``fit`` runs ``glmlx.cv_glmnet``: the full-data path as GlmnetClassifier's, and
    ``nfolds`` folds each fit on its own path and evaluated at the full-data
    lambdas; ``s`` then picks lambda_1se (default) or lambda_min.

    %(glm_objective)s

    Parameters
    ----------
    %(common)s
    %(s_cv)s
    type_logistic : "Newton" or "modified.Newton", default="Newton"
        Curvature of the IRLS steps: exact, or its bound 1/4.
    type_multinomial : "ungrouped" or "grouped", default="ungrouped"
        Multiclass only: grouped puts a group-lasso penalty across the classes.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
        The class labels, sorted.
    %(attrs)s
    %(attrs_cv)s

    See Also
    --------
    GlmnetClassifier : one lambda given by ``s``.
    glmlx.cv_glmnet : the functional API (R's cv.glmnet), which this wraps.
    """

    def __init__(self, *, alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, penalty_factor=None,
                 lower_limits=-np.inf, upper_limits=np.inf, standardize=True, fit_intercept=True, thresh=1e-7,
                 maxit=100_000, dfmax=None, pmax=None, exclude=None, s="lambda_1se", nfolds=10,
                 type_measure="default", grouped=True, random_state=None, type_logistic="Newton",
                 type_multinomial="ungrouped"):
        super().__init__(alpha=alpha, nlambda=nlambda, lambda_min_ratio=lambda_min_ratio, lambdas=lambdas,
                         penalty_factor=penalty_factor, lower_limits=lower_limits, upper_limits=upper_limits,
                         standardize=standardize, fit_intercept=fit_intercept, thresh=thresh, maxit=maxit,
                         dfmax=dfmax, pmax=pmax, exclude=exclude, s=s, nfolds=nfolds, type_measure=type_measure,
                         grouped=grouped, random_state=random_state)
        self.type_logistic = type_logistic
        self.type_multinomial = type_multinomial
