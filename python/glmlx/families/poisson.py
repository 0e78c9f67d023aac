"""family = "poisson": counts, log link; glmnet's fishnet (csrc/family/poisson.h)."""
import numpy as np

from .base import Family

def cv_losses(prob, pre: np.ndarray, type_measure: str):
    """cv.fishnet's per-observation losses (n, nlam) of links ``pre``, and their weights."""
    y = prob.resp.y[:, None]
    if type_measure == "mse":
        raw = (y - np.exp(pre)) ** 2
    elif type_measure == "mae":
        raw = np.abs(y - np.exp(pre))
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            devy = np.where(y > 0, y * np.log(y) - y, 0.0)
        raw = 2 * (devy - (y * pre - np.exp(pre)))
    return raw, prob.weights


FAMILY = Family(
    sparse_x=True,
    name="poisson", solver="glm", link_inverse=np.exp,
    cv_measures=("deviance", "mse", "mae"), assess_measures=("deviance", "mse", "mae"), cpp_family="poisson",
    cv_losses=cv_losses,
)
