"""Stance: target sentences, cue lexicon scoring, document CIs, classifier scoring, gold helpers."""
import functools
import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit import stance as st
from corpuskit.stance import lexicon
from corpuskit.dictionary import DictionaryError
from corpuskit.stream import scan

# the packaged lexicons, asked for by name (there is no default lexicon)
score_ra = functools.partial(st.score_stance, target="rearmament", cues="rearmament")
cross_fit_ra = functools.partial(st.cross_fit_stance, target="rearmament")

TEXT = ("Japan must strengthen its Self-Defense Forces. The weather was fine. "
        "China condemned the dangerous rearmament.")


def corpus_of(*texts, ids=None, date="2021-08"):
    ids = ids or [f"d{i}" for i in range(len(texts))]
    return ck.Corpus.from_records([{"id": i, "date": date, "text": t} for i, t in zip(ids, texts)])


def lexicon_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=10.0, max_iter=1000))


# ---------------------------------------------------------------------------- lexicons
def test_packaged_lexicons_load_with_versions_and_polarity():
    t = st.load_target("rearmament")
    assert t.name == "rearmament_target" and t.version == "1.0.0"
    assert {"constitution", "forces", "budget", "capability", "deployment", "alliance_role"} <= set(t.keys())
    assert t.n_entries >= 100
    c = st.load_cues("rearmament")
    assert c.name == "rearmament_stance_cues"
    assert {k.split(".")[0] for k in c.keys()} == {"favor", "against"}
    # not a sentiment lexicon: adversary threat vocabulary is no cue
    words = {e for k in c.keys() for e in c[k]}
    assert not {"threat", "threat*", "hostile", "menacing", "aggression"} & words


def test_load_target_accepts_list_and_mapping():
    assert st.load_target(["sdf", "article 9"]).to_dict() == {"target": ["sdf", "article 9"]}
    assert st.load_target({"forces": ["sdf"], "law": ["article 9"]}).keys() == ["forces", "law"]


def test_malformed_target_file_names_file_line_and_value(tmp_path):
    p = tmp_path / "target.yml"
    p.write_text("name: t\nversion: '1'\nframes:\n  forces:\n    entries:\n      - sdf\n      - 9\n", encoding="utf-8")
    with pytest.raises(DictionaryError) as e:
        st.load_target(p)
    msg = str(e.value)
    assert str(p) in msg and "line 7" in msg and "'9'" in msg and "facet 'forces'" in msg


def test_missing_target_file_is_named(tmp_path):
    with pytest.raises(DictionaryError, match=r"target '.*nope\.yml': no such file"):
        st.load_target(str(tmp_path / "nope.yml"))


def test_cue_class_must_be_favor_or_against(tmp_path):
    p = tmp_path / "cues.yml"
    p.write_text("favor:\n  - must\nagainst:\n  - provoc*\npositive:\n  - good\n", encoding="utf-8")
    with pytest.raises(DictionaryError) as e:
        st.load_cues(p)
    assert str(p) in str(e.value) and "line 6" in str(e.value) and "'positive'" in str(e.value)
    with pytest.raises(DictionaryError, match="no 'against' class"):
        st.load_cues({"favor": ["must"]})
    with pytest.raises(ck.ParameterError, match="polarity"):
        st.load_cues(["must"])


# ---------------------------------------------------------------------------- targets
def test_target_sentences_on_three_sentences():
    c = corpus_of(TEXT)
    t = st.target_sentences(c, "rearmament")
    assert t["sentence"].tolist() == [0, 2]
    assert t["terms"].tolist() == ["Self-Defense Forces", "rearmament"]
    assert t["entries"].tolist() == ["self defen?e force*", "rearm*"]
    raw = c[0].raw
    assert [raw[a:b] for a, b in zip(t["raw_start"], t["raw_end"])] == t["text"].tolist()
    assert list(t.columns[:4]) == ["id", "date", "sentence", "text"]


