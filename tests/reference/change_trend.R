# Reference values for folge.statistics.change and folge.statistics.trend
# (tests/statistics/test_change.py, tests/statistics/test_trend.py).
# Run from the repository root:  Rscript tests/reference/change_trend.R
# Needs: lme4 (Debian: r-cran-lme4). Fixtures: aggregation_change_trend_fixtures.R.
suppressPackageStartupMessages(library(lme4))
options(digits = 12)
d <- "tests/reference/data"
show <- function(label, x) cat(sprintf("%-44s %s\n", label, paste(format(x, digits = 12), collapse = " ")))

# ---- change ---------------------------------------------------------------------------
chg <- read.csv(file.path(d, "change_synthetic.csv"))
a <- chg$score[chg$wave == 1]
b <- chg$score[chg$wave == 2]

# Welch: diff = mean(b) - mean(a)
tt <- t.test(b, a)
show("t.test(b, a) estimate", unname(tt$estimate[1] - tt$estimate[2]))
show("t.test(b, a) conf.int", tt$conf.int)
show("t.test(b, a) p", tt$p.value)
show("t.test(b, a) df", unname(tt$parameter))
tg <- t.test(b, a, alternative = "greater")
show("t.test(b, a, 'greater') conf.int", tg$conf.int)
show("t.test(b, a, 'greater') p", tg$p.value)
tl <- t.test(b, a, alternative = "less")
show("t.test(b, a, 'less') conf.int", tl$conf.int)
show("t.test(b, a, 'less') p", tl$p.value)

# Noncentral-t confidence limits for the noncentrality parameter, found independently
# with uniroot on pt(ncp = ): lower limit solves pt(t, df, ncp) = 1 - alpha_lower etc.
ncp_limit <- function(t, df, prob) {
  f <- function(ncp) pt(t, df, ncp = ncp) - prob
  uniroot(f, c(t - 4, t + 4), tol = 1e-11)$root
}

# Hedges' g: pooled SD, exact small-sample correction J = G(df/2) / (sqrt(df/2) G((df-1)/2)).
n1 <- length(a); n2 <- length(b); df <- n1 + n2 - 2
sp <- sqrt(((n1 - 1) * var(a) + (n2 - 1) * var(b)) / df)
dd <- (mean(b) - mean(a)) / sp
J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
s <- sqrt(1 / n1 + 1 / n2)
tobs <- dd / s
show("pooled-SD d", dd)
show("J", J)
show("hedges g = J * d", J * dd)
show("d CI (95%, uniroot on pt(ncp=))", c(ncp_limit(tobs, df, 0.975), ncp_limit(tobs, df, 0.025)) * s)
show("d one-sided lower 95% (greater)", ncp_limit(tobs, df, 0.95) * s)
show("d one-sided upper 95% (less)", ncp_limit(tobs, df, 0.05) * s)
show("d CI (90%)", c(ncp_limit(tobs, df, 0.95), ncp_limit(tobs, df, 0.05)) * s)

# Paired: respondents present in both waves; diff = after - before.
w1 <- chg[chg$wave == 1, c("respondent", "score")]
w2 <- chg[chg$wave == 2, c("respondent", "score")]
m <- merge(w1, w2, by = "respondent", suffixes = c(".before", ".after"))
tp <- t.test(m$score.after, m$score.before, paired = TRUE)
show("paired n", nrow(m))
show("paired mean before, after", c(mean(m$score.before), mean(m$score.after)))
show("t.test(paired=TRUE) estimate", unname(tp$estimate))
show("t.test(paired=TRUE) conf.int", tp$conf.int)
show("t.test(paired=TRUE) p", tp$p.value)
dz <- mean(m$score.after - m$score.before) / sd(m$score.after - m$score.before)
np <- nrow(m)
show("d_z", dz)
show("d_z CI (95%, uniroot on pt(ncp=))",
     c(ncp_limit(dz * sqrt(np), np - 1, 0.975), ncp_limit(dz * sqrt(np), np - 1, 0.025)) / sqrt(np))

# Multiple testing.
p <- c(.01, .02, .03, .04, .05, .2, .001)
show("p.adjust(p, 'holm')", p.adjust(p, "holm"))
show("p.adjust(p, 'BH')", p.adjust(p, "BH"))
pn <- c(.04, NA, .01, .03, NA)
show("p.adjust(pn, 'holm')", p.adjust(pn, "holm"))
show("p.adjust(pn, 'BH')", p.adjust(pn, "BH"))

# ---- trend ----------------------------------------------------------------------------
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12))
report <- function(label, formula, data) {
  for (ctl in c("default", "tight")) {
    f <- if (ctl == "default") lmer(formula, data = data, REML = TRUE)
         else lmer(formula, data = data, REML = TRUE, control = tight)
    cf <- coef(summary(f))
    show(sprintf("%s %s fixef", label, ctl), unname(cf[, 1]))
    show(sprintf("%s %s se", label, ctl), unname(cf[, 2]))
    show(sprintf("%s %s theta, sigma", label, ctl), c(getME(f, "theta"), sigma(f)))
    show(sprintf("%s %s REMLcrit, isSingular", label, ctl), c(REMLcrit(f), isSingular(f)))
  }
}
tr <- read.csv(file.path(d, "trend_synthetic.csv"))
report("synthetic", score ~ wave_index + (1 | region), tr)
show("synthetic nrow, regions", c(nrow(tr), length(unique(tr$region))))
bd <- read.csv(file.path(d, "trend_boundary.csv"))
report("boundary", score ~ wave_index + (1 | region), bd)
ss <- read.csv(file.path(d, "sleepstudy.csv"))
report("sleepstudy", Reaction ~ Days + (1 | Subject), ss)
