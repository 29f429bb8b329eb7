"""Parallel (joblib) chunked dfm equals the single-process dfm exactly."""
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import corpuskit as ck
from corpuskit.matrix import count_texts, dfm
from corpuskit.errors import ParameterError

from conftest import SOTU


@pytest.fixture(scope="module")
def sotu40():
    c = ck.load_corpus(SOTU)
    return ck.Corpus(c.documents[:40], name="sotu40")


def _equal(a, b):
    assert b.features.tolist() == a.features.tolist()
    assert b.counts.dtype == a.counts.dtype == np.int64
    assert (a.counts != b.counts).nnz == 0
    pd.testing.assert_frame_equal(a.docvars, b.docvars)


@pytest.mark.parametrize("kw", [
    {},
    {"stop_words": "english"},
    {"stop_words": "english", "stem": True, "min_len": 3},
    {"ngrams": (1, 2), "stop_words": "english"},
    {"unit": "paragraph"},
    {"unit": "window", "window": 2, "stem": True},
])
def test_parallel_equals_serial(sotu40, kw):
    serial = dfm(sotu40, **kw)                        # the CountVectorizer path
    _equal(serial, dfm(sotu40, n_jobs=2, chunk_size=7, **kw))
    _equal(serial, dfm(sotu40, n_jobs=1, chunk_size=40, **kw))


def test_chunk_count_by_hand():
    got = count_texts(["a", "b"], ["The cat, the CAT's hat.", "Re-arm the cats"], stop_words=["the"])
    vocab = got["features"].tolist()
    assert sorted(vocab) == ["cat", "cats", "hat", "rearm"]
    dense = pd.DataFrame(got["counts"].toarray(), columns=vocab, index=["a", "b"])
    assert dense.loc["a", "cat"] == 2 and dense.loc["a", "hat"] == 1 and dense.loc["b", "rearm"] == 1
    assert got["n_tokens"].tolist() == [3, 2]
    stemmed = count_texts(["a", "b"], ["The cat, the CAT's hat.", "Re-arm the cats"], stop_words=["the"], stem=True)
    m = pd.DataFrame(stemmed["counts"].toarray(), columns=stemmed["features"].tolist())
    assert m["cat"].tolist() == [2, 1]  # "cats" and "cat" merge after stemming: columns are summed


def test_matches_sklearn_countvectorizer_on_sotu(sotu40):
    """Reference: scikit-learn's CountVectorizer with corpuskit's analyzer gives the same matrix."""
    from sklearn.feature_extraction.text import CountVectorizer
    from corpuskit.tokenizer import tokenize
    texts = list(sotu40.iter_texts())
    vec = CountVectorizer(analyzer=lambda t: tokenize(t, stop_words="english"), dtype=np.int64)
    ref = sp.csr_matrix(vec.fit_transform(texts))
    got = dfm(sotu40, n_jobs=2, chunk_size=9, stop_words="english")
    assert got.features.tolist() == vec.get_feature_names_out().tolist()
    assert (ref != got.counts).nnz == 0


def test_parallel_tfidf_and_group_equal(sotu40):
    a = dfm(sotu40, stop_words="english")
    b = dfm(sotu40, stop_words="english", n_jobs=2, chunk_size=6)
    np.testing.assert_allclose(b.tfidf().counts.toarray(), a.tfidf().counts.toarray(), rtol=0, atol=1e-12)
    assert (a.group("decade").counts != b.group("decade").counts).nnz == 0


def test_progress_quiet_when_not_interactive(sotu40, capsys):
    dfm(sotu40, n_jobs=1, chunk_size=10)              # progress=None: tqdm checks for a terminal
    assert capsys.readouterr().err == ""
    dfm(sotu40, n_jobs=1, chunk_size=10, progress=True)
    assert "dfm" in capsys.readouterr().err


def test_bad_parameters(sotu40):
    with pytest.raises(ParameterError, match="n_jobs=0"):
        dfm(sotu40, n_jobs=0)
    with pytest.raises(ParameterError, match="chunk_size=-3"):
        dfm(sotu40, chunk_size=-3)
    with pytest.raises(ParameterError, match="unit='page'"):
        dfm(sotu40, unit="page", n_jobs=2)
    with pytest.raises(ParameterError, match="vocabulary is empty"):
        dfm(ck.Corpus.from_records([{"id": "a", "date": "2020", "text": "the and of"}]), stop_words="english",
            n_jobs=1)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_int32_counts_equal_int64(sotu40, n_jobs):
    from corpuskit.stream import scan
    ref = dfm(sotu40, stop_words="english")
    for got in (dfm(sotu40, stop_words="english", dtype=np.int32, n_jobs=n_jobs),
                scan(sotu40, dfm={"stop_words": "english", "dtype": np.int32}, n_jobs=n_jobs)[0]):
        assert got.counts.dtype == np.int32 and got.counts.indices.dtype == np.int32
        assert got.features.tolist() == ref.features.tolist()
        assert (got.counts != ref.counts).nnz == 0
        pd.testing.assert_frame_equal(got.docvars, ref.docvars)
        np.testing.assert_allclose(got.tfidf().counts.toarray(), ref.tfidf().counts.toarray(), rtol=1e-12)
    assert dfm(sotu40, dtype="int32").counts.dtype == np.int32  # dtype names are accepted


@pytest.mark.parametrize("bad", [np.float64, "int8", "counts", None])
def test_dtype_checked(sotu40, bad):
    with pytest.raises(ParameterError, match=r"dtype=.*: use np.int64 \(default\) or np.int32"):
        dfm(sotu40, dtype=bad)
