"""The one Dictionary: loaders agree, messages name the kind of dictionary, valuetypes match."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit import stance
from corpuskit.dictionary import Dictionary, DictionaryError, load_dictionary, match_entries
from corpuskit.errors import ParameterError
from corpuskit.tokenizer import Matcher, Pattern

YAML = """name: tiny
version: "1"
frames:
  threat:
    china: [chinese military, pla*]
    russia: [russia*]
  alliance:
    entries: [us-japan alliance]
"""
CSV = "frame,pattern\nthreat.china,chinese military\nthreat.china,pla*\nthreat.russia,russia*\nalliance,us-japan alliance\n"
DICT = {"threat": {"china": ["chinese military", "pla*"], "russia": ["russia*"]}, "alliance": ["us-japan alliance"]}


def test_yaml_csv_and_dict_loaders_give_equal_dictionaries(tmp_path):
    (tmp_path / "d.yml").write_text(YAML, encoding="utf-8")
    (tmp_path / "d.csv").write_text(CSV, encoding="utf-8")
    y, c, d = load_dictionary(tmp_path / "d.yml"), load_dictionary(tmp_path / "d.csv"), load_dictionary(DICT)
    assert y.to_dict() == c.to_dict() == d.to_dict() == {
        "threat.china": ["chinese military", "pla*"], "threat.russia": ["russia*"], "alliance": ["us-japan alliance"]}
    cols = ["frame", "entry", "tokens", "n_words", "glob"]
    pd.testing.assert_frame_equal(y.to_frame()[cols], c.to_frame()[cols])
    pd.testing.assert_frame_equal(y.to_frame()[cols], d.to_frame()[cols])
    assert (y.name, y.version) == ("tiny", "1")
    assert y.collapse(1).to_dict() == {"threat": ["chinese military", "pla*", "russia*"],
                                       "alliance": ["us-japan alliance"]}
    # the key column of a generic dictionary, and a CSV with a "key" column
    (tmp_path / "k.csv").write_text(CSV.replace("frame,", "key,"), encoding="utf-8")
    k = load_dictionary(tmp_path / "k.csv", kind="dictionary", key="key")
    assert k.to_dict() == y.to_dict() and list(k.to_frame().columns[:1]) == ["key"]


def test_messages_take_the_kind_of_dictionary(tmp_path):
    with pytest.raises(DictionaryError, match=r"frame 'a' has no entries"):
        load_dictionary({"a": []})
    with pytest.raises(DictionaryError, match=r"facet 'a' has no entries"):
        stance.load_target({"a": []})
    with pytest.raises(DictionaryError, match=r"cue class 'favor' has no entries") as e:
        stance.load_cues({"favor": [], "against": ["x"]})
    assert "frame" not in str(e.value)
    with pytest.raises(DictionaryError, match=r"the cue lexicon is empty \(no cue classes\)"):
        stance.load_cues({})
    with pytest.raises(DictionaryError, match=r"the target lexicon is empty \(no facets\)"):
        stance.load_target({})


def _stream(words: list[str], seg: list[int] | None = None) -> SimpleNamespace:
    # the least a matcher reads: vocabulary codes and the sentence of each token
    codes, vocab = pd.factorize(np.asarray(words, dtype=object))
    seg = np.zeros(len(words), np.int64) if seg is None else np.asarray(seg, np.int64)
    return SimpleNamespace(codes=np.asarray(codes, np.int64), vocab=np.asarray(vocab, dtype=object), seg=seg)


WORDS = "the rearmament of japan and arms and armed forces rearm".split()


@pytest.mark.parametrize("valuetype, entry, expected", [
    ("glob", "arm*", ["arms", "armed"]),               # shell glob on whole words
    ("glob", "rearm*", ["rearmament", "rearm"]),
    ("regex", "^arm(s|ed)$", ["arms", "armed"]),        # re.search on tokens
    ("regex", "arm", ["rearmament", "arms", "armed", "rearm"]),  # unanchored: anywhere in the token
    ("fixed", "arm*", []),                              # no wildcard: the literal word only
    ("fixed", "Rearm", ["rearm"]),                      # normalized like the text
])
def test_valuetypes_match_by_hand(valuetype, entry, expected):
    tk = _stream(WORDS)
    m = Matcher(tk.codes, tk.vocab, tk.seg, valuetype)
    words = Pattern(entry, valuetype).words
    assert [WORDS[i] for i in m.find(words)] == expected
    # the dictionary and kwic use the same matcher
    d = Dictionary({"k": [entry]}, valuetype=valuetype)
    assert [WORDS[i] for i in match_entries(tk, d).start] == expected
    assert [WORDS[a] for a, _ in Pattern(entry, valuetype).find(WORDS)] == expected


def test_regex_phrase_and_kwic_valuetype():
    c = ck.Corpus.from_records([{"id": "a", "date": "2020-01-01", "text": "Japan rearms. The armed forces grew."}])
    glob = ck.kwic(c, "arm*")
    regex = ck.kwic(c, r"^arm(s|ed)$", valuetype="regex")
    fixed = ck.kwic(c, "armed", valuetype="fixed")
    assert glob["keyword"].tolist() == ["armed"] and regex["keyword"].tolist() == ["armed"]
    assert fixed["keyword"].tolist() == ["armed"]
    # each whitespace-separated part of a phrase is one token's regex
    assert ck.kwic(c, r"^arm\w* ^forces$", valuetype="regex")["keyword"].tolist() == ["armed forces"]
    assert ck.kwic(c, r"^arm\w* ^grew$", valuetype="regex").empty
    with pytest.raises(ParameterError, match=r"valuetype='re'"):
        ck.kwic(c, "arm", valuetype="re")
    with pytest.raises(ParameterError, match=r"'\(arm' is not a regular expression"):
        ck.kwic(c, "(arm", valuetype="regex")
    with pytest.raises(DictionaryError, match=r"key 'k': entry '\(arm' is not a regular expression"):
        Dictionary({"k": ["(arm"]}, valuetype="regex")


def test_stance_package_exports_the_same_names():
    before = {"LABELS", "LABEL_SCORES", "GoldError", "load_target", "load_cues", "sentence_hash", "target_sentences",
              "score_stance", "cross_fit_stance", "document_stance", "read_gold", "check_gold", "attach_gold",
              "sample_for_coding", "agreement", "target_detection"}
    assert set(stance.__all__) == before
    assert all(hasattr(stance, n) for n in before)
    from corpuskit.classifier import LABEL_SCORES
    assert stance.LABEL_SCORES is LABEL_SCORES and stance.LABELS == tuple(LABEL_SCORES)
    assert not hasattr(ck, "frame_counts") and not hasattr(ck, "FrameDictionary")


def test_plots_is_an_attribute_after_import():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", "import corpuskit as ck; print(ck.plots.__name__)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "corpuskit.plots"
