import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st
from pandas.testing import assert_frame_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import corpuskit as ck
import corpuskit.topics as topics_module
from corpuskit.coherence import EPSILON, boolean_documents, boolean_windows, topic_coherence
from corpuskit.errors import CorpuskitError, ParameterError
from corpuskit.topics import (TopicModel, _recommend, average_jaccard, ranking_agreement,
                              select_n_topics)

FRUIT = "apple apple apple apple apple banana banana banana banana cherry cherry cherry grape grape melon"
SPACE = "rocket rocket rocket rocket rocket orbit orbit orbit orbit launch launch launch moon moon satellite"


def toy_corpus(n_per_group=5):
    recs = []
    for i in range(n_per_group):
        recs.append({"id": f"f{i}", "date": f"{2000 + i}", "text": FRUIT})
        recs.append({"id": f"s{i}", "date": f"{2000 + i}", "text": SPACE})
    return ck.Corpus.from_records(recs)


@pytest.fixture(scope="module")
def seeds_model(seeds):
    return TopicModel(n_topics=4, random_state=0).fit(seeds)


# ---------------------------------------------------------------------------- the "done" check
def test_seeds_four_topics_give_document_topics_prevalence_and_coherence(seeds, seeds_model):
    tm = seeds_model
    assert tm.unit_ == "window"  # 5 documents < 100
    dt = tm.document_topics()
    assert list(dt.columns) == ["id", "date", "year", "n_tokens", "topic_0", "topic_1", "topic_2", "topic_3"]
    assert dt["id"].tolist() == ["000", "001", "002", "003", "004"]
    np.testing.assert_allclose(dt.filter(like="topic_").sum(axis=1), 1.0)
    assert (dt["n_tokens"] > 0).all()

    prev = tm.prevalence(by="year", n_boot=200, random_state=0)
    assert list(prev.columns) == ["period", "period_start", "period_end", "period_mid", "topic", "label", "share",
                                  "ci_low", "ci_high", "n_docs", "n_units", "ci_basis"]
    filled = prev[prev["n_docs"] > 0]
    assert sorted(filled["period"].unique()) == ["2006", "2021", "2023", "2024"]
    assert prev["period"].nunique() == 2024 - 2006 + 1  # the empty years are rows too
    empty = prev[prev["n_docs"] == 0]
    assert set(empty["period"]) == {str(y) for y in range(2007, 2025)} - {"2021", "2023", "2024"}
    assert empty["share"].isna().all() and empty["ci_low"].isna().all()
    np.testing.assert_allclose(filled.groupby("period")["share"].sum(), 1.0)
    basis = filled.groupby("period")["ci_basis"].first().to_dict()
    assert basis == {"2006": "units", "2021": "documents", "2023": "units", "2024": "units"}
    assert (filled["ci_low"] <= filled["share"] + 1e-12).all() and (filled["share"] <= filled["ci_high"] + 1e-12).all()

    coh = tm.coherence(texts=seeds)
    assert len(coh) == 4 and np.isfinite(coh["coherence"]).all()
    assert (coh["coherence"].abs() <= 1).all()  # NPMI is in [-1, 1]
    assert coh.attrs["mean"] == pytest.approx(coh["coherence"].mean())


def test_seed_topics_are_recognizable(seeds_model):
    terms = seeds_model.top_terms(10).groupby("topic")["term"].apply(set)
    # the Russia-North Korea article, Taiwan's defense, the 2022 strategy under Kishida
    assert any({"north", "korea"} <= t for t in terms)
    assert any("taiwan" in t for t in terms)
    assert any({"strategy", "kishida"} <= t for t in terms)


