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


def test_the_notebooks_label_themes_in_the_reports_language():
    # the report's voice section labels discovered themes in cfg.comments["label_language"]; a notebook that
    # clusters without it shows the same kind of theme under German and French words beside the report's
    # English ones. Read from the notebooks' sources (no run needed to tell whether the argument is passed).
    import json
    import re

    calls = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            src = "".join(cell["source"])
            for m in re.finditer(r"comments\.(discover_themes|uncoded_themes)\(", src):
                depth, i = 1, m.end()
                while depth and i < len(src):
                    depth += {"(": 1, ")": -1}.get(src[i], 0)
                    i += 1
                calls.append((path.name, m.group(1), src[m.end():i]))
    assert calls, "no notebook clusters comments: this test reads nothing"
    missing = [(name, func) for name, func, args in calls if 'label_language"]' not in args]
    assert not missing, f"clustering without language=cfg.comments['label_language']: {missing}"
