"""A study is a file: corpus, eras and comparisons, lexicons, units and settings of one analysis.

``load_study(path)`` reads a study file into a :class:`StudySpec`; ``corpuskit figures --study PATH``
runs it. The file is YAML because the dictionaries and lexicons it names are YAML (and quanteda writes
its dictionaries as YAML), so a study and its dictionaries read alike; PyYAML's nodes carry line numbers,
so an unknown key or a wrong type is reported with its line. Aliases (``*name``) are refused, as in
:mod:`corpuskit.dictionary` (its alias-refusing loader is private there, so a small composer lives here).
Every path is relative to the study file. A lexicon given as a bare name (``rearmament``) is a packaged
one, asked for by name; a value naming an existing file is that file.

>>> spec = load_study("seeds/study.yml")
>>> spec.name, [c for c in spec.comparisons]
('seeds', [('2006', '2021–2024')])
"""
from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

from .clean import DEFAULT_RULES
from .errors import CorpuskitError
from . import periods
from .readers import compose_yaml
from .tokenizer import STOP_LISTS, stop_words as named_stop_words

__all__ = ["StudySpec", "StudyError", "load_study", "parse_span", "init_study_text", "FIGURE_NAMES"]

# every figure a study can ask for, in the order the runner draws them
FIGURE_NAMES = ("corpus_timeline", "topics_choice_of_k", "topics_over_time", "frames_over_time", "keyness",
                "stance_by_method", "wordfish", "era_comparisons", "change_points", "document_length", "beside")


class StudyError(CorpuskitError):
    """A study file that cannot be read: names the file, line, key and what to write instead."""


@dataclass
class StudySpec:
    """One study: every setting a run reads (paths already resolved against the study file)."""

    name: str
    corpus: pathlib.Path
    title: str = ""
    path: pathlib.Path | None = None  # the study file (None for a study built in code)
    cleaning_rules: tuple[str, ...] = DEFAULT_RULES
    custom_rules: dict[str, str] = field(default_factory=dict)
    eras: dict[str, tuple[str, str]] = field(default_factory=dict)
    comparisons: list[tuple[str, str]] = field(default_factory=list)
    frames: str | pathlib.Path | None = None  # a file, or the name of a packaged dictionary
    frame_levels: int | None = None  # Dictionary.collapse(levels); None keeps every level
    frame_precision: pathlib.Path | None = None  # judged dictionary hits (frame, relevant yes/no): precision per frame
    target: str | pathlib.Path | None = None
    cues: str | pathlib.Path | None = None
    gold: pathlib.Path | None = None
    second_coding: pathlib.Path | None = None  # an independent coding of some gold sentences: inter-coder kappa
    topic_unit: str = "auto"
    k: tuple[int, ...] = tuple(range(2, 11))
    # a named list (STOP_LISTS), the words themselves (a named list with words added is resolved to them)
    # or None; "english_extended" adds contractions and honorifics to scikit-learn's "english"
    stop_words: str | tuple[str, ...] | None = "english_extended"
    remove_numbers: bool = False
    n_boot: int = 2000
    wordfish_refits: int = 500
    random_state: int = 0
    date_label: str = "publication date (year)"
    period: str = "year"
    figures: tuple[str, ...] = FIGURE_NAMES
    n_perm: int = 9999  # tests.n_perm: permutations of each era comparison
    robustness_years: int = 2  # tests.robustness: each era boundary moved by ± this many years
    cp_min_size: int = 5  # change_points.min_size: periods each side of a change point
    cp_n_boot: int = 1000  # change_points.n_boot: bootstrap draws of each change point's location
    length_by: str | None = None  # a document variable colouring the length figure (e.g. the speaker's post)
    beside_corpus: pathlib.Path | None = None  # beside.corpus: a second corpus scored with the same frames
    beside_label: str = "other corpus"
    beside_years: tuple[int, ...] = ()


