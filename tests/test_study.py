"""A study is a file (issue 12): load_study checks it, `corpuskit figures --study` runs it, init-study writes one."""
import filecmp
import json
import shutil

import pytest

from conftest import ROOT
from corpuskit.clean import Cleaner
from corpuskit.cli import main
from corpuskit.errors import ParameterError
from corpuskit.figures import load_spec_corpus, provenance
from corpuskit.study import StudyError, load_study

TEXTS = {
    "a1": (1990, "The army must be strengthened. Farmers grow rice in the valley.\nShare this story now"),
    "a2": (1991, "We should strengthen the army again. Rice farmers and valley harvests.\nShare this story now"),
    "b1": (2000, "Critics want to reduce the army. Bankers and markets dominate the news."),
    "b2": (2001, "Reduce the army, say critics of the markets. Bankers trade bonds."),
    "c1": (2010, "The army must grow stronger: strengthen it. Phones and networks spread."),
    "c2": (2011, "Networks of phones carry talk of the army; some reduce it, most strengthen it."),
}


def write_corpus(folder):
    folder.mkdir(parents=True)
    rows = ["id,date"]
    for doc_id, (year, text) in TEXTS.items():
        (folder / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
        rows.append(f"{doc_id},{year}")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


STUDY = """\
name: three
corpus: ../corpus
cleaning:
  custom:
    share_line: "^Share this"
eras:
  "1990s": "1990:1999"
  "2000s": "2000:2009"
  "2010s": "2010:2019"
comparisons:
  - [1990s, 2000s]
  - [2000s, 2010s]
frames:
  dictionary: lex/frames.yml
stance:
  target: lex/target.yml
  cues: lex/cues.yml
n_boot: 50
random_state: 1
date_label: year of the speech
figures: [corpus_timeline, keyness, stance_by_method]
"""


@pytest.fixture
def study_dir(tmp_path):
    write_corpus(tmp_path / "corpus")
    lex = tmp_path / "studies" / "lex"
    lex.mkdir(parents=True)
    (lex / "frames.yml").write_text("military: [army]\neconomy: [market*, bank*]\n", encoding="utf-8")
    (lex / "target.yml").write_text("target: [army]\n", encoding="utf-8")
    (lex / "cues.yml").write_text("favor: [strengthen*]\nagainst: [reduce*]\n", encoding="utf-8")
    (tmp_path / "studies" / "study.yml").write_text(STUDY, encoding="utf-8")
    return tmp_path / "studies"


def test_paths_are_relative_to_the_study_file(study_dir, monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    spec = load_study(study_dir / "study.yml")
    assert spec.corpus.resolve() == (tmp_path / "corpus").resolve()
    assert spec.frames == study_dir.resolve() / "lex" / "frames.yml" and spec.frames.is_file()
    assert spec.eras["2000s"] == ("2000", "2009") and spec.comparisons == [("1990s", "2000s"), ("2000s", "2010s")]
    assert spec.custom_rules == {"share_line": "^Share this"}


@pytest.mark.parametrize("edit, message", [
    (("n_boot: 50", "n_boot: 50\nbootstraps: 10"), "line 19: unknown key 'bootstraps' in the study"),
    (("  dictionary: lex/frames.yml", "  dictionary: lex/frames.yml\n  level: 1"),
     "line 15: unknown key 'level' in frames; allowed: dictionary, levels"),
    (("n_boot: 50", "n_boot: many"), "line 18: n_boot: 'many' is not a whole number"),
    (("n_boot: 50", "n_boot: true"), "line 18: n_boot: True is not a whole number"),
    (("  - [2000s, 2010s]", "  - [2000s, 2020s]"), "line 12: comparisons: era '2020s' is not defined under eras"),
    (("  \"2010s\": \"2010:2019\"", "  \"2010s\": \"2010:20x\""), "line 9: eras.2010s='2010:20x'"),
    (("figures: [corpus_timeline,", "figures: [pie_chart, corpus_timeline,"), "line 21: figures: unknown figure 'pie_chart'"),
    (("cleaning:\n", "cleaning:\n  rules: [bom, shouting]\n"), "cleaning.rules: unknown rule 'shouting'"),
    (("name: three", "name: three\nextra: &x 1\nalso: *x"), "line 3, column 7: YAML alias *x is not allowed"),
    (("n_boot: 50", "n_boot: 50\nperiod: fortnightly"), "line 19: period: by='fortnightly'"),
    (("n_boot: 50", "n_boot: 50\nstop_words: german"), "line 19: stop_words: 'german': use english, english_extended"),
    (("n_boot: 50", "n_boot: 50\nstop_words:\n  add: [mr]"), "line 20: stop_words: give the list the words are added"),
    (("n_boot: 50", "n_boot: 50\nstop_words:\n  list: smart\n  add: [mr]"),
     "line 20: stop_words.list: unknown list 'smart'; choose from english, english_extended"),
    (("n_boot: 50", "n_boot: 50\nstop_words:\n  list: english\n  ad: [mr]"), "line 21: unknown key 'ad' in stop_words"),
    (("n_boot: 50", "n_boot: 50\nremove_numbers: yes please"), "line 19: remove_numbers: 'yes please' is not true or false"),
])
def test_bad_study_files_name_the_key_and_line(study_dir, edit, message):
    path = study_dir / "study.yml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(StudyError) as err:
        load_study(path)
    assert message in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_study_with_three_eras_and_two_comparisons_writes_both(study_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["figures", "--study", str(study_dir / "study.yml")]) == 0, capsys.readouterr().err
    out = tmp_path / "figures" / "three"
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == ["corpus_timeline.png", "keyness.png", "keyness_2000s_vs_2010s.png", "stance_by_method.png"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    comps = summary["comparisons"]
    assert list(comps) == ["1990s vs 2000s", "2000s vs 2010s"]
    assert comps["2000s vs 2010s"]["keyness"]["n_a_docs"] == 2 and comps["2000s vs 2010s"]["shift"]["before"] == "2000s"
    assert summary["keyness"] == comps["1990s vs 2000s"]["keyness"]  # the first stays where the README looks
    assert summary["stance"]["n_boot"] == 50
    assert "frames" not in summary  # frames_over_time not asked for
    svg = (out / "corpus_timeline.svg").read_text(encoding="utf-8")
    assert "year of the speech" in svg and "publication date" not in svg


def test_custom_cleaning_rules_are_recorded_like_built_in_ones(study_dir):
    corpus = load_spec_corpus(load_study(study_dir / "study.yml"))
    rem = corpus.removals()
    assert sorted(rem["id"]) == ["a1", "a2"] and set(rem["rule"]) == {"share_line"}
    assert "Share this" not in corpus["a1"].text and "Share this" in corpus["a1"].raw
    with pytest.raises(ParameterError, match=r"custom_rules\['bad'\]='\(' is not a regular expression"):
        Cleaner(custom_rules={"bad": "("})
    with pytest.raises(ParameterError, match="rule name 'bom' must be a word"):
        Cleaner(custom_rules={"bom": "x"})


def test_provenance_hash_changes_when_a_dictionary_file_changes(study_dir):
    spec = load_study(study_dir / "study.yml")
    spec.figures += ("frames_over_time",)  # the frame dictionary counts only where the study uses it
    corpus = load_spec_corpus(spec)
    before = provenance(spec, corpus)
    assert set(before["lexicons"]) == {"frames", "target", "cues"}
    assert before["lexicons"]["frames"]["source"] == "lex/frames.yml"
    (study_dir / "lex" / "frames.yml").write_text("military: [army, soldier*]\n", encoding="utf-8")
    after = provenance(spec, corpus)
    assert after["lexicons"]["frames"]["sha256"] != before["lexicons"]["frames"]["sha256"]
    assert after["lexicons"]["cues"] == before["lexicons"]["cues"] and after["corpus"] == before["corpus"]
    assert after["study"] == before["study"] and len(after["study"]["sha256"]) == 64


def test_init_study_writes_a_study_that_loads_and_never_overwrites(tmp_path, capsys):
    write_corpus(tmp_path / "speeches")
    assert main(["init-study", str(tmp_path / "speeches")]) == 0
    spec = load_study(tmp_path / "speeches" / "study.yml")
    assert spec.name == "speeches" and spec.corpus.resolve() == (tmp_path / "speeches").resolve()
    assert spec.frames == (tmp_path / "speeches").resolve() / "frames.yml"
    for name in ("study.yml", "frames.yml", "target.yml", "cues.yml"):
        assert "rearmament" not in (tmp_path / "speeches" / name).read_text(encoding="utf-8")
    study = (tmp_path / "speeches" / "study.yml").read_bytes()
    capsys.readouterr()
    assert main(["init-study", str(tmp_path / "speeches")]) == 2
    err = capsys.readouterr().err.strip()
    assert "study.yml exists; init-study never overwrites" in err and len(err.splitlines()) == 1
    assert (tmp_path / "speeches" / "study.yml").read_bytes() == study


def test_a_study_missing_a_lexicon_for_its_figures_fails_before_work(study_dir, tmp_path, monkeypatch, capsys):
    path = study_dir / "study.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("  cues: lex/cues.yml\n", ""), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["figures", "--study", str(path)]) == 2
    assert "stance_by_method needs stance.target and stance.cues" in capsys.readouterr().err
    assert not (tmp_path / "figures").exists()


def test_study_on_a_copy_of_seeds_writes_figures_named_after_it(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "seeds", tmp_path / "copy")
    monkeypatch.chdir(tmp_path)
    assert main(["figures", "--study", "copy/study.yml", "--formats", "png"]) == 0
    out = tmp_path / "figures" / "seeds"
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(p.name for p in (ROOT / "figures").glob("*.png"))
    match, mismatch, errors = filecmp.cmpfiles(ROOT / "figures", out, pngs, shallow=False)
    assert not mismatch and not errors
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    committed = json.loads((ROOT / "figures" / "summary.json").read_text(encoding="utf-8"))
    assert summary == committed  # same study file and corpus bytes: the same provenance too


def test_every_figure_a_study_can_ask_for_is_one_a_step_draws():
    from corpuskit.figures import STEP_FIGURES
    from corpuskit.study import FIGURE_NAMES
    assert sorted(FIGURE_NAMES) == sorted(f for fs in STEP_FIGURES.values() for f in fs)


def test_command_line_flags_override_study_fields(study_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "mine"
    assert main(["figures", "--study", str(study_dir / "study.yml"), "--out", str(out), "--n-boot", "20",
                 "--random-state", "3", "--before", "1990:1995", "--formats", "png"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["stance"]["n_boot"] == 20
    # --before alone replaces that side of the first comparison and the study's other comparisons go
    assert (summary["keyness"]["a"], summary["keyness"]["b"]) == ("1990–1995", "2000–2009")
    assert "comparisons" not in summary and not list(out.glob("*.svg"))
    assert not (tmp_path / "figures").exists()


def test_figures_without_a_study_outside_the_repository_says_what_to_pass(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["figures"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no study given and no seeds/study.yml here; pass --study PATH" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "figures").exists()


def test_stop_words_and_numbers_settings(study_dir):
    import corpuskit as ck
    path = study_dir / "study.yml"
    text = path.read_text(encoding="utf-8")
    spec = load_study(path)
    assert spec.stop_words == "english_extended" and spec.remove_numbers is False  # the defaults
    path.write_text(text + "stop_words:\n  list: english\n  add: [Applause, mr]\n  remove: [the]\n"
                    "remove_numbers: true\n", encoding="utf-8")
    spec = load_study(path)
    words = set(spec.stop_words)
    assert words == (ck.stop_words("english") | {"applause", "mr"}) - {"the"}
    assert spec.remove_numbers is True
    # the seed study names the list its figures were made with; the State of the Union uses the new one
    assert load_study(ROOT / "seeds" / "study.yml").stop_words == "english"
    sotu = load_study(ROOT / "notebooks" / "data" / "state_of_the_union" / "study.yml")
    assert sotu.stop_words == "english_extended" and sotu.remove_numbers is True
