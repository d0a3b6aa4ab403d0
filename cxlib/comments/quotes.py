"""Representative, redacted customer quotes for a theme and/or a segment."""

from __future__ import annotations

import pandas as pd

from .._checks import check_choice, need_columns
from ..data import subset
from ..errors import DataError
from .codebook import PREFIX, load_codebook, tag_themes
from .redaction import redact
from .sentiment import sentiment

__all__ = ["quotes"]


def quotes(data: pd.DataFrame, *, theme: str | None = None, segment=None, n: int = 3,
           col: str = "comment", score: str = "nps", codebook=None, how: str = "typical",
           min_chars: int = 20) -> pd.DataFrame:
    """Representative, redacted comments for a theme and/or segment.

    Parameters
    ----------
    data : DataFrame
        Responses (raw or from :func:`annotate_comments`).
    theme : str, optional
        Codebook theme name; tagged on the fly when ``theme_<name>`` is not a column.
    segment : str or dict, optional
        As in :func:`cxlib.data.subset`, e.g. ``"region=EMEA"``.
    n : int, default 3
        Number of quotes.
    col, score : str
        Comment and score columns (``score`` is shown when present).
    codebook : path, dict or Codebook, optional
        Used when themes must be tagged.
    how : {"typical", "strongest"}
        "typical": sentiment closest to the median of the matching comments (representative);
        "strongest": most negative first for a negative theme (most positive for a positive one).
        Either way, comments mentioning fewer themes (``n_themes``, when present) come first.
    min_chars : int, default 20
        Prefer comments at least this long (falls back to shorter ones when too few).

    Returns
    -------
    DataFrame
        Up to ``n`` rows, distinct texts: ``response_id`` (when present), ``quote`` (redacted),
        ``compound``, ``score`` (the ``score`` column's value, when present), ``theme``, and
        ``n_matching`` (comments matching the theme/segment: the base the quotes stand for).

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Waited on hold for an hour, ask for Maria Lopez",
    ...                                "Waited on hold again, it was awful", "Great value"],
    ...                    "nps": [3.0, 1.0, 9.0]})
    >>> quotes(df, theme="slow_support", n=1, how="strongest", codebook="data/sample/codebook.yml")[["quote", "score", "n_matching"]]
                                    quote  score  n_matching
    0  Waited on hold again, it was awful    1.0           2
    """
    check_choice(how, ("typical", "strongest"), param="how", func="quotes")
    need_columns(data, [col], where="quotes")
    d = subset(data, segment=segment) if segment is not None else data
    d = d[d[col].notna()]
    polarity = "negative"
    if theme is not None:
        cb = load_codebook(codebook) if codebook is not None else None
        tc = PREFIX + theme
        if cb is not None and theme in cb.themes:
            polarity = cb.themes[theme].polarity
        if tc not in d.columns:
            if cb is None or theme not in cb.themes:
                raise DataError(f"quotes: theme {theme!r} is not a column {tc!r} and not a theme of the "
                                f"codebook given ({cb.names if cb else 'none'}); tag the comments first")
            d = tag_themes(d, cb, col=col)
        d = d[d[tc].fillna(False).astype(bool)]
    red = redact(d[col])
    comp = d["compound"] if "compound" in d.columns else sentiment(red)["compound"]
    focus = d["n_themes"].fillna(0).astype(int) if "n_themes" in d.columns else 0
    cand = pd.DataFrame({"quote": red, "compound": comp, "_len": red.str.len(), "_focus": focus},
                        index=d.index)
    if "response_id" in d.columns:
        cand.insert(0, "response_id", d["response_id"])
    if score in d.columns:
        cand["score"] = d[score]
    n_matching = len(cand)
    cand = cand.drop_duplicates("quote")
    long_enough = cand[cand["_len"] >= min_chars]
    cand = long_enough if len(long_enough) >= n else cand
    if how == "typical":
        cand = cand.assign(_rank=(cand["compound"] - cand["compound"].median()).abs())
    else:
        cand = cand.assign(_rank=cand["compound"] * (1 if polarity == "negative" else -1))
    cand = cand.sort_values(["_focus", "_rank", "_len"], kind="stable").head(n)
    out = cand.drop(columns=["_rank", "_len", "_focus"]).reset_index(drop=True)
    out["theme"] = theme
    out["n_matching"] = n_matching
    return out


