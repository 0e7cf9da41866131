# Writes the CSV fixtures in tests/reference/data/ that the reference scripts
# (aggregation.R, change_trend.R) and the Python tests read.
# Run from the repository root:  Rscript tests/reference/aggregation_change_trend_fixtures.R
# Needs: multilevel, lme4, mlmRev (Debian: r-cran-multilevel r-cran-lme4 r-cran-mlmrev).
suppressPackageStartupMessages({
  library(multilevel)
  library(lme4)
  library(mlmRev)
})
out <- "tests/reference/data"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
w <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "")

# High School and Beyond (Raudenbush & Bryk 2002): maths achievement by school.
data(Hsb82, package = "mlmRev")
w(data.frame(school = as.character(Hsb82$school), mAch = Hsb82$mAch), "hsb82_mach.csv")

# Bliese's leadership items (multilevel::lq2002), 5-point scale, by company.
data(lq2002, package = "multilevel")
w(lq2002[, c("COMPID", sprintf("LEAD%02d", 1:11))], "lq2002_lead.csv")

# lme4::sleepstudy (Belenky et al. 2003).
data(sleepstudy, package = "lme4")
w(data.frame(Reaction = sleepstudy$Reaction, Days = sleepstudy$Days,
             Subject = as.character(sleepstudy$Subject)), "sleepstudy.csv")

# Synthetic agreement data: 3 items on a 5-point scale, 6 regions; region "f" has one
# respondent, region "e" answers at random (mean item variance above the uniform null),
# and a few answers are missing.
set.seed(20240611)
regions <- c(rep("a", 12), rep("b", 8), rep("c", 15), rep("d", 6), rep("e", 10), "f")
centre <- c(a = 4, b = 2, c = 3, d = 5, e = 3, f = 4)[regions]
item <- function() {
  x <- round(centre + rnorm(length(regions), 0, 0.7))
  x[regions == "e"] <- sample(c(1, 5), sum(regions == "e"), replace = TRUE)
  pmin(pmax(x, 1), 5)
}
agr <- data.frame(region = regions, i1 = item(), i2 = item(), i3 = item())
agr$i2[c(3, 20)] <- NA
agr$i3[30] <- NA
w(agr, "agreement_synthetic.csv")

# Synthetic change data: two waves; respondents r001..r030 answer in wave 1,
# r011..r045 in wave 2 (20 present in both).
set.seed(1984)
p1 <- sprintf("r%03d", 1:30)
p2 <- sprintf("r%03d", 11:45)
person <- setNames(rnorm(45, 0, 0.6), sprintf("r%03d", 1:45))
chg <- rbind(
  data.frame(respondent = p1, wave = 1, score = round(3.2 + person[p1] + rnorm(30, 0, 0.5), 4)),
  data.frame(respondent = p2, wave = 2, score = round(3.5 + person[p2] + rnorm(35, 0, 0.7), 4)))
w(chg, "change_synthetic.csv")

# Synthetic trend data: 12 regions, waves 0..3, unbalanced region sizes, random
# intercept sd 0.4, residual sd 0.8, slope 0.12, some region-waves missing.
set.seed(2015)
rows <- list()
u <- rnorm(12, 0, 0.4)
for (j in 1:12) for (t in 0:3) {
  if (runif(1) < 0.1) next
  n <- sample(4:25, 1)
  rows[[length(rows) + 1]] <- data.frame(region = sprintf("reg%02d", j), wave_index = t,
    score = round(3 + 0.12 * t + u[j] + rnorm(n, 0, 0.8), 4))
}
w(do.call(rbind, rows), "trend_synthetic.csv")

# Synthetic trend data with a boundary fit: no region effect at all, and a seed for
# which lmer's REML estimate of the region variance is exactly zero (isSingular TRUE).
seed <- 1
repeat {
  set.seed(seed)
  b <- data.frame(region = rep(sprintf("reg%02d", 1:8), each = 15),
                  wave_index = rep(0:2, times = 40))
  b$score <- round(3 + 0.05 * b$wave_index + rnorm(nrow(b), 0, 1), 4)
  f <- lmer(score ~ wave_index + (1 | region), data = b, REML = TRUE)
  if (isSingular(f)) break
  seed <- seed + 1
}
cat("boundary fixture seed:", seed, "\n")
w(b, "trend_boundary.csv")
