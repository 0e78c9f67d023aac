# Generate glmnet parity fixtures for glmlx's non-gaussian families
# (binomial, poisson, multinomial, mgaussian).
#
# Usage: Rscript scripts/glmnet_glm_fixtures.R OUTDIR
#
# Requires only base R + glmnet (developed against glmnet 4.1-6).
# Same text format as scripts/glmnet_fixtures.R: for every case a directory
# OUTDIR/<case>/ with one plain-text file per array (17 significant digits),
# params.txt (key=value lines) and warnings.txt.  Arrays with more than two
# dimensions (or whose rank depends on the family) are written as
# <stem>.csv (values one per line in C / row-major order) plus <stem>.shape
# (one dimension per line).  scripts/pack_fixtures.py converts everything into
# tests/fixtures/glmnet_glm/*.npz.

suppressPackageStartupMessages(library(glmnet))
# Helpers shared with the other fixture script, found next to this one.
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
source(file.path(dirname(script_file), "fixture_io.R"))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript glmnet_glm_fixtures.R OUTDIR")
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
                      "maxit", "type.logistic", "type.multinomial",
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

# Predictions on the training X at the first, middle and last path lambda and
# at one value strictly between two path lambdas (lambda[i], lambda[i+1]),
# i = max(1, floor(nlam/3)) (1-based), which exercises glmnet's interpolation.
write_predictions <- function(fit, x, offset, family, dir, params) {
  lam <- fit$lambda; nlam <- length(lam)
  s <- lam[unique(c(1, ceiling(nlam / 2), nlam))]
  if (nlam >= 2) {
    i <- max(1L, floor(nlam / 3))
    s <- c(s, sqrt(lam[i] * lam[i + 1]))
    params$pred_interp_index <- i - 1L  # 0-based: lambda[i] > s > lambda[i+1]
  }
  n <- nrow(x); m <- length(s)
  pr <- function(type) {
    if (is.null(offset)) predict(fit, newx = x, s = s, type = type)
    else predict(fit, newx = x, s = s, type = type, newoffset = offset)
  }
  shape <- if (is_multi(family)) c(n, params$K, m) else c(n, m)
  write_vec(s, file.path(dir, "pred_s.csv"))
  write_nd(array(as.numeric(pr("link")), shape), dir, "pred_link")
  write_nd(array(as.numeric(pr("response")), shape), dir, "pred_response")
  if (family %in% c("binomial", "multinomial")) {
    cl <- pr("class")
    idx <- match(as.character(cl), fit$classnames) - 1L
    if (anyNA(idx)) stop("predicted class not in classnames")
    write_nd(array(idx, c(n, m)), dir, "pred_class")
  }
  params
}

failed <- character(0)