def parse_span(text: str, option: str) -> tuple[str, str]:
    """'2006' -> ('2006', '2006'); '2021:2024' -> ('2021', '2024'); ``option`` names the setting in errors.

    Checked by :func:`corpuskit.periods.parse_span`, the one parser of spans in the API and the CLI.

    >>> parse_span("2021:2024", "--after")
    ('2021', '2024')
    """
    periods.parse_span(str(text), name=option)
    parts = str(text).split(":")
    return (parts[0].strip(), parts[-1].strip())


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Typed access to YAML nodes, each error naming the file, line and key."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, node: yaml.Node, key: str, message: str) -> StudyError:
        return StudyError(f"{self.where}, line {_line(node)}: {key}: {message}")

    def mapping(self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "expected a mapping (key: value lines)")
        out: dict[str, yaml.Node] = {}
        for k, v in node.value:
            name = str(self.scalar(k, key))
            if allowed is not None and name not in allowed:
                raise StudyError(f"{self.where}, line {_line(k)}: unknown key {name!r} in {key}; "
                                 f"allowed: {', '.join(allowed)}")
            if name in out:
                raise StudyError(f"{self.where}, line {_line(k)}: key {name!r} in {key} given twice")
            out[name] = v
        return out

    def scalar(self, node: yaml.Node, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, "expected a single value, not a list or mapping")
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)

    def typed(self, node: yaml.Node, key: str, types: tuple[type, ...], expected: str) -> Any:
        value = self.scalar(node, key)
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            raise self.fail(node, key, f"{value!r} is not {expected}")
        return value

    def text(self, node: yaml.Node, key: str) -> str:
        # the source text, not YAML 1.1's reading of it (1990:20 would be a base-60 number)
        if self.scalar(node, key) is None:
            raise self.fail(node, key, "is empty; give a value")
        return str(node.value)

    def seq(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "expected a list ([a, b] or '- item' lines)")
        return list(node.value)


_KEYS = ("name", "title", "corpus", "cleaning", "eras", "comparisons", "frames", "stance", "topics",
         "stop_words", "remove_numbers", "n_boot", "wordfish", "random_state", "date_label", "period", "figures",
         "tests", "change_points", "length_by", "beside")


def _resource(value: str | None, base: pathlib.Path) -> str | pathlib.Path | None:
    """A path relative to the study file when the value looks like a file, else a packaged name."""
    if value is None or value == "":
        return None
    if re.fullmatch(r"[A-Za-z0-9_-]+", value):  # a bare name: a packaged lexicon asked for by name
        return value
    return base / value


def _stop_words(r: _Reader, node: yaml.Node) -> str | tuple[str, ...] | None:
    """``stop_words:`` a list name, a list of words, null, or ``{list: NAME, add: [...], remove: [...]}``
    (resolved to the sorted words, :func:`corpuskit.tokenizer.stop_words`)."""
    names = ", ".join(STOP_LISTS)
    if isinstance(node, yaml.SequenceNode):
        return tuple(r.text(n, "stop_words") for n in node.value)
    if isinstance(node, yaml.MappingNode):
        m = r.mapping(node, "stop_words", ("list", "add", "remove"))
        if "list" not in m:
            raise r.fail(node, "stop_words", f"give the list the words are added to: list: one of {names}")
        name = r.text(m["list"], "stop_words.list")
        if name not in STOP_LISTS:
            raise r.fail(m["list"], "stop_words.list", f"unknown list {name!r}; choose from {names}")
        words = {k: [r.text(n, f"stop_words.{k}") for n in r.seq(m[k], f"stop_words.{k}")]
                 for k in ("add", "remove") if k in m}
        return tuple(sorted(named_stop_words(name, add=words.get("add", ()), remove=words.get("remove", ()))))
    value = r.scalar(node, "stop_words")
    if value is not None and value not in STOP_LISTS:
        raise r.fail(node, "stop_words", f"{value!r}: use {names}, a list of words, "
                                         "{list: NAME, add: [words]}, or null for none")
    return value