def test_target_phrases_do_not_cross_sentences_and_longest_wins():
    c = corpus_of("Japan debates Article. 9 lives here. Its self-defense forces grow.")
    t = st.target_sentences(c, target=["article 9", "self defense forces", "defense"])
    assert t["sentence"].tolist() == [2]
    assert t["terms"].tolist() == ["self-defense forces"]  # not also "defense"


def test_no_target_sentence_gives_empty_table_with_columns():
    t = st.target_sentences(corpus_of("The weather was fine."), "rearmament")
    assert len(t) == 0 and {"id", "sentence", "text", "terms", "n_terms"} <= set(t.columns)


# UN General Debate, Saudi Arabia 1980 (SAU_35_1980.txt, UNGDC version 13, CC0; Jankin, Baturo & Dasandi,
# doi:10.7910/DVN/0TJX8Y), one sentence as published: its "non-co-operation" crashed score_stance.
SAU_1980 = ("However, the States members of the Islamic Conference, with one voice, have shown the world the "
            "serious dimensions of that intervention, condemned the Soviet Union and stressed their demand for an "
            "unconditional and complete withdrawal of the Soviet military presence from Afghanistan and "
            "non-recognition of and non-co-operation with the regime established there.")
# hand-made, hard-wrapped (12 short lines): one sentence running across the line breaks, the chained prefix
# hyphens of "non-co-\noperation" broken at a line end
WRAPPED = ("The delegation of Japan has listened\nwith care to the debate in this hall\n"
           "and wishes to state its position\nplainly before the Assembly today\n"
           "as it has done in every year since\nit became a Member of this body and\n"
           "the Government of Japan condemned the\ndangerous rearmament and calls for non-co-\n"
           "operation with any State that seeks a\nmilitary buildup in the region, and it\n"
           "will not rest until peace is secured\nfor all the peoples of Asia and beyond.\n")


def test_a_target_sentence_with_chained_prefix_hyphens_is_scored():
    # normalize drops every prefix hyphen of a chain ("noncooperation"); token_spans, which the sentence
    # stream reads for offsets, used to drop only the first ("nonco", "operation") and the stream stopped
    from corpuskit.clean import hard_wrapped
    assert hard_wrapped(WRAPPED) and not hard_wrapped(SAU_1980)
    c = corpus_of(WRAPPED, SAU_1980, ids=["w", "sau"])
    tk = ck.tokens(c)
    for i in range(2):
        assert "noncooperation" in tk[i] and "nonco" not in tk[i] and "operation" not in tk[i]
    s = score_ra(c, unit="sentence")
    assert s["id"].tolist() == ["w", "sau"] and s["sentence"].tolist() == [0, 0]
    assert s["terms"].tolist() == ["rearmament; military buildup", "military"]
    assert s["cues"].tolist() == ["dangerous(-); condemned(-)", "condemned(-)"]
    assert s["score"].tolist() == [-1.0, -1.0]
    assert [c[i].raw[a:b] for i, a, b in zip(s["id"], s["raw_start"], s["raw_end"])] == [WRAPPED.strip(), SAU_1980]
    # the joined token spans its hyphens (and the line break) in the text as stored
    k = ck.kwic(c, "noncooperation")
    assert [c[i].raw[a:b] for i, a, b in zip(k["id"], k["raw_start"], k["raw_end"])] == [
        "non-co-operation", "non-co-\noperation"]
    d = score_ra(c, unit="document", n_boot=10, random_state=0)
    assert d["stance"].tolist() == [-1.0, -1.0] and d["n_sentences"].tolist() == [1, 1]


def test_a_target_sentence_with_a_possessive_after_a_period_is_scored():
    # UNGDC PRK_79_2024.txt (version 13, CC0), one sentence as published: normalize drops the "’s" of
    # "U.S.’s"; token_spans used to keep it as a token "s" and the sentence stream stopped
    text = ("The reason behind the U.S.’s abusive invectives about the normal development of relations between "
            "other countries is, in fact, to vindicate its unprincipled political and military support to its ally "
            "and justify the forming of military alliances on a global scale.")
    c = corpus_of(text)
    assert ck.tokens(c)[0][4:7] == ["u", "s", "abusive"]
    s = score_ra(c, unit="sentence")
    assert s["terms"].tolist() == ["military"] and s["n_terms"].tolist() == [2]  # "military" twice
    assert s["cues"].tolist() == ["support(+)"] and s["score"].tolist() == [1.0]


