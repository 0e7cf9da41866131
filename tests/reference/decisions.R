# Reference values for folge.statistics.decisions (one-sided tests and bounds).
# Run: Rscript tests/reference/decisions.R
options(digits = 15)
# One-sided t test against a bar from summary numbers: p = P(T_df >= (est - bar)/se)
est <- c(0.31, 0.12, -0.05); se <- c(0.1, 0.08, 0.2); df <- c(12.3, 40, 7.5); bar <- 0.1
p <- pt((est - bar) / se, df, lower.tail = FALSE)
print(p)
print(p.adjust(p, "BH"))
# binom.test, one-sided in each direction, with its Clopper-Pearson bound
b1 <- binom.test(14, 20, p = 0.5, alternative = "greater", conf.level = 0.95)
print(c(b1$p.value, b1$conf.int[1]))
b2 <- binom.test(3, 20, p = 0.5, alternative = "less", conf.level = 0.95)
print(c(b2$p.value, b2$conf.int[2]))
