"""Chunk execution and merging (corpuskit.chunks): the protocol a streamed corpus is known by,
the exact merge of chunk vocabularies, and errors that name the document at fault."""
import json
import os
import sys

import numpy as np
import pytest

import corpuskit as ck
from corpuskit.chunks import Merger, chunk_corpus, is_streaming, memory_chunks, run_chunks
from corpuskit.errors import CorpusError, ParameterError
from corpuskit.matrix import count_texts

from conftest import SEEDS


class Wrapped:
    """Not a StreamingCorpus, only its protocol: chunks and dfm must take it as one."""

    def __init__(self, sc):
        self.sc, self.docvars_set = sc, None

    def raw_chunks(self):
        return self.sc.raw_chunks()

    def prepare_args(self):
        return self.sc.prepare_args()

    def set_docvars(self, dv):
        self.docvars_set = dv


def test_a_streamed_corpus_is_known_by_its_protocol():
    sc = ck.stream_corpus(SEEDS, chunk_size=2)
    mem = ck.load_corpus(SEEDS)
    assert is_streaming(sc) and is_streaming(Wrapped(sc)) and not is_streaming(mem)
    w = Wrapped(sc)
    m, ref = ck.dfm(w, n_jobs=1, chunk_size=2), ck.dfm(mem)
    assert m.features.tolist() == ref.features.tolist() and (m.counts != ref.counts).nnz == 0
    assert w.docvars_set["id"].tolist() == mem.ids  # dfm handed the docvars it read to the owner


def test_the_merger_equals_counting_all_documents_at_once():
    ids, texts = ["a", "b", "c"], ["War and peace.", "Peace, peace and trade!", "Trade war"]
    merger = Merger()
    for lo, hi in [(0, 2), (2, 3)]:  # chunk vocabularies overlap and arrive in different orders
        merger.add(count_texts(ids[lo:hi], texts[lo:hi]))
    counts, feats = merger.matrix()
    whole = count_texts(ids, texts)
    order = np.argsort(whole["features"])
    assert feats.tolist() == sorted(whole["features"].tolist()) == ["and", "peace", "trade", "war"]
    assert (counts != whole["counts"][:, order]).nnz == 0


def test_memory_chunks_cut_in_order_and_name_a_wrong_corpus():
    mem = ck.load_corpus(SEEDS)
    parts = list(memory_chunks(mem, 2))
    assert [len(p) for p in parts] == [2, 2, 1]
    assert [d.id for p in parts for d in p] == mem.ids
    assert chunk_corpus(parts[0], {})[0].ids == mem.ids[:2]
    with pytest.raises(ParameterError, match="corpus: expected a Corpus or StreamingCorpus, got list"):
        list(memory_chunks([1, 2], 1))


def test_run_chunks_names_a_duplicate_id_across_chunks(tmp_path):
    p = tmp_path / "dup.jsonl"
    recs = [{"id": i, "date": "2020-01-01", "text": "some words"} for i in ("x1", "x2", "x1")]
    p.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    sc = ck.stream_corpus(p, chunk_size=2)

    def worker(raw, prep):
        chunk, problems = chunk_corpus(raw, prep)
        return len(chunk), problems, chunk.ids

    with pytest.raises(CorpusError, match="id 'x1'.*duplicate id"):
        list(run_chunks(sc, worker, {}))


# ---------------------------------------------------------------------------- the one-process fallback (issue 13, 5b)
from corpuskit import chunks as _chunks  # noqa: E402

REAL_DECISION = _chunks.parallel_pays_off  # conftest replaces it for the other tests


