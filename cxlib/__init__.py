"""CX Workbook: survey scores beside comments, what changed, what drives the scores, churn and money.

Stage packages, imports one way: :mod:`cxlib.data` (config, reading, validation) → analysis
(:mod:`cxlib.scores`, :mod:`cxlib.comments`, :mod:`cxlib.drivers`, :mod:`cxlib.customers`,
:mod:`cxlib.operations`) → :mod:`cxlib.plots` (drawing only) → :mod:`cxlib.report` (the executive report).
Shared helpers: :mod:`cxlib.errors`, :mod:`cxlib.periods`. Import the package you need, e.g.
``from cxlib import data, scores``; importing ``cxlib`` itself does no work.
"""

__all__: list[str] = []
