# Generate glmnet parity fixtures for glmlx.
#
# Usage: Rscript scripts/glmnet_fixtures.R OUTDIR
#
# Requires only base R + glmnet (developed against glmnet 4.1-6).
# For every case a sub-directory OUTDIR/<case>/ is written containing one
# plain-text file per array (full 17-significant-digit precision, no
# headers) plus params.txt (key=value lines) and warnings.txt.
# scripts/pack_fixtures.py converts these into tests/fixtures/glmnet/*.npz.

suppressPackageStartupMessages(library(glmnet))
# Helpers shared with the other fixture script, found next to this one.
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
source(file.path(dirname(script_file), "fixture_io.R"))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript glmnet_fixtures.R OUTDIR")
outdir <- args[[1]]
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

# Effective glmnet defaults, made explicit so every fixture is unambiguous.
full_params <- function(x, opts) {
  n <- nrow(x); p <- ncol(x)
  d <- list(
    family = "gaussian", alpha = 1, nlambda = 100L,
    lambda.min.ratio = ifelse(n < p, 0.01, 1e-4),
    standardize = TRUE, intercept = TRUE, thresh = 1e-7,
    dfmax = p + 1L, pmax = NULL, maxit = 100000L,
    type.gaussian = ifelse(p < 500, "covariance", "naive")
  )
  for (k in names(opts)) d[[k]] <- opts[[k]]
  if (is.null(d$pmax)) d$pmax <- as.integer(min(d$dfmax * 2 + 20, p))
  d$dfmax <- as.integer(d$dfmax); d$nlambda <- as.integer(d$nlambda)
  d$maxit <- as.integer(d$maxit)
  d
}

write_fit <- function(fit, dir) {
  write_vec(fit$lambda, file.path(dir, "lambda.csv"))
  write_vec(fit$a0, file.path(dir, "a0.csv"))
  write_mat(as.matrix(fit$beta), file.path(dir, "beta.csv"))  # p x nlambda
  write_vec(fit$dev.ratio, file.path(dir, "dev_ratio.csv"))
  write_vec(fit$nulldev, file.path(dir, "nulldev.csv"))
  write_vec(fit$df, file.path(dir, "df.csv"))
  write_vec(fit$npasses, file.path(dir, "npasses.csv"))
}

failed <- character(0)

# name: case name; x, y: data; opts: glmnet params (R names);
# inputs: list of extra vector inputs (weights, penalty.factor, lower.limits,
# upper.limits, exclude, lambda); cv: NULL or list(foldid=, type.measure=,
# fold_lmr_default= TRUE to leave lambda.min.ratio to glmnet's default)
run_case <- function(name, x, y, opts = list(), inputs = list(), cv = NULL) {
  dir <- file.path(outdir, name)
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  x <- as.matrix(x); y <- as.numeric(y)
  params <- full_params(x, opts)
  params$n <- nrow(x); params$p <- ncol(x)
  params$user_lambda <- !is.null(inputs$lambda)

  call_args <- c(list(x = x, y = y),
                 params[c("family", "alpha", "nlambda", "lambda.min.ratio",
                          "standardize", "intercept", "thresh", "dfmax",
                          "pmax", "maxit", "type.gaussian")],
                 inputs)
  if (!is.null(cv)) {
    # cv$fold_lmr_default: give R no lambda.min.ratio, so that each fold's glmnet()
    # takes its default from the fold's own nobs (0.01 there when nobs < nvars)
    if (isTRUE(cv$fold_lmr_default)) {
      call_args$lambda.min.ratio <- NULL
      params$cv.lmr.default <- TRUE
    }
    call_args$foldid <- cv$foldid
    call_args$type.measure <- cv$type.measure
    call_args$keep <- FALSE
    params$type.measure <- cv$type.measure
    params$nfolds <- length(unique(cv$foldid))
    params$keep <- FALSE
  }

  warns <- character(0)
  res <- tryCatch(
    withCallingHandlers(
      do.call(if (is.null(cv)) glmnet else cv.glmnet, call_args),
      warning = function(w) {
        warns <<- c(warns, conditionMessage(w))
        invokeRestart("muffleWarning")
      }),
    error = function(e) e)
  writeLines(warns, file.path(dir, "warnings.txt"))
  if (inherits(res, "error")) {
    message(sprintf("CASE %s FAILED: %s", name, conditionMessage(res)))
    failed <<- c(failed, name)
    unlink(dir, recursive = TRUE)
    return(invisible(NULL))
  }
  if (length(warns)) message(sprintf("CASE %s warnings: %s", name, paste(warns, collapse = " | ")))

  write_mat(x, file.path(dir, "X.csv"))
  write_vec(y, file.path(dir, "y.csv"))
  if (!is.null(inputs$weights)) write_vec(inputs$weights, file.path(dir, "weights.csv"))
  if (!is.null(inputs$penalty.factor)) write_vec(inputs$penalty.factor, file.path(dir, "penalty_factor.csv"))
  if (!is.null(inputs$lower.limits)) write_vec(inputs$lower.limits, file.path(dir, "lower_limits.csv"))
  if (!is.null(inputs$upper.limits)) write_vec(inputs$upper.limits, file.path(dir, "upper_limits.csv"))
  if (!is.null(inputs$exclude)) write_vec(inputs$exclude, file.path(dir, "exclude_1based.csv"))
  if (!is.null(inputs$lambda)) write_vec(inputs$lambda, file.path(dir, "lambda_in.csv"))

  if (is.null(cv)) {
    fit <- res
  } else {
    fit <- res$glmnet.fit
    write_vec(cv$foldid, file.path(dir, "foldid.csv"))
    write_vec(res$cvm, file.path(dir, "cvm.csv"))
    write_vec(res$cvsd, file.path(dir, "cvsd.csv"))
    write_vec(res$cvup, file.path(dir, "cvup.csv"))
    write_vec(res$cvlo, file.path(dir, "cvlo.csv"))
    write_vec(res$nzero, file.path(dir, "nzero.csv"))
    write_vec(res$lambda.min, file.path(dir, "lambda_min.csv"))
    write_vec(res$lambda.1se, file.path(dir, "lambda_1se.csv"))
    write_vec(res$lambda, file.path(dir, "cv_lambda.csv"))
  }
  params$jerr <- as.integer(fit$jerr)
  params$glmnet_version <- as.character(packageVersion("glmnet"))
  params$R_version <- paste(R.version$major, R.version$minor, sep = ".")
  write_params(params, file.path(dir, "params.txt"))
  write_fit(fit, dir)
  message(sprintf("case %-22s n=%4d p=%4d nlam=%3d", name, nrow(x), ncol(x), length(fit$lambda)))
  invisible(res)
}

