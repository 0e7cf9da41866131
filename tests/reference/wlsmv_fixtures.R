# Writes the synthetic ordinal fixtures read by tests/statistics/test_polychoric.py,
# tests/statistics/test_wlsmv.py and by tests/reference/wlsmv.R.
#
# Run from the repository root:  Rscript tests/reference/wlsmv_fixtures.R
#
# Four waves of a survey with two constructs answered on ordinal scales:
#   a1-a5  5-point scale (1-5). In wave "w2" category 1 of a1 is very rare (a sparse
#          category: one or two answers). The same measurement model in every wave.
#   b1-b4  6-point scale (1-6). In wave "w4" the thresholds of b2 are shifted up by
#          0.6 (a planted failure of scalar invariance).
# About 2 % of the item answers are missing completely at random (listwise deletion
# per construct). A second file drops every answer 1 of b3 in wave "w3" to 2, so that
# category is empty in one wave (the collapse case).
set.seed(20261202)
out <- file.path("tests", "reference", "data")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

waves <- c("w1", "w2", "w3", "w4")
n_wave <- c(180, 240, 210, 300)
eta_mean <- c(0, 0.15, 0.3, 0.45)
eta_sd <- c(1, 1.1, 0.9, 1.05)

cut_items <- function(eta, loadings, thresholds) {
  # y* = lambda * eta + e with Var(e) = 1 - lambda^2 (unit y* variance at eta ~ N(0, 1))
  n <- length(eta)
  ystar <- outer(eta, loadings) +
    matrix(rnorm(n * length(loadings)), n) %*% diag(sqrt(1 - loadings^2))
  sapply(seq_along(loadings), function(j) findInterval(ystar[, j], thresholds[[j]]) + 1L)
}

th_a <- list(c(-1.8, -0.7, 0.3, 1.4), c(-1.6, -0.5, 0.4, 1.5), c(-1.7, -0.9, 0.2, 0.9),
             c(-1.5, -0.6, 0.5, 1.6), c(-1.7, -0.4, 0.6, 1.5))
th_b <- list(c(-1.9, -1.0, -0.2, 0.6, 1.5), c(-1.7, -0.9, 0.0, 0.8, 1.7),
             c(-2.0, -1.1, -0.3, 0.5, 1.3), c(-1.8, -0.8, 0.1, 0.9, 1.6))
lam_a <- c(0.75, 0.7, 0.65, 0.8, 0.6)
lam_b <- c(0.7, 0.8, 0.6, 0.75)

rows <- list()
for (w in seq_along(waves)) {
  n <- n_wave[w]
  eta_a <- rnorm(n, eta_mean[w], eta_sd[w])
  eta_b <- rnorm(n, eta_mean[w] / 2, 1)
  ta <- th_a
  if (waves[w] == "w2") ta[[1]][1] <- -2.3  # a1 category 1: under 1 % of answers
  tb <- th_b
  if (waves[w] == "w4") tb[[2]] <- tb[[2]] + 0.6
  a <- cut_items(eta_a, lam_a, ta)
  b <- cut_items(eta_b, lam_b, tb)
  colnames(a) <- paste0("a", 1:5)
  colnames(b) <- paste0("b", 1:4)
  rows[[w]] <- data.frame(respondent = sprintf("p%04d-%s", seq_len(n), waves[w]),
                          wave = waves[w], a, b)
}
d <- do.call(rbind, rows)
for (col in c(paste0("a", 1:5), paste0("b", 1:4))) {
  d[[col]][runif(nrow(d)) < 0.02] <- NA
}
# lavaan needs every category of an item observed in every wave for equal thresholds
for (col in c(paste0("a", 1:5), paste0("b", 1:4))) {
  stopifnot(all(table(d$wave, d[[col]]) > 0))
}
write.csv(d, file.path(out, "wlsmv_synthetic.csv"), row.names = FALSE, na = "")

empty <- d
empty$b3[empty$wave == "w3" & !is.na(empty$b3) & empty$b3 == 1] <- 2L
write.csv(empty, file.path(out, "wlsmv_empty_category.csv"), row.names = FALSE, na = "")
print(table(d$wave, d$a1))
print(table(empty$wave, empty$b3))
