"""py3langid's classifier run on many comments at once: the same model and arithmetic, vectorised.

py3langid walks each comment's UTF-8 bytes through its byte-n-gram automaton in a Python loop (about
50 µs a comment; a million comments took most of a minute). Here every comment of a batch takes its
step at once (numpy gathers over the comments still that long), the features visited are counted
per comment, and the naive Bayes scores are one sparse product: ``log1p(count) @ P(feature | language)
+ P(language)``, scaled by 1 / sqrt(bytes) and normalised (py3langid's ``norm_probs``). The scores
equal py3langid's ``classify`` up to float32 rounding (the test compares them on real sentences).
"""

from __future__ import annotations

import unicodedata

import numpy as np

_BATCH = 20_000


class BatchIdentifier:
    """py3langid's model (restricted to some languages, ``norm_probs=True``) as the arrays the batch walk
    reads: ``classes`` (the language codes), ``nextmove`` (the automaton's deduplicated transition rows),
    ``rowbase`` (each state's row offset), ``output`` (each state's feature, -1 for none), ``ptc`` (log
    P(feature | language)) and ``pc`` (log P(language))."""

    FIELDS = ("classes", "nextmove", "rowbase", "output", "ptc", "pc")

    def __init__(self, classes, nextmove, rowbase, output, ptc, pc):
        self.classes = np.asarray(classes, dtype=object)
        self.nextmove = np.asarray(nextmove)
        self.rowbase = np.asarray(rowbase, dtype=np.int64)
        self.output = np.asarray(output, dtype=np.int64)
        self.ptc = np.asarray(ptc, dtype=np.float32)
        self.pc = np.asarray(pc, dtype=np.float32)

    @classmethod
    def from_identifier(cls, ident) -> "BatchIdentifier":
        """From a py3langid ``LanguageIdentifier`` (the transitions keep the model's integer type)."""
        assert not ident._alias_pairs   # no label twice among the languages kept
        nextmove = np.frombuffer(ident.tk_nextmove, dtype=np.dtype(ident.tk_nextmove.typecode))
        return cls(ident.nb_classes, nextmove.copy(), ident._rowbase, ident.tk_output, ident.nb_ptc, ident.nb_pc)

    def arrays(self) -> dict:
        """The arrays by :attr:`FIELDS` (what :func:`numpy.savez` keeps; ``classes`` as text)."""
        return {f: getattr(self, f).astype(str) if f == "classes" else getattr(self, f) for f in self.FIELDS}

    @staticmethod
    def encode(text: str) -> bytes:
        """py3langid's ``_encode``: lower case when all upper, NFC, UTF-8."""
        if text.isupper():
            text = text.lower()
        return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")

    def _features(self, data: list[bytes]):
        """(comment, feature) pairs of every feature visited while walking the comments' bytes."""
        lens = np.fromiter((len(b) for b in data), dtype=np.int64, count=len(data))
        order = np.argsort(-lens, kind="stable")
        width = int(lens.max()) if len(lens) else 0
        grid = np.zeros((len(data), width), dtype=np.uint8)
        flat = np.frombuffer(b"".join(data[i] for i in order), dtype=np.uint8)
        sorted_lens = lens[order]
        rows = np.repeat(np.arange(len(data)), sorted_lens)
        cols = np.arange(len(flat)) - np.repeat(np.cumsum(sorted_lens) - sorted_lens, sorted_lens)
        grid[rows, cols] = flat
        active = np.searchsorted(-sorted_lens, -np.arange(1, width + 1), side="right")   # still that long
        state = np.zeros(len(data), dtype=np.int64)
        who, what = [], []
        for p in range(width):
            n = int(active[p])
            state[:n] = self.nextmove[self.rowbase[state[:n]] + grid[:n, p]]
            f = self.output[state[:n]]
            hit = np.flatnonzero(f >= 0)
            who.append(order[hit])
            what.append(f[hit])
        return lens, np.concatenate(who) if who else np.zeros(0, np.int64), np.concatenate(what) if what else np.zeros(0, np.int64)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Language probabilities (rows: texts; columns: :attr:`classes`), as py3langid's ``norm_probs``."""
        from scipy import sparse

        out = np.empty((len(texts), len(self.classes)), dtype=np.float32)
        for s in range(0, len(texts), _BATCH):
            data = [self.encode(t) for t in texts[s:s + _BATCH]]
            lens, who, what = self._features(data)
            counts = sparse.coo_matrix((np.ones(len(who), np.float32), (who, what)),
                                       shape=(len(data), len(self.ptc))).tocsr()
            counts.sum_duplicates()
            counts.data = np.log1p(counts.data)
            scores = np.asarray(counts @ self.ptc, dtype=np.float32) + self.pc
            scores[np.diff(counts.indptr) == 0] = 0.0   # no feature: uniform (py3langid abstains)
            scores *= (1.0 / np.sqrt(np.maximum(lens, 1)))[:, None].astype(np.float32)
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            out[s:s + len(data)] = scores / scores.sum(axis=1, keepdims=True)
        return out
