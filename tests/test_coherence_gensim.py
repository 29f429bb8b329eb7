"""corpuskit's coherence equals gensim 4.4's CoherenceModel (gensim is a test-only dependency)."""
import numpy as np
from gensim.corpora import Dictionary  # the test extra's gensim>=4.4
from gensim.models import CoherenceModel
from hypothesis import assume, given, settings, strategies as st

from corpuskit.coherence import boolean_windows, topic_coherence
from corpuskit.topics import TopicModel


def gensim_per_topic(topics, texts, measure, window_size=None):
    cm = CoherenceModel(topics=topics, texts=texts, dictionary=Dictionary(texts), coherence=measure,
                        window_size=window_size, topn=len(topics[0]), processes=1)
    return np.array(cm.get_coherence_per_topic())


def check_model(tm, corpus):
    texts = tm.reference_texts(corpus)
    topics = tm.top_terms(10).groupby("topic")["term"].apply(list).tolist()
    assert all(len(t) == 10 for t in topics)
    for measure in ("c_npmi", "u_mass"):
        ours = tm.coherence(measure, top_n=10, texts=corpus)["coherence"].to_numpy()
        theirs = gensim_per_topic(topics, texts, measure)
        np.testing.assert_allclose(ours, theirs, atol=1e-6, rtol=0, err_msg=measure)
        assert np.isfinite(ours).all()


def test_seeds_coherence_equals_gensim(seeds):
    check_model(TopicModel(n_topics=4, random_state=0).fit(seeds), seeds)


def test_state_of_the_union_sample_coherence_equals_gensim(sotu):
    sample = sotu.subset(list(sotu.docvars["id"][::12]))  # 20 addresses, 1790-2017
    assert len(sample) == 20
    check_model(TopicModel(n_topics=6, unit="document", random_state=0).fit(sample), sample)  # windows: seeds test


def test_window_counts_equal_gensims_accumulator(seeds):
    tm = TopicModel(n_topics=4, random_state=0).fit(seeds)
    texts = tm.reference_texts(seeds)
    words = sorted(set(tm.top_terms(10)["term"]))
    cm = CoherenceModel(topics=[words], texts=texts, dictionary=Dictionary(texts), coherence="c_npmi",
                        topn=len(words), processes=1)
    acc = cm.estimate_probabilities()
    x = boolean_windows(texts, words, 10, "gensim")
    assert x.shape[0] == acc.num_docs
    assert np.asarray(x.sum(axis=0)).ravel().tolist() == [int(acc[w]) for w in words]
    co = (x.T @ x).toarray()
    assert all(co[i, j] == acc[(words[i], words[j])] for i in range(len(words)) for j in range(i + 1, len(words)))
    # gensim's incremental window update drops repeated words, so the exact counts are larger somewhere
    exact = boolean_windows(texts, words, 10, "exact")
    assert (np.asarray(exact.sum(axis=0)) >= np.asarray(x.sum(axis=0))).all()
    assert (np.asarray(exact.sum(axis=0)) > np.asarray(x.sum(axis=0))).any()


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from("abcdefg"), max_size=25), min_size=1, max_size=6),
       window=st.integers(1, 8), data=st.data())
def test_random_token_streams_equal_gensim(texts, window, data):
    present = sorted({w for t in texts for w in t})
    assume(len(present) >= 3)
    topics = [data.draw(st.permutations(present))[:3] for _ in range(2)]
    for measure in ("c_npmi", "u_mass"):
        ws = window if measure == "c_npmi" else None
        theirs = gensim_per_topic(topics, texts, measure, ws)
        ours = topic_coherence(topics, texts, measure, window_size=ws)
        np.testing.assert_allclose(ours, theirs, atol=1e-9, rtol=0, equal_nan=True)
