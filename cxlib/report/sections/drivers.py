"""The report's drivers section: what drives the score, importance against performance, "fix first"."""

from __future__ import annotations

import pandas as pd

from ... import drivers as drv
from ... import periods
from ...data import last_months
from .. import html as h
from .scores import LABELS

__all__ = ["drivers"]


def drivers(data: pd.DataFrame, *, month: str, drivers: list[str], score: str = "nps", months: int = 3,
            driver_scale=None, bootstrap: int = 200, seed: int = 0) -> h.Html:
    """What drives the score over the last ``months`` months: importance vs performance and "fix first".

    Returns
    -------
    Html
        The importance–performance chart, the importance bars with bootstrap CIs, and the "fix first" list.
    """
    import matplotlib.pyplot as plt

    from ...plots import plot_importance, plot_importance_performance

    if not drivers:
        return h.note("No attribute ratings (drivers) are configured: the driver analysis is left out.")
    window = last_months(data, month=month, months=months)
    imp = drv.relative_importance(window, score=score, drivers=drivers, bootstrap=bootstrap, seed=seed)
    ipa = drv.importance_performance(window, score=score, drivers=drivers, importance=imp,
                                     driver_scale=driver_scale)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_importance(imp, ax=axes[0])
    axes[0].set_title("Share of explained variation (95% CI)")
    plot_importance_performance(ipa, ax=axes[1])
    axes[1].set_title("Importance vs performance")
    fig.tight_layout()
    r2, n = imp["r2"].iloc[0], int(imp["n"].iloc[0])
    first = ipa[ipa["quadrant"] == "fix first"]
    lines = [f"{r.driver.replace('_', ' ')}: {r.share:.0%} of what the ratings explain; rated "
             f"{r.performance:.2f} (95% CI {r.performance_ci_low:.2f} to {r.performance_ci_high:.2f}), "
             f"below the average of the drivers ({r.performance_cut:.2f})." for r in first.itertuples()]
    window_label = periods.label([str(p) for p in pd.period_range(end=month, periods=months, freq="M")])
    intro = h.note(f"Exact Shapley (LMG) decomposition of R² = {r2:.2f} for {LABELS.get(score, score)} over "
                   f"{n:,} responses ({window_label}); CIs from {bootstrap} bootstrap resamples.")
    fix = (h.heading("Fix first: important and weak") + h.bullets(lines)) if lines else \
        h.note("No driver is both important and weak this period.")
    return h.figure(fig, alt="Driver importance and importance-performance chart") + intro + fix
