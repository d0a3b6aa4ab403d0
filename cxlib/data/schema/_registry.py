"""The schema for the metric registry as it is now: a score registered after import can be mapped in ``cx.yml``.

:mod:`.models` declares the score keys (``responses.columns``, ``responses.scales``, ``report.targets``,
``report.primary``) from the registry at import. After :func:`cxlib.metrics.register` (or ``unregister``),
:func:`config_model` builds the models holding score keys again, as subclasses that override those keys
only (every other key, and any key added to the sections later, is inherited), cached on the registry's
version. With the registry as it was at import it is :class:`.models.Config` itself, so the generated docs stay the same.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Literal, Optional

from pydantic import BaseModel, create_model

from ...metrics import METRICS, registry_version
from .models import (Config, Report, ResponsesColumns, ResponsesSection, Scales, Targets, columns_model, key,
                     primary_doc, scales_model, targets_model)

__all__ = ["config_model", "default", "score_models"]

#: The registry the models of :mod:`.models` were declared from.
_AT_IMPORT = dict(METRICS)


def _override(base: type[BaseModel], **fields) -> type[BaseModel]:
    """``base`` with ``fields`` (name -> model) declared again, each with its doc and default factory."""
    changed = {name: (model, key(default_factory=model, doc=base.model_fields[name].description))
               for name, model in fields.items()}
    return create_model(base.__name__, __base__=base, __module__=base.__module__, __doc__=base.__doc__, **changed)


@lru_cache(maxsize=8)
def _built(version: int) -> SimpleNamespace:
    if METRICS == _AT_IMPORT:       # ``version`` keys the cache; the registry may be back as it was
        return SimpleNamespace(config=Config, columns=ResponsesColumns, scales=Scales, targets=Targets)
    columns, scales, targets = columns_model(), scales_model(), targets_model()
    responses = _override(ResponsesSection, columns=columns, scales=scales)
    report = _override(Report, targets=targets)
    report = create_model("Report", __base__=report, __module__=Report.__module__, __doc__=Report.__doc__,
                          primary=(Optional[Literal[tuple(METRICS)]], key(None, primary_doc())))
    config = create_model("Config", __base__=Config, __module__=Config.__module__, __doc__=Config.__doc__,
                          responses=(responses, key(..., Config.model_fields["responses"].description)),
                          report=(report, key(default_factory=report, doc=Config.model_fields["report"].description)))
    return SimpleNamespace(config=config, columns=columns, scales=scales, targets=targets)


def score_models() -> SimpleNamespace:
    """The models for the registry as it is now: ``config`` (the whole file), ``columns``
    (``responses.columns``), ``scales`` (``responses.scales``) and ``targets`` (``report.targets``).

    Examples
    --------
    >>> from cxlib.metrics import Metric, register, unregister
    >>> _ = register(Metric("t2b", "share", (1, 5, True, 2), "Top-2 box", percent=True, points={"top_box": "top"}))
    >>> "t2b" in score_models().columns.model_fields
    True
    >>> unregister("t2b")
    >>> "t2b" in score_models().columns.model_fields, score_models().config is Config
    (False, True)
    """
    return _built(registry_version())


def config_model() -> type[BaseModel]:
    """The model of a whole ``cx.yml`` for the registry as it is now (:class:`.models.Config` for the built-in one)."""
    return score_models().config


def default(path: str) -> Any:
    """The declared default of a key, by its YAML path; code reads defaults here and never repeats them.

    Examples
    --------
    >>> default("engines.memory_limit"), default("report.max_segment_values")
    ('1.5GB', 12)
    >>> default("responses.dates.floor")
    datetime.date(1990, 1, 1)
    """
    model: type[BaseModel] = config_model()
    *parents, last = path.split(".")
    for part in parents:
        field = model.model_fields[part]
        model = field.default_factory if field.default_factory else _model_of(field.annotation)
    field = model.model_fields[last]
    return field.default_factory() if field.default_factory else field.default


def _model_of(annotation) -> type[BaseModel]:
    from typing import get_args
    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    raise KeyError(annotation)