# ---------------------------------------------------------------------------- hand-checkable models
def test_two_separated_vocabularies_are_recovered():
    c = toy_corpus(3)
    for method in ("nmf", "lda", "minibatch-nmf"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # MiniBatchNMF may not converge on 6 tiny texts
            tm = TopicModel(n_topics=2, method=method, unit="document", random_state=0, max_iter=500).fit(c)
        top = tm.top_terms(5).groupby("topic")["term"].apply(set).tolist()
        assert sorted(map(sorted, top)) == [sorted(set(FRUIT.split())), sorted(set(SPACE.split()))], method
        dt = tm.document_topics()
        fruit_topic = int(np.argmax([("apple" in t) for t in top]))
        is_fruit = dt["id"].str.startswith("f")
        assert (dt.loc[is_fruit, f"topic_{fruit_topic}"] > 0.9).all(), method
        assert (dt.loc[~is_fruit, f"topic_{fruit_topic}"] < 0.1).all(), method


def test_top_terms_weights_and_ranks_by_hand():
    c = ck.Corpus.from_records([{"id": "a", "date": "2000", "text": FRUIT}, {"id": "b", "date": "2001", "text": SPACE}])
    tm = TopicModel(n_topics=2, unit="document", random_state=0).fit(c)
    tt = tm.top_terms(3)
    assert list(tt.columns) == ["topic", "label", "rank", "term", "weight"]
    fruit = tt[tt["term"] == "apple"]["topic"].iloc[0]
    got = tt[tt["topic"] == fruit]
    assert got["term"].tolist() == ["apple", "banana", "cherry"] and got["rank"].tolist() == [1, 2, 3]
    # one document per topic: H is proportional to the tf-idf row, so weights are counts / 15
    np.testing.assert_allclose(got["weight"], [5 / 15, 4 / 15, 3 / 15], atol=1e-6)
    assert tm.labels_[fruit] == f"{fruit}_apple_banana_cherry"


def test_prevalence_equals_hand_computation():
    c = ck.Corpus.from_records([{"id": "a", "date": "2000", "text": "apple banana cherry"},
                                {"id": "b", "date": "2000-05", "text": "rocket orbit launch moon satellite"},
                                {"id": "c", "date": "2002", "text": "apple cherry apple"}])
    tm = TopicModel(n_topics=2, unit="document", random_state=0).fit(c)
    np.testing.assert_allclose(np.sort(tm.unit_topics_, axis=1), [[0, 1]] * 3, atol=1e-9)
    fruit = int(np.argmax(tm.unit_topics_[0]))
    prev = tm.prevalence(by="year", n_boot=2000, random_state=0)
    f = prev[prev["topic"] == fruit].set_index("period")
    # 2000: 3 fruit tokens and 5 space tokens; 2001 has no document; 2002 is all fruit
    assert f.at["2000", "share"] == pytest.approx(3 / 8)
    assert math.isnan(f.at["2001", "share"]) and f.at["2001", "n_docs"] == 0
    assert f.at["2002", "share"] == pytest.approx(1.0)
    assert f.at["2000", "ci_basis"] == "documents" and f.at["2002", "ci_basis"] == "none"
    # bootstrap over the 2 documents: {a,a} -> 1, {b,b} -> 0, {a,b} -> 3/8, each pure case with p = 1/4
    assert f.at["2000", "ci_low"] == pytest.approx(0.0) and f.at["2000", "ci_high"] == pytest.approx(1.0)
    dt = tm.document_topics().set_index("id")
    assert dt["n_tokens"].tolist() == [3, 5, 3]
    assert dt.at["c", f"topic_{fruit}"] == pytest.approx(1.0)


@pytest.mark.parametrize("unit, empty", [
    ("document", [{"id": "e1", "date": "2001", "text": "The and of it is."},
                  {"id": "e2", "date": "2001-06", "text": "It is what it was."}]),  # ci_basis documents
    ("sentence", [{"id": "e1", "date": "2001", "text": "The and of it is. It is what it was."}]),  # units
])
def test_prevalence_of_a_period_without_tokens_is_nan_and_silent(unit, empty):
    # every word of 2001 is a stop word: the period has documents but no tokens, so no topic shares
    full = [{"id": "a", "date": "2000", "text": "apple banana cherry"},
            {"id": "b", "date": "2000-05", "text": "rocket orbit launch moon satellite"},
            {"id": "c", "date": "2002", "text": "apple cherry apple"}] + empty
    tm = TopicModel(n_topics=2, unit=unit, random_state=0).fit(ck.Corpus.from_records(full))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "All-NaN slice" RuntimeWarning used to leak here
        prev = tm.prevalence(by="year", n_boot=200, random_state=0)
    y2001 = prev[prev["period"] == "2001"]
    assert len(y2001) == 2 and (y2001["n_docs"] == len(empty)).all() and (y2001["n_units"] == 2).all()
    assert y2001[["share", "ci_low", "ci_high"]].isna().all().all()
    filled = prev[prev["period"] != "2001"]
    np.testing.assert_allclose(filled.groupby("period")["share"].sum(), 1.0)
    dt = tm.document_topics().set_index("id")
    assert (dt.loc[[e["id"] for e in empty], "n_tokens"] == 0).all()


def test_units_aggregate_to_documents_by_tokens():
    text = ("Apples grow on trees. Apples are sweet. Apples are red. "
            "Rockets fly to orbit. Rockets carry satellites. Rockets are loud.")
    c = ck.Corpus.from_records([{"id": "x", "date": "2010", "text": text},
                                {"id": "y", "date": "2011", "text": "Apples and pears. Apples again."}])
    tm = TopicModel(n_topics=2, unit="sentence", random_state=0).fit(c)
    u = tm.units()
    assert list(u.columns) == ["unit_id", "id", "unit", "start", "end", "date", "year", "n_tokens",
                               "topic_0", "topic_1"]
    np.testing.assert_array_equal(u[["topic_0", "topic_1"]].to_numpy(), tm.unit_topics_)
    w = u["n_tokens"].to_numpy(float)[:, None] * tm.unit_topics_
    expected = w[u["id"].to_numpy() == "x"].sum(axis=0)
    dt = tm.document_topics().set_index("id")
    np.testing.assert_allclose(dt.loc["x", ["topic_0", "topic_1"]].to_numpy(float), expected / expected.sum())
    assert dt.at["x", "n_tokens"] == u.loc[u["id"] == "x", "n_tokens"].sum()


def test_empty_units_get_zero_rows_and_are_documented():
    # "zzz" appears in one unit only; min_df=2 drops it, leaving that unit without features
    c = ck.Corpus.from_records([{"id": "a", "date": "2000", "text": "apple pear. apple pear. zzz."},
                                {"id": "b", "date": "2001", "text": "rocket moon. rocket moon."}])
    tm = TopicModel(n_topics=2, unit="sentence", min_df=2, random_state=0, method="lda").fit(c)
    empty = tm.units(c)["text"].str.contains("zzz").to_numpy()
    assert (tm.unit_topics_[empty] == 0).all()
    np.testing.assert_allclose(tm.unit_topics_[~empty].sum(axis=1), 1.0)
    dt = tm.document_topics().set_index("id")
    assert dt.at["a", "n_tokens"] == 4  # the "zzz" unit carries no weight
    np.testing.assert_allclose(dt[["topic_0", "topic_1"]].sum(axis=1), 1.0)


def test_topic_evolution_by_hand():
    c = ck.Corpus.from_records([{"id": "a", "date": "2000", "text": "apple banana cherry"},
                                {"id": "b", "date": "2000-05", "text": "rocket orbit launch moon satellite"},
                                {"id": "c", "date": "2002", "text": "apple cherry apple"}])
    tm = TopicModel(n_topics=2, unit="document", random_state=0).fit(c)
    fruit = int(np.argmax(tm.unit_topics_[0]))
    ev = tm.topic_evolution(fruit, by="year", n=10)
    assert list(ev.columns) == ["period", "rank", "term", "weight"]
    assert ev["period"].unique().tolist() == ["2000", "2002"]  # no row for the empty 2001
    # 2000: the fruit topic owns document a's tf-idf row: idf(apple) = idf(cherry) = ln(4/3) + 1, idf(banana) = ln 2 + 1
    ia, ib = math.log(4 / 3) + 1, math.log(2) + 1
    y0 = ev[ev["period"] == "2000"].set_index("term")["weight"]
    assert y0.index.tolist() == ["banana", "apple", "cherry"]
    assert y0["banana"] == pytest.approx(ib / (ib + 2 * ia)) and y0["apple"] == pytest.approx(ia / (ib + 2 * ia))
    y2 = ev[ev["period"] == "2002"].set_index("term")["weight"]
    assert y2["apple"] == pytest.approx(2 / 3) and y2["cherry"] == pytest.approx(1 / 3)


def test_topic_evolution_sums_to_one_per_period_on_seeds(seeds_model):
    ev = seeds_model.topic_evolution(0, by="year", n=100000)
    np.testing.assert_allclose(ev.groupby("period")["weight"].sum(), 1.0)
    assert set(ev["period"]) <= {"2006", "2021", "2023", "2024"}


def test_representative_units_show_their_topic(seeds, seeds_model):
    tm = seeds_model
    ru = tm.representative_units(0, n=3, corpus=seeds)
    assert list(ru.columns) == ["topic", "rank", "unit_id", "id", "date", "weight", "text"]
    assert ru["rank"].tolist() == [1, 2, 3]
    assert ru["weight"].iloc[0] == pytest.approx(tm.unit_topics_[:, 0].max())
    assert ru["weight"].is_monotonic_decreasing
    for _, row in ru.iterrows():
        u = tm.units(seeds).set_index("unit_id").loc[row["unit_id"]]
        assert seeds[row["id"]].text[u["start"]:u["end"]] == row["text"] == u["text"]
    assert tm.representative_units(tm.labels_[1], n=1, corpus=seeds)["topic"].iloc[0] == 1  # a label works too
    with pytest.raises(ParameterError, match=r"corpus=None: representative_units needs the texts.*pass corpus="):
        tm.representative_units(0)
    with pytest.raises(ParameterError, match=r"corpus: has no document '000'"):
        tm.representative_units(0, corpus=seeds.subset(["001"]))


def test_unit_auto_rule_depends_only_on_the_number_of_documents():
    few = [{"id": f"d{i}", "date": "2000", "text": "Apples are red.\n\nRockets fly high. Moons orbit."} for i in range(5)]
    one_line = [dict(r, text=r["text"].replace("\n\n", " ")) for r in few]
    for recs in (few, one_line):
        assert TopicModel(n_topics=2, random_state=0).fit(ck.Corpus.from_records(recs)).unit_ == "window"
    many = [{"id": f"d{i}", "date": "2000", "text": ("apple pear. " if i % 2 else "rocket moon. ") * 3}
            for i in range(100)]
    assert TopicModel(n_topics=2, random_state=0).fit(ck.Corpus.from_records(many)).unit_ == "document"
    assert TopicModel(n_topics=2, unit="sentence", random_state=0).fit(
        ck.Corpus.from_records(many)).unit_ == "sentence"


def test_ngram_features_and_their_coherence(seeds):
    tm = TopicModel(n_topics=3, ngram_range=(1, 2), random_state=0).fit(seeds)
    assert any("_" in f for f in tm.feature_names_)
    coh = tm.coherence("u_mass", top_n=15, texts=seeds)
    assert np.isfinite(coh["coherence"]).all()


# ---------------------------------------------------------------------------- determinism, params, sparsity
def test_same_input_and_seed_give_identical_frames(seeds):
    a = TopicModel(n_topics=4, random_state=0).fit(seeds)
    b = TopicModel(n_topics=4, random_state=0).fit(seeds)
    assert_frame_equal(a.top_terms(), b.top_terms())
    assert_frame_equal(a.document_topics(), b.document_topics())
    assert_frame_equal(a.prevalence(random_state=1), b.prevalence(random_state=1))
    assert_frame_equal(a.coherence(texts=seeds), b.coherence(texts=seeds))


def test_init_uses_the_seed(seeds):
    a = TopicModel(n_topics=4, random_state=0).fit(seeds)
    b = TopicModel(n_topics=4, random_state=1).fit(seeds)
    assert not np.allclose(a.components_, b.components_)


def test_get_set_params_and_clone():
    tm = TopicModel(n_topics=3, method="lda", ngram_range=(1, 2), random_state=5)
    p = tm.get_params()
    assert p["n_topics"] == 3 and p["method"] == "lda" and p["ngram_range"] == (1, 2) and p["init"] == "nndsvdar"
    c = clone(tm)
    assert c.get_params() == p and c is not tm
    assert tm.set_params(n_topics=7) is tm and tm.n_topics == 7
    fitted = TopicModel(n_topics=2, unit="document", random_state=0).fit(toy_corpus(2))
    assert not hasattr(clone(fitted), "components_")


# ---------------------------------------------------------------------------- scikit-learn's estimator contract
def test_clone_refits_identically(seeds):
    tm = TopicModel(n_topics=3, ngram_range=(1, 2), min_df=2, random_state=7)
    assert vars(tm) == vars(clone(tm))  # __init__ stores the parameters and nothing else
    a = tm.fit(seeds)
    b = clone(a).fit(seeds)
    assert not hasattr(clone(a), "components_") and clone(a).get_params() == a.get_params()
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.unit_topics_, b.unit_topics_)
    assert a.labels_ == b.labels_
    # the fit state is exactly the _-suffixed attributes (no hidden private state)
    assert sorted(set(vars(a)) - set(a.get_params())) == sorted(
        ["components_", "docvars_", "dfm_", "estimator_", "feature_names_", "labels_", "n_topics_", "seed_",
         "topic_order_", "unit_", "unit_topics_"])


