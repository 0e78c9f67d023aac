# Generate glmnet parity fixtures for a sparse X (a Matrix dgCMatrix), every family:
# gaussian (type.gaussian "covariance" and "naive"), binomial, poisson,
# multinomial (ungrouped), mgaussian; with weights, without intercept, and
# without standardization.
#
# Usage: Rscript scripts/glmnet_sparse_fixtures.R OUTDIR
#
# Requires base R + Matrix + glmnet (developed against glmnet 4.1-6, Matrix 1.5).
# Same text format as scripts/glmnet_glm_fixtures.R (one directory per case,
# 17 significant digits, params.txt, warnings.txt), except that X is written
# as its compressed-sparse-column arrays instead of a dense matrix:
#   X_indptr.csv   (p + 1) column pointers (x@p)
#   X_indices.csv  0-based row index of each stored entry (x@i)
#   X_data.csv     the stored values (x@x)
# so that Python rebuilds exactly the matrix R fitted with
# scipy.sparse.csc_matrix((data, indices, indptr), shape=(n, p)).
# scripts/make_sparse_fixtures.sh packs the cases into
# tests/fixtures/glmnet_sparse/*.npz (arrays indptr, indices, data, no dense X).

suppressPackageStartupMessages({
  library(Matrix)
  library(glmnet)
})
# Helpers shared with the other fixture scripts, found next to this one.
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
source(file.path(dirname(script_file), "fixture_io.R"))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript glmnet_sparse_fixtures.R OUTDIR")
outdir <- args[[1]]
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

# N-d array: values in C (row-major) order, one per line, plus the shape.
write_nd <- function(a, dir, stem) {
  d <- dim(a)
  if (is.null(d)) d <- length(a)
  a <- array(as.numeric(a), d)
  writeLines(fmt(aperm(a, rev(seq_along(d)))), file.path(dir, paste0(stem, ".csv")))
  writeLines(as.character(d), file.path(dir, paste0(stem, ".shape")))
}

# Effective glmnet defaults, made explicit so every fixture is unambiguous.
# Only the family's own type.* / standardize.response option is included.
full_params <- function(x, family, opts) {
  n <- nrow(x); p <- ncol(x)
  d <- list(
    family = family, alpha = 1, nlambda = 100L,
    lambda.min.ratio = ifelse(n < p, 0.01, 1e-4),
    standardize = TRUE, intercept = TRUE, thresh = 1e-7,
    dfmax = p + 1L, pmax = NULL, maxit = 100000L
  )
  if (family == "gaussian") d$type.gaussian <- ifelse(p < 500, "covariance", "naive")
  if (family == "binomial") d$type.logistic <- "Newton"
  if (family == "multinomial") d$type.multinomial <- "ungrouped"
  if (family == "mgaussian") d$standardize.response <- FALSE
  for (k in names(opts)) d[[k]] <- opts[[k]]
  if (is.null(d$pmax)) d$pmax <- as.integer(min(d$dfmax * 2 + 20, p))
  d$dfmax <- as.integer(d$dfmax); d$nlambda <- as.integer(d$nlambda)
  d$maxit <- as.integer(d$maxit)
  d
}

glmnet_arg_names <- c("family", "alpha", "nlambda", "lambda.min.ratio",
                      "standardize", "intercept", "thresh", "dfmax", "pmax",
                      "maxit", "type.gaussian", "type.logistic", "type.multinomial",
                      "standardize.response")

is_multi <- function(family) family %in% c("multinomial", "mgaussian")

write_fit <- function(fit, dir, family) {
  write_vec(fit$lambda, file.path(dir, "lambda.csv"))
  if (is_multi(family)) {
    K <- length(fit$beta)
    p <- nrow(fit$beta[[1]]); nlam <- ncol(fit$beta[[1]])
    b <- array(0, c(K, p, nlam))  # class / response k first
    for (k in seq_len(K)) b[k, , ] <- as.matrix(fit$beta[[k]])
    write_mat(fit$a0, file.path(dir, "a0_mat.csv"))  # K x nlambda
    write_nd(b, dir, "beta_3d")
    if (!is.null(fit$dfmat)) write_mat(fit$dfmat, file.path(dir, "dfmat.csv"))
  } else {
    write_vec(fit$a0, file.path(dir, "a0.csv"))
    write_mat(as.matrix(fit$beta), file.path(dir, "beta.csv"))  # p x nlambda
  }
  write_vec(fit$dev.ratio, file.path(dir, "dev_ratio.csv"))
  write_vec(fit$nulldev, file.path(dir, "nulldev.csv"))
  write_vec(fit$df, file.path(dir, "df.csv"))
  write_vec(fit$npasses, file.path(dir, "npasses.csv"))
}

