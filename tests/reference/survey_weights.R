# Reference values for folge.statistics.survey (tests/statistics/test_survey.py):
# raking weights (survey::rake), trimming (survey::trimWeights), weighted means with
# linearised SEs (survey::svymean), and EB region estimates (lme4::lmer).
# Fixtures: tests/reference/survey_fixtures.R.
# Run from the repository root:  Rscript tests/reference/survey_weights.R
suppressPackageStartupMessages({library(survey); library(lme4)})
options(digits = 15, width = 200)
d <- "tests/reference/data"
show <- function(label, x) cat(sprintf("%s: %s\n", label, paste(format(x, digits = 15), collapse = ", ")))
frame <- read.csv(file.path(d, "survey_frame.csv"))
scores <- read.csv(file.path(d, "survey_synthetic.csv"))
regions <- sort(unique(frame$region)); roles <- sort(unique(frame$role))
cat("regions:", regions, " roles:", roles, "\n")

rake_wave <- function(wv) {
  people <- unique(scores[scores$wave == wv, c("respondent", "region", "role")])
  f <- frame[frame$wave == wv, ]
  region_totals <- aggregate(invited ~ region, f, sum); names(region_totals)[2] <- "Freq"
  role_totals <- aggregate(invited ~ role, f, sum); names(role_totals)[2] <- "Freq"
  des <- svydesign(ids = ~1, data = people)
  rk <- rake(des, list(~region, ~role), list(region_totals, role_totals),
             control = list(maxit = 1000, epsilon = 1e-10))
  people$weight <- weights(rk)
  list(people = people, design = rk)
}

for (wv in 1:2) {
  r <- rake_wave(wv)
  p <- r$people
  cat(sprintf("\n== wave %d: %d respondents, sum of weights %s\n", wv, nrow(p), format(sum(p$weight), digits = 15)))
  # weights are constant within a region x role cell: the cell weight, rows = regions, roles sorted
  cell <- tapply(p$weight, list(factor(p$region, regions), factor(p$role, roles)), mean)
  for (rg in regions) show(sprintf("w%d cell weight %s (%s)", wv, rg, paste(roles, collapse = ",")), cell[rg, ])
  show(sprintf("w%d Kish n_eff by region", wv), tapply(p$weight, factor(p$region, regions), function(w) sum(w)^2 / sum(w^2)))
  m <- mean(p$weight)
  tr <- trimWeights(r$design, lower = 0.5 * m, upper = 2 * m, strict = TRUE)
  tcell <- tapply(weights(tr), list(factor(p$region, regions), factor(p$role, roles)), mean)
  for (rg in regions) show(sprintf("w%d trimmed [0.5, 2] x mean cell weight %s", wv, rg), tcell[rg, ])

  sw <- merge(scores[scores$wave == wv, ], p[, c("respondent", "weight")], by = "respondent")
  for (cn in c("trust", "learning")) {
    dd <- sw[sw$construct == cn & !is.na(sw$score), ]
    des <- svydesign(ids = ~region, weights = ~weight, data = dd)
    est <- svymean(~score, des)
    ci <- confint(est, df = degf(des))
    show(sprintf("w%d %s national svymean(ids=~region) mean, SE, ci_low, ci_high, degf", wv, cn),
         c(coef(est), SE(est), ci[1, ], degf(des)))
    reg <- t(sapply(regions, function(rg) {
      dr <- dd[dd$region == rg, ]
      dsr <- svydesign(ids = ~1, weights = ~weight, data = dr)
      e <- svymean(~score, dsr)
      c(coef(e), SE(e), confint(e, df = degf(dsr))[1, ])
    }))
    show(sprintf("w%d %s region svymean(ids=~1) mean", wv, cn), reg[, 1])
    show(sprintf("w%d %s region svymean(ids=~1) SE", wv, cn), reg[, 2])
    show(sprintf("w%d %s region confint(df=degf) low", wv, cn), reg[, 3])
    show(sprintf("w%d %s region confint(df=degf) high", wv, cn), reg[, 4])
    fit <- lmer(score ~ 1 + (1 | region), data = dd, REML = TRUE)
    co <- coef(fit)$region[regions, "(Intercept)"]
    re <- ranef(fit, condVar = TRUE)
    cv <- attr(re$region, "postVar")[1, 1, ]
    names(cv) <- rownames(re$region)
    se <- sqrt(cv[regions] + vcov(fit)[1, 1])
    show(sprintf("w%d %s lmer coef(fit)$region", wv, cn), co)
    show(sprintf("w%d %s sqrt(condVar + vcov(fixef))", wv, cn), se)
    show(sprintf("w%d %s fixef, tau2, sigma2", wv, cn),
         c(fixef(fit), as.data.frame(VarCorr(fit))$vcov))
  }
}

