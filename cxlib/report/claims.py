"""The story's rules: each claim the report makes in words, made only when its evidence carries it.

Every rule takes the tested figures (never data) and returns the words and the evidence behind them,
or None when the evidence does not carry the claim. The report's story, its sections and the notebooks
call these rules, so a sentence means the same wherever it is read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import periods

__all__ = ["BLANK", "Claim", "comparison_claim", "importance_claim", "left_out_months", "option_claim", "scale_change_claim",
           "segments_claim", "small_base_claim", "weakness_claim"]

#: How a missing segment value reads in tables and sentences.
BLANK = "(blank)"


@dataclass(frozen=True)
class Claim:
    """A claim in words and the evidence that carries it (for the small print)."""

    text: str
    evidence: str = ""


def importance_claim(rank_ci_low, rank_ci_high, *, drivers: int, top: int = 3) -> Claim | None:
    """How important a driver may be called, from its rank interval (bootstrap or jackknife).

    "matters most" only when every resample ranks it first (interval [1, 1]); "is among the most
    important" when the interval ends within the top ``top`` ranks; else no claim.

    Examples
    --------
    >>> importance_claim(1, 1, drivers=7).text
    'matters most'
    >>> importance_claim(1, 3, drivers=7).text
    'is among the most important (ranks 1–3 of 7)'
    >>> importance_claim(1, 6, drivers=7) is None
    True
    """
    if pd.isna(rank_ci_low) or pd.isna(rank_ci_high):
        return None
    low, high = int(rank_ci_low), int(rank_ci_high)
    evidence = f"rank interval {low}–{high} of {drivers}"
    if low == high == 1:
        return Claim("matters most", f"ranked first in every resample ({evidence})")
    if high <= top:
        return Claim(f"is among the most important (ranks {low}–{high} of {drivers})", evidence)
    return None


def weakness_claim(performance, ci_low, ci_high, *, cut: float) -> Claim | None:
    """"is weakest" only when the driver's rating interval lies wholly below the drivers' average
    (its performance gap excludes zero); else no claim.

    Examples
    --------
    >>> weakness_claim(3.1, 2.9, 3.3, cut=3.4).text
    'is weakest'
    >>> weakness_claim(3.1, 2.9, 3.5, cut=3.4) is None
    True
    """
    if pd.isna(ci_high) or not ci_high < cut:
        return None
    return Claim("is weakest", f"rated {performance:.2f} (95% CI {ci_low:.2f} to {ci_high:.2f}), wholly below "
                               f"the drivers' average {cut:.2f}")


def option_claim(diff, ci_low, ci_high, p_holm, *, small_base: bool, higher_is_better: bool = True,
                 alpha: float = 0.05) -> Claim | None:
    """"goes with a lower score": said of a multiple-response option only when both its groups are large
    enough (not ``small_base``), the difference survives Holm's adjustment across the question's options
    (``p_holm < alpha``) and its interval lies wholly on the worse side of zero; else no claim. It is an
    association (those who selected it score worse), never a cause.

    Examples
    --------
    >>> option_claim(-40.0, -55.0, -25.0, 0.001, small_base=False).text
    'goes with a lower score'
    >>> option_claim(-40.0, -55.0, -25.0, 0.001, small_base=True) is None      # too few to tell
    True
    >>> option_claim(-8.0, -20.0, 4.0, 0.30, small_base=False) is None         # within noise
    True
    """
    if small_base or pd.isna(p_holm) or pd.isna(ci_low) or pd.isna(ci_high) or not p_holm < alpha:
        return None
    worse = ci_high < 0 if higher_is_better else ci_low > 0
    if not worse:
        return None
    return Claim("goes with a lower score" if higher_is_better else "goes with a worse score",
                 f"difference {diff:+.1f} (95% CI {ci_low:+.1f} to {ci_high:+.1f}), adjusted p = {p_holm:.3g}")


def small_base_claim(n: int, *, min_n: int, period: str, label: str) -> Claim | None:
    """The sentence in place of a score resting on fewer than ``min_n`` answers (no figure stated), else None.

    Examples
    --------
    >>> small_base_claim(4, min_n=30, period="Oct 2026", label="NPS").text
    'Only 4 answers to NPS in Oct 2026, fewer than the 30 a figure needs: no figure is stated.'
    >>> small_base_claim(40, min_n=30, period="Oct 2026", label="NPS") is None
    True
    """
    if n >= min_n:
        return None
    return Claim(f"Only {n:,} answer{'s' if n != 1 else ''} to {label} in {period}, fewer than the {min_n} a figure "
                 "needs: no figure is stated.", f"n = {n} < {min_n}")


def comparison_claim(n_now: int, n_before: int, *, min_n: int, period: str, before: str) -> Claim | None:
    """Why a month cannot be compared with its baseline, naming the small side(s); None when both are large.

    Examples
    --------
    >>> comparison_claim(120, 1, min_n=30, period="Oct 2026", before="Sep 2026").text
    'too few answers in Sep 2026 (n = 1, fewer than 30; Oct 2026 has 120) to tell a change from noise'
    >>> comparison_claim(4, 67, min_n=30, period="Oct 2026", before="Sep 2026").text
    'too few answers in Oct 2026 (n = 4, fewer than 30; Sep 2026 has 67) to tell a change from noise'
    """
    small = [(p, n, other, m) for p, n, other, m in ((period, n_now, before, n_before), (before, n_before, period, n_now))
             if n < min_n]
    if not small:
        return None
    if len(small) == 2:
        text = (f"too few answers in both {period} (n = {n_now:,}) and {before} (n = {n_before:,}), fewer than "
                f"{min_n}, to tell a change from noise")
    else:
        p, n, other, m = small[0]
        text = f"too few answers in {p} (n = {n:,}, fewer than {min_n}; {other} has {m:,}) to tell a change from noise"
    return Claim(text, f"n = {n_now} now, {n_before} before; minimum {min_n}")


def segments_claim(tested: int, small: int, *, min_n: int, label: str, noise_word: str = "normal month-to-month noise"
                   ) -> Claim:
    """The story's line when no segment moved for real: "no segment moved" only when one was compared.

    Examples
    --------
    >>> segments_claim(12, 3, min_n=30, label="NPS").text
    'No segment moved beyond normal month-to-month noise (12 segment values compared).'
    >>> segments_claim(0, 5, min_n=30, label="NPS").text
    "No segment's NPS could be compared: all 5 segment values had fewer than 30 answers in the month or its baseline."
    """
    if tested:
        return Claim(f"No segment moved beyond {noise_word} ({tested} segment value{'s' if tested != 1 else ''} "
                     "compared).", f"{tested} tested, {small} too small")
    return Claim(f"No segment's {label} could be compared: all {small} segment value{'s' if small != 1 else ''} had "
                 f"fewer than {min_n} answers in the month or its baseline.", f"0 tested, {small} too small")


def left_out_months(trend: pd.DataFrame, *, min_n: int) -> str:
    """The caption's note on the months a trend leaves out as too small ("" when none is).

    Parameters
    ----------
    trend : pandas.DataFrame
        A :func:`cxlib.scores.trend` table (``period``, ``n``, ``small_base``).

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.PeriodIndex(["2026-08", "2026-09", "2026-10"], freq="M"),
    ...                   "n": [50, 4, 60], "small_base": [False, True, False]})
    >>> left_out_months(t, min_n=30)
    'Left out as too small (fewer than 30 answers): Sep 2026 (n = 4).'
    """
    small = trend[trend["small_base"].astype(bool)]
    if small.empty:
        return ""
    named = ", ".join(f"{periods.label(str(p))} (n = {int(n):,})" for p, n in zip(small["period"], small["n"]))
    return f"Left out as too small (fewer than {min_n} answers): {named}."


def scale_change_claim(brk, *, label: str) -> Claim:
    """The note on a score whose range changed abruptly (a :func:`cxlib.scores.scale_breaks` row).

    Examples
    --------
    >>> row = {"direction": "above", "threshold": 5.0, "first_at": pd.Timestamp("2015-06-09 10:12"),
    ...        "n_before": 2140, "n_after": 900, "share_beyond_after": 0.41}
    >>> print(scale_change_claim(row, label="Rating").text)
    Rating: answers above 5 first appear on 9 Jun 2015 (the 2,140 answers before were all 5 or below; 41% of the 900 after are above 5): was the scale changed? Months before and after are not compared.
    """
    side, t = brk["direction"], f"{brk['threshold']:g}"
    kept = "or below" if side == "above" else "or above"
    when = pd.Timestamp(brk["first_at"])
    return Claim(f"{label}: answers {side} {t} first appear on {when.day} {when:%b %Y} (the {int(brk['n_before']):,} "
                 f"answers before were all {t} {kept}; {brk['share_beyond_after']:.0%} of the {int(brk['n_after']):,} "
                 f"after are {side} {t}): was the scale changed? Months before and after are not compared.",
                 f"chance of no such answer before, were nothing changed: e^{brk.get('log_chance', float('nan')):.0f}")