# Predictions on the training X (sparse newx) at the first, middle and last
# path lambda and at one value strictly between lambda[i] and lambda[i+1],
# i = max(1, floor(nlam/3)) (1-based): glmnet's interpolation.
write_predictions <- function(fit, x, family, dir, params) {
  lam <- fit$lambda; nlam <- length(lam)
  s <- lam[unique(c(1, ceiling(nlam / 2), nlam))]
  if (nlam >= 2) {
    i <- max(1L, floor(nlam / 3))
    s <- c(s, sqrt(lam[i] * lam[i + 1]))
    params$pred_interp_index <- i - 1L  # 0-based: lambda[i] > s > lambda[i+1]
  }
  n <- nrow(x); m <- length(s)
  pr <- function(type) predict(fit, newx = x, s = s, type = type)
  shape <- if (is_multi(family)) c(n, params$K, m) else c(n, m)
  write_vec(s, file.path(dir, "pred_s.csv"))
  write_nd(array(as.numeric(as.matrix(pr("link"))), shape), dir, "pred_link")
  write_nd(array(as.numeric(as.matrix(pr("response"))), shape), dir, "pred_response")
  if (family %in% c("binomial", "multinomial")) {
    cl <- pr("class")
    idx <- match(as.character(cl), fit$classnames) - 1L
    if (anyNA(idx)) stop("predicted class not in classnames")
    write_nd(array(idx, c(n, m)), dir, "pred_class")
  }
  params
}

failed <- character(0)

# name: case name; x: a dgCMatrix (passed to glmnet as is); y: as passed to
# glmnet; family; opts: glmnet params (R names); weights: NULL or a vector.
run_case <- function(name, x, y, family, opts = list(), weights = NULL) {
  stopifnot(is(x, "dgCMatrix"))
  dir <- file.path(outdir, name)
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  params <- full_params(x, family, opts)
  params$n <- nrow(x); params$p <- ncol(x)
  params$nnz <- length(x@x)
  params$density <- length(x@x) / (nrow(x) * ncol(x))
  params$user_lambda <- FALSE
  params$user_weights <- !is.null(weights)
  params$has_offset <- FALSE

  call_args <- c(list(x = x, y = y), params[intersect(glmnet_arg_names, names(params))])
  if (!is.null(weights)) call_args$weights <- weights

  warns <- character(0)
  fit <- tryCatch(
    withCallingHandlers(
      do.call(glmnet, call_args),
      warning = function(w) {
        warns <<- c(warns, conditionMessage(w))
        invokeRestart("muffleWarning")
      }),
    error = function(e) e)
  writeLines(warns, file.path(dir, "warnings.txt"))
  if (inherits(fit, "error")) {
    message(sprintf("CASE %s FAILED: %s", name, conditionMessage(fit)))
    failed <<- c(failed, name)
    unlink(dir, recursive = TRUE)
    return(invisible(NULL))
  }
  if (length(warns)) message(sprintf("CASE %s warnings: %s", name, paste(warns, collapse = " | ")))

  write_vec(x@p, file.path(dir, "X_indptr.csv"))
  write_vec(x@i, file.path(dir, "X_indices.csv"))
  write_vec(x@x, file.path(dir, "X_data.csv"))
  if (family == "multinomial") {
    yf <- factor(y)  # 0-based index into the sorted levels (= fit$classnames)
    stopifnot(identical(levels(yf), fit$classnames))
    write_vec(as.integer(yf) - 1L, file.path(dir, "y_class.csv"))
  } else if (is.matrix(y)) {
    write_mat(y, file.path(dir, "y_mat.csv"))
  } else {
    write_vec(y, file.path(dir, "y.csv"))
  }
  params$K <- if (family == "multinomial") length(fit$classnames)
              else if (family == "mgaussian") ncol(y) else 1L
  if (!is.null(fit$classnames)) params$class_levels <- paste(fit$classnames, collapse = "|")
  write_vec(if (is.null(weights)) rep(1, nrow(x)) else weights, file.path(dir, "weights.csv"))

  params <- write_predictions(fit, x, family, dir, params)
  params$jerr <- as.integer(fit$jerr)
  params$glmnet_version <- as.character(packageVersion("glmnet"))
  params$Matrix_version <- as.character(packageVersion("Matrix"))
  params$R_version <- paste(R.version$major, R.version$minor, sep = ".")
  write_params(params, file.path(dir, "params.txt"))
  write_fit(fit, dir, family)
  message(sprintf("case %-34s %-11s n=%4d p=%4d nnz=%6d K=%d nlam=%3d npasses=%d", name, family,
                  nrow(x), ncol(x), length(x@x), params$K, length(fit$lambda), fit$npasses))
  invisible(fit)
}

# ---- data generators -------------------------------------------------------
sparse_beta <- function(p, k, scale = 1) {
  b <- numeric(p)
  idx <- sample(p, k)
  b[idx] <- sample(c(-1, 1), k, replace = TRUE) * runif(k, 0.5, 2) * scale
  b
}

