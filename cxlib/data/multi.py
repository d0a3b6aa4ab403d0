"""Multiple-response ("select all that apply") answers: one column per option, coded selected or not.

An export writes each option of a multiple-response question as its own column: 0/1, true/false,
yes/no, or "Selected"/"Not selected" (SPSS dichotomies carry these as value labels, which the loader
applies first). :func:`code_selections` reads any of these into 1/0/NaN and refuses anything else, naming
the column and the 1-based data rows. The loader types ``responses.multi`` columns with it, and
:func:`cxlib.tables.crosstab` codes its ``multi=`` columns with it; on DuckDB or a server table the loader
reads them the same way with :func:`selection_expr` (one query flags other values).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import describe_rows
from ..errors import DataError, ParameterError

__all__ = ["NOT_SELECTED", "SELECTED", "code_selections", "option_sets", "selection_expr"]

#: Answers read as "selected" / "not selected" (lower case, spaces trimmed); a blank cell is no answer.
SELECTED = frozenset({"1", "1.0", "true", "t", "yes", "y", "selected", "checked", "ticked", "x"})
NOT_SELECTED = frozenset({"0", "0.0", "false", "f", "no", "n", "not selected", "unselected", "not checked",
                          "unchecked", "not ticked"})


def option_sets(multi, *, func: str) -> dict[str, list[str]]:
    """The ``multi=`` parameter of ``func`` checked: question -> its option columns (a single column may be
    given as a string; a column listed twice counts once).

    Examples
    --------
    >>> option_sets({"why": ["Q5_1", "Q5_2", "Q5_1"], "other": "Q6"}, func="crosstab")
    {'why': ['Q5_1', 'Q5_2'], 'other': ['Q6']}
    >>> option_sets(["Q5_1"], func="option_impact")
    Traceback (most recent call last):
    ...
    cxlib.errors.ParameterError: The 'multi' parameter of option_impact must be a mapping of question: [option columns], e.g. {'reasons': ['Q5_1', 'Q5_2']} (cfg.multi). Got ['Q5_1'] instead.
    """
    if not isinstance(multi, dict) or not multi:
        raise ParameterError(f"The 'multi' parameter of {func} must be a mapping of question: [option columns], "
                             f"e.g. {{'reasons': ['Q5_1', 'Q5_2']}} (cfg.multi). Got {multi!r} instead.")
    out = {}
    for name, cols in multi.items():
        cols = [cols] if isinstance(cols, str) else list(cols) if isinstance(cols, (list, tuple)) else []
        if not cols or not all(isinstance(c, str) for c in cols):
            raise ParameterError(f"{func}: multi[{name!r}] must list the question's option columns, "
                                 f"e.g. ['Q5_1', 'Q5_2']. Got {multi[name]!r} instead.")
        out[str(name)] = list(dict.fromkeys(cols))
    return out


def code_selections(values, *, where: str, column: str) -> np.ndarray:
    """One option's answers as 1.0 (selected), 0.0 (not selected) or NaN (no answer).

    Parameters
    ----------
    values : pandas.Series
        The option's column: numbers 0/1, booleans, or text among :data:`SELECTED` and
        :data:`NOT_SELECTED` (any case); missing values and blank text are no answer.
    where : str
        What the data are, for the message ("responses file data/x.sav", "crosstab").
    column : str
        The column as the user named it.

    Returns
    -------
    numpy.ndarray
        float64, one entry per row.

    Raises
    ------
    DataError
        For any other value, naming the column, the 1-based data rows and their values, and the fix.

    Examples
    --------
    >>> code_selections(pd.Series(["Selected", "Not Selected", None, " yes "]), where="x", column="Q5_1").tolist()
    [1.0, 0.0, nan, 1.0]
    >>> code_selections(pd.Series([1, 0, 2]), where="crosstab", column="Q5_2")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: crosstab, column 'Q5_2': a multiple-response option must be selected or not (1/0, true/false, yes/no, selected/not selected); found other values in 1 row(s): 3 (2). Recode them, or list them under the column's missing_codes if they mean no answer
    """
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("Float64").to_numpy("float64", na_value=np.nan)
    if pd.api.types.is_numeric_dtype(s.dtype):
        out = s.to_numpy("float64", na_value=np.nan)
        bad = ~np.isnan(out) & (out != 0) & (out != 1)
        coded = out
    else:
        text = s.astype("string").str.strip().str.lower()
        coded = np.full(len(s), np.nan)
        coded[text.isin(SELECTED).fillna(False).to_numpy(bool)] = 1.0
        coded[text.isin(NOT_SELECTED).fillna(False).to_numpy(bool)] = 0.0
        bad = np.isnan(coded) & text.fillna("").ne("").to_numpy(bool)
    if bad.any():
        numbered = pd.Series(bad, index=pd.RangeIndex(1, len(s) + 1))
        shown = pd.Series(s.to_numpy(object), index=numbered.index)
        raise DataError(f"{where}, column {column!r}: a multiple-response option must be selected or not (1/0, "
                        f"true/false, yes/no, selected/not selected); found other values in "
                        f"{describe_rows(numbered, shown)}. Recode them, or list them under the column's "
                        "missing_codes if they mean no answer")
    return np.asarray(coded, dtype="float64")


def selection_expr(col, text):
    """An option column of an Ibis table (``text``: its values as stripped text) as true (selected), false
    (not) or null (no answer), read as :func:`code_selections` reads a Series, and the condition that flags
    any other value (None when there can be none). Used by the engines' loader."""
    import ibis

    if col.type().is_boolean():
        return col, None
    if col.type().is_numeric():
        num = col.cast("float64")
        out = (num == 1.0).ifelse(True, (num == 0.0).ifelse(False, ibis.null("boolean")))
        return out, num.notnull() & out.isnull()
    low = text.lower()
    out = low.isin(sorted(SELECTED)).ifelse(True, low.isin(sorted(NOT_SELECTED)).ifelse(False, ibis.null("boolean")))
    return out, col.notnull() & (text != "") & out.isnull()