# ---- data generators -------------------------------------------------------
gen_data <- function(n, p, seed, X = NULL, intercept = 0, noise = 1, beta_scale = 1) {
  set.seed(seed)
  if (is.null(X)) X <- matrix(rnorm(n * p), n, p)
  k <- max(1L, round(0.1 * p))
  beta <- numeric(p)
  idx <- sample(p, k)
  beta[idx] <- sample(c(-1, 1), k, replace = TRUE) * runif(k, 0.5, 2) * beta_scale
  y <- as.numeric(X %*% beta) + intercept + noise * rnorm(n)
  list(x = X, y = y, beta = beta)
}

ar1_X <- function(n, p, rho, seed) {
  set.seed(seed)
  Z <- matrix(rnorm(n * p), n, p)
  X <- Z
  for (j in 2:p) X[, j] <- rho * X[, j - 1] + sqrt(1 - rho^2) * Z[, j]
  X
}

# ---- cases -----------------------------------------------------------------
data(QuickStartExample, package = "glmnet")
qx <- QuickStartExample$x; qy <- as.numeric(QuickStartExample$y)

run_case("quickstart_lasso", qx, qy)
run_case("quickstart_enet", qx, qy, list(alpha = 0.5))
run_case("quickstart_ridge", qx, qy, list(alpha = 0))

tall <- gen_data(200, 30, 101)
run_case("gen_tall", tall$x, tall$y)

wide <- gen_data(50, 200, 102)
run_case("gen_wide", wide$x, wide$y)
run_case("gen_wide_naive", wide$x, wide$y, list(type.gaussian = "naive"))

wide2 <- gen_data(60, 250, 103)
run_case("gen_wide_enet", wide2$x, wide2$y, list(alpha = 0.5))

corr <- gen_data(150, 40, 104, X = ar1_X(150, 40, 0.9, 1104))
run_case("correlated", corr$x, corr$y)
run_case("correlated_enet", corr$x, corr$y, list(alpha = 0.3))
# glmnet's naive (strong-rule) mode iterates differently from covariance mode;
# where convergence is slow (correlated columns) the two stop at different points.
run_case("correlated_naive", corr$x, corr$y, list(type.gaussian = "naive"))
run_case("correlated_enet_naive", corr$x, corr$y, list(alpha = 0.3, type.gaussian = "naive"))

pfd <- gen_data(200, 30, 105)
set.seed(1105)
pf <- runif(30, 0.5, 2); pf[c(2, 11, 23)] <- 0
run_case("penalty_factor", pfd$x, pfd$y, inputs = list(penalty.factor = pf))

