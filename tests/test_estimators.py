"""Every estimator follows scikit-learn's contract: clone, get_params/set_params, NotFittedError."""
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError

import corpuskit as ck

ESTIMATORS = [ck.TopicModel(n_topics=3, random_state=0), ck.Wordfish(), ck.Wordscores(), ck.StanceClassifier()]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_clone_and_params(est):
    assert isinstance(est, BaseEstimator)
    twin = clone(est)
    assert type(twin) is type(est) and twin is not est
    assert twin.get_params() == est.get_params()
    name = sorted(est.get_params())[0]
    assert clone(est).set_params(**{name: est.get_params()[name]}).get_params() == est.get_params()


@pytest.mark.parametrize("est, call", [
    (ck.TopicModel(n_topics=2), lambda m: m.top_terms()), (ck.Wordfish(), lambda m: m.to_frame()),
    (ck.Wordscores(), lambda m: m.predict(None)), (ck.StanceClassifier(), lambda m: m.predict(["a text"]))],
    ids=["TopicModel", "Wordfish", "Wordscores", "StanceClassifier"])
def test_not_fitted_is_sklearns_error(est, call):
    with pytest.raises(NotFittedError):
        call(est)
