"""Benchmark: how the similarity threshold of codebook examples was chosen (cxlib.comments._examples).

Run by hand (not a test)::

    CX_MULTILINGUAL_DIR=/tmp/multilingual .venv/bin/python benchmarks/bench_codebook_examples.py

Four customer-service themes, each told by two English examples. The development comments were written
here for this choice, in other words than the examples (the tests use other sentences again): 8 per
theme, two each in English, German, French and Dutch; each theme's comments are the off-theme comments
of the other three. The real book and film reviews of the multilingual set (``tests/multilingual.py``; up to 300 per
language and label) are off every theme and give the share of real comments a threshold would
wrongly tag. For each threshold the table prints precision, recall and F1 on the development comments
(every theme pooled) and the share of reviews tagged; the threshold kept is the one with the highest
F1 (ties: the higher threshold), provided it tags at most 2% of the reviews.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import multilingual  # noqa: E402
from cxlib.comments import clean_text, embed_texts  # noqa: E402
from cxlib.comments._examples import nearest  # noqa: E402  (the tagging's own comparison)

EXAMPLES = {
    "waiting": ["I waited an hour on hold", "Nobody answered the phone"],
    "billing": ["I was charged twice", "The invoice amount was wrong"],
    "staff": ["The staff were very friendly", "Helpful and kind employees"],
    "delivery": ["My parcel arrived a week late", "The delivery never came"],
}
DEV = {
    "waiting": ["Held on the line for ages", "It took forever before someone picked up",
                "Ich habe ewig in der Warteschleife gehangen", "Niemand ist ans Telefon gegangen",
                "J'ai attendu une heure au téléphone", "Personne n'a décroché",
                "Ik heb een uur in de wacht gestaan", "Niemand nam de telefoon op"],
    "billing": ["Double charge on my card", "My bill showed the wrong amount",
                "Mir wurde zweimal abgebucht", "Die Rechnung war falsch",
                "On m'a facturé deux fois", "Le montant de la facture était faux",
                "Ik heb twee keer betaald", "De factuur klopte niet"],
    "staff": ["Lovely people at the desk", "The employees were kind and helpful",
              "Das Personal war sehr freundlich", "Nette und hilfsbereite Mitarbeiter",
              "Le personnel était très aimable", "Des employés gentils et serviables",
              "Het personeel was erg vriendelijk", "Behulpzame en aardige medewerkers"],
    "delivery": ["The package came days after the promised date", "My order never showed up",
                 "Das Paket kam eine Woche zu spät", "Die Lieferung ist nie angekommen",
                 "Mon colis est arrivé avec une semaine de retard", "La livraison n'est jamais arrivée",
                 "Mijn pakket kwam een week te laat", "De bestelling is nooit aangekomen"],
}
THRESHOLDS = np.round(np.arange(0.30, 0.705, 0.02), 2)


def main() -> None:
    if not multilingual.available():
        sys.exit(f"the multilingual set is absent ({multilingual.folder()}): python tests/multilingual.py puts it there")
    reviews = multilingual.reviews(per_class=300)
    R = embed_texts(clean_text(reviews["text"]))
    dev_texts = [t for theme in DEV for t in DEV[theme]]
    dev_theme = np.array([theme for theme in DEV for _ in DEV[theme]])
    D = embed_texts(clean_text(dev_texts))
    near_dev = {th: nearest(D, tuple(ex)) for th, ex in EXAMPLES.items()}
    near_rev = {th: nearest(R, tuple(ex)) for th, ex in EXAMPLES.items()}
    print(f"{len(dev_texts)} development comments, {len(reviews):,} reviews ({', '.join(sorted(set(reviews['language'])))})")
    print("threshold  precision  recall    F1   reviews tagged (any theme)")
    best = None
    for t in THRESHOLDS:
        tp = sum(int(((near_dev[th] >= t) & (dev_theme == th)).sum()) for th in EXAMPLES)
        fp = sum(int(((near_dev[th] >= t) & (dev_theme != th)).sum()) for th in EXAMPLES)
        fn = sum(int(((near_dev[th] < t) & (dev_theme == th)).sum()) for th in EXAMPLES)
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn)
        f1 = 2 * prec * rec / (prec + rec) if tp else 0.0
        fpr = float(np.mean(np.column_stack([near_rev[th] >= t for th in EXAMPLES]).any(axis=1)))
        print(f"   {t:.2f}      {prec:5.2f}    {rec:5.2f}   {f1:5.2f}   {fpr:6.1%}")
        if fpr <= 0.02 and (best is None or f1 >= best[1]):
            best = (t, f1)
    print(f"kept: {best[0]:.2f} (highest F1 with at most 2% of reviews tagged)" if best else "no threshold qualifies")


if __name__ == "__main__":
    main()