NOT_FITTED_CALLS = {
    "top_terms": lambda tm, c: tm.top_terms(), "document_topics": lambda tm, c: tm.document_topics(),
    "prevalence": lambda tm, c: tm.prevalence(), "units": lambda tm, c: tm.units(c),
    "representative_units": lambda tm, c: tm.representative_units(0, corpus=c),
    "topic_evolution": lambda tm, c: tm.topic_evolution(0), "coherence": lambda tm, c: tm.coherence(texts=c),
    "reference_texts": lambda tm, c: tm.reference_texts(c), "transform": lambda tm, c: tm.transform(c),
    "topic_word": lambda tm, c: tm.topic_word(), "set_labels": lambda tm, c: tm.set_labels(["a"]),
    "get_feature_names_out": lambda tm, c: tm.get_feature_names_out(), "save": lambda tm, c: tm.save("x.zip"),
}


@pytest.mark.parametrize("name", sorted(NOT_FITTED_CALLS))
def test_every_method_raises_not_fitted_error(seeds, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFittedError, match="This TopicModel instance is not fitted yet"):
        NOT_FITTED_CALLS[name](TopicModel(n_topics=2), seeds)
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("make", [lambda: 11, lambda: np.random.RandomState(11), lambda: np.random.default_rng(11)],
                         ids=["int", "RandomState", "Generator"])
