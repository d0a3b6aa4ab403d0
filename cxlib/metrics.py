"""The metric registry: one frozen definition per score, and the only code that computes a score's interval.

Every score the workbook knows (NPS, CSAT, CES, any rating, would-recommend, and any score registered
with :func:`register`) is declared here once: its kind (a net score, a share, a mean), its default scale,
the answer points it counts, how each respondent's value is coded, its interval method, and how the
report names and formats it. ``cxlib.scores``, ``cxlib.tables``, ``cxlib.comments`` and the report loop
over :data:`METRICS`; nothing else holds a list of score names or computes a score's interval.

The intervals (:func:`finish_interval`) stay inside the scale and never collapse on a handful of
identical answers: adjusted Wald for NPS (Rocks 2016), Wilson for shares, a t interval clipped to the
scale for means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._stats import t_crit, wilson, z_crit
from .errors import ParameterError

__all__ = ["KINDS", "METRICS", "VARIANCES", "Metric", "estimate", "finish_interval", "get_metric", "register",
           "registry_version", "resolve_variance", "unregister"]

#: What a score is: a net score (% top minus % bottom, −100..100), a share of answers (0–100 %), a mean.
KINDS = ("net", "share", "mean")
#: How a weighted score's standard error is computed: Taylor linearisation of the ratio estimator (as R's
#: ``survey`` package does for a with-replacement design of respondents), or Kish's effective base.
VARIANCES = ("linearized", "kish")
_METHODS = {"net": ("adjusted_wald", "wald"), "share": ("wilson",), "mean": ("t",)}


@dataclass(frozen=True)
class Metric:
    """One score's definition.

    Attributes
    ----------
    name : str
        The canonical column and the value column of its table ("nps").
    kind : {"net", "share", "mean"}
    scale : tuple
        Default ``(min, max, higher_is_better, top_k)``; ``None`` for a rating, whose scale the config gives.
    fixed_scale : bool
        The scale is part of the definition (NPS 0–10, yes/no 0–1): no other scale is accepted.
    integer : bool
        Answers must be whole numbers.
    points : dict
        For a net score: ``{"promoters": (9, 10), "passives": (7, 8), "detractors": (0, ..., 6)}``;
        for a share: ``{"<count name>": "top"}`` (the scale's top box) or explicit points; for a mean:
        ``{"<count name>": "top"}`` (its top-box share, reported beside the mean).
    label, card, unit : str
        Short name ("NPS"), what the headline number is (" (% satisfied)"), units of a change.
    digits : int
    signed, percent : bool
    definition : str
        One sentence for "About" (``{min}``, ``{max}``, ``{direction}``, ``{top}`` filled from the scale).
    ci_method : str
        Default interval method (one of :data:`KINDS`' methods).
    banner_row : str
        The row statistic of this score in a banner table ("nps", "top_box" or "mean").
    outcome : {"ols", "logit"}
        How a driver model explains it.
    doc : str
        What the column holds, one line (the config reference shows it under ``responses.columns``).
    """

    name: str
    kind: str
    scale: tuple | None
    label: str
    card: str = ""
    unit: str = "points"
    digits: int = 0
    signed: bool = False
    percent: bool = False
    definition: str = ""
    fixed_scale: bool = False
    integer: bool = False
    points: dict = field(default_factory=dict)
    ci_method: str = ""
    banner_row: str = ""
    outcome: str = "ols"
    doc: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ParameterError(f"The 'kind' parameter of Metric must be one of {KINDS}. Got {self.kind!r} instead.")
        object.__setattr__(self, "ci_method", self.ci_method or _METHODS[self.kind][0])
        if self.ci_method not in _METHODS[self.kind]:
            raise ParameterError(f"The 'ci_method' parameter of Metric({self.name!r}) must be one of "
                                 f"{_METHODS[self.kind]}. Got {self.ci_method!r} instead.")
        default_row = {"net": "nps", "share": "top_box", "mean": "mean"}[self.kind]
        object.__setattr__(self, "banner_row", self.banner_row or default_row)

    @property
    def counts(self) -> list[str]:
        """The names of the answer counts of its table ("promoters", "top_box", ...)."""
        return list(self.points)

    def point_sets(self, top: list, bottom: list | None = None) -> dict[str, list]:
        """The answer points each count takes, given the scale's top box ``top``."""
        return {name: list(top) if pts == "top" else list(pts) for name, pts in self.points.items()}

    @property
    def value_columns(self) -> list[str]:
        """The columns of its table that are blanked together for an empty or suppressed group."""
        if self.kind == "net":
            return ["pct_" + c for c in self.counts] + [self.name, "se", "ci_low", "ci_high"]
        if self.kind == "share":
            return [self.name, "se", "ci_low", "ci_high", "mean"]
        return [self.name, "sd", "se", "ci_low", "ci_high", "pct_" + self.counts[0]]

    def methods(self) -> tuple[str, ...]:
        """The interval methods this score accepts."""
        return _METHODS[self.kind]


_NPS_POINTS = {"promoters": (9, 10), "passives": (7, 8), "detractors": tuple(range(0, 7))}

#: The registry: score name -> :class:`Metric`, in the default order of the primary score.
METRICS: dict[str, Metric] = {
    "nps": Metric("nps", "net", (0, 10, True, 2), "NPS", unit="points", signed=True, fixed_scale=True,
                  integer=True, points=_NPS_POINTS, doc="Likelihood to recommend, 0-10.",
                  definition="NPS: % promoters (9–10) minus % detractors (0–6) of likelihood-to-recommend "
                             "answers, −100 to +100."),
    "csat": Metric("csat", "share", (1, 5, True, 2), "CSAT", card=" (% satisfied)", unit="percentage points",
                   percent=True, points={"top_box": "top"}, doc="Satisfaction, on its scale (default 1-5).",
                   definition="CSAT: % of answers in the top {top} boxes of the {min}–{max} satisfaction scale."),
    "rating": Metric("rating", "mean", None, "Rating", card=" (mean)", digits=2, points={"top_box": "top"},
                     doc="Any numeric rating; give its scale under responses.scales.rating.",
                     definition="Rating: the mean answer on the {min}–{max} scale ({direction}); the top box is "
                                "{top} point(s)."),
    "recommend": Metric("recommend", "share", (0, 1, True, 1), "Would recommend", card=" (% yes)",
                        unit="percentage points", percent=True, fixed_scale=True, integer=True,
                        points={"yes": (1,)}, outcome="logit", doc="Would recommend: yes/no, true/false or 1/0.",
                        definition="Would recommend: % of answers that say yes."),
    "ces": Metric("ces", "mean", (1, 7, True, 3), "CES", card=" (mean)", digits=2, points={"low_effort": "top"},
                  doc="Customer effort, on its scale (default 1-7, higher = easier).",
                  definition="CES: mean effort score on the {min}–{max} scale ({direction})."),
}
_BUILTIN = frozenset(METRICS)
#: Bumped by every :func:`register` and :func:`unregister`: what is built from the registry (the config
#: schema's score keys) is cached on it.
_CHANGES = [0]


def registry_version() -> int:
    """How many times the registry has changed since import (0: the built-in scores only).

    Examples
    --------
    >>> before = registry_version()
    >>> _ = register(Metric("t2b", "share", (1, 5, True, 2), "Top-2 box", percent=True, points={"top_box": "top"}))
    >>> unregister("t2b")
    >>> registry_version() - before
    2
    """
    return _CHANGES[0]


def get_metric(name: str) -> Metric:
    """The registered :class:`Metric` called ``name``.

    Examples
    --------
    >>> get_metric("csat").kind, get_metric("nps").ci_method
    ('share', 'adjusted_wald')
    """
    try:
        return METRICS[name]
    except (KeyError, TypeError):
        raise ParameterError(f"The 'metric' parameter must be one of {sorted(METRICS)}. Got {name!r} instead.") from None


def register(metric: Metric) -> Metric:
    """Add a score to the registry (or replace one registered before); return it.

    A registered score gets its table from :func:`cxlib.scores.score_table`, its trend, its banner row,
    its theme impact and its headline card in the report, all from this one definition. To map it in
    ``cx.yml`` (``responses.columns``, ``scales``, ``report.targets``), register it before the config is
    loaded: the config schema declares one key per score registered at the time it validates a config.

    Examples
    --------
    >>> m = register(Metric("t2b", "share", (1, 5, True, 2), "Top-2 box", percent=True, points={"top_box": "top"}))
    >>> "t2b" in METRICS
    True
    >>> unregister("t2b")
    """
    if not isinstance(metric, Metric):
        raise ParameterError(f"register takes a Metric. Got {type(metric).__name__} instead.")
    if metric.name in _BUILTIN:
        raise ParameterError(f"{metric.name!r} is a built-in score and cannot be redefined")
    METRICS[metric.name] = metric
    _CHANGES[0] += 1
    return metric


def unregister(name: str) -> None:
    """Remove a score added with :func:`register` (built-in scores stay)."""
    if name in _BUILTIN:
        raise ParameterError(f"{name!r} is a built-in score and cannot be removed")
    if METRICS.pop(name, None) is not None:
        _CHANGES[0] += 1


def resolve_variance(variance: str | None, weighted: bool) -> str:
    """The variance method: as given, else linearised for weighted data and Kish (the classic unweighted
    formulas: ``n_eff = n``) without weights.

    Examples
    --------
    >>> resolve_variance(None, True), resolve_variance(None, False)
    ('linearized', 'kish')
    """
    if variance is None:
        return "linearized" if weighted else "kish"
    if variance not in VARIANCES:
        raise ParameterError(f"The 'variance' parameter must be one of {VARIANCES}. Got {variance!r} instead.")
    return variance


def estimate(kind: str, *, n, sw, sw2, swy, swyy, sw2y=None, sw2yy=None, variance: str = "kish") -> dict:
    """A weighted score ``ȳ = Σw·y / Σw`` with its standard error and effective base, from group sums.

    Every score is the weighted mean of a per-respondent value ``y``: +1/0/−1 for a net score, 0/1 for a
    share, the answer (centred at any constant) for a mean. Variance methods (:data:`VARIANCES`):

    - ``"kish"``: ``σ² / n_eff`` with Kish's ``n_eff = (Σw)² / Σw²`` and ``σ²`` the weighted variance of
      ``y`` (for a mean with the ``n_eff / (n_eff − 1)`` correction): the classic formulas without weights.
    - ``"linearized"``: the Taylor (influence-function) variance of the ratio estimator,
      ``n/(n−1) · Σ w²(y − ȳ)² / (Σw)²``, from ``Σw²``, ``Σw²y``, ``Σw²y²`` (R ``survey``'s ``svymean`` on
      ``svydesign(ids=~1, weights=~w)`` over the group's respondents). The effective base reported is the
      one this variance implies, ``n_eff = σ² / var``, so that :func:`finish_interval` (Wilson, adjusted
      Wald, t on ``n_eff − 1`` df) stays the one interval code and reproduces this standard error; where
      the variance is zero (every answer alike) or ``n ≤ 1``, Kish's base is used.

    Returns
    -------
    dict
        ``mean`` (ȳ), ``unit_var`` (σ²), ``se`` (of ȳ) and ``n_eff`` arrays.

    Examples
    --------
    >>> e = estimate("share", n=4, sw=4.0, sw2=4.0, swy=1.0, swyy=1.0, sw2y=1.0, sw2yy=1.0, variance="linearized")
    >>> float(e["mean"]), round(float(e["se"]) ** 2, 6), round(float(e["n_eff"]), 6)   # p(1−p)/(n−1) unweighted
    (0.25, 0.0625, 3.0)
    """
    n, sw, sw2, swy, swyy = (np.asarray(v, dtype="float64") for v in (n, sw, sw2, swy, swyy))
    with np.errstate(invalid="ignore", divide="ignore"):
        kish_ne = np.where(sw2 > 0, sw * sw / np.where(sw2 > 0, sw2, 1.0), 0.0)
        mean = swy / sw
        pop = np.clip(swyy / sw - mean * mean, 0, None)
        unit = pop * kish_ne / (kish_ne - 1) if kind == "mean" else pop
        var = unit / kish_ne
        ne = kish_ne
        if variance == "linearized":
            sw2y, sw2yy = np.asarray(sw2y, dtype="float64"), np.asarray(sw2yy, dtype="float64")
            ss = np.clip(sw2yy - 2 * mean * sw2y + mean * mean * sw2, 0, None)
            lin = n / (n - 1) * ss / (sw * sw)
            ok = (n > 1) & (ss > 0) & (unit > 0)
            var = np.where(ok, lin, var)
            ne = np.where(ok, unit / np.where(ok, lin, 1.0), kish_ne)
        elif variance != "kish":
            resolve_variance(variance, True)
    return {"mean": mean, "unit_var": unit, "se": np.sqrt(var), "n_eff": ne}


def finish_interval(metric: Metric, *, value, se, n_eff, confidence: float, scale=None, shares=None,
                    ci_method: str | None = None):
    """The interval of a score from its value, standard error and effective base: the only interval code.

    Parameters
    ----------
    metric : Metric
    value, se, n_eff : array-like
        The estimate (in the score's units: −100..100, 0–100 %, or the scale), its standard error, and the
        (Kish or design) effective base.
    confidence : float
    scale : tuple, optional
        ``(min, max)`` of a mean's scale: its t interval is clipped to it.
    shares : tuple, optional
        For a net score, the (weighted) shares ``(p_top, p_bottom)`` as fractions (adjusted Wald needs them).
    ci_method : str, optional
        Default: the metric's own.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``ci_low``, ``ci_high``; always inside the scale and containing the value.

    Examples
    --------
    >>> lo, hi = finish_interval(METRICS["nps"], value=[100.0], se=[0.0], n_eff=[6.0], confidence=0.95,
    ...                          shares=([1.0], [0.0]))
    >>> round(float(lo[0]), 1), float(hi[0])
    (25.9, 100.0)
    """
    method = ci_method or metric.ci_method
    if method not in metric.methods():
        raise ParameterError(f"The 'ci_method' parameter of {metric.name} must be one of {metric.methods()}. "
                             f"Got {method!r} instead.")
    value, se, ne = (np.asarray(v, dtype="float64") for v in (value, se, n_eff))
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric.kind == "net":
            lo, hi = _net(value, se, ne, confidence, method, shares)
        elif metric.kind == "share":
            p = value / 100
            lo, hi = wilson(np.where(ne > 0, p * ne, 0.0), np.where(ne > 0, ne, 0.0), confidence)
            lo, hi = 100 * np.asarray(lo), 100 * np.asarray(hi)
        else:
            half = t_crit(confidence, ne - 1) * se
            lo, hi = value - half, value + half
            if scale is not None:
                lo, hi = np.clip(lo, scale[0], scale[1]), np.clip(hi, scale[0], scale[1])
    return np.asarray(lo, dtype="float64"), np.asarray(hi, dtype="float64")


def _net(value, se, ne, confidence, method, shares):
    z = z_crit(confidence)
    if method == "wald":
        centre, half = value, z * se
    else:
        if shares is None:
            raise ParameterError("the adjusted Wald interval of a net score needs its shares=(p_top, p_bottom)")
        p, d = (np.asarray(s, dtype="float64") for s in shares)
        pa, da, na = (p * ne + 0.75) / (ne + 3), (d * ne + 0.75) / (ne + 3), ne + 3
        centre, half = 100 * (pa - da), z * 100 * np.sqrt((pa + da - (pa - da) ** 2) / na)
    # widened to include the score itself where the adjustment would move the interval past it (tiny bases)
    return np.clip(np.fmin(centre - half, value), -100, 100), np.clip(np.fmax(centre + half, value), -100, 100)
