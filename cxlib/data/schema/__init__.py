"""The config schema: every ``cx.yml`` key declared once (type, default, allowed values, doc).

:func:`validate` checks a parsed config against it, turning any mistake into a
:class:`~cxlib.errors.ConfigError` naming the file and the YAML path, with one key per score registered at
that time (:func:`config_model`); :func:`default` reads a key's default (code never repeats one); ``python -m cxlib.data.schema`` writes ``docs/config.md`` and
``docs/cx.schema.json`` from it.
"""

from ._docs import json_schema, markdown
from ._messages import did_you_mean, unknown, validate
from ._registry import config_model, default, score_models
from ._types import LANGUAGES
from .models import SCORES, Config

__all__ = ["LANGUAGES", "SCORES", "Config", "config_model", "default", "did_you_mean", "json_schema", "markdown", "score_models",
           "unknown", "validate"]
