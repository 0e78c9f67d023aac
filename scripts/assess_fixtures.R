# R glmnet's assess.glmnet, roc.glmnet and confusion.glmnet on held-out data, for glmlx's tests.
#
# Usage: Rscript scripts/assess_fixtures.R OUTDIR   (OUTDIR: tests/fixtures/assess)
#
# One directory per case: the data (train/test, 17 significant digits), the s values, R's link
# predictions at s on the test rows (pred.csv; multinomial: pred.csv holds the (n, K, len(s))
# array in C order, with pred.shape), and R's answers: assess_<measure>.txt (one value per s),
# roc_<j>.csv (FPR,TPR rows), confusion_<j>.csv (counts; rows predicted, columns true, with the
# labels in confusion_<j>_rows.txt / _cols.txt), and print(fit) / print(cv.glmnet(foldid = 1,2,3,4,1,...))
# without their Call lines in print_fit.txt / print_cv.txt. Needs base R + glmnet only.

suppressPackageStartupMessages(library(glmnet))
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
source(file.path(dirname(script_file), "fixture_io.R"))
outdir <- commandArgs(trailingOnly = TRUE)[[1]]
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

write_nd <- function(a, path) {
  d <- dim(a)
  writeLines(fmt(aperm(a, rev(seq_along(d)))), path)
  writeLines(as.character(d), sub("\\.csv$", ".shape", path))
}

make_case <- function(name, family, seed, n = 160, ntest = 80, p = 6, weights = FALSE) {
  set.seed(seed)
  x <- matrix(rnorm((n + ntest) * p), n + ntest, p)
  eta <- x[, 1] - 0.8 * x[, 2] + 0.5 * x[, 3]
  y <- switch(family,
    gaussian = eta + rnorm(n + ntest),
    binomial = rbinom(n + ntest, 1, 1 / (1 + exp(-eta))),
    poisson = rpois(n + ntest, exp(0.5 * eta)),
    multinomial = as.integer(cut(eta + rnorm(n + ntest), c(-Inf, -0.6, 0.6, Inf))) - 1L,
    mgaussian = cbind(eta + rnorm(n + ntest), -eta + rnorm(n + ntest)))
  tr <- 1:n; te <- (n + 1):(n + ntest)
  ytr <- if (is.matrix(y)) y[tr, ] else y[tr]
  yte <- if (is.matrix(y)) y[te, ] else y[te]
  w <- if (weights) runif(n + ntest, 0.5, 2) else rep(1, n + ntest)
  fit <- glmnet(x[tr, ], ytr, family = family, weights = w[tr])
  s <- fit$lambda[c(5, 15, 30)]
  dir <- file.path(outdir, name)
  dir.create(dir, showWarnings = FALSE)
  write_mat(x[tr, ], file.path(dir, "x_train.csv")); write_mat(x[te, ], file.path(dir, "x_test.csv"))
  write_mat(as.matrix(ytr), file.path(dir, "y_train.csv")); write_mat(as.matrix(yte), file.path(dir, "y_test.csv"))
  write_vec(w[tr], file.path(dir, "w_train.txt")); write_vec(w[te], file.path(dir, "w_test.txt"))
  write_vec(s, file.path(dir, "s.txt"))
  writeLines(family, file.path(dir, "family.txt"))
  pred <- predict(fit, newx = x[te, ], s = s)
  if (length(dim(pred)) == 3) write_nd(pred, file.path(dir, "pred.csv")) else write_mat(pred, file.path(dir, "pred.csv"))
  # the printouts, without R's "Call:" lines (glmlx prints its own header)
  writeLines(capture.output(print(fit))[-(1:3)], file.path(dir, "print_fit.txt"))
  cv <- cv.glmnet(x[tr, ], ytr, family = family, weights = w[tr], foldid = rep(1:4, length.out = n))
  writeLines(capture.output(print(cv))[-(1:3)], file.path(dir, "print_cv.txt"))
  a <- assess.glmnet(fit, newx = x[te, ], newy = yte, weights = if (weights) w[te] else NULL, s = s)
  for (m in names(a)) write_vec(a[[m]], file.path(dir, paste0("assess_", m, ".txt")))
  if (family == "binomial") {
    r <- roc.glmnet(fit, newx = x[te, ], newy = yte, s = s)
    for (j in seq_along(r)) write_mat(r[[j]], file.path(dir, paste0("roc_", j, ".csv")))
  }
  if (family %in% c("binomial", "multinomial")) {
    cm <- confusion.glmnet(fit, newx = x[te, ], newy = yte, s = s)
    for (j in seq_along(cm)) {
      tab <- unclass(cm[[j]])
      write_mat(matrix(as.numeric(tab), nrow(tab)), file.path(dir, paste0("confusion_", j, ".csv")))
      writeLines(rownames(tab), file.path(dir, paste0("confusion_", j, "_rows.txt")))
      writeLines(colnames(tab), file.path(dir, paste0("confusion_", j, "_cols.txt")))
    }
  }
}

make_case("gaussian", "gaussian", 1)
make_case("gaussian_weights", "gaussian", 2, weights = TRUE)
make_case("binomial", "binomial", 3)
make_case("binomial_weights", "binomial", 4, weights = TRUE)
make_case("poisson", "poisson", 5)
make_case("multinomial", "multinomial", 6)
make_case("mgaussian", "mgaussian", 7)
