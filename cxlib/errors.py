"""The errors cxlib raises: one base class, one subclass per kind of problem.

Every message names what is wrong (the file, the column, a few offending rows, the parameter) and what
was expected, so that an analyst can fix the input without reading a traceback. Input problems are also
``ValueError`` (so ``except ValueError`` keeps working); a failed report run is a ``RuntimeError``.
"""

from __future__ import annotations

__all__ = ["CXError", "CodebookError", "ConfigError", "DataError", "ParameterError", "ReportError"]


class CXError(Exception):
    """Base class of every error cxlib raises on purpose."""


class ConfigError(CXError, ValueError):
    """A configuration file (or mapping) that cannot be used as it stands."""


class DataError(CXError, ValueError):
    """Bad input data: the message names the file or table, the column, offending rows and the expectation."""


class CodebookError(CXError, ValueError):
    """A theme codebook or labelled sample that cannot be used (bad YAML, bad pattern, unknown theme)."""


class ParameterError(CXError, ValueError):
    """A parameter that cannot be used: a malformed month, an unknown choice, conflicting report options.

    The report checks its parameters before any kernel starts and exits with code 2 on this error.
    """


class ReportError(CXError, RuntimeError):
    """A report run failed; the previous good report was left untouched."""
