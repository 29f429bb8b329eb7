"""Frame dictionaries (loading, errors), frame scores (hand-checked counting rules), prevalence over periods."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit import frames as F
from corpuskit.errors import ParameterError
from corpuskit.dictionary import Dictionary, DictionaryError, load_dictionary
from corpuskit.frames import frame_prevalence, frame_terms, score_frames
from corpuskit.periods import assign_periods, period_shares
from corpuskit.tokenizer import Matcher, Pattern, sentences, tokenize

REQUIRED = ["threat.china", "threat.north_korea", "threat.russia", "alliance_us_umbrella",
            "constitutional_pacifist_constraint", "capability_budget_deployment", "taiwan_contingency",
            "regional_partnerships", "deterrence"]


# ---------------------------------------------------------------------------- the packaged dictionary
def test_packaged_dictionary_is_documented_and_substantial():
    d = load_dictionary("rearmament")
    assert d is not None and d.name == "rearmament_frames" and re.fullmatch(r"\d+\.\d+\.\d+", d.version)
    assert d.description and d.author
    for field in ("matching", "overlap"):
        assert len(d.meta[field]) > 100
    assert "two frames" in d.meta["overlap"]
    for f in REQUIRED:
        assert f in d
    s = d.summary().set_index("frame")
    # Tens of entries per frame, with multiword phrases and globs: a measure, not a handful of keywords.
    assert (s["n_entries"] >= 30).all(), s["n_entries"]
    assert (s["n_phrases"] >= 10).all()
    assert s["n_globs"].sum() > 50
    assert all(s["description"].str.len() > 20)
    entries = set(d.to_frame()["tokens"])
    for e in ["nuclear umbrella", "article 9", "self defen?e forc*", "counterattack capabilit*", "two plus two",
              "first island chain"]:
        assert e in entries, e
    dup = d.duplicates()
    assert set(dup["tokens"]) == {"extended deterrence", "collective self defen?e"}
    assert (dup["n_frames"] == 2).all()
    assert load_dictionary("rearmament").keys() == d.keys()


def test_collapse_merges_subframes_like_quanteda_levels():
    d = load_dictionary("rearmament")
    c = d.collapse(1)
    assert c.keys()[0] == "threat" and "threat.china" not in c
    n_threat = sum(len(d[k]) for k in d.keys() if k.startswith("threat."))
    assert len(c["threat"]) <= n_threat and len(c["threat"]) > 100
    assert c.keys()[1:] == [k for k in d.keys() if not k.startswith("threat.")]


def test_sotu_dictionary_loads():
    from conftest import ROOT
    d = load_dictionary(ROOT / "notebooks" / "data" / "sotu_defense_frames.yml")
    assert d.name == "sotu_defense_frames" and d.version
    for f in ["military_strength", "alliances_collective_security", "peace_disarmament", "defense_cost_economy",
              "japan.war", "japan.occupation", "japan.ally", "japan.trade"]:
        assert f in d
    assert any(k.startswith("threat.") for k in d.keys())
    assert d.n_entries > 300


# ---------------------------------------------------------------------------- loading formats
QUANTEDA_YAML = """\
economy:
  positive:
    - growth
    - job creation
  negative: [recession*, unemploy*]
security:
  - nuclear umbrella
  - deterr*
