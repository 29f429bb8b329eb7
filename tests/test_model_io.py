"""TopicModel.save / TopicModel.load: a data-only zip file that never runs code when read."""
import io
import json
import os
import pathlib
import pickle
import zipfile

import numpy as np
import pytest
from pandas.testing import assert_frame_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import corpuskit as ck
from corpuskit.errors import CorpuskitError, ParameterError
from corpuskit.topics import _FORMAT_VERSION, TopicModel

# from the body of seeds/002 (not in metadata.csv): must not be in a model file
PHRASE = b"leap of faith on the issue of armaments"
NEW = ck.Corpus.from_records([{"id": "new", "date": "2025-01-01",
                               "text": "North Korea sent troops to Russia. Taiwan's defense budget grew. "
                                       "Kishida's strategy doubles defense spending. A quokka smiled."}])


class TouchOnLoad:
    """Unpickling this creates ``marker``: what a crafted model file can do."""

    def __init__(self, marker: pathlib.Path, how: str):
        self.marker, self.how = marker, how

    def __reduce__(self):
        if self.how == "os.system":
            return os.system, (f"touch '{self.marker}'",)
        return pathlib.Path.touch, (self.marker,)


@pytest.fixture(scope="module")
def model(seeds):
    return TopicModel(n_topics=4, random_state=0).fit(seeds)


@pytest.fixture(scope="module")
def saved(model, tmp_path_factory):
    return model.save(tmp_path_factory.mktemp("m") / "model.zip")


def rewrite(src: pathlib.Path, dst: pathlib.Path, entries: dict[str, bytes]) -> pathlib.Path:
    """A copy of the zip ``src`` with some entries replaced or added."""
    new = dict(entries)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, new.pop(info.filename, None) or zin.read(info.filename))
        for name, data in new.items():
            zout.writestr(name, data)
    return dst


def npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def object_npy(obj) -> bytes:
    """A .npy entry holding an object array, as numpy writes one: a header, then a pickle."""
    arr = np.empty(1, dtype=object)
    arr[0] = obj
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(arr))
    buf.write(pickle.dumps(arr, protocol=3))
    return buf.getvalue()


def refused(path: pathlib.Path, match: str) -> str:
    with pytest.raises(CorpuskitError, match=match) as info:
        TopicModel.load(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(path))
    return msg


# ---------------------------------------------------------------------------- files that could run code
@pytest.mark.parametrize("how", ["os.system", "Path.touch"])
def test_pickle_is_refused_and_never_run(tmp_path, how):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pkl"
    # shaped like the old pickle format, so an unpickling loader would accept it
    path.write_bytes(pickle.dumps({"format": "corpuskit.TopicModel", "format_version": 1,
                                   "corpuskit_version": ck.__version__, "model": TouchOnLoad(marker, how)}))
    msg = refused(path, r"model\.pkl: is a Python pickle, which can run code, so it was not opened; "
                        r".*zip.* TopicModel\.save")
    assert "refit" in msg
    assert not marker.exists()


def test_old_protocol_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "old.pkl"
    path.write_bytes(pickle.dumps(TouchOnLoad(marker, "Path.touch"), protocol=0))
    refused(path, r"old\.pkl: is a Python pickle")
    assert not marker.exists()


def test_object_array_entry_is_refused_and_never_run(saved, tmp_path):
    marker = tmp_path / "pwned"
    evil = object_npy(TouchOnLoad(marker, "Path.touch"))
    path = rewrite(saved, tmp_path / "evil.zip", {"arrays/components_.npy": evil})
    refused(path, r"evil\.zip: entry arrays/components_\.npy holds Python objects")
    assert not marker.exists()


