"""The config schema: every ``cx.yml`` key declared once (type, default, allowed values, doc).

:func:`validate` checks a parsed config against it, turning any mistake into a
:class:`~cxlib.errors.ConfigError` naming the file and the YAML path; :func:`default` reads a key's
default (code never repeats one); ``python -m cxlib.data.schema`` writes ``docs/config.md`` and
``docs/cx.schema.json`` from it.
"""

from ._docs import json_schema, markdown
from ._messages import did_you_mean, unknown, validate
from .models import SCORES, Config, default

__all__ = ["SCORES", "Config", "default", "did_you_mean", "json_schema", "markdown", "unknown", "validate"]
