"""Input checks shared by every package: columns present, a choice among options, offending rows.

One phrasing everywhere (after scikit-learn's parameter validation): "The 'method' parameter of
relative_importance must be one of [...]. Got 'x' instead." and "relative_importance: column(s)
['y'] not in the data; ...". Offending rows are always described by :func:`describe_rows`.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .errors import DataError, ParameterError

__all__ = ["by_list", "check_choice", "check_confidence", "check_frame", "check_weights", "describe_rows",
           "examples", "need_columns"]


def describe_rows(mask, values=None, *, limit: int = 5) -> str:
    """Describe the rows where ``mask`` is True by their index labels, with their values when given.

    Loaders pass a mask indexed by data row number (1 = the first row after the header), analysis
    functions the caller's own index, so the labels are the ones the reader can look up.

    Parameters
    ----------
    mask : pandas.Series of bool
    values : pandas.Series, optional
        Shown beside each label.
    limit : int
        Rows listed before "and k more".

    Returns
    -------
    str
        "3 row(s): 2 ('x'), 5 ('y') and 1 more".

    Examples
    --------
    >>> s = pd.Series(["7", "x", "8", "y"], index=[1, 2, 3, 4])
    >>> describe_rows(s == "x"), describe_rows(s.isin(["x", "y"]), s, limit=1)
    ('1 row(s): 2', "2 row(s): 2 ('x') and 1 more")
    """
    mask = pd.Series(mask) if not isinstance(mask, pd.Series) else mask
    flagged = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
    shown = []
    for i in flagged[:limit]:
        label = mask.index[i]
        label = label.item() if hasattr(label, "item") else label
        if values is None:
            shown.append(str(label))
        else:
            v = values.iloc[i]
            v = v.item() if hasattr(v, "item") else v
            shown.append(f"{label} ({v!r})")
    more = f" and {len(flagged) - limit} more" if len(flagged) > limit else ""
    return f"{len(flagged)} row(s): {', '.join(shown)}{more}"


def examples(values, limit: int = 5) -> str:
    """A short comma-separated list of values: "A, B, C and 2 more".

    Examples
    --------
    >>> examples(["a", "b", "c"], limit=2)
    'a, b and 1 more'
    """
    values = list(values)
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(map(str, values[:limit])) + more


def need_columns(data, columns, *, where: str) -> None:
    """Raise :class:`~cxlib.errors.DataError` when a column is not in ``data``, suggesting close names.

    Examples
    --------
    >>> need_columns(pd.DataFrame({"nps": [1]}), ["nps"], where="nps")
    >>> need_columns(pd.DataFrame({"nps": [1]}), ["npss"], where="nps")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: nps: column(s) ['npss'] not in the data (did you mean 'nps'?); columns are ['nps']
    """
    cols = [str(c) for c in data.columns]
    missing = [c for c in dict.fromkeys(columns) if c is not None and c not in cols]
    if missing:
        hints = [m for c in missing for m in difflib.get_close_matches(str(c), cols, n=1)]
        hint = f" (did you mean {', '.join(map(repr, hints))}?)" if hints else ""
        shown = cols if len(cols) <= 30 else cols[:30] + ["..."]
        raise DataError(f"{where}: column(s) {missing} not in the data{hint}; columns are {shown}")


def check_frame(data, *, where: str) -> None:
    """Raise ``TypeError`` unless ``data`` is a pandas DataFrame.

    Examples
    --------
    >>> check_frame([1, 2], where="nps")
    Traceback (most recent call last):
    ...
    TypeError: nps: data must be a pandas DataFrame, got list
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{where}: data must be a pandas DataFrame, got {type(data).__name__}")


def check_choice(value, choices, *, param: str, func: str):
    """Return ``value`` when it is one of ``choices``; raise :class:`~cxlib.errors.ParameterError` otherwise.

    Examples
    --------
    >>> check_choice("wald", ("wald", "adjusted_wald"), param="ci_method", func="nps")
    'wald'
    >>> check_choice("x", ("wald",), param="ci_method", func="nps")
    Traceback (most recent call last):
    ...
    cxlib.errors.ParameterError: The 'ci_method' parameter of nps must be one of ['wald']. Got 'x' instead.
    """
    if value not in choices:
        raise ParameterError(f"The {param!r} parameter of {func} must be one of {sorted(choices)}. "
                             f"Got {value!r} instead.")
    return value


def check_confidence(confidence, *, func: str) -> float:
    """Return ``confidence`` as a float strictly between 0 and 1, else raise ParameterError.

    Examples
    --------
    >>> check_confidence(0.9, func="nps")
    0.9
    >>> check_confidence(95, func="nps")
    Traceback (most recent call last):
    ...
    cxlib.errors.ParameterError: The 'confidence' parameter of nps must be a number between 0 and 1 (e.g. 0.95). Got 95 instead.
    """
    try:
        ok = 0 < float(confidence) < 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ParameterError(f"The 'confidence' parameter of {func} must be a number between 0 and 1 "
                             f"(e.g. 0.95). Got {confidence!r} instead.")
    return float(confidence)


def check_weights(data, weight: str, *, used, where: str, what: str = "answered") -> np.ndarray:
    """The survey weights of ``data[weight]`` as float64; raise DataError where a used row's weight is bad.

    Parameters
    ----------
    data : pandas.DataFrame
    weight : str
        The weight column (already known to be present).
    used : array-like of bool
        The rows whose weight matters (e.g. those with an answer); others may be missing.
    where, what : str
        The function named in the message, and what makes a row used ("'nps' is answered").

    Examples
    --------
    >>> check_weights(pd.DataFrame({"w": [1.0, None]}), "w", used=[True, False], where="nps").tolist()
    [1.0, nan]
    >>> check_weights(pd.DataFrame({"w": [1.0, -2.0]}), "w", used=[True, True], where="nps")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: nps: column 'w': weights must be finite and ≥ 0 where answered; bad in 1 row(s): 1 (-2.0)
    """
    w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.asarray(used, dtype=bool) & ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        raise DataError(f"{where}: column {weight!r}: weights must be finite and ≥ 0 where {what}; bad in "
                        f"{describe_rows(pd.Series(bad, index=data.index), data[weight])}")
    return w


def by_list(by) -> list[str]:
    """Grouping columns as a list: None -> [], "region" -> ["region"], a sequence -> a list.

    Examples
    --------
    >>> by_list(None), by_list("region"), by_list(("region", "plan"))
    ([], ['region'], ['region', 'plan'])
    """
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)
