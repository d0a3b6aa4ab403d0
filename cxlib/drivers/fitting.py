"""How a driver model is fitted: one frozen, checked options object for :func:`~cxlib.drivers.relative_importance`.

The fitting choices (method, model kind, intervals, missing data, exactness) travel together as a
:class:`DriverOptions`; ``relative_importance`` and ``importance_by`` take it as ``options=`` or, for the
notebooks and quick calls, as the same names given as keywords (one or the other in a call).
"""

from __future__ import annotations

import difflib
import numbers
from dataclasses import dataclass, fields

import numpy as np

from .._checks import check_choice, check_confidence
from ..errors import ParameterError

__all__ = ["METHODS", "DriverOptions"]

#: Accepted ``method`` names and the method they mean.
METHODS = {"shapley": "shapley", "lmg": "shapley", "general_dominance": "shapley",
           "johnson": "johnson", "relative_weights": "johnson", "first": "first", "last": "last",
           "pratt": "pratt", "beta": "betasq", "betasq": "betasq"}


def _count(value, name: str, *, low: int, high: int | None = None, zero: bool = False) -> int:
    """An integer option within ``low``..``high`` (0 also allowed with ``zero``), else ParameterError."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and (
        (zero and value == 0) or (value >= low and (high is None or value <= high)))
    if not ok:
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ParameterError(f"The {name!r} parameter of relative_importance must be a whole number {span}"
                             f"{' (0: none)' if zero else ''}. Got {value!r} instead.")
    return int(value)     # a NumPy integer (e.g. from arithmetic on array lengths) kept as a plain int


@dataclass(frozen=True)
class DriverOptions:
    """How :func:`~cxlib.drivers.relative_importance` fits and resamples; every field checked when made.

    Attributes
    ----------
    method : str
        ``"shapley"`` (= ``"lmg"``, general dominance; exact over all 2**p subsets up to ``max_exact``
        drivers, then sampled Shapley with a Monte Carlo standard error), ``"johnson"`` (relative
        weights), ``"first"`` (r²), ``"last"`` (R² drop when removed), ``"pratt"`` (beta·r) or
        ``"beta"`` (squared standardized coefficients).
    kind : {"ols", "logit"}
        ``"logit"``: exact Shapley on McFadden's pseudo-R² up to ``max_exact`` (default 10) drivers,
        logistic relative weights (Tonidandel & LeBreton 2010) beyond that or for ``method="johnson"``.
    bootstrap : int
        Number of case resamples for percentile CIs (0 = none; DataFrames only: it needs rows).
    seed : int
        Seeds the bootstrap, the jackknife groups and sampled Shapley.
    confidence : float
        Confidence level of the intervals.
    missing : {"listwise", "pairwise"}
        Pairwise only for ``kind="ols"``, and only when the pairwise matrix is positive definite.
    max_exact : int, optional
        Most drivers for exact Shapley (default 24 for ols, 10 for logit).
    n_permutations : int
        Orderings for sampled Shapley.
    min_n : int, optional
        Rows below which the result is flagged ``small_base`` (default ``max(100, 10 * p)``).
    jackknife : int
        Intervals without rows, on any engine: a random-groups jackknife with this many groups (2–256;
        0 = none); see :func:`~cxlib.drivers.relative_importance`.

    Examples
    --------
    >>> DriverOptions(method="lmg", bootstrap=200).engine_method, DriverOptions().exact_limit
    ('shapley', 24)
    >>> DriverOptions(bootstrap=-1)
    Traceback (most recent call last):
    ...
    cxlib.errors.ParameterError: The 'bootstrap' parameter of relative_importance must be a whole number of at least 1 (0: none). Got -1 instead.
    """

    method: str = "shapley"
    kind: str = "ols"
    bootstrap: int = 0
    seed: int = 0
    confidence: float = 0.95
    missing: str = "listwise"
    max_exact: int | None = None
    n_permutations: int = 2000
    min_n: int | None = None
    jackknife: int = 0

    def __post_init__(self):
        func = "relative_importance"
        check_choice(self.method, METHODS, param="method", func=func)
        check_choice(self.kind, ("ols", "logit"), param="kind", func=func)
        check_choice(self.missing, ("listwise", "pairwise"), param="missing", func=func)
        object.__setattr__(self, "confidence", check_confidence(self.confidence, func=func))
        counts = {"bootstrap": dict(low=1, zero=True), "jackknife": dict(low=2, high=256, zero=True),
                  "n_permutations": dict(low=1), "max_exact": dict(low=0), "min_n": dict(low=0)}
        for name, bounds in counts.items():
            if getattr(self, name) is not None or name not in ("max_exact", "min_n"):   # only these two may be None
                object.__setattr__(self, name, _count(getattr(self, name), name, **bounds))
        if self.bootstrap and self.jackknife:
            raise ParameterError("relative_importance: a row bootstrap needs rows in pandas; on a database table "
                                 "(or instead) use jackknife=G, the random-groups jackknife (e.g. jackknife=50)")

    @property
    def engine_method(self) -> str:
        """The method computed (``"lmg"`` and ``"general_dominance"`` are ``"shapley"``, ...)."""
        return METHODS[self.method]

    @property
    def exact_limit(self) -> int:
        """Most drivers for exact Shapley: ``max_exact``, or 24 for ols and 10 for logit."""
        return (24 if self.kind == "ols" else 10) if self.max_exact is None else self.max_exact

    @classmethod
    def resolve(cls, options: DriverOptions | None, keywords: dict, *, func: str) -> DriverOptions:
        """``options`` or the options given as keywords (never both): the one DriverOptions of a call.

        Examples
        --------
        >>> DriverOptions.resolve(None, {"bootstrap": 100}, func="relative_importance").bootstrap
        100
        >>> DriverOptions.resolve(None, {"bootstrp": 100}, func="relative_importance")
        Traceback (most recent call last):
        ...
        cxlib.errors.ParameterError: relative_importance got an unexpected keyword 'bootstrp' (did you mean 'bootstrap'?)
        """
        names = [f.name for f in fields(cls)]
        for key in keywords:
            if key not in names:
                near = difflib.get_close_matches(key, names, n=1)
                raise ParameterError(f"{func} got an unexpected keyword {key!r}"
                                     + (f" (did you mean {near[0]!r}?)" if near else f"; options are {names}"))
        if options is None:
            return cls(**keywords)
        if not isinstance(options, cls):
            raise ParameterError(f"The 'options' parameter of {func} must be a DriverOptions. Got {options!r} instead.")
        if keywords:
            raise ParameterError(f"{func}: give the fitting options either as options= or as keywords "
                                 f"({', '.join(sorted(keywords))}), not both")
        return options
