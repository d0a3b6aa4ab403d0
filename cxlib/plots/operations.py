"""Charts for operations results: score by operational factor, A/B pilot effects (:mod:`cxlib.operations`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._draw import ci_err, ci_rows, use_ax
from ._theme import PALETTE, SIGN_COLORS

__all__ = ["plot_effect_table", "plot_experiment"]


def plot_effect_table(data: pd.DataFrame, *, x: str = "level", y: str = "mean", ax=None, **kwargs):
    """Mean score per level of an operational factor with CIs (:func:`cxlib.operations.ops_effect_table`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"level": ["0", "1"], "mean": [4.0, 3.8], "ci_low": [3.9, 3.7],
    ...                   "ci_high": [4.1, 3.9], "n": [100, 80], "score": ["csat"] * 2,
    ...                   "factor": ["handoffs"] * 2})
    >>> plot_effect_table(t).get_xlabel()
    'handoffs'
    """
    ax = use_ax(ax)
    pos = np.arange(len(data))
    ax.errorbar(pos, data[y], yerr=ci_err(data, y, ("ci_low", "ci_high")), fmt="o-",
                color=PALETTE[0], capsize=3, **kwargs)
    ax.set_xticks(pos, [f"{lev}\n(n={n:,})" for lev, n in zip(data[x], data["n"])])
    metric = str(data["score"].iloc[0]).upper() if "score" in data else y
    ax.set(xlabel=str(data["factor"].iloc[0]) if "factor" in data else x, ylabel=f"Mean {metric} (95% CI)")
    return ax


def plot_experiment(data: pd.DataFrame, *, x: str = "effect", y: str = "score", ax=None, **kwargs):
    """Treatment-minus-control effects with CIs, one row per score (:func:`cxlib.operations.experiment_effect`).

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"score": ["csat"], "effect": [0.3], "ci_low": [0.1], "ci_high": [0.5]})
    >>> plot_experiment(e).get_yticklabels()[0].get_text()
    'CSAT'
    """
    ax = use_ax(ax)
    d = data.reset_index(drop=True)
    colors = [SIGN_COLORS["+"] if low > 0 else SIGN_COLORS["-"] if high < 0 else "#888888"
              for low, high in zip(d["ci_low"], d["ci_high"])]
    ci_rows(ax, d, x=x, labels=d[y].astype(str).str.upper(), colors=colors, ref=0, **kwargs)
    ax.set(xlabel="Effect of the treatment (95% CI; NPS in points)", ylabel="")
    return ax
