"""Who leaves: a logistic churn model with an honest held-out evaluation.

:func:`fit_churn_model` fits a statsmodels logistic regression on a training split and evaluates it on
held-out (or later) customers: AUC, Brier score, a calibration table, odds ratios with CIs and whether
survey scores add predictive power beyond operational data. :mod:`cxlib.customers.value` turns its
probabilities into money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_confidence, examples, need_columns
from .._stats import formula, term_label, term_parts, wilson
from ..errors import DataError, ParameterError
from ._holdout import auc, auc_gain_ci, stratified_split

__all__ = ["ChurnModel", "fit_churn_model"]

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
    n_complete: int = 0
    n_sampled: int = 0

    def design(self, data: pd.DataFrame, **fixed) -> tuple[pd.DataFrame, pd.Series]:
        """The model's design matrix for ``data``, with features in ``fixed`` set to one value for every row
        (e.g. ``nps_category="promoter"``), and which rows have every feature.

        Returns
        -------
        (pandas.DataFrame, pandas.Series)
            The design matrix of the complete rows, columns in the order of ``params``; the mask of
            complete rows (index of ``data``).
        """
        import patsy

        need_columns(data, self.features, where="ChurnModel.design")
        frame = _prepare(data.assign(**fixed) if fixed else data, self.features, self._categories)
        ok = frame.notna().all(axis=1)
        x = _dummies(frame[ok], self.result.params.index, self._categories)
        if x is None:   # a column :func:`_dummies` does not know: patsy (slow, one Python call per value)
            (x,) = patsy.build_design_matrices([self.design_info], frame[ok], return_type="dataframe")
        return x[self.result.params.index], ok

    @property
    def params(self) -> pd.Series:
        """The fitted log-odds coefficients, by design column."""
        return self.result.params

    @property
    def cov(self) -> pd.DataFrame:
        """Their covariance matrix (for simulating the model's uncertainty)."""
        return self.result.cov_params()

    def predict(self, data: pd.DataFrame) -> pd.Series:
        """Churn probability for each row of ``data`` (NaN where a feature is missing)."""
        x, ok = self.design(data)
        p = pd.Series(np.nan, index=data.index, name="churn_probability")
        p[ok] = self.result.predict(x)
        return p

    def summary(self) -> pd.DataFrame:
        """One row: ``auc``, ``brier``, ``base_rate``, ``n_train``, ``n_test``, ``n_dropped``, ``split``."""
        return pd.DataFrame([{k: getattr(self, k) for k in
                              ("auc", "brier", "base_rate", "n_train", "n_test", "n_dropped", "split")}])


def _dummies(frame: pd.DataFrame, columns, categories: dict) -> pd.DataFrame | None:
    """The design matrix of the :func:`~cxlib._stats.formula` model for ``frame`` (complete rows) built
    from the columns' names: the intercept, numeric columns as they are, a 0/1 column per dummy
    (``C(Q('plan'), ...)[T.Pro]``); None when a column reads otherwise. patsy's own build gives the same
    numbers, calling Python once per value (minutes for millions of customers)."""
    out = {}
    for col in columns:
        name, level = term_parts(col)
        if col == "Intercept":
            out[col] = np.ones(len(frame))
        elif level is not None and name in categories and name in frame:
            levels = [str(c) for c in categories[name]]
            if level not in levels:
                return None
            out[col] = (frame[name].cat.codes.to_numpy() == levels.index(level)).astype("float64")
        elif name and level is None and name in frame and name not in categories:
            out[col] = frame[name].to_numpy(dtype="float64")
        else:
            return None
    return pd.DataFrame(out, index=frame.index)


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
                        f"{examples(y[bad].astype(str).unique())} in {int(bad.sum())} row(s)")
    return num.astype("float64")


def _brier(y: np.ndarray, p: np.ndarray) -> float:
    """Brier score: the mean squared difference between the 0/1 outcome and its predicted probability."""
    return float(np.average((np.asarray(y, "float64") - p) ** 2))