def _docs(n: int, chars: int) -> ck.Corpus:
    text = ("word " * (chars // 5 + 1))[:chars]
    return ck.Corpus([ck.Document(f"d{i}", ck.corpus.parse_date("2020"), {},
                                  ck.clean.no_cleaning(text)) for i in range(n)])


def test_small_or_single_chunk_corpora_run_in_one_process(monkeypatch):
    monkeypatch.setattr(_chunks, "MIN_PARALLEL_CHARS", 10_000)
    many = _docs(30, 500)  # 15,000 characters in 30 documents
    assert REAL_DECISION(many, None) is False and REAL_DECISION(many, 1) is False
    assert REAL_DECISION(many, 2, chunk_size=10) is True            # 3 chunks, above the size
    assert REAL_DECISION(many, 2) is False                          # one chunk of 1000 documents: nothing to share
    assert REAL_DECISION(many, 2, chunk_size=30) is False           # still one chunk
    assert REAL_DECISION(_docs(30, 300), 2, chunk_size=10) is False  # 9,000 characters: below the size
    assert REAL_DECISION(_docs(30, 334), -1, chunk_size=10) is True  # 10,020: above (n_jobs=-1 too)


def test_a_streamed_corpus_is_sized_by_its_source_files(monkeypatch, tmp_path):
    monkeypatch.setattr(_chunks, "MIN_PARALLEL_BYTES", 2_000)
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": i, "date": "2020", "text": "word " * 30}) + "\n" for i in range(10)))
    small = ck.stream_corpus(path, chunk_size=2)
    assert path.stat().st_size < 2_000 and REAL_DECISION(small, 2) is False
    path.write_text("".join(json.dumps({"id": i, "date": "2020", "text": "word " * 30}) + "\n" for i in range(20)))
    assert path.stat().st_size >= 2_000 and REAL_DECISION(ck.stream_corpus(path, chunk_size=2), 2) is True
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "metadata.csv").write_text("id,date\na,2020\nb,2020\n")
    (folder / "a.txt").write_text("x" * 1500)
    (folder / "b.txt").write_text("x" * 400)
    assert REAL_DECISION(ck.stream_corpus(folder), 2) is False   # 1,900 bytes
    (folder / "b.txt").write_text("x" * 500)
    assert REAL_DECISION(ck.stream_corpus(folder), 2) is True    # 2,000 bytes


def test_run_chunks_falls_back_without_starting_workers(monkeypatch):
    monkeypatch.setattr(_chunks, "parallel_pays_off", REAL_DECISION)
    started = []
    monkeypatch.setattr(_chunks, "Parallel", lambda *a, **k: started.append(k) or pytest.fail("workers started"))
    corpus = _docs(30, 500)
    m = ck.dfm(corpus, n_jobs=2, chunk_size=10)  # 15,000 characters, far below MIN_PARALLEL_CHARS
    assert started == [] and m.shape[0] == 30
    assert (m.counts != ck.dfm(corpus).counts).nnz == 0


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_release_memory_hands_freed_heap_back():
    # the shape of a streamed pass: many chunk-sized arrays (below glibc's mmap threshold) freed
    # among ones that stay; without release_memory the process keeps the freed pages
    from corpuskit.chunks import release_memory
    keep, drop = [], []
    for i in range(3000):
        (keep if i % 20 == 0 else drop).append(np.ones(100_000 // 8))  # 100 kB each
    drop.clear()
    held = _rss()
    assert release_memory() is sys.platform.startswith("linux")  # CI runs on Linux (glibc)
    after = _rss()
    assert held - after > 150e6, (held, after)
    assert len(keep) == 150


def _children() -> set[int]:
    me, out = os.getpid(), set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                out.add(int(d))
    return out


def test_a_long_parallel_pass_stops_its_workers(monkeypatch):
    # idle workers keep what a long pass grew them to; after STOP_WORKERS_AFTER chunks they go
    monkeypatch.setattr(_chunks, "STOP_WORKERS_AFTER", 3)
    corpus = ck.load_corpus(SEEDS)
    short = ck.dfm(corpus, n_jobs=2, chunk_size=3)  # 2 chunks: the workers stay for the next pass
    kept = _children()
    long = ck.dfm(corpus, n_jobs=2, chunk_size=2)  # 3 chunks: stopped when the pass ends
    stopped = _children()
    assert len(kept - stopped) >= 2, (kept, stopped)
    assert (short.counts != long.counts).nnz == 0 and list(short.features) == list(long.features)
    again = ck.dfm(corpus, n_jobs=2, chunk_size=3)  # a later pass starts new workers
    assert (again.counts != short.counts).nnz == 0 and len(_children() - stopped) >= 2
