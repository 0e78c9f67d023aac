# Text output shared by the fixture scripts (glmnet_fixtures.R, glmnet_glm_fixtures.R):
# 17 significant digits, no headers; scripts/pack_fixtures.py reads it back.

fmt <- function(x) trimws(formatC(as.numeric(x), digits = 17, format = "g"))

# Matrix: rows written as comma-separated lines, no header.
write_mat <- function(m, path) {
  m <- as.matrix(m)
  lines <- apply(m, 1, function(r) paste(fmt(r), collapse = ","))
  writeLines(lines, path)
}
# Vector / scalar: one value per line.
write_vec <- function(v, path) writeLines(fmt(v), path)

fmt_param <- function(v) {
  if (is.null(v)) return("NULL")
  if (is.logical(v)) return(if (v) "TRUE" else "FALSE")
  if (is.numeric(v)) return(fmt(v))
  as.character(v)
}

write_params <- function(params, path) {
  lines <- vapply(names(params), function(k) paste0(k, "=", fmt_param(params[[k]])), "")
  writeLines(lines, path)
}