def test_random_state_of_every_kind_is_deterministic(seeds, make):
    a = TopicModel(n_topics=3, random_state=make()).fit(seeds)
    b = TopicModel(n_topics=3, random_state=make()).fit(seeds)  # a fresh object made the same way
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.unit_topics_, b.unit_topics_)
    assert a.seed_ == b.seed_ and isinstance(a.seed_, int)
    # an RNG object gives one integer seed drawn from it: fitting with that seed is the same model
    c = TopicModel(n_topics=3, random_state=a.seed_).fit(seeds)
    np.testing.assert_array_equal(a.components_, c.components_)


def test_a_generator_is_consumed_as_in_scikit_learn(seeds):
    rng = np.random.default_rng(5)
    tm = TopicModel(n_topics=3, random_state=rng)
    before = clone(tm)  # clone copies the generator in its state before the fit
    first = tm.fit(seeds).seed_
    assert tm.fit(seeds).seed_ != first  # the generator advanced
    assert before.fit(seeds).seed_ == first
    assert first == int(np.random.default_rng(5).integers(np.iinfo(np.int32).max))


@pytest.mark.parametrize("bad", ["0", 1.5, -1, 2**32, True, [1, 2]])
def test_bad_random_state_is_one_clear_line(seeds, bad):
    for call in (lambda: TopicModel(n_topics=2, random_state=bad).fit(seeds),
                 lambda: select_n_topics(seeds, ks=[2], random_state=bad)):
        with pytest.raises(ParameterError, match=r"random_state=.*: use None, an integer seed.*Generator") as info:
            call()
        assert "\n" not in str(info.value) and repr(bad) in str(info.value)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")  # sklearn, exact fit
@pytest.mark.filterwarnings("ignore:.*fewer than 2 terms with weight:UserWarning")
def test_select_n_topics_takes_a_generator_or_random_state():
    c = toy_corpus(3)
    kw = dict(ks=[2, 3], n_runs=3, top_n=5, unit="document")
    seed = int(np.random.default_rng(2).integers(np.iinfo(np.int32).max))
    by_int = select_n_topics(c, random_state=seed, **kw)
    assert_frame_equal(select_n_topics(c, random_state=np.random.default_rng(2), **kw), by_int)
    assert_frame_equal(select_n_topics(c, random_state=np.random.default_rng(2), **kw), by_int)
    rs = select_n_topics(c, random_state=np.random.RandomState(2), **kw)
    assert_frame_equal(rs, select_n_topics(c, random_state=np.random.RandomState(2), **kw))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("method", ["nmf", "minibatch-nmf", "lda"])
def test_transform_of_the_fitted_corpus_gives_the_unit_topics(seeds, method):
    tm = TopicModel(n_topics=4, method=method, min_df=2, random_state=0)
    theta = tm.fit_transform(seeds)
    np.testing.assert_array_equal(theta, tm.unit_topics_)
    # NMF's fit_transform gives the W of its last iteration; transform solves for W with H fixed
    atol = {"lda": 1e-10, "nmf": 1e-3, "minibatch-nmf": 0.1}[method]
    np.testing.assert_allclose(tm.transform(seeds), tm.unit_topics_, rtol=0, atol=atol)
    # a count DFM of the corpus with the model's settings, its features in another order and more of them
    m = ck.dfm(seeds, "window", stop_words="english")
    assert m.shape[1] > len(tm.feature_names_)
    np.testing.assert_allclose(tm.transform(m), tm.transform(seeds), rtol=0, atol=1e-10)


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_transform_new_documents_by_feature_name(method):
    tm = TopicModel(n_topics=2, method=method, unit="document", random_state=0, max_iter=500).fit(toy_corpus(3))
    fruit = tm.top_terms(1).set_index("term").at["apple", "topic"]
    new = ck.Corpus.from_records([{"id": "n1", "date": "2020", "text": "Apple banana zebra quokka apple."},
                                  {"id": "n2", "date": "2020", "text": "Zebra quokka."},
                                  {"id": "n3", "date": "2021", "text": "rocket orbit moon"}])
    theta = tm.transform(new)
    assert isinstance(theta, np.ndarray) and theta.shape == (3, 2)
    assert theta[0, fruit] > 0.8 and theta[2, 1 - fruit] > 0.8  # unseen words are ignored (LDA: its prior)
    assert (theta[1] == 0).all()  # nothing the model knows: no topic
    np.testing.assert_allclose(theta[[0, 2]].sum(axis=1), 1.0)
    # the same documents without the unseen words give the same proportions
    known = ck.Corpus.from_records([{"id": "n1", "date": "2020", "text": "Apple banana apple."},
                                    {"id": "n3", "date": "2021", "text": "rocket orbit moon"}])
    np.testing.assert_allclose(tm.transform(known), theta[[0, 2]], atol=1e-12)
    with pytest.raises(ParameterError, match=r"stop_words=None but this TopicModel uses 'english'"):
        tm.transform(ck.dfm(new, "document"))
    with pytest.raises(ParameterError, match="corpus=list"):
        tm.transform(["apple"])


