"""Who leaves, and what it costs: a churn model with an honest held-out evaluation, and revenue at risk.

:func:`fit_churn_model` fits a statsmodels logistic regression on a training split and evaluates it on
held-out (or later) customers: AUC, Brier score, a calibration table, odds ratios with CIs and whether
survey scores add predictive power beyond operational data. :func:`revenue_at_risk` and
:func:`promoter_detractor_gap` turn churn probabilities into money. :func:`health_scores` and the
closed-loop :func:`follow_up_list` live in :mod:`cxlib.health` and are re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import patsy
import scipy.linalg
import statsmodels.api as sm
from scipy import stats
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from .dataset import DataError
from .health import customer_table, follow_up_list, health_scores
from .ops import _examples, _need

__all__ = ["ChurnModel", "customer_table", "fit_churn_model", "follow_up_list", "health_scores",
           "promoter_detractor_gap", "revenue_at_risk"]

_SURVEY_PREFIXES = ("nps", "csat", "ces")


@dataclass
class ChurnModel:
    """A fitted churn model and its held-out evaluation (see :func:`fit_churn_model`)."""

    features: list
    auc: float
    brier: float
    base_rate: float
    n_train: int
    n_test: int
    n_dropped: int
    odds_ratios: pd.DataFrame
    calibration: pd.DataFrame
    comparison: pd.DataFrame
    dropped_terms: list
    split: str
    test_index: pd.Index = field(repr=False)
    result: object = field(repr=False)
    design_info: object = field(repr=False)
    _categories: dict = field(repr=False)

    def predict(self, data: pd.DataFrame) -> pd.Series:
        """Churn probability for each row of ``data`` (NaN where a feature is missing)."""
        _need(data, self.features, "ChurnModel.predict")
        frame = _prepare(data, self.features, self._categories)
        ok = frame.notna().all(axis=1)
        (x,) = patsy.build_design_matrices([self.design_info], frame[ok], return_type="dataframe")
        p = pd.Series(np.nan, index=data.index, name="churn_probability")
        p[ok] = self.result.predict(x[self.result.params.index])
        return p

    def summary(self) -> pd.DataFrame:
        """One row: ``auc``, ``brier``, ``base_rate``, ``n_train``, ``n_test``, ``n_dropped``, ``split``."""
        return pd.DataFrame([{k: getattr(self, k) for k in
                              ("auc", "brier", "base_rate", "n_train", "n_test", "n_dropped", "split")}])


def _prepare(data: pd.DataFrame, features: list, categories: dict) -> pd.DataFrame:
    frame = pd.DataFrame(index=data.index)
    for f in features:
        if f in categories:
            frame[f] = pd.Categorical(data[f].astype("object").where(data[f].notna()), categories=categories[f])
        else:
            frame[f] = data[f].astype("float64")
    return frame


def _outcome01(y: pd.Series, name: str) -> pd.Series:
    if y.dtype == bool or str(y.dtype) == "boolean":
        return y.astype("float64")
    num = pd.to_numeric(y, errors="coerce")
    bad = y.notna() & ~num.isin([0, 1])
    if bad.any():
        raise DataError(f"outcome column {name!r}: expected True/False or 0/1, got "
                        f"{_examples(y[bad].astype(str).unique())} in {int(bad.sum())} row(s)")
    return num.astype("float64")


def _formula_terms(frame: pd.DataFrame, categories: dict) -> str:
    terms = []
    for f in frame.columns:
        q = f'Q("{f}")'
        terms.append(f"C({q}, Treatment(reference={categories[f][0]!r}))" if f in categories else q)
    return " + ".join(terms)


def _clean_term(term: str) -> str:
    """``C(Q("plan"), Treatment(reference='Basic'))[T.Pro]`` -> ``plan[Pro]``; ``Q("x")`` -> ``x``."""
    term = re.sub(r'C\(Q\("(.+?)"\), Treatment\(reference=.*?\)\)\[T\.(.+)\]', r"\1[\2]", term)
    return re.sub(r'Q\("(.+?)"\)', r"\1", term)


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    """AUC as the Mann-Whitney U statistic over n1 * n0 (ties count one half)."""
    n1 = y.sum()
    return (stats.rankdata(p)[y].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1))


def _auc_gain_ci(y, p_full, p_base, seed: int, n_boot: int = 200, conf: float = 0.95):
    """Paired bootstrap interval of AUC(full) - AUC(base) on the held-out rows."""
    rng = np.random.default_rng(seed)
    y, p_full, p_base = np.asarray(y, bool), np.asarray(p_full), np.asarray(p_base)
    gains = []
    for _ in range(n_boot):
        i = rng.integers(0, len(y), len(y))
        if 0 < y[i].sum() < len(i):
            gains.append(_auc(y[i], p_full[i]) - _auc(y[i], p_base[i]))
    return np.quantile(gains, [(1 - conf) / 2, (1 + conf) / 2])


def _fit(frame: pd.DataFrame, y: pd.Series, categories: dict):
    formula = "y ~ " + _formula_terms(frame, categories)
    yy, x = patsy.dmatrices(formula, frame.assign(y=y), return_type="dataframe")
    # Drop aliased columns (e.g. "No internet service" dummies that repeat another column), like R's NA.
    _, r, piv = scipy.linalg.qr(x.to_numpy(), mode="economic", pivoting=True)
    rank = int((np.abs(np.diag(r)) > 1e-8 * np.abs(r[0, 0])).sum())
    keep = sorted(piv[:rank])
    dropped = [_clean_term(c) for i, c in enumerate(x.columns) if i not in set(keep)]
    try:
        res = sm.Logit(yy.iloc[:, 0], x.iloc[:, keep]).fit(disp=0, maxiter=200)
    except (np.linalg.LinAlgError, ValueError) as err:
        raise DataError(f"churn model did not fit ({err}); check features {list(frame.columns)} for "
                        "columns that separate churners perfectly") from err
    return res, x.design_info, dropped


def fit_churn_model(data: pd.DataFrame, *, outcome: str = "churned", features, as_of=None,
                    time_col: str = "last_response_at", survey_features=None, test_size: float = 0.25,
                    seed: int = 0, n_bins: int = 10, conf: float = 0.95) -> ChurnModel:
    """Logistic churn model with a held-out (or out-of-time) evaluation.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer, e.g. :func:`cxlib.health.customer_table`.
    outcome : str
        Column of True/False or 0/1.
    features : list of str
        Numeric (or boolean) columns enter linearly; string or categorical columns as dummies against
        their first category (pandas Categorical) or first value in sorted order. Aliased dummies are dropped
        (``dropped_terms``). Rows with a missing outcome or feature are left out (``n_dropped``).
    as_of : str or Timestamp, optional
        Out-of-time evaluation: train on rows whose ``time_col`` is before ``as_of``, test on the rest.
        Default: a random stratified split with ``test_size``.
    time_col : str
    survey_features : list of str, optional
        Features that come from surveys; default those named ``nps*``, ``csat*``, ``ces*``. When some
        exist, a model without them is fitted on the same split and compared.
    test_size : float
    seed : int
        Seeds the split and the bootstrap of the AUC gain.
    n_bins : int
        Calibration bins (quantiles of the predicted probability).
    conf : float

    Returns
    -------
    ChurnModel
        ``auc`` and ``brier`` (held out), ``base_rate`` (held-out churn rate), ``n_train``, ``n_test``,
        ``odds_ratios`` (``term``, ``estimate`` (log-odds), ``std_err``, ``p_value``, ``odds_ratio``,
        ``ci_low``, ``ci_high`` (odds-ratio scale)), ``calibration`` (``bin``, ``n``, ``predicted``,
        ``observed``, ``ci_low``, ``ci_high`` (Wilson interval of the observed rate)), ``comparison``
        (``model``, ``features``, ``auc``, ``brier``, ``n_test``, ``auc_gain``, ``gain_ci_low``,
        ``gain_ci_high``; the gain of the full model over the one without survey scores, with a paired
        bootstrap interval), ``test_index`` (index labels of the held-out rows) and ``predict(data)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=400), "plan": rng.choice(["A", "B"], 400)})
    >>> d["churned"] = rng.random(400) < 1 / (1 + np.exp(-2 * d["x"]))
    >>> m = fit_churn_model(d, features=["x", "plan"])
    >>> round(m.auc, 2), m.n_test
    (0.84, 100)
    """
    features = list(features)
    _need(data, [outcome] + features, "fit_churn_model")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size}")
    y = _outcome01(data[outcome], outcome)
    categories = {}
    for f in features:
        col = data[f]
        if isinstance(col.dtype, pd.CategoricalDtype):
            categories[f] = [c for c in col.cat.categories if (col == c).any()]
        elif not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            categories[f] = sorted(col.dropna().astype(str).unique())
    frame = _prepare(data, features, categories)
    ok = y.notna() & frame.notna().all(axis=1)
    if as_of is not None:
        _need(data, [time_col], "fit_churn_model(as_of=...)")
        ok &= data[time_col].notna()
    frame, y = frame[ok], y[ok]
    if y.nunique() < 2:
        raise DataError(f"outcome column {outcome!r}: need both churners and stayers, got only {y.unique()}")
    if as_of is None:
        tr, te = train_test_split(np.arange(len(y)), test_size=test_size, random_state=seed, stratify=y)
        split = f"random {1 - test_size:.0%}/{test_size:.0%} (seed {seed})"
    else:
        t = data.loc[ok, time_col]
        ts = pd.Timestamp(as_of)
        if not t.min() < ts <= t.max():
            raise DataError(f"as_of {as_of!r} is outside column {time_col!r}, which runs from "
                            f"{t.min():%Y-%m-%d} to {t.max():%Y-%m-%d}")
        tr, te = np.flatnonzero(t < ts), np.flatnonzero(t >= ts)
        split = f"out of time: train {time_col} < {ts:%Y-%m-%d}, test after"
    res, info, dropped = _fit(frame.iloc[tr], y.iloc[tr], categories)
    model = ChurnModel(features=features, auc=np.nan, brier=np.nan, base_rate=float(y.iloc[te].mean()),
                       n_train=len(tr), n_test=len(te), n_dropped=int((~ok).sum()), odds_ratios=None,
                       calibration=None, comparison=None, dropped_terms=dropped, split=split,
                       test_index=frame.index[te], result=res,
                       design_info=info, _categories=categories)
    yte = y.iloc[te].to_numpy()
    p = model.predict(frame.iloc[te]).to_numpy()
    if len(np.unique(yte)) < 2:
        raise DataError(f"the test split has only one outcome value in {outcome!r}; use another as_of or seed")
    model.auc, model.brier = float(roc_auc_score(yte, p)), float(brier_score_loss(yte, p))
    ci = res.conf_int(alpha=1 - conf)
    with np.errstate(over="ignore"):  # a separated term has an unbounded interval: inf is the answer
        model.odds_ratios = pd.DataFrame({
            "term": [_clean_term(t) for t in res.params.index], "estimate": res.params.to_numpy(),
            "std_err": res.bse.to_numpy(),
            "p_value": res.pvalues.to_numpy(), "odds_ratio": np.exp(res.params.to_numpy()),
            "ci_low": np.exp(ci[0].to_numpy()), "ci_high": np.exp(ci[1].to_numpy())})
    model.calibration = _calibration(yte, p, n_bins, conf)
    survey = [f for f in features if f.startswith(_SURVEY_PREFIXES)] if survey_features is None \
        else [f for f in survey_features if f in features]
    rows = [{"model": "all features", "features": ", ".join(features), "auc": model.auc,
             "brier": model.brier, "n_test": len(te)}]
    base = [f for f in features if f not in survey]
    if survey and base:
        res0, info0, _ = _fit(frame[base].iloc[tr], y.iloc[tr], categories)
        (x0,) = patsy.build_design_matrices([info0], frame[base].iloc[te], return_type="dataframe")
        p0 = res0.predict(x0[res0.params.index]).to_numpy()
        lo, hi = _auc_gain_ci(yte, p, p0, seed, conf=conf)
        rows.insert(0, {"model": "without survey scores", "features": ", ".join(base),
                        "auc": float(roc_auc_score(yte, p0)), "brier": float(brier_score_loss(yte, p0)),
                        "n_test": len(te)})
        rows[-1].update(auc_gain=model.auc - rows[0]["auc"], gain_ci_low=lo, gain_ci_high=hi)
    model.comparison = pd.DataFrame(rows, columns=["model", "features", "auc", "brier", "n_test", "auc_gain",
                                                   "gain_ci_low", "gain_ci_high"])
    return model


def _wilson(k, n, conf):
    z = stats.norm.ppf(0.5 + conf / 2)
    centre = (k + z * z / 2) / (n + z * z)
    half = z * np.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def _calibration(y: np.ndarray, p: np.ndarray, n_bins: int, conf: float) -> pd.DataFrame:
    bins = pd.qcut(pd.Series(p).rank(method="first"), min(n_bins, len(p)), labels=False)
    t = pd.DataFrame({"bin": bins + 1, "p": p, "y": y}).groupby("bin").agg(
        n=("y", "size"), predicted=("p", "mean"), churners=("y", "sum"))
    t["observed"] = t["churners"] / t["n"]
    t["ci_low"], t["ci_high"] = _wilson(t["churners"], t["n"], conf)
    return t.drop(columns="churners").reset_index()


def _check_money(data: pd.DataFrame, probability: str, revenue: str) -> None:
    _need(data, [probability, revenue], "revenue_at_risk")
    neg = data[revenue] < 0
    if neg.any():
        raise DataError(f"column {revenue!r}: {int(neg.sum())} negative revenue value(s) in row(s) "
                        f"{_examples(data.index[neg])}; expected revenue >= 0")
    p = data[probability]
    bad = p.notna() & ((p < 0) | (p > 1))
    if bad.any():
        raise DataError(f"column {probability!r}: {int(bad.sum())} value(s) outside [0, 1] in row(s) "
                        f"{_examples(data.index[bad])}; expected churn probabilities")


def revenue_at_risk(data: pd.DataFrame, *, by: str | None = "region", probability: str = "churn_probability",
                    revenue: str = "annual_revenue", conf: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Expected annual revenue lost to churn (sum of churn probability x annual revenue), by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer with a churn probability and annual revenue (rows missing either are left
        out and counted in ``attrs["n_missing"]``).
    by : str or None
        Grouping column (e.g. ``region``, ``plan``, ``nps_category``); None gives the total only.
    probability, revenue : str
    conf : float
        Level of the interval for the loss that will actually be realised, treating churn as independent
        Bernoulli draws: variance = sum p (1 - p) revenue^2 (normal approximation).
    min_n : int
        Groups with fewer customers are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        One row per group and a final ``"All"`` row: ``<by>`` (when given), ``n``, ``revenue`` (total),
        ``expected_loss``, ``loss_ci_low``, ``loss_ci_high``, ``share_at_risk`` (expected loss / revenue),
        ``mean_probability``, ``small_base``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"plan": ["A", "A", "B"], "churn_probability": [0.1, 0.5, 0.2],
    ...                   "annual_revenue": [1000.0, 200.0, 500.0]})
    >>> revenue_at_risk(d, by="plan", min_n=1)[["plan", "n", "revenue", "expected_loss"]]
      plan  n  revenue  expected_loss
    0    A  2   1200.0          200.0
    1    B  1    500.0          100.0
    2  All  3   1700.0          300.0
    """
    _check_money(data, probability, revenue)
    cols = [probability, revenue] + ([by] if by else [])
    _need(data, cols, "revenue_at_risk")
    d = data[cols].dropna(subset=[probability, revenue])
    p, r = d[probability].astype("float64"), d[revenue].astype("float64")
    d = d.assign(_loss=p * r, _var=p * (1 - p) * r ** 2, _p=p, _r=r)
    z = stats.norm.ppf(0.5 + conf / 2)

    def _row(g: pd.DataFrame) -> dict:
        loss, sd = g["_loss"].sum(), np.sqrt(g["_var"].sum())
        return {"n": len(g), "revenue": g["_r"].sum(), "expected_loss": loss,
                "loss_ci_low": max(loss - z * sd, 0.0), "loss_ci_high": loss + z * sd,
                "share_at_risk": loss / g["_r"].sum() if g["_r"].sum() > 0 else np.nan,
                "mean_probability": g["_p"].mean(), "small_base": len(g) < min_n}

    rows = [{by: str(k), **_row(g)} for k, g in d.groupby(by, observed=True, sort=True)] if by else []
    rows.append(({by: "All"} if by else {}) | _row(d))
    out = pd.DataFrame(rows)
    out.attrs["n_missing"] = len(data) - len(d)
    return out