# ---------------------------------------------------------------------------- lexicon stance
def test_lexicon_scores_hand_checked():
    s = score_ra(corpus_of(TEXT), unit="sentence")
    # sentence 0: must(+), strengthen(+); sentence 2: condemned(-), dangerous(-)
    assert s["label"].tolist() == ["favor", "against"]
    assert s["score"].tolist() == [1.0, -1.0]
    assert s["n_favor"].tolist() == [2, 0] and s["n_against"].tolist() == [0, 2]
    assert list(s.columns[:6]) == ["id", "date", "sentence", "text", "label", "score"]


def test_mixed_sentence_score_is_balance_of_cues():
    s = score_ra(corpus_of("Supporters call rearmament necessary, critics call rearmament dangerous."),
                        unit="sentence")
    # favor: supporters(support*), necessary; against: dangerous -> (2 - 1) / 3
    assert s["score"].iloc[0] == pytest.approx(1 / 3)
    assert s["label"].iloc[0] == "favor"


def test_threat_words_are_not_against_cues():
    s = score_ra(corpus_of("North Korea's missile threat and hostile rhetoric show that Japan must raise its "
                                  "defense budget."), unit="sentence")
    assert s["label"].tolist() == ["favor"] and s["n_against"].tolist() == [0]


def test_negation_flips_cues_within_the_clause():
    s = score_ra(corpus_of("Japan does not need more destroyers.",
                                  "Japan's rearmament is not only necessary but urgent.",
                                  "Tokyo is not reckless, and its rearmament is necessary.",
                                  "Japan cannot justify the rearmament; it is necessary.",
                                  "The rearmament cannot be called dangerous.",
                                  "Japan cannot afford to neglect its defense."), unit="sentence")
    assert s["label"].tolist() == ["against", "favor", "favor", "favor", "favor", "favor"]
    assert "need(-, negated)" in s["cues"].iloc[0]
    assert s["n_favor"].iloc[1] == 2                        # "not only" is no negation
    assert "reckless(+, negated)" in s["cues"].iloc[2]      # scope ends at the comma
    assert "necessary(+)" in s["cues"].iloc[2]
    assert "necessary(+)" in s["cues"].iloc[3]              # scope of "cannot" ends at ";"
    assert s["cues"].iloc[4] == "dangerous(+, negated)"     # "cannot" negates
    assert s["cues"].iloc[5] == "cannot afford(+)"          # a negator inside a cue is no flip


def test_cues_attach_by_clause_or_window():
    text = "The weather in Osaka was dangerous and stormy yesterday, said a man who later joined the Self-Defense Forces."
    near = score_ra(corpus_of(text), unit="sentence", window=20)
    far = score_ra(corpus_of(text), unit="sentence", window=8)
    # "dangerous" is 10 tokens before "self" and in another clause
    assert near["label"].tolist() == ["against"]
    assert far["label"].tolist() == ["none"] and far["score"].tolist() == [0.0]


def test_document_level_hand_checked_ci_and_explicit_empty_rows():
    c = corpus_of(TEXT, "The weather was fine.", "Japan must strengthen its Self-Defense Forces.",
                  ids=["a", "b", "c"])
    d = score_ra(c, n_boot=4000, random_state=0)
    assert d["id"].tolist() == ["a", "b", "c"]
    a, b, cc = (d.iloc[i] for i in range(3))
    # a: scores {+1, -1}: mean 0; bootstrap means are -1, 0, 1 with P(-1) = 1/4 > 2.5%
    assert a["stance"] == 0 and a["ci_low"] == -1 and a["ci_high"] == 1 and a["n_sentences"] == 2
    assert a["ci_basis"] == "sentences"
    assert b["n_sentences"] == 0 and np.isnan(b["stance"]) and b["ci_basis"] == "no target sentences"
    assert cc["stance"] == 1 and cc["ci_basis"] == "single sentence" and np.isnan(cc["ci_low"])
    assert (d["method"] == "lexicon").all()


