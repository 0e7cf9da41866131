# Writes the synthetic panel fixture read by tests/statistics/test_longitudinal_invariance.py
# and by tests/reference/wlsmv_panel.R.
#
# Run from the repository root:  Rscript tests/reference/wlsmv_panel_fixture.R
#
# 250 people asked in three waves ("w1", "w2", "w3") about two constructs on a 5-point
# scale (1-5), in long form (one row per person and wave answered): i1-i4, invariant,
# and j1-j4, the same model except that j2's thresholds are shifted up by 0.7 in w3 (a
# planted failure of scalar invariance, for partial invariance).
# The same people answer again, so the waves are not independent groups: each wave's
# factor correlates with the next (.7) and each item keeps a person-specific unique part
# across waves (the residual covariance the longitudinal model estimates). The latent
# mean rises by .2 a wave; the measurement model is the same in every wave.
# About 30 % of the people skip one wave (no row), and 2 % of the item answers are
# missing completely at random.
set.seed(20261203)
out <- file.path("tests", "reference", "data")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

n <- 250
waves <- c("w1", "w2", "w3")
lambda <- c(0.75, 0.7, 0.65, 0.8)
unique_share <- 0.35  # part of each item's residual variance that persists across waves
thresholds <- list(c(-1.6, -0.6, 0.3, 1.3), c(-1.5, -0.5, 0.4, 1.4),
                   c(-1.7, -0.8, 0.2, 1.0), c(-1.4, -0.5, 0.5, 1.5))
phi <- outer(1:3, 1:3, function(s, t) 0.7^abs(s - t))
eta <- matrix(rnorm(n * 3), n) %*% chol(phi) + matrix(c(0, 0.2, 0.4), n, 3, byrow = TRUE)
eta_j <- matrix(rnorm(n * 3), n) %*% chol(phi) + matrix(c(0, 0.2, 0.4), n, 3, byrow = TRUE)
persistent <- matrix(rnorm(n * 4), n)
persistent_j <- matrix(rnorm(n * 4), n)

answers <- function(eta_t, persistent, shift) {
  ystar <- outer(eta_t, lambda)
  for (j in 1:4) {
    e <- 1 - lambda[j]^2
    ystar[, j] <- ystar[, j] + sqrt(unique_share * e) * persistent[, j] +
      sqrt((1 - unique_share) * e) * rnorm(n)
  }
  sapply(1:4, function(j) findInterval(ystar[, j], thresholds[[j]] + shift[j]) + 1L)
}
rows <- list()
for (t in seq_along(waves)) {
  y <- answers(eta[, t], persistent, rep(0, 4))
  colnames(y) <- paste0("i", 1:4)
  z <- answers(eta_j[, t], persistent_j, c(0, if (t == 3) 0.7 else 0, 0, 0))
  colnames(z) <- paste0("j", 1:4)
  rows[[t]] <- data.frame(respondent = sprintf("p%03d", seq_len(n)), wave = waves[t], y, z)
}
d <- do.call(rbind, rows)
skip <- sample(c(NA, seq_along(waves)), n, replace = TRUE, prob = c(0.7, 0.1, 0.1, 0.1))
skipped <- paste(sprintf("p%03d", seq_len(n)), waves[skip])[!is.na(skip)]
d <- d[!(paste(d$respondent, d$wave) %in% skipped), ]
for (col in c(paste0("i", 1:4), paste0("j", 1:4))) {
  d[[col]][runif(nrow(d)) < 0.02] <- NA
}
d <- d[order(d$respondent, d$wave), ]
# every category of every item is chosen in every wave (equal thresholds need them)
for (col in c(paste0("i", 1:4), paste0("j", 1:4))) {
  stopifnot(all(table(d$wave, d[[col]]) > 0))
}
write.csv(d, file.path(out, "wlsmv_panel.csv"), row.names = FALSE, na = "")
cat("people", length(unique(d$respondent)), "rows", nrow(d),
    "skipping a wave", sum(!is.na(skip)), "\n")
print(table(d$wave))
