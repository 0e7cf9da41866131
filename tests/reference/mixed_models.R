# Reference values for folge.statistics.mixed (tests/statistics/test_mixed.py).
# Run from the repository root:  Rscript tests/reference/mixed_models.R
# Needs lme4 and lmerTest (Debian: r-cran-lme4, r-cran-lmertest).
# Fixtures: tests/reference/mixed_models_fixtures.py (seeded synthetic panels).
# Every model is fitted by REML with a tight BOBYQA (lme4's default nloptwrap can stop
# early); the script prints the default optimiser's criterion too, as a check.
suppressPackageStartupMessages({ library(lme4); library(lmerTest) })
options(digits = 12)
d <- "tests/reference/data"
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5, rhobeg = 0.2, rhoend = 1e-12),
                     check.conv.singular = "ignore")
show <- function(label, x) cat(sprintf("%-40s %s\n", label, paste(format(x, digits = 12), collapse = " ")))

report <- function(label, formula, data, term) {
  fit <- lmer(formula, data = data, REML = TRUE, control = tight)
  default <- lmer(formula, data = data, REML = TRUE)
  co <- coef(summary(fit, ddf = "Satterthwaite"))
  cat(sprintf("\n## %s\n", label))
  show("formula", deparse(formula))
  show("n", nrow(data))
  show("estimate se df p", co[term, c("Estimate", "Std. Error", "df", "Pr(>|t|)")])
  L <- as.numeric(rownames(co) == term)
  ct <- contest(fit, L, joint = FALSE, confint = TRUE)
  show("contest lower upper", c(ct$lower, ct$upper))
  show("fixef", fixef(fit))
  show("se(fixef)", sqrt(diag(as.matrix(vcov(fit)))))
  show("df(fixef)", co[, "df"])
  show("REMLcrit", REMLcrit(fit))
  show("REMLcrit default optimiser", REMLcrit(default))
  show("theta", getME(fit, "theta"))
  show("sigma", sigma(fit))
  vc <- as.data.frame(VarCorr(fit))
  show("vcov components (vcov column)", vc$vcov)
  show("isSingular(tol = 1e-4)", isSingular(fit, tol = 1e-4))
  invisible(fit)
}

for (name in c("mixed_panel", "mixed_panel_singular")) {
  panel <- read.csv(file.path(d, paste0(name, ".csv")))
  cat(sprintf("\n######## %s\n", name))
  report(paste(name, "national trend, random slope"),
         score ~ years + role + (1 + years | region) + (1 | respondent), panel, "years")
  report(paste(name, "national trend, fallback"),
         score ~ years + role + (1 | region) + (1 | respondent), panel, "years")
  for (r in c("region01", "region10")) {
    report(paste(name, "regional trend", r),
           score ~ years + role + (1 | respondent), panel[panel$region == r, ], "years")
  }
  for (pair in list(c(1, 3), c(2, 3))) {
    two <- panel[panel$wave %in% pair, ]
    two$later <- as.numeric(two$wave == pair[2])
    report(sprintf("%s national change %d-%d, random slope", name, pair[1], pair[2]),
           score ~ later + role + (1 + later | region) + (1 | respondent), two, "later")
    report(sprintf("%s national change %d-%d, fallback", name, pair[1], pair[2]),
           score ~ later + role + (1 | region) + (1 | respondent), two, "later")
    one <- two[two$region == "region09", ]
    report(sprintf("%s regional change %d-%d region09", name, pair[1], pair[2]),
           score ~ later + role + (1 | respondent), one, "later")
  }
}

# lme4::sleepstudy (tests/reference/data/sleepstudy.csv): a published random-slope case,
# subjects as the "regions", no person term.
ss <- read.csv(file.path(d, "sleepstudy.csv"))
report("sleepstudy random slope", Reaction ~ Days + (1 + Days | Subject), ss, "Days")
