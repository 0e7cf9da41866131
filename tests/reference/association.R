# Reference values for tests/criteria/test_association.py (folge.statistics.association).
# Run: Rscript tests/reference/association.R
# R's cor.test(method = "spearman") is exact (AS 89 over all orderings) for n < 10 without
# ties, which is what folge's exact permutation reproduces.
options(digits = 15)
x8 <- c(1, 3, 2, 5, 4, 7, 6, 8)
y8 <- c(2, 1, 4, 3, 6, 5, 8, 7)
r <- cor.test(x8, y8, method = "spearman")
cat("n8 rho", unname(r$estimate), "p two-sided", r$p.value, "\n")
cat("n8 p greater", cor.test(x8, y8, method = "spearman", alternative = "greater")$p.value, "\n")

x9 <- c(3.1, 2.4, 4.0, 3.3, 2.9, 3.8, 4.4, 2.2, 3.6)
y9 <- c(0.40, 0.10, 0.70, 0.55, 0.20, 0.35, 0.90, 0.15, 0.60)
r <- cor.test(x9, y9, method = "spearman")
cat("n9 rho", unname(r$estimate), "p two-sided", r$p.value, "\n")
cat("n9 p greater", cor.test(x9, y9, method = "spearman", alternative = "greater")$p.value, "\n")
cat("n9 p less", cor.test(x9, y9, method = "spearman", alternative = "less")$p.value, "\n")
