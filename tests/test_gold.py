"""The seed gold standard: valid, anchored in the raw seeds, complete, and consistent with its codebook."""
import hashlib
import pathlib

import pytest

import corpuskit as ck
from corpuskit import stance as st

ROOT = pathlib.Path(__file__).resolve().parents[1]
GOLD = ROOT / "seeds" / "annotations" / "gold.csv"


@pytest.fixture(scope="module")
def gold():
    return st.read_gold(GOLD)


def test_every_gold_span_and_hash_matches_the_raw_seeds(gold, seeds):
    assert (st.check_gold(gold, seeds, strict=True)["status"] == "ok").all()
    # independently of check_gold: hash the raw slice by hand
    raws = {d.id: d.raw for d in seeds}
    for r in gold.itertuples():
        raw = raws[r.id][r.start:r.end]
        assert hashlib.sha1(" ".join(raw.split()).encode("utf-8")).hexdigest() == r.sentence_hash, r.line
        assert " ".join(raw.split()) == r.sentence, r.line


def test_every_seed_sentence_is_coded_once(gold, seeds):
    sents = ck.sentences(seeds)
    att = st.attach_gold(sents, gold)
    assert (att["gold_matched_by"] == "span").all()
    assert len(gold) == len(sents) == 132
    assert sorted(gold["id"].unique()) == ["000", "001", "002", "003", "004"]


def test_gold_codes_follow_the_codebook(gold):
    assert set(gold["label"]) <= set(st.LABELS)
    assert set(gold["target"]) == {"yes", "no"}
    # non-target sentences are always 'none'; every row has a one-line rationale
    assert (gold.loc[gold["target"] == "no", "label"] == "none").all()
    assert gold["rationale"].str.len().gt(10).all() and not gold["rationale"].str.contains("\n").any()
    codebook = (ROOT / "seeds" / "annotations" / "CODEBOOK.md").read_text(encoding="utf-8")
    for word in ("favor", "against", "none", "Reported speech", "Threat descriptions"):
        assert word in codebook
