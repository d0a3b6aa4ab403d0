"""Data in: the config, reading and mapping files onto the canonical schema, validation, subsets.

The only package that reads data files or connects to a server. Everything downstream works on the
canonical columns described in ``docs/data-contract.md``.
"""

from .config import CANONICAL, DEFAULT_SCALES, SCORES, Config, Scale, TableSpec, load_config, project_root
from .files import load_labelled, read_codebook_file, read_model_file, write_model_file
from .loading import (check_accounts, check_tickets, file_digests, load_accounts, load_responses, load_tickets,
                      undated_note)
from .subsets import add_period, last_months, parse_segment, segment_label, subset
from .weighting import WeightingSpec

__all__ = [
    "CANONICAL", "DEFAULT_SCALES", "SCORES", "Config", "Scale", "TableSpec", "add_period", "check_accounts",
    "check_tickets", "file_digests", "last_months", "load_accounts", "load_config", "load_responses",
    "load_labelled", "load_tickets", "parse_segment", "project_root", "read_codebook_file", "read_model_file",
    "segment_label", "subset", "undated_note", "WeightingSpec", "write_model_file",
]