def _fit(frame: pd.DataFrame, y: pd.Series, categories: dict):
    import patsy
    import scipy.linalg
    from statsmodels.discrete.discrete_model import Logit   # statsmodels.api (its every model) holds 25 MB more

    numeric = [f for f in frame.columns if f not in categories]
    spec = formula("churned (outcome)", numeric, {f: categories[f][0] for f in frame.columns if f in categories})
    yy, x = patsy.dmatrices(spec, frame.assign(**{"churned (outcome)": y}), return_type="dataframe")
    # Drop aliased columns (e.g. "No internet service" dummies that repeat another column), like R's NA.
    _, r, piv = scipy.linalg.qr(x.to_numpy(), mode="economic", pivoting=True)
    rank = int((np.abs(np.diag(r)) > 1e-8 * np.abs(r[0, 0])).sum())
    keep = sorted(piv[:rank])
    dropped = [term_label(c) for i, c in enumerate(x.columns) if i not in set(keep)]
    try:
        res = Logit(yy.iloc[:, 0], x.iloc[:, keep]).fit(disp=0, maxiter=200)
    except (np.linalg.LinAlgError, ValueError) as err:
        raise DataError(f"churn model did not fit ({err}); check features {list(frame.columns)} for "
                        "columns that separate churners perfectly") from err
    return res, x.design_info, dropped


def fit_churn_model(data: pd.DataFrame, *, outcome: str = "churned", features, as_of=None,
                    time_col: str = "last_response_at", survey_features=None, test_size: float = 0.25,
                    seed: int = 0, n_bins: int = 10, confidence: float = 0.95, sample: int | None = None) -> ChurnModel:
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
        The features that come from surveys (e.g. :data:`cxlib.customers.SURVEY_FEATURES`). When some
        are among ``features``, a model without them is fitted on the same split and compared.
    test_size : float
    seed : int
        Seeds the split and the bootstrap of the AUC gain.
    n_bins : int
        Calibration bins (quantiles of the predicted probability).
    confidence : float
        Confidence level of the odds-ratio, calibration and AUC-gain intervals.
    sample : int, optional
        Fit and evaluate on a random sample (seeded by ``seed``) of at most this many complete rows
        (``n_sampled`` says how many of ``n_complete``); the fitted model still predicts every row.

    Returns
    -------
    ChurnModel
        ``auc`` and ``brier`` (held out), ``base_rate`` (held-out churn rate), ``n_train``, ``n_test``,
        ``odds_ratios`` (``term``, ``estimate`` (log-odds), ``std_err``, ``p_value``, ``odds_ratio``,
        ``ci_low``, ``ci_high`` (odds-ratio scale)), ``calibration`` (``bin``, ``n``, ``predicted``,
        ``observed``, ``ci_low``, ``ci_high`` (Wilson interval of the observed rate)), ``comparison``
        (``model``, ``features``, ``auc``, ``brier``, ``n_test``, ``auc_gain``, ``gain_ci_low``,
        ``gain_ci_high``; the gain of the full model over the one without survey scores, with a paired
        bootstrap interval), ``n_complete`` (rows with every feature) and ``n_sampled`` (of them, the rows
        fitted and tested on: all without ``sample``), ``test_index`` (index labels of the held-out rows) and ``predict(data)``.

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
    need_columns(data, [outcome] + features, where="fit_churn_model")
    confidence = check_confidence(confidence, func="fit_churn_model")
    if not 0 < test_size < 1:
        raise ParameterError(f"The 'test_size' parameter of fit_churn_model must be between 0 and 1. Got {test_size!r} instead.")
    y = _outcome01(data[outcome], outcome)
    categories = _categories(data, features)
    frame = _prepare(data, features, categories)
    ok = y.notna() & frame.notna().all(axis=1)
    if as_of is not None:
        need_columns(data, [time_col], where="fit_churn_model(as_of=...)")
        ok &= data[time_col].notna()
    frame, y = frame[ok], y[ok]
    n_complete = len(y)
    if sample is not None and len(y) > sample:
        pick = np.sort(np.random.default_rng(seed).choice(len(y), size=int(sample), replace=False))
        frame, y = frame.iloc[pick], y.iloc[pick]
    if y.nunique() < 2:
        raise DataError(f"outcome column {outcome!r}: need both churners and stayers, got only {y.unique()}")
    tr, te, split = _split(data.loc[ok, time_col] if as_of is not None else y, as_of, time_col, test_size, seed)
    res, info, dropped = _fit(frame.iloc[tr], y.iloc[tr], categories)
    model = ChurnModel(features=features, auc=np.nan, brier=np.nan, base_rate=float(y.iloc[te].mean()),
                       n_train=len(tr), n_test=len(te), n_dropped=int((~ok).sum()), odds_ratios=None,
                       calibration=None, comparison=None, dropped_terms=dropped, split=split,
                       test_index=frame.index[te], result=res,
                       design_info=info, _categories=categories, n_complete=n_complete, n_sampled=len(y))
    yte = y.iloc[te].to_numpy()
    p = model.predict(frame.iloc[te]).to_numpy()
    if len(np.unique(yte)) < 2:
        raise DataError(f"the test split has only one outcome value in {outcome!r}; use another as_of or seed")
    _evaluate(model, res, yte, p, n_bins, confidence)
    survey = [f for f in (survey_features or []) if f in features]
    model.comparison = _comparison(model, frame, y, tr, te, p, categories, survey, seed, confidence)
    return model


