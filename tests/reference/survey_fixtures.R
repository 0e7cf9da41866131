# Writes the synthetic fixtures for the weighting, levels, EB and attrition tests:
#   tests/reference/data/survey_frame.csv      wave, region, role, invited
#   tests/reference/data/survey_synthetic.csv  respondent, region, wave, role, construct, score
# Two waves, 8 regions, 3 roles. Response depends on role (project leaders answer far more
# often than politicians), region R08 has 4 respondents in wave 1, and whether a wave-1
# respondent stays for wave 2 depends on their wave-1 score (attrition that weighting by
# region and role cannot correct).
# Run from the repository root:  Rscript tests/reference/survey_fixtures.R
out <- "tests/reference/data"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
set.seed(20261202)

regions <- sprintf("R%02d", 1:8)
roles <- c("lead", "business", "politics")
invited <- expand.grid(region = regions, role = roles, stringsAsFactors = FALSE)
base <- c(lead = 18, business = 14, politics = 9)
invited$invited <- as.integer(round(base[invited$role] * runif(nrow(invited), 0.7, 1.5)))
invited$invited[invited$region == "R08"] <- c(3L, 3L, 2L)
respond <- c(lead = 0.75, business = 0.40, politics = 0.25)
region_effect <- setNames(rnorm(8, 0, 0.45), regions)
role_effect <- c(lead = 0.5, business = 0, politics = -0.4)

people <- do.call(rbind, lapply(seq_len(nrow(invited)), function(k) {
  r <- invited[k, ]
  data.frame(region = r$region, role = r$role, id = seq_len(r$invited))
}))
people$respondent <- sprintf("p%03d", seq_len(nrow(people)))
people$ability <- rnorm(nrow(people), 0, 0.8)

score_of <- function(p, wave, construct) {
  shift <- if (construct == "trust") 0 else 0.3
  noise <- rnorm(nrow(p), 0, 0.6)
  round(3 + shift + region_effect[p$region] + role_effect[p$role] + p$ability +
          0.2 * (wave - 1) + noise, 3)
}

answered1 <- runif(nrow(people)) < respond[people$role]
# R08: exactly 4 respondents in wave 1 (two project leaders, two from business)
r08 <- which(people$region == "R08")
answered1[r08] <- c(TRUE, TRUE, FALSE, TRUE, FALSE, TRUE, FALSE, FALSE)
w1 <- people[answered1, ]
stay_p <- plogis(0.6 + 1.2 * w1$ability)
stays <- runif(nrow(w1)) < stay_p
newcomers <- people[!answered1 & runif(nrow(people)) < 0.5 * respond[people$role], ]
w2 <- rbind(w1[stays, ], newcomers)

rows <- function(p, wave) do.call(rbind, lapply(c("trust", "learning"), function(cn)
  data.frame(respondent = p$respondent, region = p$region, wave = wave, role = p$role,
             construct = cn, score = score_of(p, wave, cn))))
scores <- rbind(rows(w1, 1), rows(w2, 2))
# a few missing scores (respondent answered, construct score missing)
scores$score[c(7, 40, 151)] <- NA
frame <- rbind(cbind(wave = 1, invited), cbind(wave = 2, invited))
write.csv(frame[, c("wave", "region", "role", "invited")], file.path(out, "survey_frame.csv"),
          row.names = FALSE)
write.csv(scores, file.path(out, "survey_synthetic.csv"), row.names = FALSE, na = "")
cat("wave-1 respondents by region:\n"); print(table(w1$region))
cat("respondents by wave and role:\n"); print(table(scores$wave[scores$construct == "trust"],
                                                    scores$role[scores$construct == "trust"]))
