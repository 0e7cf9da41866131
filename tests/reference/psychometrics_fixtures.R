# Writes the CSV fixtures read by tests/statistics/ and by psychometrics.R.
#
# Run from the repository root:  Rscript tests/reference/psychometrics_fixtures.R
# Needs: psych (for bfi) and lavaan (for HolzingerSwineford1939). Published data are
# exported unchanged; the synthetic fixture is generated here with a fixed seed.

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
})

out <- file.path("tests", "reference", "data")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# psych::bfi, agreeableness items A1-A5 as published (A1 is negatively keyed;
# the tests reverse it as 7 - A1). Missing answers are written as empty cells.
bfi_a <- data.frame(respondent = rownames(psych::bfi), psych::bfi[, paste0("A", 1:5)])
write.csv(bfi_a, file.path(out, "bfi_agreeableness.csv"), row.names = FALSE, na = "")

# Holzinger & Swineford (1939), as shipped with lavaan.
hs <- lavaan::HolzingerSwineford1939
write.csv(hs, file.path(out, "holzinger_swineford_1939.csv"), row.names = FALSE, na = "")

# Synthetic three-wave survey on a 1-5 agreement scale.
#   lc1-lc5: one construct, the same measurement model in every wave; lc3 is
#            negatively keyed (stored as answered, so the caller reverses it 6 - lc3).
#   tr1-tr5: one construct whose item tr2 has its intercept raised by 1.2 scale
#            points in the last wave only (a planted failure of scalar invariance).
# About 6 % of the item answers are missing completely at random.
set.seed(20150301)
waves <- c("2015-1", "2017-1", "2019-1")
n_per_wave <- 240
latent_mean <- c(0, 0.25, 0.5)
one_construct <- function(eta, loadings, intercepts, residual_sd) {
  x <- outer(eta, loadings) + matrix(intercepts, length(eta), length(loadings), byrow = TRUE)
  x <- x + matrix(rnorm(length(x), sd = rep(residual_sd, each = length(eta))), length(eta))
  pmin(pmax(round(x), 1), 5)
}
rows <- list()
for (w in seq_along(waves)) {
  eta_lc <- rnorm(n_per_wave, latent_mean[w], 1)
  eta_tr <- rnorm(n_per_wave, latent_mean[w] / 2, 1)
  lc <- one_construct(eta_lc, c(0.9, 0.8, -0.7, 0.85, 0.6), c(3.2, 3.0, 2.9, 3.1, 3.3),
                      c(0.7, 0.75, 0.8, 0.7, 0.85))
  tr_int <- c(3.0, 2.8, 3.1, 2.9, 3.2)
  if (w == length(waves)) tr_int[2] <- tr_int[2] + 1.2
  tr <- one_construct(eta_tr, c(0.8, 0.9, 0.75, 0.7, 0.85), tr_int,
                      c(0.7, 0.7, 0.75, 0.8, 0.7))
  colnames(lc) <- paste0("lc", 1:5)
  colnames(tr) <- paste0("tr", 1:5)
  rows[[w]] <- data.frame(respondent = sprintf("r%03d-%d", seq_len(n_per_wave), w),
                          wave = waves[w], lc, tr)
}
synth <- do.call(rbind, rows)
item_cols <- c(paste0("lc", 1:5), paste0("tr", 1:5))
for (col in item_cols) {
  synth[[col]][runif(nrow(synth)) < 0.06] <- NA
}
write.csv(synth, file.path(out, "synthetic_waves.csv"), row.names = FALSE, na = "")
cat("wrote", nrow(bfi_a), "bfi rows,", nrow(hs), "HS rows,", nrow(synth), "synthetic rows\n")

# A one-factor Heywood case: four items whose correlations imply a loading above 1 for
# h1 (r12 * r13 / r23 = 1.28), so ML estimates a negative residual variance for h1.
set.seed(1987)
heywood_cor <- matrix(c(1.00, 0.80, 0.80, 0.60,
                        0.80, 1.00, 0.50, 0.45,
                        0.80, 0.50, 1.00, 0.45,
                        0.60, 0.45, 0.45, 1.00), 4, 4)
heywood <- MASS::mvrnorm(200, mu = c(3, 3, 3, 3), Sigma = heywood_cor, empirical = TRUE)
colnames(heywood) <- paste0("h", 1:4)
write.csv(round(as.data.frame(heywood), 6), file.path(out, "heywood.csv"), row.names = FALSE)