"""


def test_quanteda_style_yaml_loads_as_is(tmp_path):
    p = tmp_path / "q.yml"
    p.write_text(QUANTEDA_YAML)
    d = load_dictionary(p)
    assert d.keys() == ["economy.positive", "economy.negative", "security"]
    assert d["economy.positive"] == ("growth", "job creation")
    assert d["economy.negative"] == ("recession*", "unemploy*")
    assert d.collapse(1)["economy"] == ("growth", "job creation", "recession*", "unemploy*")


def test_corpuskit_yaml_format_with_header_and_nesting(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("name: mine\nversion: '2.1'\nauthor: me\ndescription: test\nframes:\n"
                 "  threat:\n    description: danger\n    china:\n      entries: [chinese military]\n"
                 "  deterrence:\n    entries:\n      - deterr*\n")
    d = load_dictionary(p)
    assert (d.name, d.version, d.author) == ("mine", "2.1", "me")
    assert d.keys() == ["threat.china", "deterrence"]
    assert d.description_of("threat.china") == "danger"


def test_csv_and_dict_dictionaries(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("frame,pattern,note\nalliance,nuclear umbrella,x\nalliance,us-japan alliance,\nthreat,threat*,\n")
    d = load_dictionary(p)
    assert d.to_dict() == {"alliance": ["nuclear umbrella", "us-japan alliance"], "threat": ["threat*"]}
    assert load_dictionary({"a": ["x y"], "b": {"c": ["z*"]}}).keys() == ["a", "b.c"]
    assert load_dictionary({"name": "n", "frames": {"a": {"entries": ["x"]}}}).name == "n"
    assert load_dictionary(d) is d


# ---------------------------------------------------------------------------- errors name file and line
def _write(tmp_path, text, name="bad.yml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_malformed_yaml_names_file_and_line(tmp_path):
    p = _write(tmp_path, "threat:\n  - threat*\n  - [unclosed\nalliance:\n  - ally\n")
    with pytest.raises(DictionaryError, match=r"bad\.yml, line [3-4].*malformed YAML"):
        load_dictionary(p)
    p = _write(tmp_path, "threat:\n  - a\n bad: indentation\n")
    with pytest.raises(DictionaryError, match=r"bad\.yml, line 3"):
        load_dictionary(p)


def test_non_string_entry_names_file_line_frame_and_value(tmp_path):
    p = _write(tmp_path, "constraint:\n  - pacifis*\n  - 9\n")
    with pytest.raises(DictionaryError) as e:
        load_dictionary(p)
    msg = str(e.value)
    assert "bad.yml, line 3" in msg and "'constraint'" in msg and "9" in msg and "not a string" in msg
    p = _write(tmp_path, "a:\n  - yes\n")
    with pytest.raises(DictionaryError, match=r"line 2.*'a'.*yes.*not a string"):
        load_dictionary(p)
    p = _write(tmp_path, "a:\n  - ok\n  -\n")
    with pytest.raises(DictionaryError, match=r"line 3.*null"):
        load_dictionary(p)


def test_entry_without_word_characters(tmp_path):
    p = _write(tmp_path, "a:\n  - fine\nb:\n  - '***'\n")
    with pytest.raises(DictionaryError, match=r"bad\.yml, line 4: frame 'b': entry '\*\*\*' has no word characters"):
        load_dictionary(p)
    with pytest.raises(DictionaryError, match=r"key 'x'.*'--'.*no word characters"):
        Dictionary({"x": ["--"]})


def test_empty_frames_and_empty_dictionaries(tmp_path):
    with pytest.raises(DictionaryError, match=r"bad\.yml, line 3: frame 'b' has no entries"):
        load_dictionary(_write(tmp_path, "a: [x]\n\nb: []\n"))
    with pytest.raises(DictionaryError, match=r"line 1: frame 'a' has no entries"):
        load_dictionary(_write(tmp_path, "a:\nb: [x]\n"))
    with pytest.raises(DictionaryError, match=r"bad\.yml: the frame dictionary is empty \(no frames\)"):
        load_dictionary(_write(tmp_path, "# nothing here\n"))
    with pytest.raises(DictionaryError, match="empty"):
        load_dictionary({})
    with pytest.raises(DictionaryError, match="empty"):
        Dictionary({})
    with pytest.raises(DictionaryError, match=r"line 4: frame 'a' has both 'entries' and sub-frames"):
        load_dictionary(_write(tmp_path, "name: x\nframes:\n  a:\n    entries: [x]\n    sub:\n      entries: [y]\n"
                               .replace("  a:\n    entries", "\n  a:\n    entries")))


def test_duplicate_key_and_duplicate_entry(tmp_path):
    with pytest.raises(DictionaryError, match=r"line 3: key 'a' appears twice.*line 1"):
        load_dictionary(_write(tmp_path, "a: [x]\nb: [y]\na: [z]\n"))
    with pytest.warns(UserWarning, match=r"line 3: frame 'a': entry 're-arm' repeats 'rearm'"):
        d = load_dictionary(_write(tmp_path, "a:\n  - rearm\n  - re-arm\n"))
    assert d["a"] == ("rearm",)


def test_csv_errors_name_file_and_line(tmp_path):
    with pytest.raises(DictionaryError, match=r"d\.csv, line 3: frame 'a': the pattern is empty"):
        load_dictionary(_write(tmp_path, "frame,pattern\na,x\na,\n", "d.csv"))
    with pytest.raises(DictionaryError, match=r"d\.csv, line 1: the header needs columns 'frame' and 'pattern'"):
        load_dictionary(_write(tmp_path, "category,word\na,x\n", "d.csv"))
    with pytest.raises(DictionaryError, match=r"d\.csv.*empty"):
        load_dictionary(_write(tmp_path, "frame,pattern\n", "d.csv"))
    with pytest.raises(DictionaryError, match=r"d\.csv, line 2: the frame is empty"):
        load_dictionary(_write(tmp_path, "frame,pattern\n,x\n", "d.csv"))


def test_missing_file_and_bad_type():
    with pytest.raises(DictionaryError, match="nope.yml.*no such file"):
        load_dictionary("nope.yml")
    with pytest.raises(ParameterError, match="source=int"):
        load_dictionary(3)


# ---------------------------------------------------------------------------- counting, by hand
@pytest.fixture
def tiny():
    return ck.Corpus.from_records([
        {"id": "a", "date": "2020", "text": "The US nuclear umbrella and extended deterrence hold. "
                                            "Chinese aircraft carriers sail near the islands."},
        {"id": "b", "date": "2020", "text": "Self-Defense Forces deploy. The nuclear. Umbrella talks failed."},
    ])


TINY_DICT = {"alliance": ["nuclear umbrella", "extended deterrence", "umbrella"],
             "deterrence": ["extended deterrence", "deterr*"],
             "threat": ["chinese aircraft carrier*"],
             "capability": ["aircraft carrier*", "self-defense forc*", "defense forces", "deploy*"]}


def test_counting_rules_by_hand(tiny):
    c = score_frames(tiny, TINY_DICT, per=None).set_index("id")
    # a: "nuclear umbrella" (1; nested "umbrella" not again) + "extended deterrence" (1) = 2 alliance hits;
    #    "extended deterrence" also counts for deterrence (listed under both frames: once for EACH frame),
    #    and its nested "deterr*" is not counted again; "chinese aircraft carriers" is a threat hit and,
    #    being longer, beats the nested capability entry "aircraft carrier*".
    assert c.loc["a", ["alliance", "deterrence", "threat", "capability"]].tolist() == [2, 1, 1, 0]
    # b: "self defense forces" (1, nested "defense forces" not again) + "deploy" = 2 capability hits;
    #    "nuclear. Umbrella" is split by a sentence boundary: only the bare "umbrella" entry matches.
    assert c.loc["b", ["alliance", "deterrence", "threat", "capability"]].tolist() == [1, 0, 0, 2]
    assert c.loc["a", "n_tokens"] == len(tokenize(tiny["a"].text)) == 15
    # quanteda's default scope: longest match only within each frame -> the capability entry counts too.
    k = score_frames(tiny, TINY_DICT, nested_scope="frame", per=None).set_index("id")
    assert k.loc["a", "capability"] == 1 and k.loc["a", "threat"] == 1


def test_rates_per_thousand_tokens(tiny):
    r = score_frames(tiny, TINY_DICT).set_index("id")
    assert r.loc["a", "alliance"] == pytest.approx(2 / 15 * 1000)
    assert list(r.columns[:4]) == ["date", "date_mid", "year", "n_tokens"]
    assert r.attrs["corpuskit"]["per"] == 1000 and r.attrs["corpuskit"]["frames"] == list(TINY_DICT)
    per100 = score_frames(tiny, TINY_DICT, per=100).set_index("id")
    assert per100.loc["b", "capability"] == pytest.approx(2 / len(tokenize(tiny["b"].text)) * 100)


def test_frame_terms_by_hand(tiny):
    t = frame_terms(tiny, TINY_DICT, include_unmatched=False)
    row = t[(t["frame"] == "threat")].iloc[0]
    assert (row["entry"], row["match"], row["count"], row["n_docs"]) == (
        "chinese aircraft carrier*", "chinese aircraft carriers", 1, 1)
    assert not ((t["frame"] == "capability") & (t["entry"] == "aircraft carrier*")).any()
    assert t["matched"].all()
    u = frame_terms(tiny, TINY_DICT, frame="capability")  # entries without hits are rows by default
    assert set(u["frame"]) == {"capability"}
    row = u[u["entry"] == "aircraft carrier*"].iloc[0]
    # its only match went to the longer "chinese aircraft carrier*" of threat: it matched, counts 0
    assert row["count"] == 0 and bool(row["matched"]) and row["match"] is pd.NA
    with pytest.raises(ParameterError, match="frame='nope'"):
        frame_terms(tiny, TINY_DICT, frame="nope")


def test_engine_equals_pattern_find_on_every_sentence(seeds):
    """The numpy matcher finds what corpuskit.tokenizer.Pattern.find finds, minus matches across sentences."""
    d = load_dictionary("rearmament")
    tk = ck.tokens(seeds)
    m = tk.matcher()
    doc_start = tk.doc_ptr[:-1]
    doc_tokens = tk.to_lists()
    n_checked = 0
    for _, _, words, entry in d.compiled():
        got = m.find(words)
        ref = []
        for i, toks in enumerate(doc_tokens):
            for a, b in Pattern(entry).find(toks):
                s, e = doc_start[i] + a, doc_start[i] + b - 1
                if tk.sent[s] == tk.sent[e]:  # (the sentence-boundary rule itself is tested by hand above)
                    ref.append(s)
        assert got.tolist() == sorted(ref), entry
        n_checked += len(ref)
    assert n_checked > 200


def test_sentence_counts_add_up_to_documents(seeds):
    docs = score_frames(seeds, "rearmament", per=None)
    sents = score_frames(seeds, "rearmament", unit="sentence", per=None)
    frames = load_dictionary("rearmament").keys()
    summed = sents.groupby("id")[frames + ["n_tokens"]].sum()
    assert (summed.loc[docs["id"]].to_numpy() == docs.set_index("id")[frames + ["n_tokens"]].to_numpy()).all()
    assert docs["n_tokens"].tolist() == [len(tokenize(t)) for t in seeds.iter_texts()]
    ref = sentences(seeds)
    merged = sents.merge(ref, on=["id", "sentence"], how="left", suffixes=("", "_ref"))
    assert (merged["start"] == merged["start_ref"]).all() and (merged["end"] == merged["end_ref"]).all()


def test_seed_scores_shape_and_determinism(seeds):
    a = score_frames(seeds, "rearmament")
    b = score_frames(seeds, "rearmament")
    pd.testing.assert_frame_equal(a, b)
    assert a["id"].tolist() == ["000", "001", "002", "003", "004"]
    assert list(a.columns[5:]) == load_dictionary("rearmament").keys()
    assert not a.isna().any().any()
    assert (a.iloc[:, 5:].sum(axis=1) > 0).all()


def test_score_frames_errors(tiny):
    with pytest.raises(ParameterError, match="unit='paragraph'"):
        score_frames(tiny, TINY_DICT, unit="paragraph")
    with pytest.raises(ParameterError, match="per=0"):
        score_frames(tiny, TINY_DICT, per=0)
    with pytest.raises(ParameterError, match="'year'.*collide"):
        score_frames(tiny, {"year": ["x"]})
    with pytest.raises(ParameterError, match="nested_scope='key'"):
        score_frames(tiny, TINY_DICT, nested_scope="key")
    with pytest.raises(ParameterError, match="corpus=list"):
        score_frames(["text"], TINY_DICT)


# ---------------------------------------------------------------------------- prevalence
@pytest.fixture
def periods_corpus():
    return ck.Corpus.from_records([
        {"id": "p1", "date": "2000-03", "text": "A threat grows. Deterrence holds. Another threat."},
        {"id": "p2", "date": "2000-09", "text": "Deterrence works. Deterrence again."},
        # 2001: no documents
        {"id": "p3", "date": "2002", "text": "The threat is real. Deterrence is weak. A threat. A threat."},
        {"id": "p4", "date": "2003", "text": "Nothing to see here. Nothing at all."},
    ])


PDICT = {"threat": ["threat*"], "deterrence": ["deterr*"]}


def test_prevalence_by_hand_and_every_kind_of_period(periods_corpus):
    p = frame_prevalence(periods_corpus, by="year", dictionary=PDICT, random_state=1, n_boot=500)
    assert p["period"].unique().tolist() == ["2000", "2001", "2002", "2003"]
    y = p.set_index(["period", "frame"])
    # 2000: two documents; threat 2 hits, deterrence 1 + 2 = 3 hits -> shares 2/5, 3/5; documents resampled.
    assert y.loc[("2000", "threat"), "share"] == pytest.approx(2 / 5)
    assert y.loc[("2000", "deterrence"), "share"] == pytest.approx(3 / 5)
    assert y.loc[("2000", "threat"), "ci_basis"] == "documents" and y.loc[("2000", "threat"), "n_docs"] == 2
    assert (y.loc[("2000", "threat"), "hits"], y.loc[("2000", "threat"), "n_hits"]) == (2, 5)
    # 2001: no documents -> explicit row, NaN, note.
    r = y.loc[("2001", "threat")]
    assert r["n_docs"] == 0 and np.isnan(r["share"]) and r["note"] == "no documents in this period"
    # 2002: one document -> its sentences are resampled (4 sentences), 3/4 threat.
    r = y.loc[("2002", "threat")]
    assert r["share"] == pytest.approx(3 / 4) and r["ci_basis"] == "units" and r["n_units"] == 4
    assert r["ci_low"] <= r["share"] <= r["ci_high"] and r["ci_low"] < r["ci_high"]
    assert "sentences" in r["note"]
    # 2003: a document without any frame hit: share undefined (NaN), and the note says why.
    r = y.loc[("2003", "threat")]
    assert r["n_docs"] == 1 and r["n_hits"] == 0 and np.isnan(r["share"])
    assert r["note"].startswith("no frame hits")
    # no NaN share without a note
    assert (p.loc[p["share"].isna(), "note"].str.len() > 0).all()
    with_hits = p[p["n_hits"] > 0].groupby("period")["share"].sum()
    assert np.allclose(with_hits, 1.0)


def test_prevalence_reuses_period_shares_and_is_deterministic(periods_corpus):
    s = score_frames(periods_corpus, PDICT, unit="sentence", per=None)
    a = frame_prevalence(s, by="year", random_state=7, n_boot=300)
    b = frame_prevalence(s, by="year", random_state=7, n_boot=300)
    pd.testing.assert_frame_equal(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bootstrap columns of the hitless period
        ref = period_shares(s[["threat", "deterrence"]].to_numpy(float), s["id"].astype(str).to_numpy(),
                            assign_periods(s["date"], "year"), ["threat", "deterrence"], n_boot=300, random_state=7)
    assert np.allclose(a["share"], ref["share"], equal_nan=True)
    assert np.allclose(a["ci_low"], ref["ci_low"], equal_nan=True)
    # rates (per 1000) give the same table as counts: counts are recovered exactly
    r = frame_prevalence(score_frames(periods_corpus, PDICT, unit="sentence"), by="year", random_state=7, n_boot=300)
    pd.testing.assert_frame_equal(a, r)


def test_prevalence_from_document_scores_says_when_no_ci(periods_corpus):
    d = score_frames(periods_corpus, PDICT)
    p = frame_prevalence(d, by="year", random_state=0).set_index(["period", "frame"])
    r = p.loc[("2002", "threat")]
    assert r["ci_basis"] == "none" and np.isnan(r["ci_low"]) and "score per sentence" in r["note"]
    assert r["share"] == pytest.approx(3 / 4)


def test_prevalence_errors(periods_corpus):
    d = score_frames(periods_corpus, PDICT)
    bare = pd.DataFrame(d.to_dict("list"))
    assert bare.attrs == {}
    with pytest.raises(ParameterError, match="per='auto'"):
        frame_prevalence(bare)
    ok = frame_prevalence(bare, per=1000, random_state=0)
    assert set(ok["frame"]) == {"threat", "deterrence"}
    with pytest.raises(ParameterError, match="n_boot=0"):
        frame_prevalence(d, n_boot=0)
    with pytest.raises(ParameterError, match="dictionary="):
        frame_prevalence(d, dictionary=PDICT)
    with pytest.raises(ParameterError, match="by='fortnight'"):
        frame_prevalence(d, by="fortnight")


def test_seed_prevalence(seeds):
    p = frame_prevalence(seeds, dictionary="rearmament", by="year", random_state=0, n_boot=200)
    per_year = p.groupby("period").first()
    assert per_year.loc["2006", "ci_basis"] == "units" and per_year.loc["2021", "ci_basis"] == "documents"
    assert per_year.loc["2022", "n_docs"] == 0
    assert set(p["frame"]) == set(load_dictionary("rearmament").keys())


def test_no_default_dictionary_every_entry_point_names_what_to_pass(tiny):
    # like quanteda's dfm_lookup, frame scoring needs a dictionary; the packaged one is asked for by name
    calls = {"source": [lambda: load_dictionary(), lambda: load_dictionary(None)],
             "dictionary": [lambda: score_frames(tiny), lambda: frame_terms(tiny), lambda: frame_prevalence(tiny),
                            lambda: score_frames(tiny, None, unit="sentence")]}
    for param, fns in calls.items():
        for fn in fns:
            with pytest.raises(ParameterError) as err:
                fn()
            msg = str(err.value)
            assert "\n" not in msg and msg.startswith(f"{param}=None:") and f"{param}='rearmament'" in msg, msg
    assert score_frames(tiny, "rearmament").attrs["corpuskit"]["dictionary"] == load_dictionary("rearmament").name


def test_an_entry_that_matches_nothing_is_warned_and_listed(tiny):
    d = {"alliance": ["umbrella", "umbrela"], "migration": ["^immig.*"]}
    with pytest.warns(UserWarning, match=r"key 'migration': pattern '\^immig\.\*' looks like a regular "
                                         r"expression.*valuetype='regex'"):
        dd = ck.Dictionary(d, source="my.yml")
    with pytest.warns(UserWarning, match=r"score_frames: 2 of 3 entries of the dictionary match nothing in these "
                                         r"\d+ documents: alliance: 'umbrela' \(my.yml, entry 2\); migration"):
        score_frames(tiny, dd)
    with pytest.warns(UserWarning, match="frame_terms: 2 of 3 entries"):
        t = frame_terms(tiny, dd)
    gone = t[~t["matched"]]
    assert gone["entry"].tolist() == ["umbrela", "^immig.*"] and (gone["count"] == 0).all()
    assert gone["match"].isna().all() and t.loc[t["matched"], "count"].gt(0).all()
    # the same entry read as a regex matches, and nothing is warned
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rx = ck.Dictionary({"alliance": ["^umbrel"]}, valuetype="regex")
        assert frame_terms(tiny, rx)["matched"].all()
