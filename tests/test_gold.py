"""The seed gold standard: valid, anchored in the raw seeds, complete, and consistent with its codebook."""
import hashlib
import pathlib

import pandas as pd
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


def test_target_detection_weights_a_stratified_sample_by_hand():
    import corpuskit as ck
    # four coded sentences of one document: two strata, weights 1 and 3 (drawn 1 in 3)
    gold = pd.DataFrame({"id": ["d"] * 4, "start": [0, 10, 20, 30], "end": [9, 19, 29, 39],
                         "sentence_hash": [ck.sentence_hash(t) for t in ("a a", "b b", "c c", "e e")],
                         "sentence": ["a a", "b b", "c c", "e e"], "target": ["yes", "no", "yes", "yes"],
                         "label": ["favor", "none", "none", "against"], "weight": [1.0, 1.0, 3.0, 3.0]})
    # the lexicon found sentences 0, 1 and 3, plus one sentence nobody coded
    found = pd.DataFrame({"id": ["d"] * 4, "text": ["a a", "b b", "e e", "f f"],
                          "raw_start": [0, 10, 30, 40], "raw_end": [9, 19, 39, 49]})
    td = ck.target_detection(found, gold)
    # precision: on-target weight among coded found = (1 + 3) / (1 + 1 + 3); recall: (1 + 3) / (1 + 3 + 3)
    assert td["n_found_coded"] == 3 and td["n_found_on_target"] == 2 and td["n_target_coded"] == 3
    assert td["precision"] == pytest.approx(4 / 5) and td["recall"] == pytest.approx(4 / 7)
    # without weights: plain shares 2/3 and 2/3
    td = ck.target_detection(found, gold.drop(columns="weight"))
    assert td["precision"] == pytest.approx(2 / 3) and td["recall"] == pytest.approx(2 / 3)
    with pytest.raises(ck.ParameterError, match="no 'target' column"):
        ck.target_detection(found, gold.drop(columns="target"))
