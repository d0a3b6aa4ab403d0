"""Tables that read well: banner tables with significance letters, rendered to static HTML and Excel."""

from .crosstab import COLUMNS, crosstab, span_letters

__all__ = ["COLUMNS", "crosstab", "span_letters"]
