# Reference values for folge.statistics.aggregation (tests/statistics/test_aggregation.py).
# Run from the repository root:  Rscript tests/reference/aggregation.R
# Needs: multilevel (Debian: r-cran-multilevel). Fixtures: aggregation_change_trend_fixtures.R.
suppressPackageStartupMessages(library(multilevel))
options(digits = 12)
d <- "tests/reference/data"
show <- function(label, x) cat(sprintf("%-48s %s\n", label, paste(format(x, digits = 12), collapse = " ")))

# ICC(1), ICC(2): High School and Beyond, maths achievement by school.
hsb <- read.csv(file.path(d, "hsb82_mach.csv"), colClasses = c(school = "character"))
fit <- aov(mAch ~ as.factor(school), data = hsb)
show("hsb ICC1(aov(mAch ~ school))", ICC1(fit))
show("hsb ICC2(aov(mAch ~ school))", ICC2(fit))

# ICC on lq2002 LEAD scale score (mean of LEAD01..LEAD11) by company.
lq <- read.csv(file.path(d, "lq2002_lead.csv"))
items <- lq[, sprintf("LEAD%02d", 1:11)]
lq$lead <- rowMeans(items)
fit <- aov(lead ~ as.factor(COMPID), data = lq)
show("lq2002 ICC1(aov(lead ~ COMPID))", ICC1(fit))
show("lq2002 ICC2(aov(lead ~ COMPID))", ICC2(fit))

# James, Demaree & Wolf (1984) hand cases, 5-point scale: ranvar = (5^2 - 1)/12 = 2.
x1 <- c(4, 4, 5, 4, 3); x2 <- c(4, 5, 4, 4, 3); x3 <- c(1, 5, 1, 5, 3)
g <- rep(1, 5)
show("var(x1)", var(x1))
# one item: multilevel::rwg (rwg.j needs two or more columns; for J = 1 they agree)
show("rwg(x1, g, 2)", rwg(x1, g, ranvar = 2)$rwg)
show("ad.m(x1, g)", ad.m(x1, g)$AD.M)
show("rwg.j(cbind(x1, x2), g, 2)", rwg.j(data.frame(x1, x2), g, ranvar = 2)$rwg.j)
show("ad.m(cbind(x1, x2), g)", ad.m(data.frame(x1, x2), g)$AD.M)
show("var(x3)", var(x3))
show("rwg(x3, g, 2)", rwg(x3, g, ranvar = 2)$rwg)
show("ad.m(x3, g)", ad.m(x3, g)$AD.M)

# lq2002: rwg(j) and AD over the 11 LEAD items by company (first 5 companies, and summaries).
r <- rwg.j(items, lq$COMPID, ranvar = 2)
a <- ad.m(items, lq$COMPID)
show("lq2002 rwg.j companies", r$grpid[1:5])
show("lq2002 rwg.j(LEAD01:LEAD11, COMPID, 2)[1:5]", r$rwg.j[1:5])
show("lq2002 ad.m(LEAD01:LEAD11, COMPID)[1:5]", a$AD.M[1:5])
show("lq2002 mean rwg.j", mean(r$rwg.j))
show("lq2002 mean ad.m", mean(a$AD.M))
show("lq2002 n groups", nrow(r))

# Synthetic agreement data (3 items, 5-point scale, missing answers, a group of one).
agr <- read.csv(file.path(d, "agreement_synthetic.csv"))
it <- agr[, c("i1", "i2", "i3")]
r <- rwg.j(it, agr$region, ranvar = 2)
a <- ad.m(it, agr$region)
show("synthetic groups", r$grpid)
show("synthetic rwg.j(i1:i3, region, 2)", r$rwg.j)
show("synthetic ad.m(i1:i3, region)", a$AD.M)
show("synthetic gsize", r$gsize)
cc <- na.omit(agr)
m <- rowMeans(cc[, c("i1", "i2", "i3")])
show("synthetic tapply(rowMeans(complete), region, mean)", tapply(m, cc$region, mean))
show("synthetic tapply(rowMeans(complete), region, sd)", tapply(m, cc$region, sd))
# 7-point ranvar for the same data: (7^2 - 1)/12 = 4.
show("synthetic rwg.j(i1:i3, region, 4)", rwg.j(it, agr$region, ranvar = 4)$rwg.j)