# ---------------------------------------------------------------------------- damaged or foreign files
def test_garbage_truncated_and_foreign_files_are_refused(saved, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    refused(text, r"notes\.txt: not a saved TopicModel \(not a zip archive")
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    refused(empty, r"empty\.zip: not a saved TopicModel \(an empty file\)")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    refused(cut, r"cut\.zip: not a saved TopicModel")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    refused(other, r"other\.zip: not a saved TopicModel \(a zip archive without model\.json\)")
    bad_json = rewrite(saved, tmp_path / "badjson.zip", {"model.json": b"{not json"})
    refused(bad_json, r"badjson\.zip: damaged TopicModel file \(model\.json")
    refused(tmp_path / "missing.zip", r"missing\.zip: no such file")


def test_other_format_and_version(saved, tmp_path):
    meta = json.loads(zipfile.ZipFile(saved).read("model.json"))
    path = rewrite(saved, tmp_path / "v99.zip", {"model.json": json.dumps({**meta, "format_version": 99}).encode()})
    refused(path, rf"v99\.zip: saved in TopicModel file format 99, this corpuskit reads format {_FORMAT_VERSION}")
    path = rewrite(saved, tmp_path / "fmt.zip", {"model.json": json.dumps({**meta, "format": "other"}).encode()})
    refused(path, r"fmt\.zip: not a saved TopicModel \(model\.json says format 'other'\)")
    old = json.dumps({**meta, "corpuskit_version": "0.0.1"}).encode()
    path = rewrite(saved, tmp_path / "old.zip", {"model.json": old})
    with pytest.warns(UserWarning, match=r"old\.zip was saved by corpuskit 0\.0\.1"):
        TopicModel.load(path)


def test_shapes_and_dtypes_are_checked(saved, model, tmp_path):
    n, k = model.unit_topics_.shape
    path = rewrite(saved, tmp_path / "shape.zip", {"arrays/unit_topics_.npy": npy(np.zeros((n, k + 1)))})
    refused(path, rf"shape\.zip: damaged TopicModel file \(arrays/unit_topics_\.npy has shape \({n}, {k + 1}\)")
    path = rewrite(saved, tmp_path / "dtype.zip", {"arrays/unit_topics_.npy": npy(np.zeros((n, k), dtype=np.int64))})
    refused(path, r"dtype\.zip: damaged TopicModel file \(arrays/unit_topics_\.npy has dtype int64")
    # a consistent-looking file whose sparse matrix points outside the vocabulary
    meta = json.loads(zipfile.ZipFile(saved).read("model.json"))
    idx = np.load(io.BytesIO(zipfile.ZipFile(saved).read("arrays/dfm/counts/indices.npy")))
    idx[0] = 10 ** 6
    path = rewrite(saved, tmp_path / "csr.zip", {"arrays/dfm/counts/indices.npy": npy(idx)})
    refused(path, r"csr\.zip: damaged TopicModel file \(the sparse matrix dfm/counts")
    meta["arrays"].pop("unit_topics_")
    path = rewrite(saved, tmp_path / "lost.zip", {"model.json": json.dumps(meta).encode()})
    refused(path, r"lost\.zip: damaged TopicModel file \(array unit_topics_ is not listed in model\.json")


# ---------------------------------------------------------------------------- round trips
def test_round_trip_gives_the_same_results(model, saved, seeds):
    back = TopicModel.load(saved)
    assert back.get_params() == model.get_params()
    assert back.labels_ == model.labels_ and back.unit_ == model.unit_ and back.n_topics_ == model.n_topics_
    np.testing.assert_array_equal(back.components_, model.components_)
    np.testing.assert_array_equal(back.unit_topics_, model.unit_topics_)
    np.testing.assert_array_equal(back.feature_names_, model.feature_names_)
    assert_frame_equal(back.top_terms(), model.top_terms())
    assert_frame_equal(back.document_topics(), model.document_topics())
    assert_frame_equal(back.prevalence(by="year", random_state=0), model.prevalence(by="year", random_state=0))
    assert_frame_equal(back.prevalence(by="month", n_boot=50, random_state=3),
                       model.prevalence(by="month", n_boot=50, random_state=3))
    assert_frame_equal(back.topic_evolution(0), model.topic_evolution(0))
    assert_frame_equal(back.docvars_, model.docvars_)
    assert_frame_equal(back.dfm_.docvars, model.dfm_.docvars)
    assert_frame_equal(back.units(seeds), model.units(seeds))
    assert back.seed_ == model.seed_ == 0
    np.testing.assert_array_equal(back.topic_order_, model.topic_order_)
    for t in range(model.n_topics_):
        assert_frame_equal(back.representative_units(t, n=3, corpus=seeds),
                           model.representative_units(t, n=3, corpus=seeds))
    assert (back.dfm_.counts != model.dfm_.counts).nnz == 0 and back.dfm_.counts.dtype == model.dfm_.counts.dtype
    assert back.dfm_.meta == model.dfm_.meta and back.dfm_.weighting == model.dfm_.weighting
    for measure in ("c_npmi", "u_mass"):
        a, b = back.coherence(measure, texts=seeds), model.coherence(measure, texts=seeds)
        assert_frame_equal(a, b)
        assert a.attrs == b.attrs
    # what transform needs is in the file: a new document and the fitted corpus give what they gave
    np.testing.assert_array_equal(back.transform(NEW), model.transform(NEW))
    assert back.transform(NEW).sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(back.transform(seeds), model.transform(seeds))


def test_methods_needing_texts_name_the_parameter(saved):
    back = TopicModel.load(saved)
    with pytest.raises(ParameterError, match=r"corpus=None: representative_units needs the texts, and the model "
                                             r"keeps none; pass corpus=") as info:
        back.representative_units(0)
    assert "\n" not in str(info.value)
    with pytest.raises(ParameterError, match=r"texts=None: coherence needs reference texts.*pass texts="):
        back.coherence()


def test_model_files_hold_no_texts(saved, seeds):
    def contents(path):
        with zipfile.ZipFile(path) as z:
            return b"".join(z.read(name) for name in z.namelist())

    assert PHRASE in seeds["002"].text.encode()  # the phrase is in the corpus the model was fit on
    assert PHRASE not in saved.read_bytes()
    assert PHRASE not in contents(saved)
    assert b"leap" in contents(saved)  # the vocabulary is there, so the search reads the strings
    with pytest.raises(TypeError, match="include_texts"):  # the option is gone: there are no texts to include
        TopicModel.load(saved).save(saved.with_name("x.zip"), include_texts=True)


def test_a_model_fit_with_a_generator_saves_its_seed(seeds, tmp_path):
    tm = TopicModel(n_topics=3, random_state=np.random.default_rng(42)).fit(seeds)
    back = TopicModel.load(tm.save(tmp_path / "g.zip"))
    assert back.get_params()["random_state"] == tm.seed_ == back.seed_
    refit = clone(back).fit(seeds)  # the saved parameters refit the same model
    np.testing.assert_array_equal(refit.components_, tm.components_)
    np.testing.assert_array_equal(refit.unit_topics_, tm.unit_topics_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # few iterations: fast
@pytest.mark.parametrize("method, extra", [("nmf", {}), ("lda", {}), ("minibatch-nmf", {}), ("nmf", {"n_jobs": 2})])
def test_every_method_round_trips_with_what_transform_needs(seeds, tmp_path, method, extra):
    tm = TopicModel(n_topics=3, method=method, random_state=1, max_iter=30, **extra).fit(seeds)
    back = TopicModel.load(tm.save(tmp_path / f"{method}.zip"))
    assert type(back.estimator_) is type(tm.estimator_)
    x = tm._input_matrix(tm.dfm_)
    np.testing.assert_array_equal(back.estimator_.transform(x), tm.estimator_.transform(x))
    np.testing.assert_array_equal(back.transform(NEW), tm.transform(NEW))
    np.testing.assert_array_equal(back.transform(seeds), tm.transform(seeds))
    np.testing.assert_array_equal(back.estimator_.components_, tm.estimator_.components_)
    assert_frame_equal(back.top_terms(), tm.top_terms())
    assert_frame_equal(back.prevalence(n_boot=20, random_state=0), tm.prevalence(n_boot=20, random_state=0))
    with zipfile.ZipFile(tm.save(tmp_path / "again.zip")) as z:
        meta = json.loads(z.read("model.json"))
        names = set(z.namelist())
    assert meta["features"]["n"] == len(tm.feature_names_)
    assert {"unit", "window", "stop_words", "stem", "ngrams"} <= set(meta["dfm"]["meta"])
    if method == "lda":
        assert "arrays/idf.npy" not in names  # LDA models counts
    else:
        from sklearn.feature_extraction.text import TfidfTransformer
        idf = np.load(io.BytesIO(zipfile.ZipFile(tmp_path / "again.zip").read("arrays/idf.npy")))
        np.testing.assert_array_equal(idf, TfidfTransformer().fit(tm.dfm_.counts).idf_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # few iterations: fast
def test_parameters_of_every_kind_round_trip(seeds, tmp_path):
    tm = TopicModel(n_topics=2, unit="paragraph", stop_words=frozenset({"the", "of", "and"}), ngram_range=(1, 2),
                    min_df=2, max_df=0.9, labels=("a", "b"), estimator_kwargs={"tol": 1e-3}, max_iter=50,
                    random_state=4).fit(seeds)
    back = TopicModel.load(tm.save(tmp_path / "p.zip"))
    assert back.get_params() == tm.get_params()
    assert type(back.stop_words) is frozenset and type(back.ngram_range) is tuple and type(back.labels) is tuple
    assert_frame_equal(back.top_terms(), tm.top_terms())


def test_saving_is_deterministic_and_checked(model, tmp_path):
    a, b = model.save(tmp_path / "a.zip"), model.save(tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()  # a replication package can check the file by hash
    with pytest.raises(NotFittedError, match="This TopicModel instance is not fitted yet"):
        TopicModel().save(tmp_path / "d.zip")
    assert not (tmp_path / "d.zip").exists()


def test_document_metadata_of_every_kind_round_trips(tmp_path):
    import pandas as pd
    recs = [{"id": f"d{i}", "date": f"{2000 + i}", "text": "apple banana cherry rocket orbit moon " * (i + 1)}
            for i in range(4)]
    tm = TopicModel(n_topics=2, unit="document", random_state=0).fit(ck.Corpus.from_records(recs))
    dv = tm.docvars_
    dv["votes"] = pd.array([1, None, 3, 4], dtype="Int64")
    dv["paper"] = pd.Categorical(["a", "b", "a", None], categories=["b", "a"], ordered=True)
    dv["note"] = pd.Series(["x", None, "ü\u2028z", "é"], dtype=object)
    dv["flag"] = [True, False, True, True]
    dv["score"] = [0.1, np.nan, 1e-300, -2.5]
    dv["tag"] = pd.array(["p", None, "q", ""], dtype="string")
    back = TopicModel.load(tm.save(tmp_path / "m.zip"))
    assert_frame_equal(back.docvars_, dv)
    assert_frame_equal(back.document_topics(), tm.document_topics())
    dv["mixed"] = pd.Series([1, "two", 3.0, None], dtype=object)
    with pytest.raises(ParameterError, match=r"docvars_ column 'mixed' has dtype object"):
        tm.save(tmp_path / "bad.zip")
    assert not (tmp_path / "bad.zip").exists() and not list(tmp_path.glob("*.part"))


def test_model_fit_on_a_dfm_round_trips(seeds, tmp_path):
    m = ck.dfm(seeds, unit="document", stop_words="english")
    tm = TopicModel(n_topics=2, unit="document", random_state=0).fit(m)
    back = TopicModel.load(tm.save(tmp_path / "dfm.zip"))
    assert_frame_equal(back.units(seeds), tm.units(seeds))
    np.testing.assert_array_equal(back.transform(m), tm.transform(m))
    assert_frame_equal(back.prevalence(n_boot=20, random_state=0), tm.prevalence(n_boot=20, random_state=0))
    assert_frame_equal(back.coherence(texts=seeds), tm.coherence(texts=seeds))