def promoter_detractor_gap(data: pd.DataFrame, *, category: str = "nps_category",
                           probability: str = "churn_probability", revenue: str = "annual_revenue",
                           conf: float = 0.95) -> pd.DataFrame:
    """Retention-weighted revenue per promoter versus per detractor.

    Each customer's expected retained revenue is ``revenue x (1 - churn probability)``; the gap is the
    difference of its means between promoters and detractors, with a Welch (normal) interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_promoters``, ``n_detractors``, ``retention_promoters``, ``retention_detractors``
        (mean 1 - p), ``value_promoters``, ``value_detractors`` (mean retained revenue per customer),
        ``difference`` (promoters minus detractors), ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"nps_category": ["promoter", "promoter", "detractor", "detractor"],
    ...                   "churn_probability": [0.1, 0.1, 0.5, 0.3], "annual_revenue": [100.0] * 4})
    >>> promoter_detractor_gap(d)[["value_promoters", "value_detractors", "difference"]].round(1)
       value_promoters  value_detractors  difference
    0             90.0              60.0        30.0
    """
    _check_money(data, probability, revenue)
    _need(data, [category], "promoter_detractor_gap")
    d = data.dropna(subset=[probability, revenue])
    value = d[revenue] * (1 - d[probability])
    groups = {k: d[category].astype("string") == k for k in ("promoter", "detractor")}
    for k, m in groups.items():
        if m.sum() < 2:
            raise DataError(f"column {category!r}: need at least 2 {k}s with a churn probability, got {int(m.sum())}")
    vp, vd = value[groups["promoter"]], value[groups["detractor"]]
    diff = vp.mean() - vd.mean()
    se = np.sqrt(vp.var(ddof=1) / len(vp) + vd.var(ddof=1) / len(vd))
    z = stats.norm.ppf(0.5 + conf / 2)
    return pd.DataFrame([{
        "n_promoters": len(vp), "n_detractors": len(vd),
        "retention_promoters": 1 - d.loc[groups["promoter"], probability].mean(),
        "retention_detractors": 1 - d.loc[groups["detractor"], probability].mean(),
        "value_promoters": vp.mean(), "value_detractors": vd.mean(), "difference": diff,
        "ci_low": diff - z * se, "ci_high": diff + z * se}])
