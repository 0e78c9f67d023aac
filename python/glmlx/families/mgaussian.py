"""family = "mgaussian": K gaussian responses with a group penalty; glmnet's multelnet (csrc/solver/mgaussian.cpp)."""
import numpy as np

from .base import Family


def cv_losses(prob, pre: np.ndarray, type_measure: str):
    """cv.mrelnet's per-observation losses (n, nlam): squared or absolute error summed over the responses."""
    d = prob.y[:, :, None] - pre
    raw = np.abs(d).sum(axis=1) if type_measure == "mae" else (d * d).sum(axis=1)
    return raw, prob.weights


FAMILY = Family(
    sparse_x=True,
    name="mgaussian", solver="mgaussian", link_inverse=lambda eta: eta,
    cv_measures=("mse", "deviance", "mae"), assess_measures=("mse", "mae"), several_responses=True,
    gaussian_losses=True, cv_losses=cv_losses,
)