# small true coefficients (0.125..0.5) so the limits bind only partially
lim <- gen_data(200, 30, 106, beta_scale = 0.25, noise = 0.5)
run_case("limits", lim$x, lim$y, inputs = list(lower.limits = -0.3, upper.limits = 0.5))
set.seed(1106)
lo <- ifelse(runif(30) < 0.5, -Inf, -0.1)
up <- ifelse(runif(30) < 0.5, Inf, 0.2)
up[which.max(lim$beta)] <- 0.4  # make sure an upper bound binds (late in the path)
run_case("limits_vec", lim$x, lim$y, inputs = list(lower.limits = lo, upper.limits = up))

wd <- gen_data(200, 30, 107)
set.seed(1107)
w <- runif(200, 0.2, 3)
run_case("weights", wd$x, wd$y, inputs = list(weights = w))

set.seed(1108)
scl <- 10^runif(30, -2, 2)
Xs <- sweep(matrix(rnorm(200 * 30), 200, 30), 2, scl, "*")
# ~10% nonzero coefficients, sized so each active column contributes O(1)
set.seed(2108)
bs <- numeric(30); bi <- sample(30, 3); bs[bi] <- c(1.5, -1, 0.8) / scl[bi]
ys <- as.numeric(Xs %*% bs) + rnorm(200)
run_case("no_standardize", Xs, ys, list(standardize = FALSE))
run_case("scaled_standardize", Xs, ys, list(standardize = TRUE))

ni <- gen_data(200, 30, 109, intercept = 3)
run_case("no_intercept", ni$x, ni$y, list(intercept = FALSE))

ul <- gen_data(200, 30, 110)
run_case("user_lambda", ul$x, ul$y, inputs = list(lambda = exp(seq(log(1), log(0.01), length.out = 20))))

dm <- gen_data(200, 30, 111)
run_case("dfmax", dm$x, dm$y, list(dfmax = 5L))
run_case("pmax", dm$x, dm$y, list(pmax = 8L))

ex <- gen_data(200, 30, 112)
run_case("exclude", ex$x, ex$y, inputs = list(exclude = c(4L, 17L)))

cc <- gen_data(200, 30, 113)
cc$x[, 7] <- 2.5
run_case("constant_column", cc$x, cc$y)

nl <- gen_data(200, 30, 114)
run_case("nlambda_lmr", nl$x, nl$y, list(nlambda = 30L, lambda.min.ratio = 0.05))

rw <- gen_data(200, 30, 115)
set.seed(1115)
rww <- runif(200, 0.2, 3)
rwpf <- runif(30, 0.5, 2); rwpf[c(5, 19)] <- 0
run_case("ridge_weights_enet", rw$x, rw$y, list(alpha = 0.2),
         inputs = list(weights = rww, penalty.factor = rwpf))

run_case("thresh_tight", tall$x, tall$y, list(thresh = 1e-12))

# ---- CV cases --------------------------------------------------------------
set.seed(201)
fq <- sample(rep(1:10, length.out = nrow(qx)))
run_case("cv_quickstart_mse", qx, qy, cv = list(foldid = fq, type.measure = "mse"))
run_case("cv_quickstart_mae", qx, qy, cv = list(foldid = fq, type.measure = "mae"))
set.seed(202)
ft <- sample(rep(1:5, length.out = nrow(tall$x)))
run_case("cv_gen_tall_mse", tall$x, tall$y, cv = list(foldid = ft, type.measure = "mse"))
set.seed(203)
fw <- sample(rep(1:10, length.out = nrow(wd$x)))
run_case("cv_weights_mse", wd$x, wd$y, inputs = list(weights = w),
         cv = list(foldid = fw, type.measure = "mse"))
# n >= p overall but each fold's 20 training rows < p = 25: R's folds take
# lambda.min.ratio 0.01 from their own nobs while the full fit takes 1e-4
sf <- gen_data(30, 25, 204)
set.seed(204)
fs <- sample(rep(1:3, length.out = nrow(sf$x)))
sfcv <- list(foldid = fs, type.measure = "mse", fold_lmr_default = TRUE)
# R's covariance and naive schemes differ by up to 1.4e-4 in cvsd here (the
# folds' paths run near interpolation), so each scheme has its own fixture
run_case("cv_small_folds_mse", sf$x, sf$y, cv = sfcv)
run_case("cv_small_folds_naive_mse", sf$x, sf$y, list(type.gaussian = "naive"), cv = sfcv)

if (length(failed)) message("FAILED CASES: ", paste(failed, collapse = ", "))
message("done")
