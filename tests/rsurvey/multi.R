# R `survey` as the oracle of multiple-response banner cells. Usage: Rscript multi.R DIR NAME...
# Reads DIR/<NAME>.csv (columns g, w and option columns Q...: 1 selected, 0 not, NA blank); writes
# DIR/multi_results.csv: for each option and the net ("any of"), in the Total and in each group g, the
# weighted share of the respondents who answered the question (at least one option not blank; a blank option
# of theirs is not selected) and its linearised SE, each group as its own sample (svymean on its design).
suppressMessages(library(survey))
args <- commandArgs(TRUE)
dir <- args[1]
rows <- list()
for (name in args[-1]) {
  d <- read.csv(file.path(dir, paste0(name, ".csv")), stringsAsFactors = FALSE)
  d$g <- as.character(d$g)
  opts <- grep("^Q", names(d), value = TRUE)
  answered <- rowSums(!is.na(d[opts])) > 0
  s <- d[answered, ]
  for (o in opts) s[[paste0("y_", o)]] <- ifelse(is.na(s[[o]]), 0, s[[o]])
  s$y_net <- as.numeric(rowSums(s[paste0("y_", opts)]) > 0)
  groups <- c("Total", sort(unique(s$g[!is.na(s$g) & s$g != ""])))
  for (gv in groups) {
    sg <- if (gv == "Total") s else s[!is.na(s$g) & s$g == gv, ]
    if (nrow(sg) < 2) next
    des <- svydesign(ids = ~1, weights = ~w, data = sg)
    for (o in c(opts, "net")) {
      m <- svymean(as.formula(paste0("~y_", o)), des)
      rows[[length(rows) + 1]] <- data.frame(data = name, option = o, group = gv, est = coef(m)[[1]],
                                             se = SE(m)[[1]], n = nrow(sg), stringsAsFactors = FALSE)
    }
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "multi_results.csv"), row.names = FALSE)