# name: case name; x, y: data (y as passed to glmnet); family;
# opts: glmnet params (R names);
# inputs: list of extra inputs (weights, offset, penalty.factor, lower.limits,
# upper.limits, exclude, lambda); cv: NULL or list(foldid=, type.measure=,
# fold_lmr_default= TRUE to leave lambda.min.ratio to glmnet's default)
run_case <- function(name, x, y, family, opts = list(), inputs = list(), cv = NULL) {
  dir <- file.path(outdir, name)
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  x <- as.matrix(x)
  params <- full_params(x, family, opts)
  params$n <- nrow(x); params$p <- ncol(x)
  params$user_lambda <- !is.null(inputs$lambda)
  params$user_weights <- !is.null(inputs$weights)
  params$has_offset <- !is.null(inputs$offset)

  call_args <- c(list(x = x, y = y),
                 params[intersect(glmnet_arg_names, names(params))],
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
    call_args$grouped <- TRUE
    call_args$alignment <- "lambda"
    params$type.measure <- cv$type.measure
    params$nfolds <- length(unique(cv$foldid))
    params$keep <- FALSE
    params$cv.grouped <- TRUE
    params$alignment <- "lambda"
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
  fit <- if (is.null(cv)) res else res$glmnet.fit

  write_mat(x, file.path(dir, "X.csv"))
  if (family == "multinomial") {
    # 0-based index into the sorted levels (= fit$classnames)
    yf <- factor(y)
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
  w <- if (is.null(inputs$weights)) rep(1, nrow(x)) else inputs$weights
  write_vec(w, file.path(dir, "weights.csv"))
  if (!is.null(inputs$offset)) {
    if (is.matrix(inputs$offset)) write_mat(inputs$offset, file.path(dir, "offset_mat.csv"))
    else write_vec(inputs$offset, file.path(dir, "offset.csv"))
  }
  if (!is.null(inputs$penalty.factor)) write_vec(inputs$penalty.factor, file.path(dir, "penalty_factor.csv"))
  if (!is.null(inputs$lower.limits)) write_vec(inputs$lower.limits, file.path(dir, "lower_limits.csv"))
  if (!is.null(inputs$upper.limits)) write_vec(inputs$upper.limits, file.path(dir, "upper_limits.csv"))
  if (!is.null(inputs$exclude)) write_vec(inputs$exclude, file.path(dir, "exclude_1based.csv"))
  if (!is.null(inputs$lambda)) write_vec(inputs$lambda, file.path(dir, "lambda_in.csv"))

  if (!is.null(cv)) {
    write_vec(cv$foldid, file.path(dir, "foldid.csv"))
    write_vec(res$cvm, file.path(dir, "cvm.csv"))
    write_vec(res$cvsd, file.path(dir, "cvsd.csv"))
    write_vec(res$cvup, file.path(dir, "cvup.csv"))
    write_vec(res$cvlo, file.path(dir, "cvlo.csv"))
    write_vec(res$nzero, file.path(dir, "nzero.csv"))
    write_vec(res$lambda.min, file.path(dir, "lambda_min.csv"))
    write_vec(res$lambda.1se, file.path(dir, "lambda_1se.csv"))
    write_vec(res$lambda, file.path(dir, "cv_lambda.csv"))
  } else {
    # cv$glmnet.fit is the same fit as a plain glmnet() call, so predictions
    # are only stored for the non-CV cases.
    params <- write_predictions(fit, x, inputs$offset, family, dir, params)
  }
  params$jerr <- as.integer(fit$jerr)
  params$glmnet_version <- as.character(packageVersion("glmnet"))
  params$R_version <- paste(R.version$major, R.version$minor, sep = ".")
  write_params(params, file.path(dir, "params.txt"))
  write_fit(fit, dir, family)
  message(sprintf("case %-32s %-11s n=%4d p=%4d K=%d nlam=%3d", name, family,
                  nrow(x), ncol(x), params$K, length(fit$lambda)))
  invisible(res)
}

# ---- data generators -------------------------------------------------------
sparse_beta <- function(p, k, scale = 1) {
  b <- numeric(p)
  idx <- sample(p, k)
  b[idx] <- sample(c(-1, 1), k, replace = TRUE) * runif(k, 0.5, 2) * scale
  b
}

ar1_X <- function(n, p, rho) {
  Z <- matrix(rnorm(n * p), n, p)
  X <- Z
  for (j in 2:p) X[, j] <- rho * X[, j - 1] + sqrt(1 - rho^2) * Z[, j]
  X
}

data(BinomialExample, package = "glmnet")
data(PoissonExample, package = "glmnet")
data(MultinomialExample, package = "glmnet")
data(MultiGaussianExample, package = "glmnet")
bx <- BinomialExample$x; by <- as.numeric(BinomialExample$y)
px <- PoissonExample$x; py <- as.numeric(PoissonExample$y)
mx <- MultinomialExample$x; my <- MultinomialExample$y
gx <- MultiGaussianExample$x; gy <- MultiGaussianExample$y
# Row subsets of the larger examples keep the committed fixtures small (about 3 MB).
px2 <- px[1:200, ]; py2 <- py[1:200]
mx2 <- mx[1:200, ]; my2 <- my[1:200]
mx3 <- mx[1:300, ]; my3 <- my[1:300]

# ---- binomial --------------------------------------------------------------
run_case("binomial_lasso", bx, by, "binomial")
run_case("binomial_enet", bx, by, "binomial", list(alpha = 0.5))

set.seed(301)
bw <- runif(nrow(bx), 0.2, 3)
run_case("binomial_weights", bx, by, "binomial", inputs = list(weights = bw))

set.seed(302)
boff <- rnorm(nrow(bx), 0, 0.5)
run_case("binomial_offset", bx, by, "binomial", inputs = list(offset = boff))

# columns rescaled by 10^U(-1,1) so that standardize matters
set.seed(303)
bscl <- 10^runif(ncol(bx), -1, 1)
bxs <- sweep(bx, 2, bscl, "*")
run_case("binomial_no_standardize", bxs, by, "binomial", list(standardize = FALSE))

run_case("binomial_no_intercept", bx, by, "binomial", list(intercept = FALSE))

set.seed(304)
bpf <- runif(ncol(bx), 0.5, 2); bpf[c(3, 17)] <- 0
run_case("binomial_penalty_factor", bx, by, "binomial", inputs = list(penalty.factor = bpf))

set.seed(305)
blo <- ifelse(runif(ncol(bx)) < 0.5, -Inf, -0.5)
bup <- ifelse(runif(ncol(bx)) < 0.5, Inf, 0.8)
run_case("binomial_limits", bx, by, "binomial",
         inputs = list(lower.limits = blo, upper.limits = bup))

run_case("binomial_exclude", bx, by, "binomial", inputs = list(exclude = c(2L, 10L, 25L)))

run_case("binomial_user_lambda", bx, by, "binomial",
         inputs = list(lambda = exp(seq(log(0.2), log(0.002), length.out = 20))))

run_case("binomial_dfmax", bx, by, "binomial", list(dfmax = 5L))
run_case("binomial_pmax", bx, by, "binomial", list(pmax = 8L))

set.seed(306)
bwx <- matrix(rnorm(100 * 200), 100, 200)
bwb <- sparse_beta(200, 10)
bwy <- rbinom(100, 1, plogis(0.3 + as.numeric(bwx %*% bwb)))
run_case("binomial_gen_wide", bwx, bwy, "binomial")

set.seed(307)
bcx <- ar1_X(200, 20, 0.8)
bcb <- sparse_beta(20, 4)
bcy <- rbinom(200, 1, plogis(-0.5 + as.numeric(bcx %*% bcb)))
run_case("binomial_gen_correlated", bcx, bcy, "binomial")

# two-column count matrix: column 1 = failures, column 2 = successes
# (glmnet models the probability of the second column; classnames = colnames)
set.seed(308)
bmx <- matrix(rnorm(150 * 10), 150, 10)
bmb <- sparse_beta(10, 3, 0.5)
trials <- 1 + rpois(150, 4)
succ <- rbinom(150, trials, plogis(0.2 + as.numeric(bmx %*% bmb)))
bmy <- cbind(failure = trials - succ, success = succ)
run_case("binomial_counts", bmx, bmy, "binomial")

# perfectly separable, 6 observations per class: glmnet warns about the small
# class and stops the path once dev.ratio exceeds 0.999
set.seed(309)
sx <- matrix(rnorm(12 * 3), 12, 3)
sx[, 1] <- c(-1.5, -1.1, -0.9, -0.6, -0.4, -0.2, 0.3, 0.5, 0.7, 1.0, 1.3, 1.6)
sy <- as.numeric(sx[, 1] > 0)
run_case("binomial_separable", sx, sy, "binomial")
# same data, maxit = 100: convergence failure (jerr < 0), truncated path
run_case("binomial_separable_maxit", sx, sy, "binomial", list(maxit = 100L))

# ---- poisson ---------------------------------------------------------------
run_case("poisson_lasso", px, py, "poisson")
run_case("poisson_enet", px2, py2, "poisson", list(alpha = 0.5))

set.seed(311)
poff <- log(runif(nrow(px2), 0.5, 2))
run_case("poisson_offset", px2, py2, "poisson", inputs = list(offset = poff))

set.seed(312)
pw <- runif(nrow(px2), 0.2, 3)
run_case("poisson_weights", px2, py2, "poisson", inputs = list(weights = pw))

set.seed(313)
pwx <- matrix(rnorm(60 * 150), 60, 150)
pwb <- sparse_beta(150, 6, 0.3)
pwy <- rpois(60, exp(1 + as.numeric(pwx %*% pwb)))
run_case("poisson_gen_wide", pwx, pwy, "poisson")

set.seed(314)
ppf <- runif(ncol(px), 0.5, 2); ppf[c(4, 12)] <- 0
run_case("poisson_penalty_factor", px2, py2, "poisson", inputs = list(penalty.factor = ppf))

# ---- multinomial -----------------------------------------------------------
run_case("multinomial_lasso", mx, my, "multinomial")
run_case("multinomial_enet", mx2, my2, "multinomial", list(alpha = 0.5))
run_case("multinomial_grouped", mx3, my3, "multinomial", list(type.multinomial = "grouped"))

set.seed(321)
mw <- runif(nrow(mx2), 0.2, 3)
run_case("multinomial_weights", mx2, my2, "multinomial", inputs = list(weights = mw))

# offset is n x K (one column per class, in class_levels order)
set.seed(322)
moff <- matrix(rnorm(nrow(mx2) * 3, 0, 0.3), nrow(mx2), 3)
run_case("multinomial_offset", mx2, my2, "multinomial", inputs = list(offset = moff))

set.seed(323)
m4x <- matrix(rnorm(200 * 15), 200, 15)
m4B <- sapply(1:4, function(k) sparse_beta(15, 3))
m4eta <- m4x %*% m4B
m4pr <- exp(m4eta) / rowSums(exp(m4eta))
m4y <- apply(m4pr, 1, function(pr) sample(c("a", "b", "c", "d"), 1, prob = pr))
run_case("multinomial_gen_k4", m4x, m4y, "multinomial")

# ---- mgaussian -------------------------------------------------------------
run_case("mgaussian_lasso", gx, gy, "mgaussian")
run_case("mgaussian_enet", gx, gy, "mgaussian", list(alpha = 0.5))
run_case("mgaussian_std_response", gx, gy, "mgaussian", list(standardize.response = TRUE))

set.seed(331)
gw <- runif(nrow(gx), 0.2, 3)
run_case("mgaussian_weights", gx, gy, "mgaussian", inputs = list(weights = gw))
# responses shifted so that a missing intercept matters
run_case("mgaussian_no_intercept", gx, sweep(gy, 2, c(2, -1, 0.5, 3), "+"), "mgaussian",
         list(intercept = FALSE))

# box limits on every response's coefficients; both kinds bind (glmnet's chkbnds / bnorm)
set.seed(332)
glo <- ifelse(runif(ncol(gx)) < 0.5, -Inf, -0.3)
gup <- ifelse(runif(ncol(gx)) < 0.5, Inf, 0.4)
run_case("mgaussian_limits", gx, gy, "mgaussian", inputs = list(lower.limits = glo, upper.limits = gup))

set.seed(333)
gpf <- runif(ncol(gx), 0.5, 2); gpf[c(4, 15)] <- 0
run_case("mgaussian_penalty_exclude", gx, gy, "mgaussian",
         inputs = list(penalty.factor = gpf, exclude = c(2L, 9L, 18L)))

run_case("mgaussian_user_lambda", gx, gy, "mgaussian",
         inputs = list(lambda = exp(seq(log(2), log(0.01), length.out = 20))))
run_case("mgaussian_pmax", gx, gy, "mgaussian", list(pmax = 6L))

# columns scaled by 10^U(-1,1), no standardization, no intercept, standardized responses
set.seed(335)
gsc <- 10^runif(ncol(gx), -1, 1)
run_case("mgaussian_no_standardize", sweep(gx, 2, gsc, "*"), sweep(gy, 2, c(2, -1, 0.5, 3), "+"), "mgaussian",
         list(standardize = FALSE, intercept = FALSE, standardize.response = TRUE))

# ---- CV cases --------------------------------------------------------------
set.seed(341)
fb10 <- sample(rep(1:10, length.out = nrow(bx)))
fb5 <- sample(rep(1:5, length.out = nrow(bx)))
run_case("cv_binomial_deviance", bx, by, "binomial", cv = list(foldid = fb10, type.measure = "deviance"))
run_case("cv_binomial_class", bx, by, "binomial", cv = list(foldid = fb10, type.measure = "class"))
run_case("cv_binomial_auc", bx, by, "binomial", cv = list(foldid = fb5, type.measure = "auc"))

set.seed(342)
fp <- sample(rep(1:10, length.out = nrow(px)))
run_case("cv_poisson_deviance", px, py, "poisson", cv = list(foldid = fp, type.measure = "deviance"))

set.seed(343)
fm <- sample(rep(1:5, length.out = nrow(mx3)))
run_case("cv_multinomial_class", mx3, my3, "multinomial", cv = list(foldid = fm, type.measure = "class"))
run_case("cv_multinomial_grouped_deviance", mx3, my3, "multinomial", list(type.multinomial = "grouped"),
         cv = list(foldid = fm, type.measure = "deviance"))

set.seed(344)
fg <- sample(rep(1:10, length.out = nrow(gx)))
run_case("cv_mgaussian_mse", gx, gy, "mgaussian", cv = list(foldid = fg, type.measure = "mse"))

# n = 30 >= p = 25 overall but each fold's 20 training rows < p: R's folds take
# lambda.min.ratio 0.01 from their own nobs while the full fit takes 1e-4
set.seed(345)
sx <- matrix(rnorm(30 * 25), 30, 25)
sfold <- sample(rep(1:3, length.out = 30))
seta <- sx[, 1] - 0.8 * sx[, 2] + 0.5 * sx[, 3]
sby <- rbinom(30, 1, plogis(seta))
spy <- rpois(30, exp(0.5 * seta))
smy <- apply(cbind(sx[, 1], sx[, 2], -sx[, 3]) * 1.5 + matrix(rnorm(90), 30, 3), 1, which.max)
sgy <- cbind(seta, sx[, 4] - sx[, 5]) + matrix(rnorm(60, sd = 0.5), 30, 2)
small <- function(measure) list(foldid = sfold, type.measure = measure, fold_lmr_default = TRUE)
run_case("cv_binomial_small_folds_deviance", sx, sby, "binomial", cv = small("deviance"))
run_case("cv_poisson_small_folds_deviance", sx, spy, "poisson", cv = small("deviance"))
run_case("cv_multinomial_small_folds_deviance", sx, smy, "multinomial", cv = small("deviance"))
run_case("cv_multinomial_grouped_small_folds_deviance", sx, smy, "multinomial", list(type.multinomial = "grouped"),
         cv = small("deviance"))
run_case("cv_mgaussian_small_folds_mse", sx, sgy, "mgaussian", cv = small("mse"))

if (length(failed)) message("FAILED CASES: ", paste(failed, collapse = ", "))
message("done")
