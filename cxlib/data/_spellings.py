"""One segment value, one spelling (private to :mod:`cxlib.data`).

Exports type the same value several ways: "Café" with a composed é and with e + a combining accent (two
rows of n = 123 and 111 in a segment table), "2x4x2", "2X4X2" and "2-4-2". Values that differ only by
case, Unicode normal form, spacing or punctuation (and "x" or "×" between digits, read as a separator)
are merged at load under their most frequent spelling (NFC; the first in the file on a tie), and a note
lists what was merged. Only :mod:`cxlib.data.loading` imports this module.
"""

from __future__ import annotations

import pandas as pd

from .config import TableSpec

__all__ = ["NOTES", "merge_spellings", "spelling_key"]

#: Where the loader's notes travel with a loaded DataFrame (``DataFrame.attrs``).
NOTES = "cx_notes"


def spelling_key(values: pd.Series) -> pd.Series:
    """The matching key of each value: NFKC, case-folded, "x"/"×" between digits and every space and
    punctuation mark removed (a value of punctuation only keeps its own key).

    Examples
    --------
    >>> spelling_key(pd.Series(["2x4x2", "2-4-2", "2X4X2", " Cafe\u0301 ", "café", "--"])).tolist()
    ['242', '242', '242', 'café', 'café', '--']
    """
    folded = values.astype("string").str.normalize("NFKC").str.casefold()
    folded = folded.str.replace(r"(?<=\d)\s*[x×]\s*(?=\d)", "-", regex=True)
    bare = folded.str.replace(r"[\W_]+", "", regex=True)
    return bare.where(bare != "", folded.str.strip())


def _variants(col: pd.Series) -> tuple[dict, list[str]]:
    """Spelling -> the shown spelling, for the values merged, and one line per merged group."""
    counts = col.dropna().value_counts(sort=False)               # in order of first appearance
    if counts.empty:
        return {}, []
    spellings = pd.Series(counts.index, index=counts.index, dtype=object)
    keys = spelling_key(spellings)
    mapping, lines = {}, []
    for _, group in counts.groupby(keys.to_numpy(), sort=False):
        if len(group) < 2:
            continue
        chosen = group.index[int(group.to_numpy().argmax())]       # most frequent; first in the file on a tie
        shown = pd.Series([chosen]).str.normalize("NFC").iloc[0]
        nfc = pd.Series(group.index).str.normalize("NFC").tolist()
        parts = [f"{v!r} ({int(k):,})" + (" [another Unicode form]" if f == shown and v != chosen else "")
                 for v, k, f in zip(group.index, group, nfc)]
        lines.append(f"{shown!r} ({int(group.sum()):,}) from " + ", ".join(parts))
        mapping.update({v: shown for v in group.index})
    return mapping, lines


def merge_spellings(data: pd.DataFrame, spec: TableSpec) -> tuple[pd.DataFrame, list[str]]:
    """Merge the spelling variants of every segment column; return the new frame and one note per column.

    Examples
    --------
    >>> spec = TableSpec("responses", None, {}, segments={"seats": "Seats"})
    >>> out, notes = merge_spellings(pd.DataFrame({"seats": ["2x4x2", "2-4-2", "2x4x2", "3-3-3", None]}), spec)
    >>> out["seats"].tolist()[:4], notes
    (['2x4x2', '2x4x2', '2x4x2', '3-3-3'], ["Segment 'Seats' (seats): spellings that differ only by case, Unicode form, spacing or punctuation are counted as one value: '2x4x2' (3) from '2x4x2' (2), '2-4-2' (1)."])
    """
    out, notes = data, []
    for name, src in spec.segments.items():
        if name not in data or not pd.api.types.is_string_dtype(data[name]) and data[name].dtype != object:
            continue
        mapping, lines = _variants(data[name])
        if mapping:
            out = out.assign(**{name: data[name].replace(mapping)})
            label = f"{src!r} ({name})" if src != name else repr(name)
            notes.append(f"Segment {label}: spellings that differ only by case, Unicode form, spacing or "
                         f"punctuation are counted as one value: {'; '.join(lines)}.")
    return out, notes