def load_study(path: "str | pathlib.Path") -> StudySpec:
    """Read and check a study file (YAML); every path in it is relative to the file.

    An unknown key, a wrong type, an unknown era or cleaning rule raises :class:`StudyError`
    naming the file, line and key.

    >>> load_study("seeds/study.yml").eras["2006"]
    ('2006', '2006')
    """
    path = pathlib.Path(path)
    where = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise StudyError(f"{where}: no such study file; write one with `corpuskit init-study CORPUS`") from None
    except UnicodeDecodeError:
        raise StudyError(f"{where}: not UTF-8 text; save the study file as UTF-8") from None
    root = compose_yaml(text, where, "a study file", StudyError)
    if root is None:
        raise StudyError(f"{where}: the study file is empty; give at least name and corpus")
    r = _Reader(where)
    top = r.mapping(root, "the study", _KEYS)
    for required in ("name", "corpus"):
        if required not in top:
            raise StudyError(f"{where}: missing key {required!r}; add `{required}: ...` at the top level")
    base = path.resolve().parent
    name = r.text(top["name"], "name")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise r.fail(top["name"], "name", f"{name!r} is not a folder name; use letters, digits, - _ .")
    spec = StudySpec(name=name, corpus=base / r.text(top["corpus"], "corpus"), path=path)
    if "title" in top:
        spec.title = r.text(top["title"], "title")
    if "cleaning" in top:
        cl = r.mapping(top["cleaning"], "cleaning", ("rules", "custom"))
        if "rules" in cl:
            rules = tuple(r.text(n, "cleaning.rules") for n in r.seq(cl["rules"], "cleaning.rules"))
            for n, rule in zip(cl["rules"].value, rules):
                if rule not in DEFAULT_RULES:
                    raise r.fail(n, "cleaning.rules", f"unknown rule {rule!r}; choose from {', '.join(DEFAULT_RULES)}")
            spec.cleaning_rules = rules
        if "custom" in cl:
            for k, v in r.mapping(cl["custom"], "cleaning.custom", None).items():
                pattern = r.text(v, f"cleaning.custom.{k}")
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise r.fail(v, f"cleaning.custom.{k}", f"{pattern!r} is not a regular expression: {exc}") from None
                spec.custom_rules[k] = pattern
    if "eras" in top:
        for k, v in r.mapping(top["eras"], "eras", None).items():
            try:
                spec.eras[k] = parse_span(r.text(v, f"eras.{k}"), f"{where}, line {_line(v)}: eras.{k}")
            except StudyError:
                raise
            except CorpuskitError as exc:
                raise StudyError(str(exc)) from None
    if "comparisons" in top:
        for item in r.seq(top["comparisons"], "comparisons"):
            pair = tuple(r.text(n, "comparisons") for n in r.seq(item, "comparisons"))
            if len(pair) != 2:
                raise r.fail(item, "comparisons", f"{list(pair)!r}: a comparison is two eras, [before, after]")
            for era in pair:
                if era not in spec.eras:
                    raise r.fail(item, "comparisons", f"era {era!r} is not defined under eras "
                                                      f"({', '.join(spec.eras) or 'none defined'})")
            spec.comparisons.append(pair)  # type: ignore[arg-type]
    if "frames" in top:
        fr = r.mapping(top["frames"], "frames", ("dictionary", "levels", "precision_check"))
        if "dictionary" in fr:
            spec.frames = _resource(r.text(fr["dictionary"], "frames.dictionary"), base)
        if "levels" in fr:
            spec.frame_levels = r.typed(fr["levels"], "frames.levels", (int,), "a whole number of levels")
        if "precision_check" in fr:
            spec.frame_precision = base / r.text(fr["precision_check"], "frames.precision_check")
    if "stance" in top:
        st = r.mapping(top["stance"], "stance", ("target", "cues", "gold", "second_coding"))
        if "target" in st:
            spec.target = _resource(r.text(st["target"], "stance.target"), base)
        if "cues" in st:
            spec.cues = _resource(r.text(st["cues"], "stance.cues"), base)
        if "gold" in st and r.scalar(st["gold"], "stance.gold") is not None:
            spec.gold = base / r.text(st["gold"], "stance.gold")
        if "second_coding" in st and r.scalar(st["second_coding"], "stance.second_coding") is not None:
            spec.second_coding = base / r.text(st["second_coding"], "stance.second_coding")
    if "topics" in top:
        tp = r.mapping(top["topics"], "topics", ("unit", "k"))
        if "unit" in tp:
            spec.topic_unit = r.text(tp["unit"], "topics.unit")
        if "k" in tp:
            spec.k = tuple(r.typed(n, "topics.k", (int,), "a whole number of topics") for n in r.seq(tp["k"], "topics.k"))
            if not spec.k or min(spec.k) < 2:
                raise r.fail(tp["k"], "topics.k", f"{list(spec.k)!r}: give numbers of topics of 2 or more")
    if "stop_words" in top:
        spec.stop_words = _stop_words(r, top["stop_words"])
    if "remove_numbers" in top:
        spec.remove_numbers = r.typed(top["remove_numbers"], "remove_numbers", (bool,), "true or false")
    for key, attr in (("n_boot", "n_boot"), ("random_state", "random_state")):
        if key in top:
            setattr(spec, attr, r.typed(top[key], key, (int,), "a whole number"))
    if "wordfish" in top:
        wf = r.mapping(top["wordfish"], "wordfish", ("refits",))
        if "refits" in wf:
            spec.wordfish_refits = r.typed(wf["refits"], "wordfish.refits", (int,), "a whole number of refits")
    if "date_label" in top:
        spec.date_label = r.text(top["date_label"], "date_label")
    if "period" in top:
        spec.period = r.text(top["period"], "period")
        try:
            periods.assign_periods(pd.Series(pd.to_datetime(["2000-01-01"])), spec.period)
        except CorpuskitError as exc:
            raise r.fail(top["period"], "period", str(exc)) from None
    if "tests" in top:
        ts = r.mapping(top["tests"], "tests", ("n_perm", "robustness"))
        if "n_perm" in ts:
            spec.n_perm = r.typed(ts["n_perm"], "tests.n_perm", (int,), "a whole number of permutations")
        if "robustness" in ts:
            spec.robustness_years = r.typed(ts["robustness"], "tests.robustness", (int,), "a whole number of years")
    if "change_points" in top:
        cp = r.mapping(top["change_points"], "change_points", ("min_size", "n_boot"))
        if "min_size" in cp:
            spec.cp_min_size = r.typed(cp["min_size"], "change_points.min_size", (int,), "a whole number of periods")
        if "n_boot" in cp:
            spec.cp_n_boot = r.typed(cp["n_boot"], "change_points.n_boot", (int,), "a whole number of draws")
    if "length_by" in top:
        spec.length_by = r.text(top["length_by"], "length_by")
    if "beside" in top:
        bs = r.mapping(top["beside"], "beside", ("corpus", "label", "years"))
        if "corpus" not in bs:
            raise r.fail(top["beside"], "beside", "give beside.corpus: the folder or file of the second corpus")
        spec.beside_corpus = base / r.text(bs["corpus"], "beside.corpus")
        if "label" in bs:
            spec.beside_label = r.text(bs["label"], "beside.label")
        if "years" in bs:
            spec.beside_years = tuple(r.typed(n, "beside.years", (int,), "a year such as 2006")
                                      for n in r.seq(bs["years"], "beside.years"))
    if "figures" in top:
        names = [(n, r.text(n, "figures")) for n in r.seq(top["figures"], "figures")]
        for n, fig in names:
            if fig not in FIGURE_NAMES:
                raise r.fail(n, "figures", f"unknown figure {fig!r}; choose from {', '.join(FIGURE_NAMES)}")
        spec.figures = tuple(f for _, f in names)
    return spec


