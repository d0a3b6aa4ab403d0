"""Banner tables: statistics of each banner column side by side, with significance letters.

A banner table (SPSS CTABLES with COMPARETEST, Displayr/Q column comparisons) has a Total column, then
one column per value of each banner variable. Within each banner *span* every pair of columns is
tested; a cell carries the letters of the columns it is significantly higher than: uppercase at the
stricter level, lowercase at the looser one only. With ``test="complement"`` each cell is tested
against the rest of its span instead (Q's "exception" arrows). Cells whose effective base is below
``min_n`` are not tested. p-values are adjusted within each row of each span.

Tests (two-sided, on each cell's effective base ``n_eff`` so that weights count once: the base implied by
the linearised variance with weights, Kish's without; :func:`cxlib.metrics.estimate`):

- NPS: z on the difference with the trinomial variance ``(p + d − (p − d)²) / n_eff`` on each side;
- percentages: the two-proportion z test with the pooled proportion;
- means: Welch's t with the Welch–Satterthwaite degrees of freedom (``n_eff − 1`` per side).
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from .._checks import by_list, check_choice, check_confidence, check_frame, check_weights, need_columns
from .._stats import adjust_p
from ..errors import ParameterError
from ..data import code_selections, is_table
from ..metrics import resolve_variance
from ._cells import banner_codes, cell_stats, pair_test, row_specs, sum_terms
from ._multi import multi_rows, option_columns
from ._table import table_cells
from ._waves import WAVE_COLUMNS, WAVE_EMPTY, mark_changes, split_waves

__all__ = ["COLUMNS", "crosstab", "span_letters"]

COLUMNS = ["row", "score", "metric", "banner", "column", "letter", "value", "ci_low", "ci_high", "n", "n_eff",
           "se", "small_base", "tested", "test", "higher_than", "higher_than_loose", "higher_than_strict",
           "direction", "strict", "p_value", "p_adjusted", *WAVE_COLUMNS]
_TEST = {"nps": "z_nps", "prop": "z_pooled", "mean": "t_welch"}
_CAST = {"tested": bool, "small_base": bool, "strict": bool, "change_strict": bool}


def span_letters(k: int) -> list[str]:
    """Column letters of a span of ``k`` columns: A … Z, then AA, AB, …

    Examples
    --------
    >>> span_letters(3), span_letters(28)[-2:]
    (['A', 'B', 'C'], ['AA', 'AB'])
    """
    abc = string.ascii_uppercase
    return [abc[i] if i < 26 else abc[i // 26 - 1] + abc[i % 26] for i in range(k)]


def _levels(letters) -> tuple[float, float]:
    levels = [letters] if isinstance(letters, (int, float)) else list(letters)
    if not 1 <= len(levels) <= 2 or not all(isinstance(a, (int, float)) and 0 < a < 1 for a in levels):
        raise ParameterError(f"The 'letters' parameter of crosstab must be one or two significance levels "
                             f"between 0 and 1, e.g. (0.05, 0.01). Got {letters!r} instead.")
    return max(levels), min(levels)


def _column_letters(kind, st, tested, letters, adjust, loose, strict):
    """Per cell: the letters it beats at the loose and strict levels, and the display string."""
    k = len(tested)
    i, j = np.triu_indices(k, 1)
    keep = tested[i] & tested[j]
    i, j = i[keep], j[keep]
    beats_loose, beats_strict = [set() for _ in range(k)], [set() for _ in range(k)]
    if len(i):
        diff, p = pair_test(kind, st, i, st, j)
        p_adj = adjust_p(p, method=adjust)
        for a, b, d, q in zip(i, j, diff, p_adj):
            if np.isnan(q) or d == 0:
                continue
            win, lose = (a, b) if d > 0 else (b, a)
            if q < loose:
                beats_loose[win].add(lose)
            if q < strict:
                beats_strict[win].add(lose)
    out = []
    for c in range(k):
        loose_l = "".join(letters[x] for x in sorted(beats_loose[c]))
        strict_l = "".join(letters[x] for x in sorted(beats_strict[c]))
        shown = "".join(letters[x] if x in beats_strict[c] else letters[x].lower() for x in sorted(beats_loose[c]))
        out.append((shown, loose_l, strict_l))
    return out


def _complement(kind, sums, st, tested, adjust, confidence, variance):
    """Each cell against the rest of its span: difference sign and (adjusted) p-values."""
    span = {name: v.sum() for name, v in sums.items()}
    rest = cell_stats(kind, {name: span[name] - v for name, v in sums.items()}, confidence, variance=variance)
    idx = np.arange(len(tested))
    diff, p = pair_test(kind, st, idx, rest, idx)
    p = np.where(tested & (rest["n_eff"] > 1), p, np.nan)
    return diff, p, adjust_p(p, method=adjust)


def crosstab(data, *, rows=None, banner, metric=None, weight=None, confidence=0.95, letters=(0.05, 0.01),
             adjust="holm", min_n=30, test="columns", scales=None, top_k=None, variance=None, multi=None,
             labels=None, compare=None, wave=None, current=None) -> pd.DataFrame:
    """A banner table in long form: each row statistic in the Total column and every banner column.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
        On a table (DuckDB, a server) only the sums leave the database: one ``GROUP BY`` query per banner
        variable; the rows are score rows and ``multi`` rows (a categorical column's percentages and
        ``compare`` need a DataFrame).
    rows : str, list, one categorical column or None
        None: every canonical score with an answer (NPS, CSAT top-box %, CES mean). Score rows: column names (``"nps"`` gives NPS, ``"csat"`` its top-box %, others their mean) or
        ``(column, metric)`` pairs, e.g. ``["nps", ("nps", "pct_promoters"), "csat", "ces"]``. Or a single
        non-numeric column: one row per category, its column percentages.
    banner : str or list of str
        Segment columns laid side by side after the Total column; rows with no value in one are in the
        Total but in none of its columns.
    metric : str or dict, optional
        The statistic of score rows given by name: "nps", "pct_promoters", "pct_detractors", "top_box"
        (% in the top ``top_k`` boxes of the scale) or "mean"; one for all, or column -> metric.
    weight : str, optional
        Survey weights: values are weighted and every interval and test uses the effective base ``n_eff``
        of ``variance``.
    confidence : float
        Level of each cell's interval (Wald for NPS, Wilson for percentages, t for means).
    letters : float or (float, float)
        Significance levels of the letters: uppercase below the smaller, lowercase below the larger only.
    adjust : {"holm", "bh", "bonferroni", "none"}
        Multiplicity adjustment within each row of each banner span.
    min_n : int
        Cells with ``n_eff < min_n`` are flagged ``small_base`` and not tested.
    test : {"columns", "complement"}
        Every pair of columns in a span (letters), or each column against the rest of its span (arrows).
    scales : dict, optional
        column -> Scale for top-box rows (``cfg.scales``); nps/csat/ces default to 0–10, 1–5, 1–7.
    top_k : int, optional
        Boxes counted by "top_box"; default each scale's own ``top_k`` (2 unless the config says).
    variance : {"linearized", "kish"}, optional
        Default "linearized" with ``weight`` (the base implied by the Taylor variance of each cell, as
        :func:`cxlib.scores.nps` computes it), "kish" without (``n_eff = n``).
    multi : dict, optional
        Multiple-response questions, question -> its option columns (``cfg.multi``), e.g.
        ``{"reasons": ["Q5_1", "Q5_2"]}``; each option 0/1, true/false, yes/no or selected/not selected
        (:func:`cxlib.data.code_selections`). Rows: the % of respondents selecting each option, then a net
        row (% selecting any). The base of every row of a question is its respondents who answered it (at
        least one option not missing; a blank option of theirs counts as not selected). Cells are shares:
        Wilson intervals on the effective base, letters by the z test between (independent) columns; the
        options of one column share respondents and are not compared with each other. With ``rows`` None
        the table has only these rows.
    labels : dict, optional
        How questions and option columns read in row labels (``cfg.labels``); default their names.
    compare : {None, "previous"}
        "previous": the table of the current wave, each cell marked (``change``: ▲ ▼ when shown) where it
        differs significantly from the same cell one wave earlier (independent samples: the tests of the
        letters, on the linearised or Kish bases), p-values adjusted by ``adjust`` over every tested cell
        of the table. Needs ``test="columns"``.
    wave : str, optional
        With ``compare``: the column of waves (its categories' order, or sorted; a period column steps one
        period back); default the months of ``responded_at``.
    current : str, optional
        With ``compare``: the wave shown ("YYYY-MM" for months); default the latest.

    Returns
    -------
    pandas.DataFrame
        One row per table cell, rows then columns in table order: ``row`` (label), ``score`` (column
        analysed), ``metric`` ("nps", "pct_promoters", "pct_detractors", "top_box", "mean" or "column_pct"),
        ``banner`` ("Total" or the banner variable), ``column`` (its value as text; "Total"), ``letter``
        (A, B, … within the span; "" for Total), ``value`` (NPS −100..100, percentages 0–100, or the mean),
        ``ci_low``, ``ci_high``, ``n`` (answers), ``n_eff``, ``se``, ``small_base``, ``tested``, ``test``
        ("z_nps", "z_pooled" or "t_welch"), ``higher_than`` (letters shown, e.g. "Bc"),
        ``higher_than_loose`` and ``higher_than_strict`` (the letters beaten at each level, uppercase),
        and for complement tests ``direction`` ("up", "down" or "": significant at the looser level),
        ``strict`` (significant at the stricter level too), ``p_value`` and ``p_adjusted``; multiple-response
        rows have metric "pct_selected" (``score`` the option column) or "pct_any" (the net; ``score`` the
        question). With ``compare``: ``wave`` and ``previous_wave`` (labels), ``previous`` (the cell's value
        one wave earlier), ``change`` ("up", "down" or "": significant at the looser level),
        ``change_strict`` (at the stricter level), ``p_change`` and ``p_change_adjusted`` (empty without it).

    Examples
    --------
    >>> from cxlib.data import load_responses, subset
    >>> xt = crosstab(subset(load_responses(), month="2026-10"), rows=["nps", "csat"], banner="region")
    >>> xt.loc[xt["row"] == "NPS", ["column", "letter", "n", "value", "higher_than"]].round(1)
              column letter     n  value higher_than
    0          Total         1030   14.4
    1           APAC      A   234   19.7           B
    2           EMEA      B   292   -5.1
    3          LATAM      C   148   23.6           B
    4  North America      D   356   23.0           B
    """
    if not is_table(data):
        check_frame(data, where="crosstab")
    if compare is not None:
        check_choice(compare, ("previous",), param="compare", func="crosstab")
    args = dict(rows=rows, banner=banner, metric=metric, weight=weight, confidence=confidence, letters=letters,
                adjust=adjust, min_n=min_n, test=test, scales=scales, top_k=top_k, variance=variance, multi=multi,
                labels=labels)
    if compare is None:
        return _table(data, **args)
    if is_table(data):
        raise ParameterError("crosstab(compare='previous') runs on a DataFrame: pull the two waves' rows first "
                             "(cxlib.data.to_frame on the table narrowed to them)")
    if test != "columns":
        raise ParameterError("crosstab(compare='previous') marks changes with arrows; use it with test='columns' "
                             "(letters), not with test='complement', whose arrows mean something else")
    if multi:    # coded once on the whole frame: a bad value is named by its row there, not in one wave
        data = data.assign(**{c: code_selections(data[c], where="crosstab", column=c)
                              for c in option_columns(multi) if c in data})
    now, before, *waves = split_waves(data, wave=wave, current=current)
    xt = _table(data.loc[now], **args)
    prev = _table(data.loc[before], **args)
    loose, strict = _levels(letters)
    return mark_changes(xt, prev, labels=waves, min_n=min_n, adjust=adjust, loose=loose, strict=strict).astype(_CAST)


def _table(data, *, rows, banner, metric, weight, confidence, letters, adjust, min_n, test, scales, top_k, variance,
           multi, labels) -> pd.DataFrame:
    """The banner table of one wave (every row, span and column)."""
    confidence = check_confidence(confidence, func="crosstab")
    check_choice(adjust, ("holm", "bh", "bonferroni", "none"), param="adjust", func="crosstab")
    check_choice(test, ("columns", "complement"), param="test", func="crosstab")
    variance = resolve_variance(variance, bool(weight))
    loose, strict = _levels(letters)
    banners = by_list(banner)
    if not banners:
        raise ParameterError("crosstab needs at least one banner column in banner=")
    cells = table_cells if is_table(data) else _frame_cells
    specs, spans, sums_of = cells(data, rows=rows, banners=banners, metric=metric, weight=weight, scales=scales,
                                  top_k=top_k, multi=multi, labels=labels)
    parts = []
    for i, row in enumerate(specs):
        for s, (name, total, values) in enumerate(spans):
            sums = sums_of(i, s)
            st = cell_stats(row.kind, sums, confidence, row.scale, variance)
            k = len(values)
            tested = (st["n_eff"] >= min_n) & (st["n_eff"] > 1) & ~np.isnan(st["value"])
            part = {"row": row.label, "score": row.score, "metric": row.metric, "banner": name,
                    "column": [str(v) for v in values], "letter": [""] if total else span_letters(k),
                    **{c: st[c] for c in ("value", "ci_low", "ci_high", "n", "n_eff", "se")},
                    "small_base": st["n_eff"] < min_n, "tested": tested & (not total),
                    "test": _TEST[row.kind], "higher_than": "", "higher_than_loose": "", "higher_than_strict": "",
                    "direction": "", "strict": False, "p_value": np.nan, "p_adjusted": np.nan, **WAVE_EMPTY}
            if not total and test == "columns":
                shown, lo_l, st_l = zip(*_column_letters(row.kind, st, tested, part["letter"], adjust, loose, strict))
                part.update(higher_than=list(shown), higher_than_loose=list(lo_l), higher_than_strict=list(st_l))
            elif not total:
                diff, p, p_adj = _complement(row.kind, sums, st, tested, adjust, confidence, variance)
                sig = p_adj < loose
                part.update(direction=np.where(sig & (diff > 0), "up", np.where(sig & (diff < 0), "down", "")),
                            strict=p_adj < strict, p_value=p, p_adjusted=p_adj)
            parts.append((part, k))
    return _assemble(parts)


def _frame_cells(data, *, rows, banners, metric, weight, scales, top_k, multi, labels):
    """:func:`~cxlib.tables._table.table_cells` on a DataFrame: the rows' per-respondent terms, the spans and
    their sums by ``bincount`` (a term array that several rows share summed once per span)."""
    need_columns(data, banners + ([weight] if weight else []), where="crosstab")
    w = np.ones(len(data))
    if weight:
        w = check_weights(data, weight, used=np.ones(len(data), bool), where="crosstab", what="weighting")
    specs = [] if rows is None and multi else row_specs(data, rows, metric=metric, weight_values=w, scales=scales,
                                                       top_k=top_k)
    if multi:
        specs += multi_rows(data, multi, w, labels)
    coded = [(None, ["Total"])] + [banner_codes(data, b) for b in banners]
    caches = [{} for _ in coded]

    def sums(i: int, s: int) -> dict:
        codes, values = coded[s]
        return sum_terms(specs[i], codes, len(values), cache=caches[s])

    return specs, [("Total", True, ["Total"])] + [(b, False, v) for b, (_, v) in zip(banners, coded[1:])], sums


def _assemble(parts: list) -> pd.DataFrame:
    """One frame from the cells of every (row, span): each column's pieces joined once (scalars repeated)."""
    cols = {}
    for c in COLUMNS:
        pieces = [np.full(k, part[c]) if np.isscalar(part[c]) else np.asarray(part[c]) for part, k in parts]
        cols[c] = np.concatenate(pieces) if pieces else []
    return pd.DataFrame(cols).astype(_CAST)