def _categories(data: pd.DataFrame, features: list[str]) -> dict:
    """The categories of each non-numeric feature (a Categorical's present categories, else sorted values)."""
    categories = {}
    for f in features:
        col = data[f]
        if isinstance(col.dtype, pd.CategoricalDtype):
            categories[f] = [c for c in col.cat.categories if (col == c).any()]
        elif not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            categories[f] = sorted(col.dropna().astype(str).unique())
    return categories


def _split(values: pd.Series, as_of, time_col: str, test_size: float, seed: int):
    """Train and test positions and how they were split: stratified at random on the outcome ``values``, or
    out of time on the ``time_col`` values at ``as_of``."""
    if as_of is None:
        tr, te = stratified_split(values, test_size, seed)
        return tr, te, f"random {1 - test_size:.0%}/{test_size:.0%} (seed {seed})"
    ts = pd.Timestamp(as_of)
    if not values.min() < ts <= values.max():
        raise DataError(f"as_of {as_of!r} is outside column {time_col!r}, which runs from "
                        f"{values.min():%Y-%m-%d} to {values.max():%Y-%m-%d}")
    return (np.flatnonzero(values < ts), np.flatnonzero(values >= ts),
            f"out of time: train {time_col} < {ts:%Y-%m-%d}, test after")


def _evaluate(model: ChurnModel, res, yte: np.ndarray, p: np.ndarray, n_bins: int, confidence: float) -> None:
    """Held-out AUC and Brier score, the odds-ratio table and the calibration table, set on ``model``."""
    model.auc, model.brier = auc(yte, p), _brier(yte, p)
    ci = res.conf_int(alpha=1 - confidence)
    with np.errstate(over="ignore"):  # a separated term has an unbounded interval: inf is the answer
        model.odds_ratios = pd.DataFrame({
            "term": [term_label(t) for t in res.params.index], "estimate": res.params.to_numpy(),
            "std_err": res.bse.to_numpy(),
            "p_value": res.pvalues.to_numpy(), "odds_ratio": np.exp(res.params.to_numpy()),
            "ci_low": np.exp(ci[0].to_numpy()), "ci_high": np.exp(ci[1].to_numpy())})
    model.calibration = _calibration(yte, p, n_bins, confidence)


def _comparison(model, frame, y, tr, te, p, categories, survey, seed, confidence) -> pd.DataFrame:
    """The full model against one without the survey features, on the same split (paired AUC-gain interval)."""
    yte = y.iloc[te].to_numpy()
    rows: list[dict] = [{"model": "all features", "features": ", ".join(model.features), "auc": model.auc,
                         "brier": model.brier, "n_test": len(te)}]
    base = [f for f in model.features if f not in survey]
    if survey and base:
        import patsy

        res0, info0, _ = _fit(frame[base].iloc[tr], y.iloc[tr], categories)
        (x0,) = patsy.build_design_matrices([info0], frame[base].iloc[te], return_type="dataframe")
        p0 = res0.predict(x0[res0.params.index]).to_numpy()
        lo, hi = auc_gain_ci(yte.astype(bool), p, p0, seed, confidence=confidence)
        rows.insert(0, {"model": "without survey scores", "features": ", ".join(base),
                        "auc": auc(yte, p0), "brier": _brier(yte, p0),
                        "n_test": len(te)})
        rows[-1].update(auc_gain=model.auc - rows[0]["auc"], gain_ci_low=lo, gain_ci_high=hi)
    return pd.DataFrame(rows, columns=["model", "features", "auc", "brier", "n_test", "auc_gain",
                                       "gain_ci_low", "gain_ci_high"])


def _calibration(y: np.ndarray, p: np.ndarray, n_bins: int, confidence: float) -> pd.DataFrame:
    bins = pd.qcut(pd.Series(p).rank(method="first"), min(n_bins, len(p)), labels=False)
    t = pd.DataFrame({"bin": bins + 1, "p": p, "y": y}).groupby("bin").agg(
        n=("y", "size"), predicted=("p", "mean"), churners=("y", "sum"))
    t["observed"] = t["churners"] / t["n"]
    t["ci_low"], t["ci_high"] = wilson(t["churners"], t["n"], confidence)
    return t.drop(columns="churners").reset_index()