# a phrase of seeds/002's body (not in metadata.csv): the fitted model must hold it nowhere
PHRASE = "leap of faith on the issue of armaments"


def _strings(obj, seen=None):
    """Every string reachable from a model's attributes (frames, arrays, containers, estimators)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, pd.DataFrame):
        for c in obj.columns:
            yield from _strings(obj[c], seen)
        yield from _strings(obj.index.to_series(), seen)
    elif isinstance(obj, (pd.Series, pd.Index, np.ndarray)):
        if getattr(obj, "dtype", None) is not None and obj.dtype.kind in "biufcmM":
            return
        for v in np.asarray(obj, dtype=object).ravel():
            if isinstance(v, str):
                yield v
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(k, seen)
            yield from _strings(v, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            yield from _strings(v, seen)
    elif hasattr(obj, "__dict__"):
        yield from _strings(vars(obj), seen)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # few iterations: fast
def test_the_model_keeps_no_texts(seeds):
    assert PHRASE in seeds["002"].text  # the search finds the phrase where it is
    assert any(PHRASE in s for s in _strings({"corpus": [d.text for d in seeds.documents]}))
    for method in ("nmf", "lda"):
        tm = TopicModel(n_topics=3, method=method, random_state=0, max_iter=50).fit(seeds)
        found = [s for s in _strings(vars(tm)) if PHRASE in s]
        assert found == []
        assert "leap" in set(_strings(vars(tm)))  # the walk does reach the vocabulary
        # the texts are one call away, cut from the corpus by the units' offsets
        assert tm.units(seeds)["text"].str.contains(PHRASE, regex=False).any()


def test_the_document_term_matrix_is_never_densified(seeds, monkeypatch):
    def guard(name):
        def wrapped(self, *a, **k):
            if self.shape[0] * self.shape[1] > 5000:
                raise AssertionError(f"{name}() on a {self.shape} sparse matrix")
            return getattr(super(sp.spmatrix, self), name)(*a, **k)
        return wrapped

    for name in ("toarray", "todense"):
        monkeypatch.setattr(sp.spmatrix, name, guard(name), raising=False)
    tm = TopicModel(n_topics=4, random_state=0).fit(seeds)
    assert tm.dfm_.shape[0] * tm.dfm_.shape[1] > 5000  # the guard would catch a densified dfm
    tm.document_topics(), tm.prevalence(n_boot=50), tm.topic_evolution(0), tm.transform(seeds)
    tm.coherence(texts=seeds), tm.coherence("u_mass", texts=seeds)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("params, needle", [
    ({"n_topics": 0}, "n_topics=0"),
    ({"method": "pca"}, "method='pca'"),
    ({"unit": "chapter"}, "unit='chapter'"),
    ({"init": "svd"}, "init='svd'"),
    ({"ngram_range": (2, 1)}, "ngram_range=(2, 1)"),
    ({"min_df": -1}, "min_df=-1"),
    ({"max_df": 1.5}, "max_df=1.5"),
    ({"window": 0}, "window=0"),
    ({"random_state": "x"}, "random_state='x'"),
    ({"estimator_kwargs": {"bogus": 1}}, "estimator_kwargs={'bogus': 1}"),
    ({"estimator_kwargs": {"beta_loss": "cosine"}}, "estimator_kwargs={'beta_loss': 'cosine'}"),
])
def test_bad_parameters_name_parameter_and_value(params, needle):
    with pytest.raises(ParameterError) as err:
        TopicModel(**{"n_topics": 2, **params}).fit(toy_corpus(2))
    assert needle in str(err.value)


def test_not_a_corpus():
    with pytest.raises(ParameterError, match="corpus=list"):
        TopicModel(n_topics=2).fit(["some text"])
    with pytest.raises(ParameterError, match="no documents"):
        TopicModel(n_topics=2).fit(ck.Corpus([]))


def test_too_many_topics_and_empty_vocabulary(seeds):
    with pytest.raises(ParameterError, match=r"n_topics=50 is larger than the number of units \(46"):
        TopicModel(n_topics=50, random_state=0).fit(seeds)
    with pytest.raises(ParameterError, match=r"min_df=0\.9.*max_df=1\.0"):
        TopicModel(n_topics=2, min_df=0.9, random_state=0).fit(seeds)
    with pytest.raises(ParameterError, match="vocabulary is empty"):
        TopicModel(n_topics=2, stop_words=["apple", "banana", "cherry", "grape", "melon", "rocket", "orbit", "launch",
                                           "moon", "satellite"]).fit(toy_corpus(2))


def test_result_errors_name_the_value(seeds_model):
    with pytest.raises(ParameterError, match="topic=9"):
        seeds_model.representative_units(9)
    with pytest.raises(ParameterError, match="measure='c_v'"):
        seeds_model.coherence("c_v")
    with pytest.raises(ParameterError, match="top_n=1"):
        seeds_model.coherence(top_n=1)
    with pytest.raises(ParameterError, match="n_boot=0"):
        seeds_model.prevalence(n_boot=0)
    with pytest.raises(ParameterError, match="by='fortnight'"):
        seeds_model.prevalence(by="fortnight")
    with pytest.raises(ParameterError, match=r"labels=\['a', 'b'\]: give 4"):
        seeds_model.set_labels(["a", "b"])
    with pytest.raises(NotFittedError, match="This TopicModel instance is not fitted yet"):
        TopicModel().top_terms()


def test_labels_can_be_set(seeds):
    tm = TopicModel(n_topics=4, random_state=0, labels=["w", "x", "y", "z"]).fit(seeds)
    assert tm.labels_ == ["w", "x", "y", "z"]
    tm.set_labels({0: "korea"})
    assert tm.labels_[0] == "korea"
    assert tm.top_terms(1)["label"].tolist() == tm.labels_
    assert tm.prevalence(n_boot=10).query("topic == 0")["label"].unique().tolist() == ["korea"]
    with pytest.raises(ParameterError, match="distinct"):
        tm.set_labels(["a", "a", "b", "c"])


# ---------------------------------------------------------------------------- persistence
def test_save_load_round_trip(seeds, seeds_model, tmp_path):
    path = seeds_model.save(tmp_path / "model.zip")
    back = TopicModel.load(path)
    assert_frame_equal(back.top_terms(), seeds_model.top_terms())
    assert_frame_equal(back.document_topics(), seeds_model.document_topics())
    assert_frame_equal(back.prevalence(random_state=0), seeds_model.prevalence(random_state=0))
    assert_frame_equal(back.coherence(texts=seeds), seeds_model.coherence(texts=seeds))
    assert back.get_params() == seeds_model.get_params()
    # more in tests/test_model_io.py


def test_load_refuses_the_old_pickle_format(seeds_model, tmp_path):
    # what save wrote before model files became zip archives (format 1)
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps({"format": "corpuskit.TopicModel", "format_version": 1,
                                   "corpuskit_version": ck.__version__, "model": "a model"}))
    with pytest.raises(CorpuskitError, match=r"m\.pkl: is a Python pickle, which can run code"):
        TopicModel.load(path)
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(CorpuskitError, match="notes.txt: not a saved TopicModel"):
        TopicModel.load(bad)
    with pytest.raises(CorpuskitError, match="missing.zip: no such file"):
        TopicModel.load(tmp_path / "missing.zip")


# ---------------------------------------------------------------------------- coherence by hand
def test_npmi_of_a_pair_by_hand():
    texts = [["a", "b", "c"], ["a", "d"], ["b"]]  # each text shorter than the window: one window each
    # P(a) = P(b) = 2/3, P(a, b) = 1/3
    expected = math.log((1 / 3 + EPSILON) / (4 / 9)) / -math.log(1 / 3 + EPSILON)
    assert topic_coherence([["a", "b"]], texts, "c_npmi")[0] == pytest.approx(expected, abs=1e-12)
    assert expected == pytest.approx(math.log(3 / 4) / math.log(3), abs=1e-9)


def test_u_mass_by_hand():
    texts = [["a", "b"], ["a", "b", "c"], ["c"], ["a", "c"]]
    # one-preceding pairs of [a, b, c]: (b|a), (c|a), (c|b); D(a)=3, D(b)=2, D(ab)=2, D(ac)=2, D(bc)=1, N=4
    vals = [math.log((2 / 4 + EPSILON) / (3 / 4)), math.log((2 / 4 + EPSILON) / (3 / 4)),
            math.log((1 / 4 + EPSILON) / (2 / 4))]
    assert topic_coherence([["a", "b", "c"]], texts, "u_mass")[0] == pytest.approx(np.mean(vals), abs=1e-12)


def test_sliding_windows_by_hand():
    text = [["a", "b", "a", "c", "d", "e"]]  # windows of 3: [a b a] [b a c] [a c d] [c d e]
    exact = boolean_windows(text, ["a", "b", "c"], 3, "exact").toarray()
    assert exact.tolist() == [[1, 1, 0], [1, 1, 1], [1, 0, 1], [0, 0, 1]]
    # gensim drops "a" when its first occurrence leaves the window, although another "a" is still inside
    gensim = boolean_windows(text, ["a", "b", "c"], 3, "gensim").toarray()
    assert gensim.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1], [0, 0, 1]]
    # a text shorter than the window is one window; an empty text counts as an (empty) window
    assert boolean_windows([["a"], []], ["a"], 3).toarray().tolist() == [[1], [0]]
    assert boolean_documents([["a", "a"], [], ["b"]], ["a", "b"]).toarray().tolist() == [[1, 0], [0, 0], [0, 1]]


def _brute_windows(texts, words, size):
    rows = []
    for t in texts:
        starts = range(max(len(t) - size + 1, 1))
        for s in starts:
            win = set(t[s:s + size])
            rows.append([int(w in win) for w in words])
    return np.array(rows, dtype=int).reshape(-1, len(words))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcde"), max_size=14), min_size=1, max_size=5), st.integers(1, 6))
def test_exact_windows_match_brute_force(texts, size):
    words = ["a", "c", "e"]
    assert boolean_windows(texts, words, size, "exact").toarray().tolist() == _brute_windows(texts, words, size).tolist()


def test_ngram_term_is_present_when_all_its_words_are():
    texts = [["north", "korea"], ["north"], ["korea", "south"]]
    # "north_korea" is only in text 0: u_mass of [north_korea, south] = log((0/3 + eps) / (1/3))
    got = topic_coherence([["north_korea", "south"]], texts, "u_mass")[0]
    assert got == pytest.approx(math.log(EPSILON / (1 / 3)))
    assert topic_coherence([[("north", "korea"), "south"]], texts, "u_mass")[0] == pytest.approx(got)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_degenerate_topics_get_nan_coherence_with_a_warning():
    c = toy_corpus(3)
    tm = TopicModel(n_topics=3, unit="document", random_state=0).fit(c)  # the data have rank 2
    n_terms = tm.top_terms(10).groupby("topic").size().reindex(range(3), fill_value=0)
    assert (n_terms < 2).any()
    with pytest.warns(UserWarning, match="fewer than 2 terms with weight"):
        coh = tm.coherence("u_mass", texts=c)
    assert coh["coherence"].isna().tolist() == (n_terms < 2).tolist()
    assert coh.attrs["mean"] == pytest.approx(coh["coherence"].mean())  # pandas skips NaN, as the mean does


def test_coherence_errors_name_the_problem():
    with pytest.raises(ParameterError, match="'zebra'"):
        topic_coherence([["a", "zebra"]], [["a", "b"]], "c_npmi")
    with pytest.raises(ParameterError, match="windows='fast'"):
        topic_coherence([["a", "b"]], [["a", "b"]], windows="fast")
    with pytest.raises(ParameterError, match="window_size=0"):
        topic_coherence([["a", "b"]], [["a", "b"]], window_size=0)


def test_coherence_on_other_reference_texts(seeds, seeds_model):
    topics = seeds_model.top_terms(10).groupby("topic")["term"].apply(list).tolist()
    # a Corpus: cut into the model's units (windows here) and tokenized the model's way
    by_unit = seeds_model.coherence("u_mass", texts=seeds)
    windows = [ck.tokenize(t, stop_words="english") for t in ck.units(seeds, "window", 3)["text"]]
    assert seeds_model.reference_texts(seeds) == windows
    np.testing.assert_allclose(by_unit["coherence"], topic_coherence(topics, windows, "u_mass"))
    # token lists: used as given, e.g. one text per document
    docs = [ck.tokenize(t, stop_words="english") for t in seeds.iter_texts()]
    by_doc = seeds_model.coherence("u_mass", texts=docs)
    np.testing.assert_allclose(by_doc["coherence"], topic_coherence(topics, docs, "u_mass"))
    assert not np.allclose(by_doc["coherence"], by_unit["coherence"])
    with pytest.raises(ParameterError, match="texts=str"):
        seeds_model.coherence(texts="japan korea")
    with pytest.raises(ParameterError, match=r"texts=None: coherence needs reference texts.*pass texts="):
        seeds_model.coherence()
    with pytest.raises(ParameterError, match=r"corpus=None: reference_texts"):
        seeds_model.reference_texts(None)


# ---------------------------------------------------------------------------- choosing k
def test_average_jaccard_by_hand():
    # depth 1: {x} vs {y} -> 0; depth 2: {x,y} vs {y,x} -> 1; depth 3: {x,y,z} vs {y,x,w} -> 2/4
    assert average_jaccard(["x", "y", "z"], ["y", "x", "w"]) == pytest.approx((0 + 1 + 0.5) / 3)
    assert average_jaccard(["x", "y"], ["x", "y"]) == 1.0
    assert average_jaccard(["x"], ["y"]) == 0.0


def test_ranking_agreement_matches_topics_by_hungarian_algorithm():
    ref = [["a", "b"], ["c", "d"]]
    other = [["c", "d"], ["a", "x"]]
    # ref0 <-> other1: AJ = (1 + 1/3) / 2; ref1 <-> other0: 1
    assert ranking_agreement(ref, other) == pytest.approx(((1 + 1 / 3) / 2 + 1) / 2)


def test_recommendation_rule():
    table = pd.DataFrame({"k": [2, 3, 4], "coherence": [0.1, 0.2, 0.3], "stability": [0.80, 0.79, 0.50],
                         "stability_se": [0.02, 0.01, 0.01]})
    assert _recommend(table) == 3  # 0.79 is within one SE of 0.80 and more coherent
    table.loc[1, "stability"] = 0.77
    assert _recommend(table) == 2


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")  # sklearn, exact fit
@pytest.mark.filterwarnings("ignore:.*fewer than 2 terms with weight:UserWarning")
@pytest.mark.filterwarnings("ignore:select_n_topics. the recommended k:UserWarning")  # tested below
def test_select_n_topics_finds_two_topics_in_two_vocabularies():
    c = toy_corpus(5)
    table = select_n_topics(c, ks=[2, 3], n_runs=4, top_n=5, random_state=0, unit="document")
    assert list(table.columns) == ["k", "coherence", "diversity", "stability", "stability_se", "recommended"]
    s = table.set_index("k")
    assert s.at[2, "stability"] == pytest.approx(1.0)
    assert s.at[3, "stability"] < 1.0
    assert s.at[2, "diversity"] == 1.0
    assert table.attrs["recommended_k"] == 2 and s.at[2, "recommended"] and not s.at[3, "recommended"]
    assert "stability" in table.attrs["rule"]
    again = select_n_topics(c, ks=[2, 3], n_runs=4, top_n=5, random_state=0, unit="document")
    assert_frame_equal(table, again)
    alone = select_n_topics(c, ks=[3], n_runs=4, top_n=5, random_state=0, unit="document")
    assert alone.drop(columns="recommended").iloc[0].equals(table.drop(columns="recommended").iloc[1])


def test_select_n_topics_errors():
    c = toy_corpus(2)
    with pytest.raises(ParameterError, match=r"ks=\[\]"):
        select_n_topics(c, ks=[])
    with pytest.raises(ParameterError, match="subsample=2"):
        select_n_topics(c, ks=[2], subsample=2)
    with pytest.raises(ParameterError, match="n_topics"):
        select_n_topics(c, ks=[2], n_topics=3)
    with pytest.raises(ParameterError, match="bogus"):
        select_n_topics(c, ks=[2], bogus=1)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")  # sklearn, exact fit
@pytest.mark.filterwarnings("ignore:.*fewer than 2 terms with weight:UserWarning")
def test_select_n_topics_warns_when_the_recommended_k_is_at_the_edge_of_the_grid(monkeypatch):
    c = toy_corpus(5)
    kw = dict(n_runs=2, top_n=5, random_state=0, unit="document")
    with pytest.warns(UserWarning, match=r"recommended k=2 is the smallest k of the grid ks=\[2, 3\]; "
                                         r"the best k may lie beyond the grid; extend ks"):
        select_n_topics(c, ks=[3, 2], **kw)  # the real rule picks 2 (see the test above)
    for chosen, edge in ((4, "largest"), (3, None), (1, None)):  # the warning's logic, rule held fixed
        monkeypatch.setattr(topics_module, "_recommend", lambda table, k=chosen: k)
        ks = [1, 3, 4] if chosen == 1 else [2, 3, 4]
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            table = select_n_topics(c, ks=ks, **kw)
        edge_warnings = [str(w.message) for w in rec if "beyond the grid" in str(w.message)]
        assert table.attrs["recommended_k"] == chosen
        if edge is None:  # inside the grid, or k=1 (nothing smaller to try)
            assert edge_warnings == []
        else:
            assert edge_warnings == [f"select_n_topics: the recommended k={chosen} is the {edge} k of the grid "
                                     f"ks={ks}; the best k may lie beyond the grid; extend ks"]


def test_fit_frees_the_untrimmed_counts_before_weighting(seeds, monkeypatch):
    # issue 15: the full count dfm is not alive while the tf-idf values and the factorization allocate
    import gc
    import weakref
    refs, alive = [], []
    count, weight = TopicModel._count, TopicModel._input_matrix

    def counted(self, corpus, unit):
        m = count(self, corpus, unit)
        refs.append(weakref.ref(m))
        return m

    def weighted(self, trimmed):
        gc.collect()
        alive.append(refs[0]() is not None)
        return weight(self, trimmed)

    monkeypatch.setattr(TopicModel, "_count", counted)
    monkeypatch.setattr(TopicModel, "_input_matrix", weighted)
    tm = TopicModel(n_topics=2, unit="sentence", random_state=0).fit(seeds)
    assert alive == [False] and tm.dfm_.shape[0] > 0


@pytest.mark.parametrize("n", [7, 1000, 12_345, 1_000_001, 12_345_678])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_scaled_sum_is_numpys_sum_bit_for_bit(n, dtype):
    from corpuskit._nmf import _scaled_sum
    rng = np.random.default_rng(n)
    a = (rng.random(n) * rng.integers(1, 10**6, n)).astype(dtype)
    c = 1.0 / 987_654_321
    assert _scaled_sum(a, c) == (a * c).sum()
    assert _scaled_sum(a, c).dtype == (a * c).sum().dtype


def test_lean_mean_matrix_is_the_same_matrix_and_fit(sotu):
    import scipy.sparse as sp
    from sklearn.decomposition import MiniBatchNMF
    from corpuskit._nmf import LeanMeanCSR, lean_mean
    x = ck.dfm(sotu, stop_words="english").trim(min_docfreq=5, max_docfreq=0.5).tfidf().counts
    lx = lean_mean(x)
    assert isinstance(lx, LeanMeanCSR) and np.shares_memory(lx.data, x.data) and np.shares_memory(lx.indices, x.indices)
    assert lx.mean() == x.mean() and lx.astype(np.float32).mean() == x.astype(np.float32).mean()
    # other axes and non-canonical matrices are scipy's own
    np.testing.assert_array_equal(lx.mean(axis=0), x.mean(axis=0))
    dup = LeanMeanCSR(sp.csr_matrix((np.array([1.0, 2.0]), np.array([0, 0]), np.array([0, 2])), shape=(1, 2)))
    assert dup.mean() == 1.5
    a = MiniBatchNMF(n_components=5, init="nndsvda", max_iter=20, random_state=0)
    b = MiniBatchNMF(n_components=5, init="nndsvda", max_iter=20, random_state=0)
    np.testing.assert_array_equal(a.fit_transform(lx), b.fit_transform(x))
    np.testing.assert_array_equal(a.components_, b.components_)


def _f32_vs_f64(corpus, **kw):
    a = ck.TopicModel(random_state=0, **kw).fit(corpus)
    b = ck.TopicModel(random_state=0, dtype="float32", **kw).fit(corpus)
    return a, b


@pytest.mark.parametrize("method", ["nmf", "minibatch-nmf"])
def test_float32_topics_agree_with_float64_within_the_stated_tolerance(sotu, method):
    # the tolerance the dtype parameter's docstring states: the same top terms, proportions within 1e-4
    a, b = _f32_vs_f64(sotu, n_topics=8, unit="document", min_df=5, max_df=0.5, method=method, init="nndsvda")
    assert b.estimator_.components_.dtype == np.float32 and a.estimator_.components_.dtype == np.float64
    assert b.components_.dtype == np.float64 and b.unit_topics_.dtype == np.float64
    assert not np.array_equal(a.unit_topics_, b.unit_topics_)  # float32 really ran
    assert list(b.topic_order_) == list(a.topic_order_)
    ta, tb = a.top_terms(10), b.top_terms(10)
    assert ta["term"].tolist() == tb["term"].tolist()
    assert np.abs(a.unit_topics_ - b.unit_topics_).max() < 1e-4
    assert np.abs(a.components_ - b.components_).max() < 1e-4 * np.abs(a.components_).max()


def test_float32_tfidf_is_float64s_rounded(sotu):
    m = ck.dfm(sotu, stop_words="english").trim(min_docfreq=5)
    x64, x32 = m.tfidf().counts, m.tfidf(dtype="float32").counts
    assert x32.dtype == np.float32 and np.shares_memory(x32.indices, m.counts.indices)
    np.testing.assert_allclose(x32.data, x64.data, rtol=1e-6)
    with pytest.raises(ck.errors.ParameterError, match="dtype='float16'"):
        m.tfidf(dtype="float16")
    with pytest.raises(ck.errors.ParameterError, match="dtype='foo'"):
        m.tfidf(dtype="foo")
    with pytest.raises(ck.errors.ParameterError, match="dtype='half'"):
        ck.TopicModel(dtype="half").fit(sotu)
