"""Charts for customer health, churn and money (tables from :mod:`cxlib.customers`).

Drawing only: every function takes a result table, draws on ``ax`` (a new one when None) and returns it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from .._format import fmt_money
from ._draw import ci_err, ci_rows, flags, use_ax
from ._theme import PALETTE, SIGN_COLORS

__all__ = ["plot_calibration", "plot_health_distribution", "plot_odds_ratios", "plot_revenue_at_risk"]

_BAND_COLORS = {"at risk": SIGN_COLORS["-"], "watch": PALETTE[1], "healthy": SIGN_COLORS["+"],
                "no data": "#BBBBBB"}


def plot_health_distribution(data: pd.DataFrame, *, x: str = "health", hue: str | None = "health_band",
                             ax=None, **kwargs):
    """Histogram of health scores (``cxlib.customers.health_scores`` output), coloured by band.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"health": [20.0, 55.0, 80.0, 90.0],
    ...                   "health_band": ["at risk", "watch", "healthy", "healthy"]})
    >>> plot_health_distribution(d).get_xlabel()
    'Health score (0-100)'
    """
    ax = use_ax(ax)
    d = data[data[x].notna()]
    palette = {k: v for k, v in _BAND_COLORS.items() if hue and k in set(d[hue].astype(str))} if hue else None
    sns.histplot(d.assign(**({hue: d[hue].astype(str)} if hue else {})), x=x, hue=hue, palette=palette,
                 binwidth=5, binrange=(0, 100), multiple="stack", ax=ax, **kwargs)
    ax.set(xlabel="Health score (0-100)", ylabel="Customers", xlim=(0, 100))
    return ax


def plot_calibration(data: pd.DataFrame, *, x: str = "predicted", y: str = "observed", ax=None, **kwargs):
    """Observed churn rate (with its interval) against the predicted probability per bin.

    Examples
    --------
    >>> import pandas as pd
    >>> cal = pd.DataFrame({"predicted": [0.1, 0.3], "observed": [0.12, 0.25], "ci_low": [0.08, 0.2],
    ...                     "ci_high": [0.16, 0.3]})
    >>> plot_calibration(cal).get_ylabel()
    'Observed churn rate'
    """
    ax = use_ax(ax)
    hi = float(np.nanmax(data[[x, "ci_high"]].to_numpy())) * 1.05
    ax.plot([0, hi], [0, hi], ls="--", color="#888888", lw=1, label="perfect calibration")
    ax.errorbar(data[x], data[y], yerr=ci_err(data, y, ("ci_low", "ci_high")), fmt="o",
                color=PALETTE[0], capsize=3, label="held-out customers", **kwargs)
    ax.set(xlabel="Predicted churn probability", ylabel="Observed churn rate", xlim=(0, hi), ylim=(0, hi))
    ax.legend(loc="upper left")
    return ax


def plot_odds_ratios(data: pd.DataFrame, *, x: str = "odds_ratio", y: str = "term", ax=None, **kwargs):
    """Forest plot of odds ratios with CIs (``ChurnModel.odds_ratios``), intercept left out, log scale.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"term": ["Intercept", "plan[Pro]"], "odds_ratio": [0.1, 0.7],
    ...                   "ci_low": [0.08, 0.6], "ci_high": [0.12, 0.8]})
    >>> [t.get_text() for t in plot_odds_ratios(o).get_yticklabels()]
    ['plan[Pro]']
    """
    ax = use_ax(ax)
    d = data[data[y] != "Intercept"].reset_index(drop=True)
    colors = [SIGN_COLORS["+"] if v < 1 else SIGN_COLORS["-"] for v in d[x]]
    ci_rows(ax, d, x=x, labels=d[y], colors=colors, ref=1, **kwargs)
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set(xlabel="Odds ratio of churning (95% CI; > 1 = more churn)", ylabel="")
    return ax


def plot_revenue_at_risk(data: pd.DataFrame, *, x: str = "expected_loss", y: str = "region", currency: str = "",
                         ax=None, **kwargs):
    """Horizontal bars of expected revenue lost per group with the interval of the realised loss.

    The ``"All"`` row of :func:`cxlib.customers.revenue_at_risk` is left out; small bases are hatched;
    amounts read "€9.6M" (``currency`` is the symbol), never "1e6".

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"region": ["EMEA", "All"], "expected_loss": [900.0, 900.0],
    ...                   "loss_ci_low": [500.0, 500.0], "loss_ci_high": [1300.0, 1300.0],
    ...                   "small_base": [False, False]})
    >>> len(plot_revenue_at_risk(t).patches)
    1
    """
    ax = use_ax(ax)
    d = data[data[y].astype(str) != "All"].reset_index(drop=True)
    bars = ax.barh(d[y].astype(str), d[x], color=PALETTE[0], xerr=ci_err(d, x, ("loss_ci_low", "loss_ci_high")),
                   capsize=3, **kwargs)
    for bar, small in zip(bars, flags(d)):
        if small:
            bar.set(hatch="//", alpha=0.5)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_money(v, currency)))
    ax.set(xlabel="Expected annual revenue lost to churn (95% interval)", ylabel="")
    return ax