# Small cases for the docstrings.
show("weighted_mean doctest svymean(ids=~1, w = 1,1,2) mean, SE",
     {dd <- data.frame(y = c(1, 2, 4), w = c(1, 1, 2)); e <- svymean(~y, svydesign(ids = ~1, weights = ~w, data = dd)); c(coef(e), SE(e))})
show("eb doctest coef(lmer)$region",
     {dd <- data.frame(region = rep(c("a", "b", "c"), each = 3), y = c(1, 2, 3, 2, 3, 4, 4, 5, 6))
      coef(lmer(y ~ 1 + (1 | region), dd))$region[, 1]})

# Raking cycles survey::rake needs: the smallest maxit that converges without a warning.
for (wv in 1:2) {
  people <- unique(scores[scores$wave == wv, c("respondent", "region", "role")])
  f <- frame[frame$wave == wv, ]
  rt <- aggregate(invited ~ region, f, sum); names(rt)[2] <- "Freq"
  ot <- aggregate(invited ~ role, f, sum); names(ot)[2] <- "Freq"
  des <- suppressWarnings(svydesign(ids = ~1, data = people))
  k <- 1
  repeat {
    ok <- tryCatch({rake(des, list(~region, ~role), list(rt, ot), control = list(maxit = k, epsilon = 1e-10)); TRUE},
                   warning = function(w) FALSE)
    if (ok) break
    k <- k + 1
  }
  show(sprintf("w%d smallest converging maxit", wv), k)
}

# Three margins, and starting weights (wave 1): a third variable from the pseudonym's parity,
# starting weights 1 + (number %% 3). Printed: the weights of the first 12 respondents
# (sorted by pseudonym), sum(w^2) and the iterations needed.
people <- unique(scores[scores$wave == 1, c("respondent", "region", "role")])
people <- people[order(people$respondent), ]
num <- as.integer(substr(people$respondent, 2, 4))
people$parity <- ifelse(num %% 2 == 0, "even", "odd")
people$w0 <- 1 + num %% 3
f <- frame[frame$wave == 1, ]
rt <- aggregate(invited ~ region, f, sum); names(rt)[2] <- "Freq"
ot <- aggregate(invited ~ role, f, sum); names(ot)[2] <- "Freq"
pt <- data.frame(parity = c("even", "odd"), Freq = c(160, 174))
des <- suppressWarnings(svydesign(ids = ~1, data = people))
rk3 <- rake(des, list(~region, ~role, ~parity), list(rt, ot, pt), control = list(maxit = 1000, epsilon = 1e-10))
show("three margins first 12 weights", weights(rk3)[1:12])
show("three margins sum(w^2)", sum(weights(rk3)^2))
dw <- svydesign(ids = ~1, weights = ~w0, data = people)
rkw <- rake(dw, list(~region, ~role), list(rt, ot), control = list(maxit = 1000, epsilon = 1e-10))
show("start weights first 12 weights", weights(rkw)[1:12])
show("start weights sum(w^2)", sum(weights(rkw)^2))