def test_bootstrap_is_deterministic_and_within_bounds():
    c = corpus_of(TEXT + " Japan should expand its defense budget. Critics fear militarism in the SDF.")
    d1 = score_ra(c, random_state=3, n_boot=500)
    d2 = score_ra(c, random_state=3, n_boot=500)
    pd.testing.assert_frame_equal(d1, d2)
    r = d1.iloc[0]
    assert -1 <= r["ci_low"] <= r["stance"] <= r["ci_high"] <= 1
    assert r["stance"] == pytest.approx(np.mean([1, -1, 1, -1]))


def test_bad_parameters_are_named():
    c = corpus_of(TEXT)
    with pytest.raises(ck.ParameterError, match="method='vader'"):
        score_ra(c, method="vader")
    with pytest.raises(ck.ParameterError, match="unit='paragraph'"):
        score_ra(c, unit="paragraph")
    with pytest.raises(ck.ParameterError, match="n_boot=0"):
        score_ra(c, n_boot=0)
    with pytest.raises(ck.ParameterError, match="needs labels="):
        score_ra(c, method="classifier", model=lexicon_pipeline())


# ---------------------------------------------------------------------------- classifier stance
TRAIN = pd.DataFrame({"sentence": ["Japan must strengthen its forces", "rearmament is necessary and right",
                                   "rearmament is dangerous and provocative", "the buildup is a reckless danger",
                                   "the report was published today", "the meeting took place in Tokyo"],
                      "label": ["favor", "favor", "against", "against", "none", "none"]})


def test_classifier_score_is_p_favor_minus_p_against():
    c = corpus_of(TEXT)
    s = score_ra(c, method="classifier", unit="sentence", model=lexicon_pipeline(), labels=TRAIN)
    ref = lexicon_pipeline().fit(TRAIN["sentence"].tolist(), TRAIN["label"].tolist())
    P = ref.predict_proba(s["text"].tolist())
    cl = list(ref.classes_)
    np.testing.assert_allclose(s["score"], P[:, cl.index("favor")] - P[:, cl.index("against")])
    assert s["label"].tolist() == list(ref.predict(s["text"].tolist()))
    d = score_ra(c, method="classifier", model=lexicon_pipeline(), labels=TRAIN, random_state=0)
    assert d["stance"].iloc[0] == pytest.approx(s["score"].mean()) and (d["method"] == "classifier").all()


def test_classifier_labels_outside_the_set_are_named():
    bad = TRAIN.assign(label=["favor", "pro", "against", "against", "none", "none"])
    with pytest.raises(st.GoldError, match=r"labels, row 2: label 'pro' is not one of favor, against, none"):
        score_ra(corpus_of(TEXT), method="classifier", model=lexicon_pipeline(), labels=bad)


def test_cross_fit_never_scores_a_sentence_with_a_model_trained_on_it(seeds):
    gold = st.read_gold(ck_root() / "seeds" / "annotations" / "gold.csv")
    cf = cross_fit_ra(seeds, gold, model=lexicon_pipeline(), groups="id")
    assert (cf["fold"] >= 0).all()               # every target sentence of the seeds is coded
    assert cf.groupby("id")["fold"].nunique().eq(1).all()   # groups="id": one fold per article
    # recompute one article's scores from a model that never saw that article
    held = cf["id"].iloc[0]
    train = gold[gold["id"] != held]
    ref = lexicon_pipeline().fit(train["sentence"].tolist(), train["label"].tolist())
    sub = cf[cf["id"] == held]
    P = ref.predict_proba(sub["text"].tolist())
    cl = list(ref.classes_)
    pa = P[:, cl.index("against")] if "against" in cl else 0
    np.testing.assert_allclose(sub["score"], P[:, cl.index("favor")] - pa)
    doc = cross_fit_ra(seeds, gold, model=lexicon_pipeline(), unit="document", random_state=0)
    assert len(doc) == 5 and doc["n_sentences"].gt(0).all()


