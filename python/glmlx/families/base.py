"""What a family supplies to the Python layer (see ``glmlx.families``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class Family:
    """A response distribution as the Python layer sees it.

    The C++ solver does the fitting (csrc/family/ for the IRLS families); here live the response's checks and
    form, the link, and the measures CV and ``assess_glmnet`` report.
    """

    name: str
    #: which solver fits it: "gaussian" (the gaussian path primitive), "glm" (_ext.glm_paths) or
    #: "mgaussian" (_ext.mgaussian_paths)
    solver: str
    #: the mean response from the linear predictor (classes on axis 1 where there are several)
    link_inverse: Callable[[np.ndarray], np.ndarray]
    #: cv.glmnet's type.measure values, the default first
    cv_measures: tuple
    #: glmnet.measures(): what assess.glmnet reports, in R's order
    assess_measures: tuple
    #: y is class labels (or a count matrix); predict(type="class") applies
    classifies: bool = False
    #: the number of classes a classifying family takes: (fewest, most); most None for no limit
    class_counts: tuple = (0, None)
    #: one coefficient set for two classes (the second class's log odds)
    binary: bool = False
    #: K coefficient sets or responses per fit: coefficients (K, p, L), predictions (n, K, L)
    several_responses: bool = False
    #: y must be numbers (a table reader keeps its column numeric)
    numeric_response: bool = True
    #: the losses of gaussian predictions (residuals on the response's scale)
    gaussian_losses: bool = False
    #: cv.glmnet's "grouped" multinomial count of nonzero coefficients applies
    grouped_type: bool = False
    #: the GlmFamily value of the C++ host solver (solver "glm")
    cpp_family: Optional[str] = None
    #: what plot(type="response")-style helpers predict for a class probability plot
    plot_predict_type: str = "response"
    #: cv.glmnet's per-observation losses: (prob, links (n, [K,] nlam), type_measure) -> (losses (n, nlam),
    #: weights); None where the CV driver computes them itself (gaussian)
    cv_losses: Optional[Callable] = None
    #: its solver takes a scipy.sparse X (its entries, never densified)
    sparse_x: bool = False
    #: its path runs on a GPU stream (the covariance-scheme kernel, backend/common/gaussian_cd.h)
    gpu_path: bool = False

    @property
    def default_measure(self) -> str:
        return self.cv_measures[0]
