"""The executive report: the HTML kit, the sections, jobs from parameters, rendering (papermill +
nbconvert, imported only when a report is rendered) and atomic publishing with an index.

``python -m cxlib.report`` is the command line (:mod:`cxlib.report.__main__`).
"""

from . import html, sections, words
from .jobs import Job, folder_name, resolve_jobs
from .index import read_runs, write_index
from .publish import publish
from .render import NOTEBOOK, render_jobs, render_report, report_title

__all__ = ["NOTEBOOK", "Job", "folder_name", "html", "publish", "read_runs", "render_jobs", "render_report",
           "report_title", "resolve_jobs", "sections", "words", "write_index"]
