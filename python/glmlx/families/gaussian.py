"""family = "gaussian": squared error, identity link; glmnet's elnet (covariance or naive scheme)."""
from .base import Family

FAMILY = Family(
    sparse_x=True, gpu_path=True,
    name="gaussian", solver="gaussian", link_inverse=lambda eta: eta,
    cv_measures=("mse", "mae", "deviance"), assess_measures=("mse", "mae"), gaussian_losses=True,
)
