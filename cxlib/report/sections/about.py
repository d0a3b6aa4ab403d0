"""The report's "About" section: definitions, data window, bases, checksums and versions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...data import file_digests, segment_label, subset
from .. import html as h

__all__ = ["about"]


def about(cfg, data: pd.DataFrame, *, month: str, segment: str | None = None, min_n: int = 30,
          digests: dict | None = None) -> h.Html:
    """Definitions, data window, base sizes and run metadata (no clock time: the HTML is reproducible).

    Parameters
    ----------
    cfg : Config
    data : pandas.DataFrame
        The responses the report covers.
    month, segment : str
    min_n : int
    digests : dict, optional
        Path -> SHA-256 of the input files, as the report runner computed them; computed here when absent.

    Returns
    -------
    Html
    """
    from importlib import metadata

    now = subset(data, month=month)
    digests = digests or file_digests(cfg)
    files = [f"{Path(p).name} (sha256 {d[:12]}…)" for p, d in digests.items()]
    csat, ces = cfg.scales["csat"], cfg.scales["ces"]
    lines = [
        "NPS: % promoters (9–10) minus % detractors (0–6) of likelihood-to-recommend answers, −100 to +100.",
        f"CSAT: % of answers in the top two boxes of the {csat.min}–{csat.max} scale.",
        f"CES: mean effort score on the {ces.min}–{ces.max} scale "
        f"({'higher = easier' if ces.higher_is_better else 'lower = easier'}).",
        "95% CI: the range of plausible values for the true score; intervals made this way contain the "
        "true score in 95 surveys out of 100 (adjusted-Wald interval for NPS, Wilson for CSAT, t for CES).",
        f"Small bases: scores from fewer than {min_n} answers are suppressed or flagged.",
        "Significance: changes are tested with z-tests and Holm-adjusted for the number of comparisons.",
        f"Data window: {data['responded_at'].min():%d %b %Y} to {data['responded_at'].max():%d %b %Y}; "
        f"this month {len(now):,} responses" + (f" in {segment_label(segment)}" if segment else "") + ".",
        "Data files: " + "; ".join(files) + ".",
        f"cxlib {metadata.version('cxlib')}; pandas {pd.__version__}. Customer comments are redacted "
        "(e-mails, phone numbers, card numbers, IBANs, URLs, names where recognisable) before display.",
    ]
    return h.bullets(lines)
