"""Chunk execution and merging (corpuskit.chunks): the protocol a streamed corpus is known by,
the exact merge of chunk vocabularies, and errors that name the document at fault."""
import json

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
