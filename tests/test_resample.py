"""Resampling primitives: batches draw what one array draws, the clustered bootstrap by hand, intervals."""
import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit import resample
from corpuskit.errors import ParameterError
from corpuskit.resample import (bootstrap_means, bootstrap_sums, check_bootstrap, cluster_bootstrap_means,
                                percentile_interval, permutation_batches, resample_batches, row_batches)


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(resample, "BATCH_CELLS", 50)  # rows of 7 values: 7 rows a batch


def test_row_batches_cover_the_rows_in_order_within_the_cell_bound(small_batches):
    batches = list(row_batches(30, 7))
    assert batches[0] == (0, 7) and batches[-1] == (28, 30)
    assert [a for a, _ in batches[1:]] == [b for _, b in batches[:-1]]
    assert list(row_batches(3, 10_000)) == [(0, 1), (1, 2), (2, 3)]  # one row even when it exceeds the bound


def test_batched_index_draws_equal_one_arrays_draws(small_batches):
    got = list(resample_batches(7, 30, np.random.default_rng(3)))
    assert len(got) == 5
    np.testing.assert_array_equal(np.vstack([i for _, _, i in got]),
                                  np.random.default_rng(3).integers(0, 7, size=(30, 7)))
    perms = np.vstack([i for _, _, i in permutation_batches(7, 30, np.random.default_rng(3))])
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(perms, np.array([rng.permutation(7) for _ in range(30)]))


def test_bootstrap_statistics_equal_one_arrays_and_leave_the_stream_where_it_would(small_batches):
    v = np.random.default_rng(0).normal(size=7)
    rng = np.random.default_rng(5)
    means = bootstrap_means(v, 30, rng)
    ref_rng = np.random.default_rng(5)
    np.testing.assert_array_equal(means, v[ref_rng.integers(0, 7, size=(30, 7))].mean(axis=1))
    assert rng.random() == ref_rng.random()  # the next draw (e.g. the other side's) does not move
    m = np.arange(14.0).reshape(7, 2)  # 7 rows x 2 columns: 14 cells a replicate, 3 a batch
    np.testing.assert_array_equal(bootstrap_sums(m, 30, np.random.default_rng(6)),
                                  m[np.random.default_rng(6).integers(0, 7, size=(30, 7))].sum(axis=1))


def test_clustered_bootstrap_by_hand():
    # Two documents: A with sentences {0, 1}, B with one sentence {10}. A replicate draws two documents,
    # then each drawn document's sentences; its value is the mean of the drawn documents' means.
    # A resampled has mean 0 (1/4), 0.5 (1/2) or 1 (1/4), so a replicate is one of
    # AA: (a1 + a2)/2 in {0, .25, .5, .75, 1};  AB or BA: (a + 10)/2 in {5, 5.25, 5.5};  BB: 10.
    out = cluster_bootstrap_means([np.array([0.0, 1.0]), np.array([10.0])], 8000, np.random.default_rng(0))
    support = {0.0, 0.25, 0.5, 0.75, 1.0, 5.0, 5.25, 5.5, 10.0}
    assert set(np.round(out, 12)) == support
    freq = {v: np.mean(np.isclose(out, v)) for v in support}
    # P(BB) = 1/4; P(AB or BA, with A's resample mean 0.5) = 1/2 * 1/2; P(AA with mean 0) = 1/4 * 1/16
    for v, p in {10.0: 1 / 4, 5.25: 1 / 4, 5.0: 1 / 8, 0.0: 1 / 64}.items():
        assert freq[v] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 8000)), v


def test_clustered_bootstrap_of_one_unit_clusters_is_the_plain_bootstrap_draw_for_draw():
    v = np.random.default_rng(1).normal(size=9)
    np.testing.assert_array_equal(cluster_bootstrap_means([np.array([x]) for x in v], 500, np.random.default_rng(2)),
                                  bootstrap_means(v, 500, np.random.default_rng(2)))


def test_clustered_bootstrap_refuses_empty_clusters():
    with pytest.raises(ParameterError, match="2 clusters, 1 of them empty"):
        cluster_bootstrap_means([np.array([1.0]), np.array([])], 10, np.random.default_rng(0))


def test_percentile_interval_is_the_quantile_of_each_column_and_skips_nan():
    s = np.random.default_rng(3).normal(size=(2001, 3))
    lo, hi = percentile_interval(s, 0.95)
    a = (1 - 0.95) / 2  # 0.025000000000000022, as every caller has computed it
    for j in range(3):  # column by column, as np.quantile of the 1-D column gives it
        assert (lo[j], hi[j]) == tuple(np.quantile(s[:, j], [a, 1 - a]))
    s[:5] = np.nan
    lo, hi = percentile_interval(s, 0.9)
    a = (1 - 0.9) / 2
    assert lo[0] == np.quantile(s[5:, 0], a) and hi[2] == np.quantile(s[5:, 2], 1 - a)


@pytest.mark.parametrize("n_boot,level,match", [(0, 0.95, "n_boot=0"), (True, 0.95, "n_boot=True"),
                                                 (100, 1.0, "level=1.0"), (100, "0.95", "level='0.95'")])
def test_check_bootstrap_names_the_value(n_boot, level, match):
    with pytest.raises(ParameterError, match=match):
        check_bootstrap(n_boot, level)


def test_percentile_interval_is_wordfishs_former_np_percentile_step():
    boot = np.random.default_rng(7).normal(size=(500, 5))  # Wordfish: n_boot x documents
    for level in (0.95, 0.9):
        q = 100 * (1 - level) / 2
        lo, hi = np.percentile(boot, [q, 100 - q], axis=0)
        got = percentile_interval(boot, level)
        np.testing.assert_array_equal(got[0], lo)
        np.testing.assert_array_equal(got[1], hi)


def test_document_stance_interval_is_the_helpers_draw_for_draw():
    # so document_stance can call bootstrap_means + percentile_interval without moving a number
    scores = pd.DataFrame({"id": ["a"] * 5 + ["b"] + ["c"] * 3,
                           "score": [0.1, -0.4, 0.5, 0.9, 0.0, 0.3, -1.0, 0.2, 0.6]})
    doc = ck.document_stance(scores, n_boot=300, random_state=4).set_index("id")
    rng = np.random.default_rng(4)
    for d in ("a", "c"):  # "b" has one sentence: no interval, no draws
        v = scores.loc[scores["id"] == d, "score"].to_numpy()
        lo, hi = percentile_interval(bootstrap_means(v, 300, rng), 0.95)
        assert (doc.loc[d, "ci_low"], doc.loc[d, "ci_high"]) == (lo, hi)
