"""Number formatting shared by the charts and the report: amounts as executives read them."""

from __future__ import annotations

import math

__all__ = ["fmt_money"]


def fmt_money(value, symbol: str = "") -> str:
    """An amount as executives read it: "€9.6M", "€350k", "€4,200"; without a currency, plain ("9.6M").

    Examples
    --------
    >>> fmt_money(9_635_635, "€"), fmt_money(350_400, "€"), fmt_money(4_200, "$"), fmt_money(2.4e9, "CHF ")
    ('€9.6M', '€350k', '$4,200', 'CHF 2.4B')
    >>> fmt_money(float("nan"), "€"), fmt_money(-12_500_000, "£")
    ('–', '-£12M')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign, v = ("-" if value < 0 else ""), abs(float(value))
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= size and (suffix != "k" or v >= 10_000):
            scaled = v / size
            text = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 10 else f"{scaled:.0f}"
            return f"{sign}{symbol}{text}{suffix}"
    return f"{sign}{symbol}{v:,.0f}"
