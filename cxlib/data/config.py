"""The workbook's configuration: where the data live and how their columns map to the canonical schema.

A YAML file (default ``cx.yml`` at the project root) maps an analyst's own column names onto the
canonical schema described in ``docs/data-contract.md``. Paths inside it are relative to the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ._sections import (SCORES, cache_dir, comments_options, dates_options, known_keys, labels_options,
                        money_options, report_options)
from .weighting import WeightingSpec, parse_weighting

__all__ = ["CANONICAL", "DEFAULT_SCALES", "SCORES", "Config", "Scale", "TableSpec", "load_config",
           "project_root"]


#: Canonical columns of each table, in output order.
CANONICAL = {
    "responses": [
        "response_id",
        "customer_id",
        "responded_at",
        "nps",
        "csat",
        "ces",
        "rating",
        "recommend",
        "comment",
        "ticket_id",
        "weight",
    ],
    "tickets": [
        "ticket_id",
        "customer_id",
        "opened_at",
        "resolved_at",
        "handoffs",
        "first_contact_resolution",
        "channel",
    ],
    "accounts": [
        "customer_id",
        "region",
        "plan",
        "signup_date",
        "annual_revenue",
        "renewal_date",
        "churned",
        "churned_at",
    ],
}



@dataclass(frozen=True)
class Scale:
    """A rating scale: its end points and its direction.

    ``top_k`` is how many of the best points count as the "top box" (satisfied, low effort) unless a
    function is told otherwise.

    Examples
    --------
    >>> Scale(1, 5).top_box()
    [4, 5]
    >>> Scale(1, 7, higher_is_better=False).top_box(3)
    [1, 2, 3]
    >>> Scale(1, 10, top_k=3).top_box()
    [8, 9, 10]
    """

    min: int
    max: int
    higher_is_better: bool = True
    top_k: int = 2

    def __post_init__(self):
        if not self.min < self.max:
            raise ConfigError(f"a scale needs min < max, got min={self.min}, max={self.max}")

    @property
    def values(self) -> list[int]:
        """Every point of the scale, in ascending order."""
        return list(range(int(self.min), int(self.max) + 1))

    def top_box(self, k: int | None = None) -> list[int]:
        """The k best points of the scale (the highest when higher is better); k defaults to ``top_k``."""
        k = self.top_k if k is None else k
        vals = self.values
        return vals[-k:] if self.higher_is_better else vals[:k]

    def bottom_box(self, k: int | None = None) -> list[int]:
        """The k worst points of the scale; k defaults to ``top_k``."""
        k = self.top_k if k is None else k
        vals = self.values
        return vals[:k] if self.higher_is_better else vals[-k:]


DEFAULT_SCALES = {
    "nps": Scale(0, 10),
    "csat": Scale(1, 5),
    "ces": Scale(1, 7, top_k=3),
}


@dataclass
class TableSpec:
    """One input table of the config: its file and how its columns map to canonical names."""

    name: str
    path: Path
    columns: dict[str, str]
    segments: dict[str, str] = field(default_factory=dict)
    drivers: dict[str, str] = field(default_factory=dict)
    missing_codes: dict[str, list] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Config:
    """A parsed configuration."""

    path: Path | None
    base_dir: Path
    responses: TableSpec | None
    tickets: TableSpec | None = None
    accounts: TableSpec | None = None
    scales: dict[str, Scale] = field(default_factory=lambda: dict(DEFAULT_SCALES))
    codebook: Path | None = None
    report: dict = field(default_factory=dict)
    cache_dir: Path | None = None
    labels: dict = field(default_factory=dict)
    money: dict = field(default_factory=lambda: {"currency": None, "symbol": ""})
    comments: dict = field(default_factory=lambda: {"sentiment_model": None, "brand_words": []})
    weighting: WeightingSpec | None = None

    @property
    def segments(self) -> list[str]:
        """Names of the response segment columns (as they appear in loaded data)."""
        return list(self.responses.segments) if self.responses else []

    @property
    def scores(self) -> list[str]:
        """The scores the config maps, in the order of :data:`SCORES` (the primary score's order)."""
        return [s for s in SCORES if self.responses and s in self.responses.columns]

    @property
    def drivers(self) -> list[str]:
        """Names of the response driver (attribute rating) columns."""
        return list(self.responses.drivers) if self.responses else []

    @property
    def data_files(self) -> list[Path]:
        """Every data file the config points at."""
        return [t.path for t in (self.responses, self.tickets, self.accounts) if t is not None]


def project_root() -> Path:
    """The project root: ``$CX_PROJECT_ROOT``, else the checkout that holds this package.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> (project_root() / "cxlib").is_dir()
    True
    """
    env = os.environ.get("CX_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    if (here / "pyproject.toml").exists():
        return here
    for parent in [Path.cwd(), *Path.cwd().parents]:
        if (parent / "cx.yml").exists():
            return parent
    return Path.cwd()


def _resolve_config_path(config) -> Path:
    p = Path(config).expanduser()
    if p.is_absolute():
        candidates = [p]
    else:
        candidates = [project_root() / p, Path.cwd() / p]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise ConfigError(f"config file {config!r} not found (looked at {tried})")


def _table(name: str, raw: dict, base_dir: Path, where: str) -> TableSpec:
    if not isinstance(raw, dict) or "path" not in raw:
        raise ConfigError(f"{where}: section '{name}' needs a 'path' to its data file")
    allowed = {"path", "columns", "segments", "drivers", "scales", "missing_codes",
               "sheet", "format", "date_format", "dayfirst", "encoding", "dates"}
    known_keys(f"key in '{name}'", raw, allowed, where)
    columns = dict(raw.get("columns") or {})
    known_keys(f"canonical column in '{name}.columns'", columns, CANONICAL[name], where)
    for key in ("segments", "drivers", "missing_codes"):
        if key in raw and not isinstance(raw[key] or {}, dict):
            raise ConfigError(f"{where}: '{name}.{key}' must be a mapping of name: column")
    if name == "responses" and not any(columns.get(s) for s in SCORES):
        raise ConfigError(
            f"{where}: 'responses.columns' must map at least one score ({', '.join(SCORES)})"
        )
    path = Path(raw["path"]).expanduser()
    if not path.is_absolute():
        path = (base_dir / path).resolve()
    options = {k: raw[k] for k in ("sheet", "format", "date_format", "dayfirst", "encoding") if k in raw}
    options["dates"] = dates_options(raw.get("dates"), name, where)
    return TableSpec(
        name=name,
        path=path,
        columns={k: str(v) for k, v in columns.items() if v is not None},
        segments={str(k): str(v) for k, v in (raw.get("segments") or {}).items()},
        drivers={str(k): str(v) for k, v in (raw.get("drivers") or {}).items()},
        missing_codes={str(k): list(v) for k, v in (raw.get("missing_codes") or {}).items()},
        options=options,
    )


def _scales(raw: dict, where: str) -> dict[str, Scale]:
    scales = dict(DEFAULT_SCALES)
    for name, spec in (raw or {}).items():
        if not isinstance(spec, dict) or "min" not in spec or "max" not in spec:
            raise ConfigError(f"{where}: scale '{name}' needs 'min' and 'max'")
        top_k = spec.get("top_box", DEFAULT_SCALES[name].top_k if name in DEFAULT_SCALES else 2)
        scales[name] = Scale(
            int(spec["min"]), int(spec["max"]), bool(spec.get("higher_is_better", True)), int(top_k)
        )
    return scales


def load_config(config=None) -> Config:
    """Read and check a configuration.

    Parameters
    ----------
    config : str, pathlib.Path, dict, Config or None
        A YAML file (relative paths are looked up from the project root, then from the working
        directory), an already parsed mapping (its paths relative to the project root), a ``Config``
        (returned as is), or None for ``cx.yml`` at the project root.

    Returns
    -------
    Config

    Examples
    --------
    >>> cfg = load_config()
    >>> cfg.scales["csat"].top_box()
    [4, 5]
    >>> "region" in cfg.segments
    True
    """
    if isinstance(config, Config):
        return config
    if config is None:
        config = "cx.yml"
    if isinstance(config, dict):
        raw, path, base_dir, where = config, None, project_root(), "config"
    else:
        path = _resolve_config_path(config)
        base_dir, where = path.parent, f"config {path}"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{where} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with a 'responses' section")
    known_keys("section", raw, {"responses", "tickets", "accounts", "codebook", "report", "cache_dir", "labels",
                                "money", "comments", "weighting"}, where)
    if "responses" not in raw:
        raise ConfigError(f"{where}: a 'responses' section is required")
    responses = _table("responses", raw["responses"], base_dir, where)
    scales = _scales(raw["responses"].get("scales"), where)
    if "rating" in responses.columns and "rating" not in (raw["responses"].get("scales") or {}):
        raise ConfigError(f"{where}: 'responses.columns' maps a rating; give its scale under "
                          "'responses.scales', e.g. rating: {min: 1, max: 10}")
    codebook = None
    if raw.get("codebook"):
        codebook = Path(raw["codebook"]).expanduser()
        codebook = codebook if codebook.is_absolute() else (base_dir / codebook).resolve()
        if not codebook.is_file():
            raise ConfigError(f"{where}: codebook {codebook} does not exist")
    return Config(
        path=path,
        base_dir=base_dir,
        responses=responses,
        tickets=_table("tickets", raw["tickets"], base_dir, where) if raw.get("tickets") else None,
        accounts=_table("accounts", raw["accounts"], base_dir, where) if raw.get("accounts") else None,
        scales=scales,
        codebook=codebook,
        report=report_options(raw.get("report"), responses, where),
        cache_dir=cache_dir(raw.get("cache_dir", project_root() / ".cx-cache"), base_dir, where),
        labels=labels_options(raw.get("labels"), where),
        money=money_options(raw.get("money"), where),
        comments=comments_options(raw.get("comments"), base_dir, where),
        weighting=parse_weighting(raw.get("weighting"), responses, where),
    )
