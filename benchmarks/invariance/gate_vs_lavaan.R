# lavaan's metric, scalar and scalar-vs-configural tests, and Wu & Estabrook's (2016) steps
# (thresholds, then loadings), on the data sets gate_vs_lavaan.py wrote. Usage:
#   Rscript benchmarks/invariance/gate_vs_lavaan.R DIR      (writes DIR/lavaan.csv)
suppressMessages({library(lavaan); library(semTools)})
dir <- commandArgs(TRUE)[1]
files <- sort(list.files(dir, pattern = "^data_.*\\.csv$"))
model <- "f =~ i1 + i2 + i3 + i4 + i5"
items <- paste0("i", 1:5)
p_of <- function(a, b) lavTestLRT(a, b)[2, "Pr(>Chisq)"]
rows <- lapply(files, function(f) tryCatch({
  d <- read.csv(file.path(dir, f))
  lav <- function(eq) cfa(model, d, ordered = items, group = "wave", estimator = "WLSMV",
                          parameterization = "delta", group.equal = eq)
  we <- function(eq) {
    syntax <- measEq.syntax(configural.model = model, data = d, ordered = items, parameterization = "delta",
                            ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "wave", group.equal = eq)
    cfa(as.character(syntax), d, ordered = items, group = "wave", estimator = "WLSMV", parameterization = "delta")
  }
  configural <- lav(""); metric <- lav("loadings"); scalar <- lav(c("loadings", "thresholds"))
  we0 <- we("configural"); we1 <- we("thresholds"); we2 <- we(c("thresholds", "loadings"))
  data.frame(file = f, metric = p_of(configural, metric), scalar = p_of(metric, scalar),
             gate = p_of(configural, scalar), we_thresholds = p_of(we0, we1), we_loadings = p_of(we1, we2))
}, error = function(e) {  # lavaan refuses a category nobody chose in some wave; folge collapses it
  data.frame(file = f, metric = NA, scalar = NA, gate = NA, we_thresholds = NA, we_loadings = NA)
}))
write.csv(do.call(rbind, rows), file.path(dir, "lavaan.csv"), row.names = FALSE)
