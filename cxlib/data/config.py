"""The workbook's configuration: where the data live and how their columns map to the canonical schema.

A YAML file (default ``cx.yml`` at the project root) maps an analyst's own column names onto the
canonical schema described in ``docs/data-contract.md``. Paths inside it are relative to the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from . import _config_checks as check
from ._sections import (SCORES, cache_dir, comments_options, dates_options, follow_up_options, known_keys,
                        labels_options, money_options, report_options)
from .remote import engine_options, source_options
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
    path: Path | None   # None for a table on a server (options["table"], options["connection"])
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
    follow_up: dict = field(default_factory=lambda: {"raw_comments": False})
    engines: dict = field(default_factory=lambda: engine_options(None, Path("."), "config"))

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
        return [t.path for t in (self.responses, self.tickets, self.accounts) if t is not None and t.path]


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
    try:
        p = Path(config).expanduser()
    except RuntimeError:   # "~someone/cx.yml" for a user without a home
        raise ConfigError(f"config file {config!r}: the home folder of its '~' cannot be found") from None
    candidates = [p] if p.is_absolute() else [project_root() / p, Path.cwd() / p]
    for c in candidates:
        if check.usable_file(c):
            return c.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise ConfigError(f"config file {config!r} not found (looked at {tried})")


#: Names a segment or driver may not take: the canonical columns and the columns analyses add.
RESERVED = frozenset(CANONICAL["responses"]) | {"period", "neg", "neu", "pos", "compound", "sentiment", "n_themes",
                                                "analysed"}


def _table(name: str, raw: dict, base_dir: Path, where: str) -> TableSpec:
    raw = check.mapping(raw, name, where, expected="a mapping with a 'path' to its data file (or a 'table')")
    source = source_options(raw, name, where)
    allowed = {"path", "columns", "segments", "drivers", "scales", "missing_codes", "dates", *check.OPTIONS,
               "table", "connection", "engine"}
    known_keys(f"key in '{name}'", raw, allowed, where)
    columns = check.column_map(raw.get("columns"), f"{name}.columns", where)
    known_keys(f"canonical column in '{name}.columns'", columns, CANONICAL[name], where)
    segments = check.column_map(raw.get("segments"), f"{name}.segments", where)
    drivers = check.column_map(raw.get("drivers"), f"{name}.drivers", where)
    for key, names in (("segments", segments), ("drivers", drivers)):
        taken = sorted(set(names) & (RESERVED | set(CANONICAL[name])))
        if taken:
            raise ConfigError(f"{where}: '{name}.{key}' names {taken}, which the workbook uses for its own "
                              f"columns; give the {key[:-1]} another name (e.g. {taken[0]}_{key[:-1]})")
    both = sorted(set(segments) & set(drivers))
    if both:
        raise ConfigError(f"{where}: {both} named both as a segment and as a driver in '{name}'; use two names")
    if name == "responses" and not any(columns.get(s) for s in SCORES):
        raise ConfigError(
            f"{where}: 'responses.columns' must map at least one score ({', '.join(SCORES)})"
        )
    path = None
    if "path" in raw:
        path = Path(check.text(raw["path"], f"{name}.path", where, expected="a file path")).expanduser()
        if not path.is_absolute():
            path = (base_dir / path).resolve()
    options = check.table_options(name, raw, where)
    options.update(source)
    options["dates"] = dates_options(raw.get("dates"), name, where)
    return TableSpec(
        name=name,
        path=path,
        columns=columns,
        segments=segments,
        drivers=drivers,
        missing_codes=check.scalar_lists(raw.get("missing_codes"), f"{name}.missing_codes", where),
        options=options,
    )


def _scales(raw: dict, where: str) -> dict[str, Scale]:
    scales = dict(DEFAULT_SCALES)
    for name, spec in check.mapping(raw, "responses.scales", where,
                                    expected="a mapping of score: {min, max}").items():
        key = f"responses.scales.{name}"
        spec = check.mapping(spec, key, where, expected="a mapping such as {min: 1, max: 5}")
        if "min" not in spec or "max" not in spec:
            raise ConfigError(f"{where}: scale '{name}' needs 'min' and 'max'")
        known_keys(f"key in '{key}'", spec, ("min", "max", "higher_is_better", "top_box"), where)
        low, high = check.whole(spec["min"], f"{key}.min", where), check.whole(spec["max"], f"{key}.max", where)
        if not low < high:
            raise ConfigError(f"{where}: {key!r} needs min < max; got min={low}, max={high}")
        default_k = DEFAULT_SCALES[name].top_k if name in DEFAULT_SCALES else 2
        top_k = check.whole(spec.get("top_box", default_k), f"{key}.top_box", where)
        if not 1 <= top_k <= high - low:
            raise ConfigError(f"{where}: {key + '.top_box'!r} must be between 1 and {high - low} (the points "
                              f"of the scale but one); got {top_k}")
        scales[str(name)] = Scale(low, high, check.boolean(spec.get("higher_is_better", True),
                                                           f"{key}.higher_is_better", where), top_k)
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
        raw = check.read_yaml(path, where)
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with a 'responses' section")
    known_keys("section", raw, {"responses", "tickets", "accounts", "codebook", "report", "cache_dir", "labels",
                                "money", "comments", "weighting", "follow_up", "engines"}, where)
    if "responses" not in raw:
        raise ConfigError(f"{where}: a 'responses' section is required")
    responses = _table("responses", raw["responses"], base_dir, where)
    scales = _scales(raw["responses"].get("scales"), where)
    if "rating" in responses.columns and "rating" not in (raw["responses"].get("scales") or {}):
        raise ConfigError(f"{where}: 'responses.columns' maps a rating; give its scale under "
                          "'responses.scales', e.g. rating: {min: 1, max: 10}")
    codebook = None
    if raw.get("codebook"):
        codebook = Path(check.text(raw["codebook"], "codebook", where, expected="a file path")).expanduser()
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
        follow_up=follow_up_options(raw.get("follow_up"), where),
        engines=engine_options(raw.get("engines"), base_dir, where),
    )