_TEMPLATE = """\
# corpuskit study: `corpuskit figures --study {file}` runs it into figures/{name}/.
# Every path is relative to this file. A lexicon is a YAML/CSV file you write
# (see corpuskit's docs) or the name of a packaged one.
name: {name}
title: "{name}"
corpus: {corpus}

cleaning:
  rules: [{rules}]
  custom: {{}}          # name: regular expression; a matching line is removed and recorded under the name

# named eras (a date or START:END) and the comparisons between them (keyness and the stance shift)
eras: {{}}              # e.g. "1990s": "1990:1999"
comparisons: []        # e.g. - [1990s, 2010s]

frames:
  dictionary: frames.yml   # fill it in: frame: [entries]
  levels: 1

stance:
  target: target.yml       # fill it in: facet: [entries naming the target]
  cues: cues.yml           # fill it in: favor: [...]  against: [...]
  gold:                    # hand-coded sentences (read_gold format), or empty

topics:
  unit: auto
  k: [2, 3, 4, 5, 6, 7, 8, 9, 10]

stop_words: english_extended   # or english (scikit-learn's), [words], null, or {{list: english_extended, add: [applause]}}
remove_numbers: true     # drop tokens that are digits only ("000", "1990") from topics and keyness
n_boot: 1000
wordfish:
  refits: 100
random_state: 0
date_label: publication date (year)
period: year             # frame and topic shares per year, decade, or any pandas frequency ("5Y")
figures: [{figures}]
"""

_EMPTY_LEXICONS = {
    "frames.yml": "# frame dictionary for this study: one frame per key, a list of entries (globs such as defen?e*)\n"
                  "# frame_name: [entry, entry]\n",
    "target.yml": "# target lexicon: the words and phrases that name what the stance is about\n# target: [entry]\n",
    "cues.yml": "# stance cues: favor and against (nested classes such as favor.necessity allowed)\n"
                "# favor: [entry]\n# against: [entry]\n",
}


def init_study_text(corpus: "str | pathlib.Path", study_dir: "str | pathlib.Path") -> dict[str, str]:
    """The files ``corpuskit init-study`` writes (name -> text): a commented study and empty lexicons.

    >>> sorted(init_study_text("speeches", "."))
    ['cues.yml', 'frames.yml', 'study.yml', 'target.yml']
    """
    corpus = pathlib.Path(corpus)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", corpus.stem or "study").strip("_.-") or "study"
    rel = pathlib.Path(corpus).resolve()
    try:
        rel = rel.relative_to(pathlib.Path(study_dir).resolve())
    except ValueError:
        pass
    text = _TEMPLATE.format(file="study.yml", name=name, corpus=rel.as_posix() or ".",
                            rules=", ".join(DEFAULT_RULES), figures=", ".join(FIGURE_NAMES))
    return {"study.yml": text, **_EMPTY_LEXICONS}
