"""family = "multinomial": K classes, softmax link; glmnet's lognet with K > 2 (csrc/solver/multinomial.cpp)."""
import numpy as np

from .base import Family


def _softmax(eta: np.ndarray) -> np.ndarray:
    e = np.exp(eta - eta.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


PROB_MIN = 1e-5  # cv.multnet clamps probabilities for the deviance


def cv_losses(prob, pre: np.ndarray, type_measure: str):
    """cv.multnet's per-observation losses (n, nlam) of links ``pre`` (n, K, nlam), and their weights."""
    Y = prob.resp.y.T[:, :, None]  # (n, K, 1) class proportions
    mu = _softmax(pre)
    if type_measure == "mse":
        raw = ((Y - mu) ** 2).sum(axis=1)
    elif type_measure == "mae":
        raw = np.abs(Y - mu).sum(axis=1)
    elif type_measure == "class":
        pick = np.argmax(mu, axis=1)  # (n, nlam)
        raw = 1 - np.take_along_axis(np.broadcast_to(Y, mu.shape), pick[:, None, :], axis=1)[:, 0, :]
    else:
        mu = np.clip(mu, PROB_MIN, 1 - PROB_MIN)
        with np.errstate(divide="ignore", invalid="ignore"):
            ly = np.where(Y > 0, Y * np.log(Y), 0.0)
        raw = (2 * (ly - Y * np.log(mu))).sum(axis=1)
    return raw, prob.resp.weights


FAMILY = Family(
    sparse_x=True,
    name="multinomial", solver="glm", link_inverse=_softmax,
    cv_measures=("deviance", "class", "mse", "mae"), assess_measures=("deviance", "class", "mse", "mae"),
    classifies=True, class_counts=(2, None), several_responses=True, numeric_response=False,
    grouped_type=True, cpp_family="multinomial", plot_predict_type="class", cv_losses=cv_losses,
)
