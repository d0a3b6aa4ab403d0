"""Readable tables in a notebook: :func:`show` formats a tidy result for people, and leaves it tidy.

The analysis functions return tidy frames with every column a program needs (``se``, ``z``, ``tested``,
``p_value``, fifteen columns of floats). ``show(df)`` displays the same rows as a person reads them:
scores and percentages formatted, each interval as one "low to high" column, plumbing columns hidden,
small bases greyed, significant rows in bold with an arrow on the difference. A banner table from
:func:`cxlib.tables.crosstab` is drawn with :func:`cxlib.tables.render_crosstab`.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from ..metrics import METRICS
from .crosstab import COLUMNS
from .render import render_crosstab

__all__ = ["Shown", "show"]

PLUMBING = {"se", "sd", "z", "df", "tested", "small_base", "significant", "se_value", "se_baseline",
            "n_scored", "sw", "sw2"}
_SIGNED = {"nps", "diff", "current_minus_previous", "points_lost", "estimate"}
_PERCENT_0_100 = {"csat", "pct_promoters", "pct_passives", "pct_detractors", "pct_low_effort", "pct_negative"}
_P = {"p_value", "p_adjusted", "p_holm", "p_unc"}
_STYLE = ("<style>.cx-show{border-collapse:collapse;font-size:13px}.cx-show th,.cx-show td{padding:2px 8px;"
          "text-align:right;border-bottom:1px solid #e5e5e5}.cx-show th{font-weight:600}"
          ".cx-show .cx-small td{color:#999}.cx-show .cx-sig td{font-weight:600}"
          ".cx-show td.cx-text{text-align:left}.cx-show .cx-more{color:#777;font-style:italic}</style>")


def _number(v, col: str, kind: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return ""
    if kind == "p":
        return "<0.001" if v < 0.001 else f"{v:.3f}"
    if kind == "share":
        return f"{100 * v:.1f}%"
    if kind == "pct":
        return f"{v:.1f}%"
    if kind == "count":
        return f"{int(round(v)):,}"
    if kind == "signed":
        return f"{v:+.1f}"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.2f}"


def _kind(col: str, s: pd.Series) -> str:
    base = col[:-len("_ci")] if col.endswith("_ci") else col
    if base in _P or base.startswith("p_"):
        return "p"
    if base == "share" or base.startswith("share_") or base in ("efficiency",):
        return "share"
    if base in _PERCENT_0_100 or base.startswith("pct_"):
        return "pct"
    if base == "n" or base.startswith("n_") or pd.api.types.is_integer_dtype(s):
        return "count"
    if base in _SIGNED or base.startswith("diff"):
        return "signed"
    return "float"


def _cell(v, col: str, kind: str) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else ""
    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d}"
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return _number(float(v), col, kind)
    return "" if v is None or v is pd.NA else str(v)


class Shown:
    """A tidy frame formatted for reading: displays as an HTML table in a notebook, as text elsewhere.

    Attributes
    ----------
    data : pandas.DataFrame
        The formatted cells (text), the columns a person reads.
    small, significant : numpy.ndarray of bool
        Rows greyed (small base) and rows marked significant.
    more : int
        Rows left out after ``max_rows``.
    text_columns : list of str
        Columns of text (left-aligned).
    """

    def __init__(self, data: pd.DataFrame, small, significant, more: int = 0, text_columns=()):
        self.data, self.small, self.significant = data, np.asarray(small), np.asarray(significant)
        self.more, self.text_columns = more, list(text_columns)

    def __repr__(self) -> str:
        text = self.data.to_string(index=False)
        return text + (f"\n… {self.more} more rows" if self.more else "")

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.data.columns)
        body = []
        for i, row in enumerate(self.data.itertuples(index=False)):
            cls = " ".join(c for c, on in (("cx-small", self.small[i]), ("cx-sig", self.significant[i])) if on)
            cells = "".join(f'<td class="cx-text">{html.escape(v)}</td>' if c in self.text_columns else
                            f"<td>{html.escape(v)}</td>" for c, v in zip(self.data.columns, row))
            body.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
        more = f'<p class="cx-more">… {self.more} more rows</p>' if self.more else ""
        return f'{_STYLE}<table class="cx-show"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{more}'


def show(data: pd.DataFrame, *, max_rows: int = 60, hide=(), alpha: float = 0.05):
    """Display a cxlib result so that a person can read it; the result itself stays tidy.

    Parameters
    ----------
    data : pandas.DataFrame
        A table from any cxlib analysis function (or a banner table from :func:`crosstab`).
    max_rows : int
        Rows shown before "… k more rows".
    hide : sequence of str
        Further columns to leave out.
    alpha : float
        Rows whose adjusted p-value (``p_adjusted``, ``p_holm``) is below it count as significant when
        the table has no ``significant`` column.

    Returns
    -------
    Shown or great_tables.GT
        Displays as HTML in a notebook. Percentages and scores are formatted; ``ci_low``/``ci_high``
        pairs become one "ci" column ("low to high"); ``se``, ``z``, ``tested``, ``small_base``,
        ``significant``, a ``p_value`` beside an adjusted one, ``n_eff`` equal to ``n`` and an empty
        ``note`` are hidden; small bases are grey; significant rows bold with ▲/▼ on ``diff``.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["a", "b"], "n": [400, 12], "nps": [21.456, -3.0], "ci_low": [12.0, -40.0],
    ...                   "ci_high": [30.9, 34.0], "small_base": [False, True], "note": ["", "small base"]})
    >>> show(t)
    g   n   nps             ci         note
    a 400 +21.5 +12.0 to +30.9
    b  12  -3.0 -40.0 to +34.0   small base
    """
    if set(COLUMNS) <= set(data.columns):
        return render_crosstab(data)
    shown = data.head(max_rows)
    small = shown["small_base"].fillna(False).astype(bool).to_numpy() if "small_base" in shown else np.zeros(len(shown), bool)
    if "significant" in shown:
        sig = shown["significant"].fillna(False).astype(bool).to_numpy()
    else:
        padj = next((c for c in ("p_adjusted", "p_holm") if c in shown), None)
        sig = (shown[padj] < alpha).fillna(False).to_numpy() if padj else np.zeros(len(shown), bool)
    drop = set(PLUMBING) | set(hide)
    if {"p_adjusted", "p_holm"} & set(shown.columns):
        drop.add("p_value")
    for col in [c for c in shown.columns if str(c).startswith("n_eff")]:
        n = "n" + str(col)[len("n_eff"):]
        if n in shown and np.allclose(shown[col].astype(float), shown[n].astype(float), equal_nan=True):
            drop.add(col)      # unweighted: the effective base is the base
    if "note" in shown and not shown["note"].fillna("").astype(str).str.strip().any():
        drop.add("note")
    out, text = {}, []
    for col in shown.columns:
        name = str(col)
        if name in drop or name.endswith("ci_high"):
            continue
        s = shown[col]
        if name.endswith("ci_low") and name[:-3] + "high" in shown:
            prefix = name[: -len("ci_low")]
            key = prefix.rstrip("_") or next((c for c in ("diff", *METRICS, "mean", "value") if c in shown), "")
            kind = _kind(key, shown[key]) if key in shown else _kind(prefix + "ci", s)
            kind = "signed" if kind == "float" and key in _SIGNED else kind
            hi = shown[name[:-3] + "high"]
            out[prefix + "ci"] = [f"{_cell(a, name, kind)} to {_cell(b, name, kind)}" if pd.notna(a) else ""
                                  for a, b in zip(s, hi)]
            continue
        kind = _kind(name, s)
        vals = [_cell(v, name, kind) for v in s]
        if name == "diff" and sig.any():
            vals = [v + (" ▲" if on and d > 0 else " ▼" if on and d < 0 else "") for v, on, d in zip(vals, sig, s)]
        out[name] = vals
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            text.append(name)
    return Shown(pd.DataFrame(out), small, sig, more=max(0, len(data) - max_rows), text_columns=text)
