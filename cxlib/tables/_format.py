"""How a banner cell reads: the value in its statistic's units, its letters or arrow. Private to cxlib.tables."""

from __future__ import annotations

import math

import pandas as pd

from ._multi import NET

__all__ = ["DASH", "bases", "change_mark", "mark", "question_bases", "table_columns", "table_rows", "table_note", "value_text",
           "wave_note"]

DASH = "–"
_PCT = {"pct_promoters", "pct_detractors", "top_box", "column_pct", "pct_selected", "pct_any"}


def value_text(value, metric: str) -> str:
    """The value as it is read: NPS signed whole points, percentages with %, means with two decimals.

    Examples
    --------
    >>> value_text(12.4, "nps"), value_text(45.26, "top_box"), value_text(3.8512, "mean"), value_text(None, "mean")
    ('+12', '45%', '3.85', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if metric == "nps":
        return f"{value:+.0f}"
    if metric in _PCT:
        return f"{value:.0f}%"
    return f"{value:.2f}"


def mark(cell) -> str:
    """Letters shown beside the value, or an arrow for a complement test ("▲", "▼"); "" for none."""
    if cell["direction"]:
        return "▲" if cell["direction"] == "up" else "▼"
    return cell["higher_than"]


def change_mark(cell) -> str:
    """The wave-over-wave arrow of a cell: "▲" or "▼" where it changed significantly since the previous wave."""
    change = cell.get("change", "") if hasattr(cell, "get") else ""
    return {"up": "▲", "down": "▼"}.get(change, "")


def wave_note(xt: pd.DataFrame) -> str:
    """The sentence saying what the wave-over-wave arrows compare, or "" for a table without them.

    Examples
    --------
    >>> wave_note(pd.DataFrame({"wave": ["2026-10"], "previous_wave": ["2026-09"]}))
    '2026-10. ▲ ▼ after a value: significantly higher or lower than the same cell in 2026-09 (p-values adjusted within the table).'
    """
    if "previous_wave" not in xt or not len(xt) or not str(xt["previous_wave"].iloc[0]):
        return ""
    return (f"{xt['wave'].iloc[0]}. ▲ ▼ after a value: significantly higher or lower than the same cell in "
            f"{xt['previous_wave'].iloc[0]} (p-values adjusted within the table).")


def table_note(xt: pd.DataFrame, note: str | None) -> str:
    """The source note of a rendered table: what its wave-over-wave arrows compare, then ``note``."""
    return " ".join(t for t in (wave_note(xt), note or "") if t)


def table_columns(xt: pd.DataFrame) -> pd.DataFrame:
    """The table's columns in order: banner, column, letter (one row each)."""
    return xt[["banner", "column", "letter"]].drop_duplicates(["banner", "column"]).reset_index(drop=True)


def table_rows(xt: pd.DataFrame) -> list[str]:
    """The table's row labels in order."""
    return list(dict.fromkeys(xt["row"]))


def bases(xt: pd.DataFrame) -> tuple[pd.Series, pd.Series | None]:
    """Per column (banner, column): the largest base among its rows, and the effective base when weighted."""
    g = xt.groupby(["banner", "column"], sort=False)
    n, ne = g["n"].max(), g["n_eff"].max()
    weighted = not ((xt["n_eff"] - xt["n"]).abs() < 1e-9).all()
    return n, (ne if weighted else None)


def question_bases(xt: pd.DataFrame) -> dict[str, tuple[str, dict]]:
    """Each multiple-response question's net row label -> its base row's label and, per column (banner,
    column), the respondents who answered the question: shown after the net, since the table's base row
    counts the largest base of any row instead."""
    nets = xt[xt["metric"] == "pct_any"]
    out = {}
    for label, cells in nets.groupby("row", sort=False):
        name = label[:-len(NET)] if label.endswith(NET) else label
        out[label] = (f"{name}: base (n)", {(c.banner, c.column): int(c.n) for c in cells.itertuples()})
    return out
