"""glmnet.control()'s constants, once (R glmnet 4.1; ``Rscript -e 'glmnet::glmnet.control()'``).

fdev, devmax, eps, big, mnlam, pmin, exmx, prec and mxit as glmnet's Fortran/C++ takes them; the solvers get them
through their settings structs. ``epsnr`` and ``mxitnr`` (the Newton steps of family objects) do not apply here.
"""

FDEV = 1e-5  # fdev: early stop when the fractional change of the deviance ratio falls below
DEVMAX = 0.999  # devmax: early stop when the deviance ratio exceeds
EPS = 1e-6  # eps: the smallest lambda.min.ratio
BIG = 9.9e35  # big: stands for an infinite limit, or the first lambda ("infinity") of glmnet's own grid
MNLAM = 5  # mnlam: no early stop before this many lambdas
PMIN = 1e-9  # pmin: probabilities are kept in [pmin, 1 - pmin]
EXMX = 250.0  # exmx: the largest |linear predictor| before exp()
PREC = 1e-10  # prec: convergence of bnorm's Newton steps (grouped penalties with limits)
MXIT = 100  # mxit: bnorm's Newton iterations
