"""The Dask backend equals the in-memory path (LocalCluster, small)."""
import json

import pandas as pd
import pytest

import corpuskit as ck
from corpuskit.matrix import dfm
from corpuskit.errors import CorpusError
from corpuskit.stream import period_counts

from conftest import SEEDS, sotu_sample

# test-only dependencies (the "dask" extra): a missing one fails here, it is not skipped
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def sotu30():
    """30 State of the Union addresses as an in-memory corpus and as records (raw texts)."""
    return sotu_sample(30)


def _equal(a, b):
    assert b.features.tolist() == a.features.tolist()
    assert (a.counts != b.counts).nnz == 0 and b.counts.dtype == a.counts.dtype
    # records carry only some of the folder's metadata columns: compare those
    assert set(b.docvars.columns) <= set(a.docvars.columns)
    pd.testing.assert_frame_equal(a.docvars[b.docvars.columns], b.docvars)
    assert {"unit_id", "id", "date", "year", "n_tokens"} <= set(b.docvars.columns)


def test_files_equal_in_memory(tmp_path, client, sotu30):
    from corpuskit.dask_backend import dask_dfm
    mem, recs = sotu30
    for k, part in enumerate([recs[:12], recs[12:20], recs[20:]]):
        (tmp_path / f"part{k}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
    pd.DataFrame(recs).to_parquet(tmp_path / "all.parquet", row_group_size=8)
    ref = dfm(mem, stop_words="english")
    got = dask_dfm(str(tmp_path / "part*.jsonl"), client=client, chunk_size=5, stop_words="english")
    _equal(ref, got)
    assert got.docvars["president"].iloc[0] == "George Washington"
    _equal(ref, dask_dfm(tmp_path / "all.parquet", client=client, stop_words="english"))


def test_bag_and_dataframe_equal_in_memory(client, sotu30):
    from corpuskit.dask_backend import dask_dfm
    mem, recs = sotu30
    ref = dfm(mem, unit="paragraph", stem=True)
    _equal(ref, dask_dfm(db.from_sequence(recs, npartitions=4), unit="paragraph", stem=True, client=client))
    ddf = dd.from_pandas(pd.DataFrame(recs), npartitions=3)
    _equal(ref, dask_dfm(ddf, unit="paragraph", stem=True, client=client))
    # without a client: Dask's default scheduler, same result
    _equal(ref, dask_dfm(db.from_sequence(recs, npartitions=2), unit="paragraph", stem=True))


def test_folder_equals_load_corpus(client):
    from corpuskit.dask_backend import dask_dfm
    _equal(dfm(ck.load_corpus(SEEDS), unit="sentence"), dask_dfm(SEEDS, unit="sentence", chunk_size=2, client=client))


def test_period_counts_equal(client, sotu30):
    from corpuskit.dask_backend import dask_period_counts
    mem, recs = sotu30
    got = dask_period_counts(db.from_sequence(recs, npartitions=3), by="decade", client=client)
    pd.testing.assert_frame_equal(got, period_counts(mem, by="decade"))
    assert got["n_docs"].sum() == 30


def test_errors_name_partition_and_row(client, tmp_path):
    from corpuskit.dask_backend import dask_dfm
    recs = [{"id": "a", "date": "2020", "text": "Fine."}, {"id": "b", "date": "2020-13", "text": "Bad date."}]
    with pytest.raises(CorpusError, match=r"partition 1 record 1: id 'b': date '2020-13'"):
        dask_dfm(db.from_sequence(recs, npartitions=2), client=client)
    dup = [{"id": "a", "date": "2020", "text": "One."}, {"id": "a", "date": "2021", "text": "Two."}]
    with pytest.raises(CorpusError, match=r"id 'a': duplicate id"):
        dask_dfm(db.from_sequence(dup, npartitions=2), client=client)
    (tmp_path / "x.csv").write_text("id,date,body\na,2020,hi\n")
    with pytest.raises(CorpusError, match=r"x.csv line 1: missing column"):
        dask_dfm(tmp_path / "x.csv", client=client)
