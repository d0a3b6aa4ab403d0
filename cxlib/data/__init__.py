"""Data in: the config, reading and mapping files onto the canonical schema, validation, subsets.

The only package that reads data files or connects to a server. Everything downstream works on the
canonical columns described in ``docs/data-contract.md``.
"""

from .aggregate import Term, group_sums, is_table, md5_hex, row_count, table_weight
from .config import (CANONICAL, DEFAULT_SCALES, SCORES, Config, Scale, TableSpec, default_scales, load_config,
                     project_root)
from .engines import as_table, duckdb_connection
from .files import load_labelled, read_codebook_file, read_model_file, write_model_file
from .loading import (check_accounts, check_tickets, file_digests, load_accounts, load_responses, load_tickets,
                      undated_note)
from .multi import code_selections, option_sets, selection_expr
from .schema import default as config_default
from .remote import redact_urls
from .stored import add_column, materialize
from .subsets import (add_period, last_months, month_counts, month_dates, parse_segment, segment_label,
                      subset, to_frame, undated_count)
from ._validated import checks_shared_with_kernels, size_bytes
from .weighting import WeightingSpec

__all__ = [
    "CANONICAL", "DEFAULT_SCALES", "SCORES", "Config", "Scale", "TableSpec", "Term", "add_column", "add_period", "as_table",
    "check_accounts", "checks_shared_with_kernels", "code_selections", "config_default", "default_scales", "duckdb_connection", "group_sums", "is_table", "row_count",
    "check_tickets", "file_digests", "last_months", "load_accounts", "load_config", "load_responses",
    "load_labelled", "load_tickets", "materialize", "md5_hex", "month_counts", "month_dates", "option_sets", "parse_segment", "project_root",
    "read_codebook_file", "read_model_file", "redact_urls", "segment_label", "selection_expr", "size_bytes", "subset",
    "table_weight", "to_frame", "undated_count", "undated_note", "WeightingSpec", "write_model_file",
]
