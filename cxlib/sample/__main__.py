"""``python -m cxlib.sample``: regenerate the bundled sample data."""

from .generator import main

raise SystemExit(main())
