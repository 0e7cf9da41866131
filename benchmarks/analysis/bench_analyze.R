# The R side of benchmarks/analysis/bench_analyze.py: the analyses of `folge analyze`
# with the R packages DESIGN.md checks against, on the same answers.
#
# Usage: Rscript bench_analyze.R r-input.csv [icc=fast|aov]
# Input: one wide CSV (respondent, region, wave, role, c01_1 ... c12_5; raw codes, 9 =
# "don't know", items 4 and 5 of each construct reverse keyed).
# Prints one JSON line: read_seconds, seconds (everything after reading), steps.
#
# Work per construct (12) and wave (10), as folge does it:
#   keying + scores (mean of answered items, at least 4 of 5);
#   psych::alpha(na.omit(x)); omega = semTools::compRelSEM(lavaan::cfa(std.lv = TRUE));
#   ICC1/ICC2 of score by region; multilevel::rwg.j and ad.m by region (complete cases);
#   lme4::lmer(score ~ wave_index + (1 | region), REML = TRUE) per construct;
#   lavaan::cfa(group = "wave") configural, metric, scalar per construct;
#   t.test Welch and paired per construct x scope (national, each region) x comparison.
# ICC: multilevel::ICC1/ICC2 take an aov() fit; with 400 regions and 100,000 scores one
# aov() took 57 s on the benchmark machine (about two hours for 120), so the default
# (icc=fast) computes the same one-way ANOVA mean squares with tapply and applies
# multilevel's formulas, which only makes R faster. icc=aov runs multilevel::ICC1(aov(...)).

suppressPackageStartupMessages({
  library(data.table); library(psych); library(multilevel); library(lme4)
  library(lavaan); library(semTools)
})
args <- commandArgs(trailingOnly = TRUE)
icc_mode <- if (length(args) > 1) sub("icc=", "", args[2]) else "fast"
steps <- list()
tick <- function(name, expr) {
  t0 <- proc.time()[["elapsed"]]
  force(expr)
  steps[[name]] <<- proc.time()[["elapsed"]] - t0
  invisible(NULL)
}

t0 <- proc.time()[["elapsed"]]
d <- fread(args[1], colClasses = list(character = c("respondent", "region", "wave", "role")))
read_seconds <- proc.time()[["elapsed"]] - t0
start <- proc.time()[["elapsed"]]

constructs <- sprintf("c%02d", 1:12)
waves <- sort(unique(d$wave))
items_of <- function(c) sprintf("%s_%d", c, 1:5)

tick("keying_scores", {
  for (c in constructs) {
    for (i in 1:5) {
      col <- sprintf("%s_%d", c, i)
      x <- d[[col]]
      x[x == 9] <- NA
      if (i >= 4) x <- 6L - x
      set(d, j = col, value = x)
    }
    x <- as.matrix(d[, items_of(c), with = FALSE])
    answered <- rowSums(!is.na(x))
    s <- rowMeans(x, na.rm = TRUE)
    s[answered < 4] <- NA
    set(d, j = paste0("score_", c), value = s)
  }
  d[, wave_index := match(wave, waves) - 1]
})

by_wave <- split(seq_len(nrow(d)), d$wave)

tick("alpha", for (c in constructs) for (w in waves) {
  x <- na.omit(as.data.frame(d[by_wave[[w]], items_of(c), with = FALSE]))
  a <- suppressWarnings(psych::alpha(x, check.keys = FALSE, warnings = FALSE))
})

tick("omega", for (c in constructs) for (w in waves) {
  x <- na.omit(as.data.frame(d[by_wave[[w]], items_of(c), with = FALSE]))
  fit <- lavaan::cfa(paste("f =~", paste(items_of(c), collapse = " + ")), data = x, std.lv = TRUE)
  o <- semTools::compRelSEM(fit, obs.var = FALSE)
})

tick("icc", for (c in constructs) for (w in waves) {
  rows <- by_wave[[w]]
  y <- d[[paste0("score_", c)]][rows]
  g <- d$region[rows]
  ok <- !is.na(y)
  y <- y[ok]; g <- g[ok]
  if (icc_mode == "aov") {
    m <- aov(y ~ factor(g))
    i1 <- multilevel::ICC1(m); i2 <- multilevel::ICC2(m)
  } else {
    n_j <- tapply(y, g, length); m_j <- tapply(y, g, mean)
    J <- length(n_j); N <- length(y)
    msb <- sum(n_j * (m_j - mean(y))^2) / (J - 1)
    msw <- sum((y - m_j[g])^2) / (N - J)
    k <- N / J
    i1 <- (msb - msw) / (msb + (k - 1) * msw); i2 <- (msb - msw) / msb
  }
})

tick("rwg_ad", for (c in constructs) for (w in waves) {
  x <- as.data.frame(d[by_wave[[w]], c("region", items_of(c)), with = FALSE])
  x <- na.omit(x)
  r <- multilevel::rwg.j(x[, -1], x$region, ranvar = 2)
  a <- multilevel::ad.m(x[, -1], x$region, type = "mean")
})

tick("lmer", for (c in constructs) {
  fit <- lme4::lmer(as.formula(paste0("score_", c, " ~ wave_index + (1 | region)")), data = d, REML = TRUE)
  est <- summary(fit)$coefficients["wave_index", ]
})

tick("invariance", for (c in constructs) {
  x <- na.omit(as.data.frame(d[, c("wave", items_of(c)), with = FALSE]))
  model <- paste("f =~", paste(items_of(c), collapse = " + "))
  for (eq in list("", "loadings", c("loadings", "intercepts"))) {
    fit <- lavaan::cfa(model, data = x, group = "wave", group.equal = eq)
    fm <- lavaan::fitMeasures(fit, c("chisq", "df", "cfi", "rmsea", "srmr"))
  }
})

pairs <- rbind(cbind(waves[-length(waves)], waves[-1]),
               if (length(waves) > 2) cbind(waves[1], waves[3:length(waves)]))
tick("t_tests", for (c in constructs) {
  s <- d[!is.na(d[[paste0("score_", c)]]), c("respondent", "region", "wave", paste0("score_", c)), with = FALSE]
  setnames(s, 4, "score")
  scopes <- c(list(all = s), split(s, s$region))
  for (scope in scopes) {
    w <- split(scope, scope$wave)
    for (p in seq_len(nrow(pairs))) {
      a <- w[[pairs[p, 1]]]; b <- w[[pairs[p, 2]]]
      if (is.null(a) || is.null(b)) next
      if (nrow(a) >= 2 && nrow(b) >= 2) tt <- t.test(b$score, a$score)
      m <- merge(a, b, by = "respondent")
      if (nrow(m) >= 2) tp <- t.test(m$score.y, m$score.x, paired = TRUE)
    }
  }
})

seconds <- proc.time()[["elapsed"]] - start
cat(sprintf('{"read_seconds": %.2f, "seconds": %.2f, "icc": "%s", "steps": {%s}}\n', read_seconds, seconds,
            icc_mode, paste(sprintf('"%s": %.2f', names(steps), unlist(steps)), collapse = ", ")))
