# Reference values for the longitudinal ordinal (WLSMV) invariance model: one factor per
# wave in wide form, each item's residuals correlated across waves, pairwise-present data.
#
# Run from the repository root:  Rscript tests/reference/wlsmv_panel.R
# (after Rscript tests/reference/wlsmv_panel_fixture.R). Prints Python literals that are
# pasted into tests/statistics/test_longitudinal_invariance.py. Checked with lavaan 0.6-14.
# Construct I (i1-i4) is invariant; J (j1-j4) has j2's thresholds shifted in w3.
suppressPackageStartupMessages(library(lavaan))
options(width = 200)

py <- function(name, x) {
  cat(name, " = [", paste(formatC(as.numeric(x), digits = 12, format = "g"), collapse = ", "),
      "]\n", sep = "")
}

d <- read.csv(file.path("tests", "reference", "data", "wlsmv_panel.csv"))
waves <- sort(unique(d$wave))

# wide form: one row per person, column <item>_<wave number>, wave-major order
wide <- function(items) {
  w <- reshape(d[, c("respondent", "wave", items)], idvar = "respondent", timevar = "wave",
               direction = "wide", v.names = items)
  for (t in seq_along(waves)) for (it in items) {
    w[[sprintf("%s_%d", it, t)]] <- w[[sprintf("%s.%s", it, waves[t])]]
  }
  cols <- unlist(lapply(seq_along(waves), function(t) sprintf("%s_%d", items, t)))
  w <- w[, cols]
  w[rowSums(!is.na(w)) > 0, ]  # people with at least one answer to the construct
}

# The model for equal = "" (configural), "loadings" (metric) or c("loadings", "thresholds")
# (scalar). Loadings and thresholds are held equal across waves by labels; the first
# item's loading is 1 in every wave; latent means are 0 and scale factors 1, except that
# with equal thresholds both are free from the second wave on (lavaan's multi-group
# defaults for group.equal = "thresholds", written out for waves); `free` lists items
# whose thresholds are free across waves (partial invariance).
panel_model <- function(items, equal, free = character(0)) {
  lines <- character(0)
  for (t in seq_along(waves)) {
    terms <- sapply(seq_along(items), function(j) {
      if (j == 1) sprintf("1*%s_%d", items[j], t)
      else if ("loadings" %in% equal) sprintf("l%d*%s_%d", j, items[j], t)
      else sprintf("%s_%d", items[j], t)
    })
    lines <- c(lines, sprintf("f%d =~ %s", t, paste(terms, collapse = " + ")))
  }
  for (j in seq_along(items)) for (t in seq_along(waves)) for (s in seq_along(waves)) {
    if (s > t) lines <- c(lines, sprintf("%s_%d ~~ %s_%d", items[j], t, items[j], s))
  }
  if ("thresholds" %in% equal) {
    for (j in seq_along(items)) for (t in seq_along(waves)) {
      lab <- if (items[j] %in% free) sprintf("t%d_%d_", j, t) else sprintf("t%d_", j)
      lines <- c(lines, sprintf("%s_%d | %s", items[j], t,
                                paste(sprintf("%s%d*t%d", lab, 1:4, 1:4), collapse = " + ")))
    }
    for (t in seq_along(waves)[-1]) {
      lines <- c(lines, sprintf("f%d ~ NA*1", t))
      for (j in seq_along(items)) {
        lines <- c(lines, sprintf("%s_%d ~*~ NA*%s_%d", items[j], t, items[j], t))
      }
    }
  }
  paste(lines, collapse = "\n")
}

fit_panel <- function(x, items, equal, free = character(0)) {
  # R: cfa(model, x, ordered = names(x), estimator = "WLSMV", parameterization = "delta",
  #        missing = "pairwise")
  cfa(panel_model(items, equal, free), x, ordered = names(x), estimator = "WLSMV",
      parameterization = "delta", missing = "pairwise")
}

FIT <- c("chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr",
         "baseline.chisq", "baseline.chisq.scaled", "baseline.df")

panel_block <- function(items, tag) {
  x <- wide(items)
  fits <- list(configural = fit_panel(x, items, ""), metric = fit_panel(x, items, "loadings"),
               scalar = fit_panel(x, items, c("loadings", "thresholds")))
  # R: lavInspect(fit, "sampstat"), diag(lavInspect(fit, "wls.v")), lavInspect(fit, "gamma")
  ss <- lavInspect(fits$configural, "sampstat")
  py(sprintf("%s_TH", tag), ss$th)
  py(sprintf("%s_COR", tag), ss$cov[lower.tri(ss$cov)])  # column-wise lower triangle
  py(sprintf("%s_WLSV", tag), diag(lavInspect(fits$configural, "wls.v")))
  gm <- lavInspect(fits$configural, "gamma")
  py(sprintf("%s_GAMMA_ROW1", tag), gm[1, ])
  py(sprintf("%s_GAMMA_LASTROW", tag), gm[nrow(gm), ])
  cat(sprintf("%s_N = %d\n", tag, lavInspect(fits$configural, "nobs")))
  for (name in names(fits)) {
    py(sprintf("%s_%s_FIT", tag, toupper(name)), fitMeasures(fits[[name]], FIT))
  }
  # R: lavTestLRT(previous, model)  (method "satorra.2000", scaled.shifted)
  for (pair in list(c("configural", "metric"), c("metric", "scalar"), c("configural", "scalar"))) {
    lrt <- lavTestLRT(fits[[pair[1]]], fits[[pair[2]]])
    py(sprintf("%s_%s_VS_%s_LRT", tag, toupper(pair[2]), toupper(pair[1])),
       c(lrt[2, "Chisq diff"], lrt[2, "Df diff"], lrt[2, "Pr(>Chisq)"]))
  }
  fits
}

fits_i <- panel_block(paste0("i", 1:4), "I")

j <- paste0("j", 1:4)
fits_j <- panel_block(j, "J")
# Score tests for releasing one item's thresholds (or its loading) in every wave:
# R: lavTestScore(scalar, release = <the == rows of that item's labels>)$test
pt <- parTable(fits_j$scalar)
eq <- pt[pt$op == "==", ]
target <- pt[match(eq$rhs, pt$plabel), ]
for (it in j) {
  idx <- which(target$op == "|" & sub("_[0-9]+$", "", target$lhs) == it)
  res <- suppressWarnings(lavTestScore(fits_j$scalar, release = idx, univariate = FALSE))$test
  py(sprintf("J_SCALAR_RELEASE_%s_THRESHOLDS", toupper(it)), c(res$X2, res$df))
  idx <- which(target$op == "=~" & sub("_[0-9]+$", "", target$rhs) == it)
  if (length(idx) > 0) {
    res <- suppressWarnings(lavTestScore(fits_j$scalar, release = idx, univariate = FALSE))$test
    py(sprintf("J_SCALAR_RELEASE_%s_LOADING", toupper(it)), c(res$X2, res$df))
  }
}
# Partial invariance: j2's thresholds free across waves; against the configural model.
partial <- fit_panel(wide(j), j, c("loadings", "thresholds"), free = "j2")
lrt <- lavTestLRT(fits_j$configural, partial)
py("J_PARTIAL_J2_FIT", fitMeasures(partial, FIT))
py("J_PARTIAL_J2_VS_CONFIGURAL_LRT", c(lrt[2, "Chisq diff"], lrt[2, "Df diff"], lrt[2, "Pr(>Chisq)"]))
cat(sprintf("# fit columns: %s\n# LRT columns: chi2_diff, df_diff, p_diff\n", paste(FIT, collapse = ", ")))