def test_cross_fit_stratified_folds_are_deterministic(seeds):
    gold = st.read_gold(ck_root() / "seeds" / "annotations" / "gold.csv")
    a = cross_fit_ra(seeds, gold, model=lexicon_pipeline(), groups=None, random_state=1)
    b = cross_fit_ra(seeds, gold, model=lexicon_pipeline(), groups=None, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    assert "a class has one sentence" in a.attrs["corpuskit"]["folds"]  # one 'against' in the seeds' gold


def ck_root():
    import pathlib
    return pathlib.Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------- agreement
def test_agreement_hand_computed_and_matches_sklearn():
    from sklearn.metrics import cohen_kappa_score, f1_score
    g = ["favor", "favor", "against", "none", "none", "none"]
    p = ["favor", "against", "against", "none", "none", "favor"]
    a = st.agreement(g, p)
    # p_o = 4/6; marginals gold (2,1,3), predicted (2,2,2): p_e = (4 + 2 + 6) / 36 = 1/3
    assert a["accuracy"] == pytest.approx(4 / 6)
    assert a["kappa"] == pytest.approx((4 / 6 - 1 / 3) / (1 - 1 / 3)) == pytest.approx(0.5)
    assert a["kappa"] == pytest.approx(cohen_kappa_score(g, p))
    # F1: favor .5, against 2/3, none .8
    assert a["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0.8) / 3)
    assert a["macro_f1"] == pytest.approx(f1_score(g, p, average="macro"))
    assert a["confusion"].loc["none", "favor"] == 1 and a["confusion"].to_numpy().sum() == 6


def test_kappa_published_example():
    # Cohen's kappa worked example (Wikipedia, "Cohen's kappa"): 50 proposals, Yes/Yes 20, Yes/No 5,
    # No/Yes 10, No/No 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4
    g = ["favor"] * 25 + ["none"] * 25
    p = ["favor"] * 20 + ["none"] * 5 + ["favor"] * 10 + ["none"] * 15
    assert st.agreement(g, p)["kappa"] == pytest.approx(0.4)


def test_agreement_errors_and_undefined_kappa():
    with pytest.raises(ck.ParameterError, match="gold has 2 labels, predicted 1"):
        st.agreement(["favor", "none"], ["none"])
    with pytest.raises(st.GoldError, match=r"predicted, row 2: label 'neutral'"):
        st.agreement(["favor", "none"], ["favor", "neutral"])
    with pytest.warns(UserWarning, match="kappa is undefined"):
        a = st.agreement(["none", "none"], ["none", "none"])
    assert np.isnan(a["kappa"]) and a["accuracy"] == 1


# ---------------------------------------------------------------------------- gold helpers
GOLD_HEADER = "id,start,end,sentence_hash,sentence,label,rationale\n"


def gold_row(id_, start, end, text, label, rationale="r"):
    return f'{id_},{start},{end},{st.sentence_hash(text)},"{text}",{label},{rationale}\n'


def test_sentence_hash_is_sha1_of_normalized_whitespace():
    assert st.sentence_hash("Japan  re-arms.\n") == hashlib.sha1(b"Japan re-arms.").hexdigest()


def test_read_gold_errors_name_file_line_column_value(tmp_path):
    p = tmp_path / "gold.csv"
    p.write_text(GOLD_HEADER + gold_row("a", 0, 5, "Japan", "favor") + gold_row("a", 6, 9, "abc", "pro"),
                 encoding="utf-8")
    with pytest.raises(st.GoldError) as e:
        st.read_gold(p)
    assert str(p) in str(e.value) and "line 3" in str(e.value) and "column label" in str(e.value) and "'pro'" in str(e.value)
    p.write_text(GOLD_HEADER + gold_row("a", 5, 5, "Japan", "favor"), encoding="utf-8")
    with pytest.raises(st.GoldError, match=r"line 2: start 5 >= end 5"):
        st.read_gold(p)
    p.write_text(GOLD_HEADER + gold_row("a", "x", 5, "Japan", "favor"), encoding="utf-8")
    with pytest.raises(st.GoldError, match=r"line 2, column start: 'x'"):
        st.read_gold(p)
    p.write_text(GOLD_HEADER + gold_row("a", 0, 5, "Japan", "favor") * 2, encoding="utf-8")
    with pytest.raises(st.GoldError, match="already coded on line 2"):
        st.read_gold(p)
    p.write_text("id,start,end,sentence,label\n", encoding="utf-8")
    with pytest.raises(st.GoldError, match="line 1: missing column.*sentence_hash"):
        st.read_gold(p)


def test_check_and_attach_gold_survive_resplitting(tmp_path):
    c = corpus_of(TEXT, ids=["a"])
    sents = ck.sentences(c)
    s0, s2 = sents.iloc[0], sents.iloc[2]
    p = tmp_path / "gold.csv"
    # row 1 anchored by span; row 2 with a stale span but the right hash; row 3 neither
    p.write_text(GOLD_HEADER + gold_row("a", s0.raw_start, s0.raw_end, s0.text, "favor")
                 + gold_row("a", s2.raw_start - 1, s2.raw_end - 1, s2.text, "against")
                 + gold_row("a", 0, 3, "Not in the text.", "none"), encoding="utf-8")
    gold = st.read_gold(p)
    chk = st.check_gold(gold, c)
    assert chk["status"].tolist() == ["ok", "hash mismatch", "hash mismatch"]
    with pytest.raises(st.GoldError, match=r"line 3: id 'a' span .*hash mismatch"):
        st.check_gold(gold, c, strict=True)
    att = st.attach_gold(sents, gold)
    assert att["gold_label"].tolist()[0] == "favor" and att["gold_label"].tolist()[2] == "against"
    assert att["gold_matched_by"].tolist() == ["span", "unmatched", "hash"]
    assert att["gold_label"].isna().tolist() == [False, True, False]


def test_sample_for_coding_largest_remainder_allocation():
    df = pd.DataFrame({"id": list("aaaaaabbbc"), "text": [f"s{i}" for i in range(10)],
                       "raw_start": range(0, 100, 10), "raw_end": range(5, 105, 10)})
    s = st.sample_for_coding(df, 5, by="id", random_state=0)
    # quotas 3, 1.5, 0.5 -> floors 3, 1, 0; the spare unit goes to the first largest remainder (b)
    assert s["id"].value_counts().to_dict() == {"a": 3, "b": 2}
    assert list(s.columns[:7]) == ["id", "start", "end", "sentence_hash", "sentence", "label", "rationale"]
    assert s["sentence"].isin(df["text"]).all() and not s["sentence"].duplicated().any()
    pd.testing.assert_frame_equal(s, st.sample_for_coding(df, 5, by="id", random_state=0))
    assert len(st.sample_for_coding(df, 50, by=None, random_state=0)) == 10
    with pytest.raises(ck.ParameterError, match="by='topic' is not a column"):
        st.sample_for_coding(df, 5, by="topic")


def test_sample_for_coding_equal_allocation_caps_small_strata_and_records_weights():
    # strata of 6, 3 and 1 sentences; 6 equal shares of 2 each, but c holds 1: b and a share its spare
    df = pd.DataFrame({"era": list("aaaaaabbbc"), "id": list("xxxxxxyyyz"), "text": [f"s{i}" for i in range(10)],
                       "raw_start": range(0, 100, 10), "raw_end": range(5, 105, 10)})
    s = st.sample_for_coding(df, 6, by="era", allocation="equal", random_state=0)
    assert s["era"].value_counts().sort_index().to_dict() == {"a": 3, "b": 2, "c": 1}
    # weight = stratum size / drawn: a 6/3, b 3/2, c 1/1; weighted counts give the stratum sizes back
    assert s.groupby("era")["weight"].first().to_dict() == {"a": 2.0, "b": 1.5, "c": 1.0}
    assert s["weight"].sum() == len(df)
    p = st.sample_for_coding(df, 5, by="era", random_state=0)
    assert p["era"].value_counts().sort_index().to_dict() == {"a": 3, "b": 2}
    with pytest.raises(ck.ParameterError, match="allocation='even'"):
        st.sample_for_coding(df, 5, by="era", allocation="even")


def test_negation_scope_reproduces_nltk_mark_negation_example():
    # nltk.sentiment.util.mark_negation docstring: "I didn't like this movie . It was bad ."
    # -> like_NEG this_NEG movie_NEG, and the scope ends at the full stop
    c = corpus_of("I didn't like this movie. It was bad.")
    stream = lexicon.TargetTokens(ck.tokens(c), st.load_target(["movie", "bad"]))
    neg = lexicon._negated(stream, stream.rows)
    words = stream.vocab[stream.codes]
    assert words[neg].tolist() == ["like", "this", "movie"]


def test_seed_document_stance_and_plot(seeds):
    import matplotlib
    matplotlib.use("Agg")
    from corpuskit.plots import plot_stance

    d = score_ra(seeds, random_state=0, n_boot=500)
    assert d["id"].tolist() == ["000", "001", "002", "003", "004"]
    assert d["n_sentences"].gt(0).all() and (d["ci_basis"] == "sentences").all()
    assert ((d["ci_low"] <= d["stance"]) & (d["stance"] <= d["ci_high"])).all()
    assert d["stance"].between(-1, 1).all()
    fig = plot_stance(d)
    assert len(fig.axes[0].lines) + len(fig.axes[0].collections) > 0


def test_cross_fit_with_the_default_classifier_is_deterministic_for_a_random_state():
    import warnings

    import corpuskit as ck
    from conftest import ROOT
    corpus = ck.load_corpus(ROOT / "seeds")
    gold = ck.read_gold(ROOT / "seeds" / "annotations" / "gold.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one 'against' example: the classifier warns, as it should
        a = cross_fit_ra(corpus, gold, random_state=3)
        b = cross_fit_ra(corpus, gold, random_state=3)
    assert a["score"].tolist() == b["score"].tolist() and len(a) > 0


def test_score_stance_in_the_streamed_pass_reads_each_chunks_tokens(seeds):
    # scan hands each chunk's Tokens to the scorer: the chunks' sentence tables make the whole one
    _, out = scan(seeds, {"stance": functools.partial(score_ra, unit="sentence")}, chunk_size=2, n_jobs=1)
    pd.testing.assert_frame_equal(out["stance"], score_ra(seeds, unit="sentence"))
    assert len(out["stance"]) == 78


def test_no_default_lexicon_every_entry_point_names_what_to_pass():
    # the packaged rearmament lexicons are used only when asked for by name: no call scores a corpus with them
    c = corpus_of(TEXT)
    calls = {"target": [lambda: st.score_stance(c), lambda: st.target_sentences(c), lambda: st.load_target(),
                        lambda: st.load_target(None), lambda: st.cross_fit_stance(c, pd.DataFrame())],
             "cues": [lambda: st.score_stance(c, target="rearmament"), lambda: st.load_cues(None)]}
    for param, fns in calls.items():
        for fn in fns:
            with pytest.raises(ck.ParameterError) as err:
                fn()
            msg = str(err.value)
            assert "\n" not in msg and msg.startswith(f"{param}=None:") and f"{param}='rearmament'" in msg, msg
    # the classifier needs a target but no cues
    s = st.score_stance(c, method="classifier", unit="sentence", target="rearmament", model=lexicon_pipeline(),
                        labels=TRAIN)
    assert len(s) > 0
