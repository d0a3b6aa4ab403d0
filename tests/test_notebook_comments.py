"""notebooks/02-comments.ipynb on the real survey (../shared/real-data) through papermill.

The sample-data run is covered by ``pytest --nbval-lax notebooks/02-comments.ipynb``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data"


def _outputs(nb) -> str:
    chunks = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            chunks.append(out.get("text", ""))
            chunks.extend(str(v) for v in out.get("data", {}).values())
    return "\n".join(chunks)


def test_comments_notebook_renders_on_the_real_survey(tmp_path):
    if not (REAL / "Mobiles_feedback_4_weeks.sav").exists():
        pytest.skip("../shared/real-data is absent: the real-survey notebook run needs "
                    "Mobiles_feedback_4_weeks.sav beside the repository")
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "02-mobiles.ipynb"
    nb = papermill.execute_notebook(
        str(ROOT / "notebooks" / "02-comments.ipynb"), str(out), cwd=str(tmp_path), progress_bar=False,
        parameters={"config": "examples/mobiles.yml", "codebook": "examples/mobiles-codebook.yml",
                    "labelled": "", "freq": "W", "shift_by": "carrier", "k_themes": 4},
    )
    text = _outputs(nb)
    # the period and base stated: the latest month is partial (the data end on 18 Aug 2019)
    assert "4–18 Aug 2019, all customers: 475 responses" in text
    assert "895 comments in all, 475 in 4–18 Aug 2019" in text
    assert "No labelled file (or no codebook): theme accuracy unknown." in text
    assert "The costliest comment theme is price" in text      # "What we found", by the report's rule
    assert "price" in text and "terms" in text and "learned sentiment (negative/positive)" in text
    assert "<script" not in text.lower()
