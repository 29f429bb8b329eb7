import hashlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SOTU = ROOT / "notebooks" / "data" / "state_of_the_union"  # byte-exact copy of shared/corpora/state_of_the_union


@pytest.fixture(autouse=True)
def workers_run_on_small_corpora(monkeypatch):
    """Test corpora are far below the size where run_chunks starts worker processes (it falls back to
    one process there, corpuskit.chunks.parallel_pays_off); tests that pass n_jobs mean the workers,
    so they run. tests/test_chunks.py checks the real decision."""
    import corpuskit.chunks
    monkeypatch.setattr(corpuskit.chunks, "parallel_pays_off", lambda corpus, n_jobs, chunk_size=None:
                        n_jobs not in (None, 1))


@pytest.fixture(scope="session")
def seeds():
    import corpuskit as ck
    return ck.load_corpus(SEEDS)


@pytest.fixture(scope="session")
def sotu():
    import corpuskit as ck
    if not SOTU.is_dir():
        pytest.fail(f"{SOTU} is missing: it is part of the repository (notebooks/data/)")
    return ck.load_corpus(SOTU)


def sotu_sample(n: int):
    """The first n State of the Union addresses: an in-memory corpus and the same documents as raw records."""
    import corpuskit as ck
    mem = ck.Corpus(ck.load_corpus(SOTU).documents[:n], name=f"sotu{n}")
    recs = [{"id": d.id, "date": d.date.text, "text": d.raw, "president": d.meta.get("president", "")}
            for d in mem.documents]
    return mem, recs


@pytest.fixture
def make_folder(tmp_path):
    """Write a folder corpus: files is {name: bytes|str}, metadata a CSV string."""
    def _make(files: dict, metadata: str | None):
        d = tmp_path / "corpus"
        d.mkdir()
        for name, content in files.items():
            p = d / name
            p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        if metadata is not None:
            (d / "metadata.csv").write_text(metadata, encoding="utf-8")
        return d
    return _make


def spy_on(monkeypatch, owner, name):
    """Wrap ``owner.name`` so a test can see it ran; returns the list its calls append to."""
    import functools
    calls = []
    orig = getattr(owner, name)

    @functools.wraps(orig)
    def spy(*a, **k):
        calls.append(1)
        return orig(*a, **k)

    monkeypatch.setattr(owner, name, spy)
    return calls


def digest(folder) -> dict:
    """sha256 of each file in a figures folder, by name: two runs wrote the same bytes when these are equal."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
