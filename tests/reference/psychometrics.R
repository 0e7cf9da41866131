# Prints the reference values held by tests/statistics/test_reliability.py,
# test_cfa.py and test_invariance.py.
#
# Run from the repository root:  Rscript tests/reference/psychometrics.R
# Reads only the CSV fixtures in tests/reference/data/ (written by
# psychometrics_fixtures.R), so Python and R see identical data.
# Produced with R 4.2.2, psych 2.2.9, lavaan 0.6-14, semTools 0.5-6.

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(semTools)
})

data_dir <- file.path("tests", "reference", "data")
show <- function(label, x) {
  cat(sprintf("%-44s %s\n", label, paste(sprintf("%.10f", x), collapse = " ")))
}
fit_line <- function(label, fit) {
  show(label, fitMeasures(fit, c("chisq", "df", "cfi", "rmsea", "srmr")))
}
alpha_block <- function(label, x) {
  x <- na.omit(x)
  a <- psych::alpha(x, warnings = FALSE)
  ci <- psych:::alpha.ci(a$total$raw_alpha, nrow(x), ncol(x), p.val = 0.05)
  cat("\n##", label, " psych::alpha(na.omit(x)), n =", nrow(x), "\n")
  show("raw_alpha", a$total$raw_alpha)
  show("Feldt 95% CI (lower, upper)", c(ci$lower.ci, ci$upper.ci))
  show("r.drop", a$item.stats$r.drop)
  show("alpha.drop$raw_alpha", a$alpha.drop$raw_alpha)
}
omega_block <- function(label, x) {
  model <- paste("f =~", paste(colnames(x), collapse = " + "))
  fit <- lavaan::cfa(model, data = x, std.lv = TRUE)
  cat("\n##", label, " cfa(std.lv = TRUE); semTools::compRelSEM(fit, obs.var = FALSE)\n")
  show("omega", semTools::compRelSEM(fit, obs.var = FALSE))
  show("loadings", lavaan::coef(fit)[1:ncol(x)])
}
invariance_block <- function(label, model, data, group) {
  cat("\n##", label, " cfa(model, group =", group, ", group.equal = ...)\n")
  fits <- list(
    configural = lavaan::cfa(model, data = data, group = group),
    metric = lavaan::cfa(model, data = data, group = group, group.equal = "loadings"),
    scalar = lavaan::cfa(model, data = data, group = group,
                         group.equal = c("loadings", "intercepts")))
  for (m in names(fits)) fit_line(paste(m, "(chisq df cfi rmsea srmr)"), fits[[m]])
  # the ML difference tests of invariance.csv (chi2_diff, df_diff, p_diff)
  for (m in c("metric", "scalar")) {
    previous <- if (m == "metric") fits$configural else fits$metric
    lrt <- lavaan::lavTestLRT(previous, fits[[m]])
    cat(m, "lavTestLRT (Chisq diff, Df diff, Pr(>Chisq)):",
        sprintf("%.10g", c(lrt[2, "Chisq diff"], lrt[2, "Df diff"], lrt[2, "Pr(>Chisq)"])), "\n")
  }
}

# --- psych::bfi agreeableness, A1 reversed (7 - A1) -------------------------------
bfi <- read.csv(file.path(data_dir, "bfi_agreeableness.csv"))
agree <- bfi[, paste0("A", 1:5)]
agree$A1 <- 7 - agree$A1
alpha_block("bfi A1r-A5", agree)
cat("item n, mean, sd on available answers\n")
show("n", colSums(!is.na(agree)))
show("mean", colMeans(agree, na.rm = TRUE))
show("sd", apply(agree, 2, sd, na.rm = TRUE))
omega_block("bfi A1r-A5 (listwise)", na.omit(agree))

# --- Holzinger & Swineford (1939) ---------------------------------------------------
hs <- read.csv(file.path(data_dir, "holzinger_swineford_1939.csv"))
hs_model <- "visual =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed =~ x7 + x8 + x9"
hs_fit <- lavaan::cfa(hs_model, data = hs)
cat("\n## HS 3-factor  lavaan::cfa(hs_model, data = hs)\n")
fit_line("chisq df cfi rmsea srmr", hs_fit)
show("free estimates (lavaan order)", lavaan::coef(hs_fit))
invariance_block("HS by school", hs_model, hs, "school")
omega_block("HS visual x1-x3", hs[, c("x1", "x2", "x3")])

# --- synthetic three-wave fixture ---------------------------------------------------
syn <- read.csv(file.path(data_dir, "synthetic_waves.csv"))
syn$lc3 <- 6 - syn$lc3
lc <- syn[, paste0("lc", 1:5)]
alpha_block("synthetic lc1-lc5 (lc3 reversed)", lc)
cat("item n, mean, sd on available answers\n")
show("n", colSums(!is.na(lc)))
show("mean", colMeans(lc, na.rm = TRUE))
show("sd", apply(lc, 2, sd, na.rm = TRUE))
omega_block("synthetic lc (listwise)", na.omit(lc))
complete_lc <- syn[complete.cases(syn[, paste0("lc", 1:5)]), c("wave", paste0("lc", 1:5))]
invariance_block("synthetic lc by wave", "f =~ lc1 + lc2 + lc3 + lc4 + lc5", complete_lc, "wave")
complete_tr <- syn[complete.cases(syn[, paste0("tr", 1:5)]), c("wave", paste0("tr", 1:5))]
invariance_block("synthetic tr by wave (planted shift)", "f =~ tr1 + tr2 + tr3 + tr4 + tr5",
                 complete_tr, "wave")
cat("complete cases: lc", nrow(complete_lc), " tr", nrow(complete_tr), "\n")

# --- Heywood case: negative residual variance kept, not constrained -------------------
hey <- read.csv(file.path(data_dir, "heywood.csv"))
hey_fit <- suppressWarnings(lavaan::cfa("f =~ h1 + h2 + h3 + h4", data = hey))
cat("\n## Heywood  lavaan::cfa('f =~ h1 + h2 + h3 + h4', data = hey)\n")
fit_line("chisq df cfi rmsea srmr", hey_fit)
pe <- lavaan::parameterEstimates(hey_fit)
show("residual variances h1-h4", pe$est[pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs != "f"])
hey_std <- suppressWarnings(lavaan::cfa("f =~ h1 + h2 + h3 + h4", data = hey, std.lv = TRUE))
show("omega compRelSEM(obs.var = FALSE)", semTools::compRelSEM(hey_std, obs.var = FALSE))
