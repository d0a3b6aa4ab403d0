"""Discovered themes (comments.clusters): planted themes found, every comment assigned, figures by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib import comments, data
from cxlib.errors import DataError, ParameterError

TRUTH = data.project_root() / "data" / "sample" / "comment_truth.csv"


@pytest.fixture(scope="module")
def responses():
    return data.load_responses()


@pytest.fixture(scope="module")
def found(responses):
    return comments.discover_themes(responses, seed=0)


def purity(assigned: pd.DataFrame) -> tuple[float, set]:
    """Share of comments carrying their cluster's most common true theme ("(none)" for no theme)."""
    truth = pd.read_csv(TRUTH, dtype=str, keep_default_na=False)
    d = assigned.merge(truth, on="response_id")
    labels = d["themes"].replace("", "(none)").str.split("|")
    hit, leaders = 0, set()
    for _, members in labels.groupby(d["cluster"].to_numpy()):
        counts = members.explode().value_counts()
        hit += int(counts.iloc[0])
        leaders.add(counts.index[0])
    return hit / len(d), leaders - {"(none)"}


def test_planted_themes_are_found_as_clusters(found):
    p, leaders = purity(found.data.dropna(subset=["cluster"]))
    # measured: k = 19 chosen by silhouette, purity 0.70, 8 of the 12 planted themes lead a cluster.
    # A third of the sample's comments join two themes in one comment, which caps purity well below 1.
    assert 4 <= found.k <= 20 and found.k == found.k_scores.loc[found.k_scores["silhouette"].idxmax(), "k"]
    assert p >= 0.65, p
    assert len(leaders) >= 7, leaders


def test_every_non_empty_comment_gets_a_theme(found, responses):
    non_empty = responses["comment"].fillna("").str.strip() != ""
    assert (found.data["cluster"].notna() == non_empty).all()
    assert int(found.themes["n"].sum()) == int(non_empty.sum()) == found.n_comments
    assert found.themes["n"].is_monotonic_decreasing and found.themes["theme"].tolist() == list(range(1, found.k + 1))


def test_theme_scores_and_shares_equal_a_groupby(found):
    d = found.data.dropna(subset=["cluster"])
    g = d.groupby("cluster")["nps"]
    t = found.themes.set_index("theme")
    for theme, vals in g:
        v = vals.dropna().to_numpy(float)
        half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))   # t interval by hand
        assert t.loc[theme, "score_mean"] == pytest.approx(v.mean())
        assert t.loc[theme, "score_ci_low"] == pytest.approx(v.mean() - half)
        assert t.loc[theme, "share"] == pytest.approx(len(vals) / len(d))
    assert all(1 <= len(q) <= 3 for q in found.themes["quotes"])


def test_terms_are_class_based_tfidf_and_skip_brands_handles_and_numbers():
    docs = pd.DataFrame({"comment": ["@acme battery drains fast 2024", "Acme battery dies fast",
                                     "battery life is poor", "screen cracked easily", "screen is dim",
                                     "screen scratches easily"], "nps": [1, 2, 3, 4, 5, 6]})
    out = comments.discover_themes(docs, k=2, n_terms=2, brand_words=["Acme"])
    terms = dict(zip(out.themes["terms"].str.split(", ").str[0], out.themes["n"]))
    assert terms == {"battery": 3, "screen": 3}
    assert not out.themes["terms"].str.contains("acme|2024").any()


def test_nmf_option_assigns_every_comment(responses):
    month = data.subset(responses, month="2026-10")
    out = comments.discover_themes(month, k=6, method="nmf")
    non_empty = month["comment"].fillna("").str.strip() != ""
    assert out.method == "nmf" and (out.data["cluster"].notna() == non_empty).all()


def test_same_seed_same_themes(responses):
    month = data.subset(responses, month="2026-09")
    a = comments.discover_themes(month, seed=4)
    b = comments.discover_themes(month, seed=4)
    assert a.data["cluster"].equals(b.data["cluster"]) and a.themes["terms"].equals(b.themes["terms"])


def test_bad_input_and_parameters():
    odd = pd.Series(["", "  ", "😡😡", "服务很差", "Slow support. " * 8000, "ok", None])
    out = comments.discover_themes(odd, k=2)
    assert out.n_blank == 2 and out.data["cluster"].notna().sum() == 4
    with pytest.raises(DataError, match="at least 2 distinct non-empty comments"):
        comments.discover_themes(pd.Series(["same", "same", " "]))
    with pytest.raises(ParameterError, match="'k' parameter of discover_themes"):
        comments.discover_themes(odd, k=0)
    with pytest.raises(ParameterError, match="'method' parameter"):
        comments.discover_themes(odd, method="lda")


def test_a_cached_rerun_gives_the_same_themes_without_clustering(tmp_path, monkeypatch):
    from cxlib import data as cxdata
    from cxlib.comments import clusters

    responses = cxdata.subset(cxdata.load_responses(), month="2026-10")
    first = comments.discover_themes(responses, k=6, cache_dir=tmp_path)
    assert list(tmp_path.glob("themes-*.npz"))
    monkeypatch.setattr(clusters, "_assign", lambda *a, **kw: pytest.fail("clustered again"))
    again = comments.discover_themes(responses, k=6, cache_dir=tmp_path)
    assert again.data["cluster"].equals(first.data["cluster"])
    cols = ["theme", "n", "terms", "subtitle", "score_mean"]
    pd.testing.assert_frame_equal(again.themes[cols], first.themes[cols])
    assert again.themes["quotes"].tolist() == first.themes["quotes"].tolist()
    # a different k is a different key: clustered afresh (and _assign is called)
    with pytest.raises(pytest.fail.Exception, match="clustered again"):
        comments.discover_themes(responses, k=5, cache_dir=tmp_path)


def test_beyond_the_subset_size_each_wording_joins_its_nearest_centre(monkeypatch):
    # the 1M-comment path on the sample month, shrunk: k-means on a seeded subset of 300 wordings, then
    # every wording to its nearest centre; checked against k-means on all of them (a second route)
    from sklearn.metrics import adjusted_rand_score

    from cxlib import data as cxdata
    from cxlib.comments import clusters

    responses = cxdata.subset(cxdata.load_responses(), month="2026-10")
    full = comments.discover_themes(responses, k=6)
    other_seed = comments.discover_themes(responses, k=6, seed=1)
    monkeypatch.setattr(clusters, "_FIT_ROWS", 150)
    monkeypatch.setattr(clusters, "_LLOYD_ROWS", 300)
    sub = comments.discover_themes(responses, k=6)
    assert int(sub.themes["n"].sum()) == int(full.themes["n"].sum())
    both = full.data["cluster"].notna()
    ari = adjusted_rand_score(full.data.loc[both, "cluster"], sub.data.loc[both, "cluster"])
    seeds = adjusted_rand_score(full.data.loc[both, "cluster"], other_seed.data.loc[both, "cluster"])
    # measured: the subset route agrees with the full one (adjusted Rand 0.65) more than the full route
    # agrees with itself under another seed (0.45): the shortcut costs less than the choice of seed
    assert ari >= seeds - 0.05, (ari, seeds)
