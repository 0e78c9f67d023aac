"""family = "binomial": two classes, logit link; glmnet's lognet (csrc/family/binomial.h)."""
import numpy as np

from .base import Family


def _inverse_logit(eta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-eta))


PROB_MIN = 1e-5  # cv.lognet clamps probabilities for the deviance


def cv_losses(prob, pre: np.ndarray, type_measure: str):
    """cv.lognet's per-observation losses (n, nlam) of links ``pre``, and their weights."""
    yp = prob.resp.y  # proportion of the second class; weights already carry the row totals
    mu = 1.0 / (1.0 + np.exp(-pre))
    y1, y2 = (1 - yp)[:, None], yp[:, None]
    if type_measure == "mse":
        raw = (y1 - (1 - mu)) ** 2 + (y2 - mu) ** 2
    elif type_measure == "mae":
        raw = np.abs(y1 - (1 - mu)) + np.abs(y2 - mu)
    elif type_measure == "class":
        raw = y1 * (mu > 0.5) + y2 * (mu <= 0.5)
    else:
        mu = np.clip(mu, PROB_MIN, 1 - PROB_MIN)
        with np.errstate(divide="ignore", invalid="ignore"):
            ly = np.where(y1 > 0, y1 * np.log(y1), 0.0) + np.where(y2 > 0, y2 * np.log(y2), 0.0)
        raw = 2 * (ly - (y1 * np.log(1 - mu) + y2 * np.log(mu)))
    return raw, prob.resp.weights


FAMILY = Family(
    sparse_x=True,
    name="binomial", solver="glm", link_inverse=_inverse_logit,
    cv_measures=("deviance", "class", "auc", "mse", "mae"),
    assess_measures=("deviance", "class", "auc", "mse", "mae"),
    classifies=True, class_counts=(2, 2), binary=True, numeric_response=False, cpp_family="binomial",
    cv_losses=cv_losses,
)
