# lavaan's time for the same work as bench_wlsmv.py: configural, metric and scalar
# WLSMV models plus the two lavTestLRT difference tests for 15 constructs x 7 waves.
# Run after bench_wlsmv.py (which writes the data):
#   Rscript benchmarks/invariance/bench_wlsmv.R [repeats]
suppressPackageStartupMessages(library(lavaan))
d <- read.csv(file.path("benchmarks", "_data", "wlsmv_bench.csv"))
constructs <- split(setdiff(names(d), "wave"), sub("_.*", "", setdiff(names(d), "wave")))
one_construct <- function(items) {
  x <- d[complete.cases(d[, items]), c("wave", items)]
  m <- paste("f =~", paste(items, collapse = " + "))
  fits <- lapply(list("", "loadings", c("loadings", "thresholds")), function(ge)
    cfa(m, x, ordered = items, group = "wave", estimator = "WLSMV",
        parameterization = "delta", std.lv = FALSE, group.equal = ge))
  out <- sapply(fits, fitMeasures, c("chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr"))
  lavTestLRT(fits[[1]], fits[[2]])
  lavTestLRT(fits[[2]], fits[[3]])
  out
}
args <- commandArgs(trailingOnly = TRUE)
n_repeat <- if (length(args)) as.integer(args[1]) else 3L
times <- replicate(n_repeat, {
  t <- system.time(lapply(constructs, one_construct))
  c(wall = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]])
})
# CPU time beside wall time: the benchmark machine is shared, so wall time is noisy
cat(sprintf("lavaan %s WLSMV invariance, %d constructs: median wall %.2f s, CPU %.2f s over %d runs\n",
            packageVersion("lavaan"), length(constructs), median(times["wall", ]),
            median(times["cpu", ]), n_repeat))
