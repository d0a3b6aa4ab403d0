"""Tables that read well: banner tables with significance letters (static HTML, Excel), readable display."""

from .crosstab import COLUMNS, crosstab, span_letters
from .render import render_crosstab, to_excel
from .show import Shown, show

__all__ = ["COLUMNS", "Shown", "crosstab", "render_crosstab", "show", "span_letters", "to_excel"]
