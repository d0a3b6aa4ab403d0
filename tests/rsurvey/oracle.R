# R `survey` (Lumley) as the oracle of cxlib's survey statistics: one Rscript run per test module.
# Usage: Rscript oracle.R DIR. Reads DIR/<name>.csv (columns g, w, nps, x, top_from; one per data set named in
# DIR/datasets.txt), DIR/rake.csv + DIR/margins.csv (raking) and DIR/windows.csv (two overlapping windows);
# writes DIR/results.csv (one row per figure) and DIR/raked.csv.
suppressMessages(library(survey))
dir <- commandArgs(TRUE)[1]
rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)
values <- function(s, stat) switch(stat,
  nps = ifelse(s$nps >= 9, 1, ifelse(s$nps <= 6, -1, 0)),     # the NPS definition: promoters 9-10, detractors 0-6
  top = as.numeric(s$x >= s$top_from),
  mean = s$x)

for (name in readLines(file.path(dir, "datasets.txt"))) {
  d <- read.csv(file.path(dir, paste0(name, ".csv")), stringsAsFactors = FALSE)
  d$g <- as.character(d$g)
  for (stat in c("nps", "top", "mean")) {
    col <- if (stat == "nps") "nps" else "x"
    s <- d[!is.na(d[[col]]) & !is.na(d$w), ]
    if (nrow(s) == 0) next
    s$y <- values(s, stat)
    des <- svydesign(ids = ~1, weights = ~w, data = s)
    m <- svymean(~y, des, deff = "replace")      # with-replacement deff: the default one is without replacement
    add(data = name, stat = stat, group = "__all__", kind = "own", est = coef(m)[[1]], se = SE(m)[[1]],
        deff = deff(m)[[1]], n = nrow(s))
    for (gv in sort(unique(s$g))) {           # each group as its own sample of respondents
      sg <- s[s$g == gv, ]
      if (nrow(sg) < 2) next
      mg <- svymean(~y, svydesign(ids = ~1, weights = ~w, data = sg))
      add(data = name, stat = stat, group = gv, kind = "own", est = coef(mg)[[1]], se = SE(mg)[[1]],
          deff = NA, n = nrow(sg))
    }
    b <- svyby(~y, ~g, des, svymean, covmat = TRUE)   # domains of the one design
    add(data = name, stat = stat, group = as.character(b$g), kind = "domain", est = coef(b), se = SE(b),
        deff = NA, n = nrow(s))
    two <- sort(unique(s$g))[1:2]                     # the first two groups: design-based two-group test
    s2 <- s; s2$in2 <- factor(s2$g == two[2])
    des2 <- subset(svydesign(ids = ~1, weights = ~w, data = s2), g %in% two)
    tt <- svyttest(y ~ in2, des2)
    con <- svycontrast(b, setNames(c(-1, 1), two))
    add(data = name, stat = stat, group = paste(two, collapse = "|"), kind = "ttest", est = tt$estimate[[1]],
        se = tt$estimate[[1]] / tt$statistic[[1]], deff = NA, n = nrow(s))
    add(data = name, stat = stat, group = paste(two, collapse = "|"), kind = "contrast", est = coef(con)[[1]],
        se = SE(con)[[1]], deff = NA, n = nrow(s))
  }
}

if (file.exists(file.path(dir, "rake.csv"))) {   # raking to margins: converged, not rake()'s default stop
  r <- read.csv(file.path(dir, "rake.csv"), stringsAsFactors = FALSE)
  mg <- read.csv(file.path(dir, "margins.csv"), stringsAsFactors = FALSE)
  vars <- unique(mg$var)
  for (v in vars) r[[v]] <- as.character(r[[v]])
  pops <- lapply(vars, function(v) {
    m <- mg[mg$var == v, ]
    p <- data.frame(m$cat, m$share * nrow(r), stringsAsFactors = FALSE)
    names(p) <- c(v, "Freq")
    p
  })
  des <- svydesign(ids = ~1, weights = ~rep(1, nrow(r)), data = r)
  raked <- rake(des, lapply(vars, function(v) as.formula(paste0("~", v))), pops,
                control = list(maxit = 1000, epsilon = 1e-10, verbose = FALSE))
  write.csv(data.frame(weight = weights(raked) / mean(weights(raked))), file.path(dir, "raked.csv"), row.names = FALSE)
}

if (file.exists(file.path(dir, "windows.csv"))) {   # two overlapping windows: ratio difference on their union
  u <- read.csv(file.path(dir, "windows.csv"))
  u$y1 <- u$y * u$in1; u$y2 <- u$y * u$in2
  des <- svydesign(ids = ~1, weights = ~w, data = u)
  tot <- svytotal(~y1 + in1 + y2 + in2, des)
  con <- svycontrast(tot, quote(y2 / in2 - y1 / in1))
  add(data = "windows", stat = "nps", group = "2-1", kind = "overlap", est = coef(con)[[1]], se = SE(con)[[1]],
      deff = NA, n = nrow(u))
  for (k in 1:2) {
    sk <- u[u[[paste0("in", k)]] == 1, ]
    mk <- svymean(~y, svydesign(ids = ~1, weights = ~w, data = sk))
    add(data = "windows", stat = "nps", group = as.character(k), kind = "own", est = coef(mk)[[1]],
        se = SE(mk)[[1]], deff = NA, n = nrow(sk))
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "results.csv"), row.names = FALSE)
