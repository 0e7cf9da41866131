# Reference values for the ordinal invariance gate of invariance.csv: the scalar model
# (and the partial scalar model) tested against the configural model, the comparison the
# gate reads for scales of up to 7 points.
#
# Run from the repository root:  Rscript tests/reference/wlsmv_gate.R
# (after Rscript tests/reference/wlsmv_fixtures.R). Prints Python literals pasted into
# tests/statistics/test_ordinal_invariance.py. Checked with lavaan 0.6-14.
suppressPackageStartupMessages(library(lavaan))

py <- function(name, x) {
  cat(name, " = [", paste(formatC(as.numeric(x), digits = 12, format = "g"), collapse = ", "),
      "]\n", sep = "")
}

fit_of <- function(x, items, equal, partial = character()) {
  m <- paste("f =~", paste(items, collapse = " + "))
  # R: cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV",
  #        parameterization = "delta", std.lv = FALSE, group.equal = ..., group.partial = ...)
  cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV", parameterization = "delta",
      std.lv = FALSE, group.equal = equal, group.partial = partial)
}

gate_block <- function(x, items, tag, partial = NULL) {
  configural <- fit_of(x, items, "")
  models <- list(SCALAR = fit_of(x, items, c("loadings", "thresholds")))
  if (!is.null(partial)) {
    models$PARTIAL <- fit_of(x, items, c("loadings", "thresholds"), partial)
  }
  for (name in names(models)) {
    # R: lavTestLRT(configural, model)[2, c("Chisq diff", "Df diff", "Pr(>Chisq)")]
    lrt <- lavTestLRT(configural, models[[name]])
    delta <- fitMeasures(models[[name]], c("cfi.scaled", "rmsea.scaled")) -
      fitMeasures(configural, c("cfi.scaled", "rmsea.scaled"))
    py(sprintf("%s_%s_VS_CONFIGURAL", tag, name),
       c(lrt[2, "Chisq diff"], lrt[2, "Df diff"], lrt[2, "Pr(>Chisq)"], delta))
  }
}

d <- read.csv(file.path("tests", "reference", "data", "wlsmv_synthetic.csv"))
a <- paste0("a", 1:5)
b <- paste0("b", 1:4)
gate_block(d[complete.cases(d[, a]), c("wave", a)], a, "A")
gate_block(d[complete.cases(d[, b]), c("wave", b)], b, "B", partial = paste0("b2|t", 1:5))
cat("# columns: chi2_diff, df_diff, p_diff, delta_cfi, delta_rmsea\n")
