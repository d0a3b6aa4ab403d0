"""The workbook's configuration: where the data live and how their columns map to the canonical schema.

A YAML file (default ``cx.yml`` at the project root) maps an analyst's own column names onto the
canonical schema described in ``docs/data-contract.md``. Paths inside it are relative to the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError
from ..metrics import METRICS
from . import schema
from ._yaml import read_yaml, usable_file
from ._sections import cache_dir, comments_options, existing_file, money_options, report_options
from .remote import engine_options, source_options
from .schema import SCORES
from .schema.models import AccountsColumns, Comments, Engines, Money, ResponsesColumns, TicketsColumns
from .weighting import WeightingSpec, parse_weighting

__all__ = ["CANONICAL", "DEFAULT_SCALES", "SCORES", "Config", "Scale", "TableSpec", "default_scales", "load_config",
           "project_root"]


#: Canonical columns of each table, in output order (declared once, in the schema).
CANONICAL = {name: list(model.model_fields) for name, model in
             (("responses", ResponsesColumns), ("tickets", TicketsColumns), ("accounts", AccountsColumns))}


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


def _scale(spec, name: str, defaults: dict) -> Scale:
    top_k = spec.top_box if spec.top_box is not None else defaults.get(name, Scale(0, 1)).top_k
    return Scale(spec.min, spec.max, spec.higher_is_better, top_k)


def default_scales() -> dict[str, Scale]:
    """The scales a score has unless the config gives one: the defaults the schema declares under
    ``responses.scales`` for every score registered now (:mod:`cxlib.metrics`).

    Examples
    --------
    >>> default_scales()["ces"]
    Scale(min=1, max=7, higher_is_better=True, top_k=3)
    """
    return {name: _scale(spec, name, {}) for name, spec in schema.score_models().scales()
            if name in METRICS and spec is not None}


#: :func:`default_scales` for the built-in scores.
DEFAULT_SCALES: dict[str, Scale] = default_scales()


@dataclass
class TableSpec:
    """One input table of the config: its file and how its columns map to canonical names."""

    name: str
    path: Path | None   # None for a table on a server (options["table"], options["connection"])
    columns: dict[str, str]
    segments: dict[str, str] = field(default_factory=dict)
    drivers: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)
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
    scales: dict[str, Scale] = field(default_factory=default_scales)
    codebook: Path | None = None
    report: dict = field(default_factory=dict)
    cache_dir: Path | None = None
    labels: dict = field(default_factory=dict)
    money: dict = field(default_factory=lambda: money_options(Money()))
    comments: dict = field(default_factory=lambda: comments_options(Comments(), Path("."), "config"))
    weighting: WeightingSpec | None = None
    follow_up: dict = field(default_factory=lambda: {"raw_comments": schema.default("follow_up.raw_comments")})
    engines: dict = field(default_factory=lambda: engine_options(Engines(), Path(".")))
    timezone: str | None = None

    @property
    def segments(self) -> list[str]:
        """Names of the response segment columns (as they appear in loaded data)."""
        return list(self.responses.segments) if self.responses else []

    @property
    def scores(self) -> list[str]:
        """The scores the config maps, in the registry's order (the primary score's order)."""
        return [s for s in METRICS if self.responses and s in self.responses.columns]

    @property
    def drivers(self) -> list[str]:
        """Names of the response driver (attribute rating) columns."""
        return list(self.responses.drivers) if self.responses else []

    @property
    def multi(self) -> dict[str, list[str]]:
        """Multiple-response questions: name -> its option columns (loaded under their own names)."""
        return {k: list(v) for k, v in self.responses.multi.items()} if self.responses else {}

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
        if usable_file(c):
            return c.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise ConfigError(f"config file {config!r} not found (looked at {tried})")


#: Names a segment or driver may not take: the canonical columns and the columns analyses add.
RESERVED = frozenset(CANONICAL["responses"]) | {"period", "neg", "neu", "pos", "compound", "sentiment", "n_themes",
                                                "analysed"}
#: A table section's reading options, kept in ``TableSpec.options`` when the config gives them.
OPTIONS = ("sheet", "format", "date_format", "dayfirst", "encoding", "delimiter", "decimal")


def _names(mapping: dict) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items() if v is not None}


def _table(name: str, spec, base_dir: Path, where: str) -> TableSpec:
    source = source_options(spec, name, where)
    columns = _names(spec.columns.model_dump(exclude_none=True))
    segments, drivers = _names(getattr(spec, "segments", {})), _names(getattr(spec, "drivers", {}))
    for key, names in (("segments", segments), ("drivers", drivers)):
        taken = sorted(set(names) & (RESERVED | set(METRICS) | set(CANONICAL[name])))
        if taken:
            raise ConfigError(f"{where}: '{name}.{key}' names {taken}, which the workbook uses for its own "
                              f"columns; give the {key[:-1]} another name (e.g. {taken[0]}_{key[:-1]})")
    both = sorted(set(segments) & set(drivers))
    if both:
        raise ConfigError(f"{where}: {both} named both as a segment and as a driver in '{name}'; use two names")
    multi = _multi(getattr(spec, "multi", {}), {**columns, **segments, **drivers}, name, where)
    if name == "responses" and not any(columns.get(s) for s in METRICS):
        raise ConfigError(f"{where}: 'responses.columns' must map at least one score ({', '.join(METRICS)})")
    path = None
    if spec.path is not None:
        path = Path(spec.path).expanduser()
        path = path if path.is_absolute() else (base_dir / path).resolve()
    options = {k: v for k, v in spec.model_dump(include=set(OPTIONS), exclude_unset=True).items() if v is not None}
    options.update(source)
    options["dates"] = {"floor": pd.Timestamp(spec.dates.floor), "drop_invalid": spec.dates.drop_invalid}
    return TableSpec(name=name, path=path, columns=columns, segments=segments, drivers=drivers,
                     multi=multi, missing_codes={str(k): list(v) for k, v in spec.missing_codes.items()}, options=options)


def _multi(spec: dict, mapped: dict, table: str, where: str) -> dict[str, list[str]]:
    """``multi:`` checked: an option column belongs to one question and takes no name the table already uses."""
    multi = {str(k): [str(c) for c in v] for k, v in spec.items()}
    seen: dict[str, str] = {}
    for question, cols in multi.items():
        for col in cols:
            if col in seen:
                raise ConfigError(f"{where}: '{table}.multi' lists column {col!r} under both {seen[col]!r} and "
                                  f"{question!r}; an option belongs to one question")
            seen[col] = question
    taken = sorted(set(seen) & (RESERVED | set(CANONICAL[table]) | set(mapped)))
    if taken:
        raise ConfigError(f"{where}: '{table}.multi' lists {taken}, which the workbook already uses as a column "
                          "name (a canonical column, a segment or a driver); an option column is loaded under its "
                          "own name, so map it only once")
    return multi


def _scales(spec, responses: TableSpec, where: str) -> dict[str, Scale]:
    given = {k: getattr(spec, k) for k in spec.model_fields_set if getattr(spec, k) is not None}
    known = [*METRICS, "drivers", *responses.drivers]
    for name, extra in (spec.model_extra or {}).items():
        if name not in responses.drivers:
            raise ConfigError(f"{where}: {schema.unknown('scale', name, known, 'responses.scales')} (a score, "
                              "'drivers' for every driver, or one driver's name)")
        given[name] = extra
    if "rating" in responses.columns and "rating" not in given:
        raise ConfigError(f"{where}: 'responses.columns' maps a rating; give its scale under "
                          "'responses.scales', e.g. rating: {min: 1, max: 10}")
    defaults = default_scales()
    scales = dict(defaults)
    for name, one in given.items():
        key = f"responses.scales.{name}"
        if not one.min < one.max:
            raise ConfigError(f"{where}: {key!r} needs min < max; got min={one.min}, max={one.max}")
        scales[name] = scale = _scale(one, name, defaults)
        if not 1 <= scale.top_k <= one.max - one.min:
            raise ConfigError(f"{where}: {key + '.top_box'!r} must be between 1 and {one.max - one.min} (the "
                              f"points of the scale but one); got {scale.top_k}")
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
        raw = read_yaml(path, where)
    spec = schema.validate(raw, where)
    responses = _table("responses", spec.responses, base_dir, where)
    codebook = existing_file(spec.codebook, base_dir, "codebook", where)
    cache = spec.cache_dir if "cache_dir" in spec.model_fields_set else project_root() / schema.default("cache_dir")
    return Config(
        path=path,
        base_dir=base_dir,
        responses=responses,
        tickets=_table("tickets", spec.tickets, base_dir, where) if spec.tickets else None,
        accounts=_table("accounts", spec.accounts, base_dir, where) if spec.accounts else None,
        scales=_scales(spec.responses.scales, responses, where),
        codebook=codebook,
        report=report_options(spec.report, responses, base_dir, where),
        cache_dir=cache_dir(cache, base_dir),
        labels={k: v.strip() for k, v in spec.labels.items()},
        money=money_options(spec.money),
        comments=comments_options(spec.comments, base_dir, where),
        weighting=parse_weighting(spec.weighting, responses, where),
        follow_up={"raw_comments": spec.follow_up.raw_comments},
        engines=engine_options(spec.engines, base_dir),
        timezone=spec.timezone,
    )