# n x p dgCMatrix with about density * n * p normal entries (Matrix::rsparsematrix).
rsparse <- function(n, p, density) {
  x <- rsparsematrix(n, p, density, rand.x = rnorm)
  as(x, "CsparseMatrix")
}

# The same through Matrix::sparseMatrix from (i, j, x) triplets: a count-like
# design (positive entries only, as in bag-of-words data).
triplet_sparse <- function(n, p, density) {
  nnz <- round(density * n * p)
  cells <- sample(n * p, nnz)
  i <- (cells - 1L) %% n + 1L
  j <- (cells - 1L) %/% n + 1L
  sparseMatrix(i = i, j = j, x = rpois(nnz, 2) + 1, dims = c(n, p))
}

lin <- function(x, b) as.numeric(x %*% b)

# ---- gaussian --------------------------------------------------------------
set.seed(501)
gx <- rsparse(200, 60, 0.1)
gy <- lin(gx, sparse_beta(60, 8)) + 1.5 + rnorm(200)
gw <- runif(200, 0.2, 3)
run_case("gaussian_covariance", gx, gy, "gaussian", list(type.gaussian = "covariance"))
run_case("gaussian_naive", gx, gy, "gaussian", list(type.gaussian = "naive"))
run_case("gaussian_weights_covariance", gx, gy, "gaussian", list(type.gaussian = "covariance"), weights = gw)
run_case("gaussian_weights_naive", gx, gy, "gaussian", list(type.gaussian = "naive"), weights = gw)
# y shifted so that the missing intercept matters
run_case("gaussian_no_intercept_covariance", gx, gy + 2, "gaussian",
         list(type.gaussian = "covariance", intercept = FALSE))
run_case("gaussian_no_intercept_naive", gx, gy + 2, "gaussian",
         list(type.gaussian = "naive", intercept = FALSE))

# p >= 500: naive is glmnet's default (not given here), n < p: lambda.min.ratio 0.01
set.seed(502)
wx <- rsparse(150, 600, 0.05)
wy <- lin(wx, sparse_beta(600, 15)) + rnorm(150)
run_case("gaussian_wide_default_naive", wx, wy, "gaussian")

# count-like columns from sparseMatrix(i, j, x), rescaled by 10^U(-1,1): standardize matters
set.seed(503)
sx <- triplet_sparse(200, 40, 0.15)
sx <- sx %*% Diagonal(x = 10^runif(40, -1, 1))
sx <- as(sx, "CsparseMatrix")
set.seed(1503)
sy <- lin(sx, sparse_beta(40, 5, 0.3)) + rnorm(200)
run_case("gaussian_no_standardize", sx, sy, "gaussian", list(standardize = FALSE))

# ---- binomial --------------------------------------------------------------
set.seed(511)
bx <- rsparse(250, 50, 0.15)
by <- rbinom(250, 1, plogis(0.4 + lin(bx, sparse_beta(50, 6))))
bw <- runif(250, 0.2, 3)
run_case("binomial_lasso", bx, by, "binomial")
run_case("binomial_weights", bx, by, "binomial", weights = bw)
run_case("binomial_no_intercept", bx, by, "binomial", list(intercept = FALSE))

# ---- poisson ---------------------------------------------------------------
set.seed(521)
px <- triplet_sparse(200, 80, 0.08)
py <- rpois(200, exp(0.5 + lin(px, sparse_beta(80, 6, 0.15))))
pw <- runif(200, 0.2, 3)
run_case("poisson_lasso", px, py, "poisson")
run_case("poisson_weights", px, py, "poisson", weights = pw)

# ---- multinomial (ungrouped) -----------------------------------------------
set.seed(531)
mx <- rsparse(250, 30, 0.2)
mB <- sapply(1:3, function(k) sparse_beta(30, 4))
meta <- as.matrix(mx %*% mB)
mpr <- exp(meta) / rowSums(exp(meta))
my <- apply(mpr, 1, function(pr) sample(c("a", "b", "c"), 1, prob = pr))
mw <- runif(250, 0.2, 3)
run_case("multinomial_lasso", mx, my, "multinomial")
run_case("multinomial_weights", mx, my, "multinomial", weights = mw)

# ---- mgaussian -------------------------------------------------------------
set.seed(541)
qx <- rsparse(200, 40, 0.1)
qB <- sapply(1:3, function(k) sparse_beta(40, 5))
qy <- as.matrix(qx %*% qB) + matrix(rnorm(600), 200, 3)
qy <- sweep(qy, 2, c(2, -1, 0.5), "+")
qw <- runif(200, 0.2, 3)
run_case("mgaussian_lasso", qx, qy, "mgaussian")
run_case("mgaussian_weights_no_intercept", qx, qy, "mgaussian", list(intercept = FALSE), weights = qw)

if (length(failed)) message("FAILED CASES: ", paste(failed, collapse = ", "))
message("done")
