# Reference values for the ordinal (WLSMV) engine: polychorics, weights, and the
# configural / metric / scalar multi-group models with their difference tests.
#
# Run from the repository root:  Rscript tests/reference/wlsmv.R
# (after Rscript tests/reference/wlsmv_fixtures.R). Prints Python literals that are
# pasted into tests/statistics/test_polychoric.py and tests/statistics/test_wlsmv.py.
# Checked with lavaan 0.6-14.
suppressPackageStartupMessages(library(lavaan))
options(width = 200)

py <- function(name, x) {
  cat(name, " = [", paste(formatC(as.numeric(x), digits = 12, format = "g"), collapse = ", "),
      "]\n", sep = "")
}

complete_construct <- function(d, items) {
  x <- d[complete.cases(d[, items]), c("wave", items)]
  x
}

polychoric_block <- function(x, items, tag) {
  # R: lavCor(x, ordered = items, group = "wave", output = "fit")
  fit <- lavCor(x, ordered = items, group = "wave", output = "fit")
  ss <- lavInspect(fit, "sampstat")
  # lavCor's fit (estimator two.step) has no weight matrix in lavaan 0.6-14: take the
  # weights from the configural WLSMV fit, whose sample statistics are the same.
  # R: lavInspect(cfa(..., estimator = "WLSMV"), "wls.v") and (..., "gamma")
  m <- paste("f =~", paste(items, collapse = " + "))
  cfit <- cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV")
  wv <- lavInspect(cfit, "wls.v")
  gm <- lavInspect(cfit, "gamma")
  for (g in names(ss)) {
    r <- ss[[g]]$cov
    py(sprintf("%s_%s_TH", tag, g), ss[[g]]$th)
    py(sprintf("%s_%s_COR", tag, g), r[lower.tri(r)])  # column-wise lower triangle
    py(sprintf("%s_%s_WLSV", tag, g), diag(wv[[g]]))
    py(sprintf("%s_%s_GAMMA_ROW1", tag, g), gm[[g]][1, ])
    py(sprintf("%s_%s_GAMMA_LASTROW", tag, g), gm[[g]][nrow(gm[[g]]), ])
    cat(sprintf("%s_%s_N = %d\n", tag, g, lavInspect(fit, "nobs")[match(g, names(ss))]))
  }
}

model_block <- function(x, items, tag) {
  m <- paste("f =~", paste(items, collapse = " + "))
  fits <- list()
  equal <- list(configural = "", metric = "loadings", scalar = c("loadings", "thresholds"))
  for (name in names(equal)) {
    # R: cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV",
    #        parameterization = "delta", std.lv = FALSE, group.equal = ...)
    fits[[name]] <- cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV",
                        parameterization = "delta", std.lv = FALSE,
                        group.equal = equal[[name]])
    fm <- fitMeasures(fits[[name]], c("chisq", "df", "chisq.scaled", "cfi.scaled",
                                      "rmsea.scaled", "srmr", "baseline.chisq",
                                      "baseline.chisq.scaled", "baseline.df"))
    py(sprintf("%s_%s_FIT", tag, toupper(name)), fm)
  }
  # R: lavTestLRT(previous, model)  (method "satorra.2000", scaled.shifted)
  for (pair in list(c("configural", "metric"), c("metric", "scalar"))) {
    lrt <- lavTestLRT(fits[[pair[1]]], fits[[pair[2]]])
    py(sprintf("%s_%s_LRT", tag, toupper(pair[2])),
       c(lrt[2, "Chisq diff"], lrt[2, "Df diff"], lrt[2, "Pr(>Chisq)"]))
  }
  cat(sprintf("# fit columns: %s\n# LRT columns: chi2_diff, df_diff, p_diff\n",
              "chisq, df, chisq.scaled, cfi.scaled, rmsea.scaled, srmr, baseline.chisq, baseline.chisq.scaled, baseline.df"))
}

d <- read.csv(file.path("tests", "reference", "data", "wlsmv_synthetic.csv"))
a <- paste0("a", 1:5)
b <- paste0("b", 1:4)
xa <- complete_construct(d, a)
xb <- complete_construct(d, b)
cat("# complete cases: a", nrow(xa), "b", nrow(xb), "\n")
polychoric_block(xa, a, "A")
polychoric_block(xb, b, "B")
model_block(xa, a, "A")
model_block(xb, b, "B")

# Empty category: b3 = 1 nobody in w3. lavaan refuses equal thresholds there, so the
# reference collapses category 1 into 2 for b3 in every wave (what folge does).
e <- read.csv(file.path("tests", "reference", "data", "wlsmv_empty_category.csv"))
xe <- complete_construct(e, b)
xe$b3[xe$b3 == 1] <- 2L
model_block(xe, b, "E")

# Score tests (modification indices) of the equality constraints, for partial invariance.
score_block <- function(x, items, tag) {
  m <- paste("f =~", paste(items, collapse = " + "))
  for (ge in list(metric = "loadings", scalar = c("loadings", "thresholds"))) {
    fit <- cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV",
               parameterization = "delta", std.lv = FALSE, group.equal = ge)
    name <- if (length(ge) == 1) "METRIC" else "SCALAR"
    # R: lavTestScore(fit)$uni$X2 (lavaan warns that this is the ordinary score test)
    sc <- suppressWarnings(lavTestScore(fit))
    py(sprintf("%s_%s_SCORE_UNI", tag, name), sc$uni$X2)
    py(sprintf("%s_%s_SCORE_TOTAL", tag, name), c(sc$test$X2, sc$test$df))
  }
  # R: lavTestScore(scalar, release = <all constraints of one item's thresholds>)$test
  eq <- parTable(fit)[parTable(fit)$op == "==", ]
  lab <- parTable(fit)[match(eq$lhs, parTable(fit)$plabel), ]
  for (it in items) {
    idx <- which(lab$lhs == it & lab$op == "|")
    res <- suppressWarnings(lavTestScore(fit, release = idx, univariate = FALSE))$test
    py(sprintf("%s_SCALAR_RELEASE_%s_THRESHOLDS", tag, it), c(res$X2, res$df))
  }
}
score_block(xb, b, "B")

# Partial invariance: b2's thresholds (and then also b3's loading) free across waves.
partial_block <- function(x, items, tag) {
  m <- paste("f =~", paste(items, collapse = " + "))
  metric <- cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV",
                parameterization = "delta", std.lv = FALSE, group.equal = "loadings")
  partials <- list(B2 = paste0("b2|t", 1:5), B2_B3 = c(paste0("b2|t", 1:5), "f=~b3"))
  for (name in names(partials)) {
    # R: cfa(..., group.equal = c("loadings", "thresholds"), group.partial = ...);
    #    lavTestLRT(metric, partial)
    fit <- cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV",
               parameterization = "delta", std.lv = FALSE,
               group.equal = c("loadings", "thresholds"), group.partial = partials[[name]])
    lrt <- lavTestLRT(metric, fit)
    py(sprintf("%s_PARTIAL_%s", tag, name),
       c(fitMeasures(fit, c("chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr")),
         lrt[2, "Chisq diff"], lrt[2, "Df diff"], lrt[2, "Pr(>Chisq)"]))
  }
}
partial_block(xb, b, "B")
