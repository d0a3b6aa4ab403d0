"""The synthetic sample data and its planted truths (``python -m cxlib.sample`` regenerates it)."""

from .generator import DRIVER_WEIGHTS, RAW_COLUMNS, generate, write_sample

__all__ = ["DRIVER_WEIGHTS", "RAW_COLUMNS", "generate", "write_sample"]
