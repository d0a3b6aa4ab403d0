"""The e-mail digest: a standards-compliant ``.eml`` with a short HTML body (inline CSS only, charts as
CID-attached PNGs), a plain-text alternative and a link to the full report.

Every figure comes from the kernel's result set (``results.json``); texts are escaped. Sending stays
outside (a cron line with ``sendmail``, see the README): this module only writes the file.
"""

from __future__ import annotations

import html
import io
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from .formats import score_format

__all__ = ["digest_message", "write_digest"]

_TILE = ('<td style="padding:8px 12px;border:1px solid #d9e2ec;border-radius:6px;vertical-align:top">'
         '<div style="color:#616e7c;font-size:12px">{label}</div>'
         '<div style="font-size:26px;font-weight:bold;color:#1f2933">{value}</div>'
         '<div style="font-size:12px;color:{tone}">{change}</div></td>')


def _tiles(results: dict) -> tuple[str, list[str]]:
    """The KPI tiles (HTML) and their plain-text lines; a change is coloured only when it is real."""
    cells, lines = [], []
    for metric, s in results.get("scores", {}).items():
        if not s or s.get("value") is None:
            continue
        fmt = score_format(metric)
        if s.get("diff") is None:
            change, tone = "no comparison", "#616e7c"
        else:
            real = bool(s.get("significant"))
            change = f"{fmt.change(s['diff'])} vs {s['baseline']} ({'real change' if real else 'within noise'})"
            tone = ("#0072B2" if s["diff"] > 0 else "#D55E00") if real else "#616e7c"
        label = s.get("label", metric)
        cells.append(_TILE.format(label=html.escape(label), value=html.escape(fmt.value(s["value"])),
                                  tone=tone, change=html.escape(change)))
        lines.append(f"{label}: {fmt.value(s['value'])} (n = {s['n']:,}); {change}")
    return '<table role="presentation" style="border-collapse:separate;border-spacing:6px"><tr>' + "".join(cells) + \
        "</tr></table>", lines


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _charts(results: dict) -> list[tuple[str, bytes]]:
    """The primary score's trend and the drivers' shares as small PNGs (alt text, bytes), drawn from the
    result set with the report's theme; one axis each, percentages as %."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    out = []
    s = results.get("scores", {}).get(results.get("primary")) or {}
    points = [p for p in s.get("trend", []) if p["value"] is not None and not p["small_base"]]
    if len(points) >= 2:
        fig, ax = plt.subplots(figsize=(6, 2.2), layout="constrained")
        ax.plot([p["month"][2:] for p in points], [p["value"] for p in points], marker="o", color="#0072B2")
        ax.fill_between(range(len(points)), [p["ci_low"] for p in points], [p["ci_high"] for p in points],
                        color="#0072B2", alpha=0.15, linewidth=0)
        ax.set_ylabel(s.get("label", "")), ax.tick_params(labelsize=8), ax.spines[["top", "right"]].set_visible(False)
        out.append((f"{s.get('label', '')} by month with its 95% interval", _png(fig)))
    drivers = (results.get("drivers") or {}).get("importance") or []
    if len(drivers) >= 2:
        rows = sorted(drivers, key=lambda r: r["share"] or 0)
        fig, ax = plt.subplots(figsize=(6, 0.3 * len(rows) + 0.8), layout="constrained")
        ax.barh([r.get("label", r["driver"]) for r in rows], [r["share"] or 0 for r in rows], color="#0072B2")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0)), ax.tick_params(labelsize=8)
        ax.set_xlabel("share of what the ratings explain"), ax.spines[["top", "right"]].set_visible(False)
        out.append(("What drives the score: each driver's share of the explained variation", _png(fig)))
    return out


def digest_message(results: dict, *, title: str, link: str, sender: str = "CX Workbook <cx-report@localhost>",
                   to: str = "undisclosed-recipients:;") -> EmailMessage:
    """The digest of ``results`` as an :class:`email.message.EmailMessage` (multipart/alternative: plain
    text, then HTML with related PNG charts).

    Examples
    --------
    >>> msg = digest_message({"period": "Oct 2026", "story": ["NPS is +14 <b>."]}, title="CX report", link="r.html")
    >>> msg.get_content_type(), msg["Subject"], "&lt;b&gt;" in msg.get_body(("html",)).get_content()
    ('multipart/alternative', 'CX report', True)
    """
    tiles, lines = _tiles(results)
    story = results.get("story") or []
    text = "\n".join([title, "", *lines, "", *[f"- {s}" for s in story], "", f"Full report: {link}"])
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = title, sender, to
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="cx-report.localhost")
    msg.set_content(text)
    charts = [(alt, png, make_msgid(domain="cx-report.localhost")) for alt, png in _charts(results)]
    imgs = "".join(f'<p style="font-size:13px;font-weight:bold;margin:12px 0 2px">{html.escape(alt)}</p>'
                   f'<p style="margin:0"><img src="cid:{cid[1:-1]}" alt="{html.escape(alt)}" width="480" '
                   f'style="max-width:100%"></p>'
                   for alt, _, cid in charts)
    bullets = "".join(f'<li style="margin:4px 0">{html.escape(s)}</li>' for s in story)
    body = (f'<!DOCTYPE html><html><body style="font-family:Arial,sans-serif;color:#1f2933;max-width:640px">'
            f'<h1 style="font-size:20px">{html.escape(title)}</h1>'
            f'<p style="color:#616e7c;font-size:13px">{html.escape(results.get("period", ""))} · '
            f'{results.get("responses", 0):,} responses</p>{tiles}<ul style="padding-left:18px">{bullets}</ul>{imgs}'
            f'<p><a href="{html.escape(link, quote=True)}" style="color:#0072B2">Open the full report</a></p>'
            f'</body></html>')
    msg.add_alternative(body, subtype="html")
    html_part = msg.get_payload()[1]
    for alt, png, cid in charts:
        html_part.add_related(png, maintype="image", subtype="png", cid=cid, filename=f"{cid[1:9]}.png")
    return msg


def write_digest(results: dict, path: Path, *, title: str, link: str) -> Path:
    """Write the digest of ``results`` to ``path`` (an ``.eml`` file); return ``path``."""
    from email import policy

    Path(path).write_bytes(digest_message(results, title=title, link=link).as_bytes(policy=policy.SMTP))
    return Path(path)
