"""Dictionaries (quanteda's ``dictionary()``): nested keys -> entries, loaders, one validator, matching.

A :class:`Dictionary` maps keys to entries: words, globs (``rearm*``), regular expressions or fixed
words, single or multiword (``"article 9"``). Nested keys are flat names joined with ``"."``
(``threat.china``); :meth:`Dictionary.collapse` merges them to their first levels. One class serves
every use: frame dictionaries (``kind="frame dictionary"``, keys are frames), stance target lexicons
(``"target lexicon"``, keys are facets) and cue lexicons (``"cue lexicon"``, keys are cue classes);
``kind`` and ``key`` are the words its error messages use.

Loaders (:func:`load_dictionary`): the corpuskit YAML format (a header with name, version,
description ..., then ``frames:``), quanteda-style YAML as it is (YAML aliases refused: they can
expand exponentially), CSV (``frame,pattern`` or ``key,pattern``) and Python dicts, all through the one
validator (:class:`Dictionary`'s constructor), so a malformed source raises :class:`DictionaryError`
naming the file, line, key and value.

Matching (:func:`match_entries`) uses the one matcher, :class:`corpuskit.tokenizer.Matcher`, on a token
stream; ``valuetype`` is quanteda's: ``"glob"`` (default), ``"regex"`` or ``"fixed"``.

>>> d = Dictionary({"alliance": ["us-japan alliance"], "threat": ["threat*"]})
>>> d.keys()
['alliance', 'threat']
"""
from __future__ import annotations

import csv
import io
import os
import pathlib
import re
import warnings
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from .errors import CorpuskitError, ParameterError
from .readers import compose_yaml
from .tokenizer import VALUETYPES, Matcher, Pattern, Tokens, regex_hint

__all__ = ["Dictionary", "DictionaryError", "plural", "load_dictionary", "packaged_dictionary", "match_entries", "Matches",
           "warn_unmatched", "UnmatchedEntriesWarning", "unmatched_message",
           "PACKAGED_DICTIONARIES", "SCOPES", "missing_source"]

#: Dictionaries shipped with corpuskit: name -> file in ``corpuskit/data``.
PACKAGED_DICTIONARIES = {"rearmament": "frames_rearmament.yml"}
#: How longest-match applies across keys (see :func:`match_entries`).
SCOPES = ("dictionary", "frame")

_RESERVED_FRAME_KEYS = ("description", "entries")
_WORD = re.compile(r"[^\W_]")


def plural(word: str) -> str:
    """``frames``, ``facets``, ``cue classes``: the plural of a key word in messages."""
    return word + ("es" if word.endswith("s") else "s")


class DictionaryError(CorpuskitError):
    """A dictionary that cannot be used: the message names the file, line, key and value."""


# ============================================================================ the dictionary
class Dictionary:
    """Keys and their entries (words, globs, regexes, multiword phrases), as quanteda's ``dictionary()``.

    Parameters
    ----------
    entries : mapping of key -> list of entries. Nested keys are flat names joined
        with ``"."`` (``"threat.china"``).
    name, version, description, author : header fields, kept for citation.
    meta : other header fields (``matching``, ``overlap``, ``license`` ...).
    descriptions : key (or parent) name -> description.
    source : where the dictionary came from (file name), used in error messages.
    where : optional ``(key, i) -> "file, line N"`` locations of entries and
        ``key -> location`` of keys, for error messages.
    kind, key : the words error messages and tables use for the dictionary and its keys
        (``"frame dictionary"``/``"frame"``, ``"target lexicon"``/``"facet"``,
        ``"cue lexicon"``/``"cue class"``); ``to_frame`` and ``summary`` name their key column by
        ``key`` (``frame``, ``facet``, ``cue_class``).
    valuetype : how entries match tokens: ``"glob"`` (default), ``"regex"`` or ``"fixed"``
        (:class:`corpuskit.tokenizer.Pattern`).

    Raises :class:`DictionaryError` for an empty dictionary, an empty key, a
    non-string entry, an entry without word characters or an invalid regex, naming
    the location, key and value. An entry listed twice under one key (after
    normalization) is dropped with a warning.

    Example
    -------
    >>> d = Dictionary({"alliance": ["us-japan alliance", "nuclear umbrella"], "threat": ["threat*"]})
    >>> d.keys()
    ['alliance', 'threat']
    """

    def __init__(self, entries: Mapping[str, Sequence[str]], *, name: str | None = None,
                 version: str | None = None, description: str | None = None, author: str | None = None,
                 meta: Mapping[str, Any] | None = None, descriptions: Mapping[str, str] | None = None,
                 source: str = "dictionary", where: Mapping[Any, str] | None = None,
                 kind: str = "dictionary", key: str = "key", valuetype: str = "glob"):
        frames = entries
        if valuetype not in VALUETYPES:
            raise ParameterError(f"valuetype={valuetype!r}: use 'glob' (default), 'regex' or 'fixed'")
        self.kind, self.key, self.valuetype = kind, key, valuetype
        self.name = name
        self.version = version
        self.description = description
        self.author = author
        self.meta = dict(meta or {})
        self.descriptions = dict(descriptions or {})
        self.source = source
        where = dict(where or {})
        if not isinstance(frames, Mapping) or len(frames) == 0:
            raise DictionaryError(f"{source}: the {kind} is empty (no {plural(key)}); "
                                  f"give at least one {key} with a list of entries")
        self._frames: dict[str, tuple[str, ...]] = {}
        self._words: dict[str, list[tuple[str, ...]]] = {}
        self._lines: dict[tuple[str, int], str] = {}
        for frame, entries in frames.items():
            floc = where.get(frame, source)
            if not isinstance(frame, str) or not frame.strip():
                raise DictionaryError(f"{floc}: {key} name {frame!r} must be a non-empty string")
            if isinstance(entries, str):
                entries = [entries]
            if entries is None or len(entries) == 0:
                raise DictionaryError(f"{floc}: {key} {frame!r} has no entries; add entries or remove the {key}")
            kept: list[str] = []
            words: list[tuple[str, ...]] = []
            seen: dict[tuple[str, ...], str] = {}
            for i, value in enumerate(entries):
                loc = where.get((frame, i), f"{source}, entry {i + 1}")
                w = _entry_words(value, frame, loc, key, valuetype)
                hint = regex_hint(value, valuetype) if isinstance(value, str) else None
                if hint:
                    warnings.warn(f"{loc}: {key} {frame!r}: {hint}", UserWarning, stacklevel=3)
                if w in seen:
                    warnings.warn(f"{loc}: {key} {frame!r}: entry {value!r} repeats {seen[w]!r} "
                                  "(same tokens after normalization); it is counted once", UserWarning,
                                  stacklevel=3)
                    continue
                seen[w] = value
                self._lines[(frame, len(kept))] = loc
                kept.append(value)
                words.append(w)
            self._frames[frame] = tuple(kept)
            self._words[frame] = words

    # -- mapping protocol ------------------------------------------------------------
    def keys(self) -> list[str]:
        """Frame names, in dictionary order."""
        return list(self._frames)

    def items(self):
        return self._frames.items()

    def __getitem__(self, frame: str) -> tuple[str, ...]:
        try:
            return self._frames[frame]
        except KeyError:
            raise ParameterError(f"frame={frame!r} is not in the dictionary; frames: {', '.join(self._frames)}") from None

    def __contains__(self, frame: object) -> bool:
        return frame in self._frames

    def __iter__(self):
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def n_entries(self) -> int:
        return sum(len(v) for v in self._frames.values())

    def __repr__(self) -> str:
        label = f"{self.name!r}" if self.name else "unnamed"
        ver = f" v{self.version}" if self.version else ""
        return f"<Dictionary {label}{ver}: {len(self)} {plural(self.key)}, {self.n_entries} entries, {self.valuetype}>"

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self._frames.items()}

    # -- inspection --------------------------------------------------------------------
    def description_of(self, frame: str) -> str:
        """The frame's description, or its nearest described parent's."""
        parts = frame.split(".")
        for k in range(len(parts), 0, -1):
            d = self.descriptions.get(".".join(parts[:k]))
            if d:
                return d
        return ""

    @property
    def _col(self) -> str:
        return self.key.replace(" ", "_")

    def to_frame(self) -> pd.DataFrame:
        """One row per entry: the key (column named by ``key``, e.g. ``frame``), entry, tokens
        (normalized, space-joined), n_words, glob, where."""
        rows = []
        glob = self.valuetype == "glob"
        for frame, entries in self._frames.items():
            for i, (e, w) in enumerate(zip(entries, self._words[frame])):
                rows.append((frame, e, " ".join(w), len(w), glob and any(c in e for c in "*?"),
                             self._lines[(frame, i)]))
        df = pd.DataFrame(rows, columns=[self._col, "entry", "tokens", "n_words", "glob", "where"])
        return df.astype({self._col: "string", "entry": "string", "tokens": "string", "where": "string"})

    def summary(self) -> pd.DataFrame:
        """One row per key: the key, n_entries, n_phrases (multiword), n_globs, description."""
        t = self.to_frame()
        g = t.groupby(self._col, sort=False)
        out = pd.DataFrame({self._col: list(self._frames),
                            "n_entries": g.size().reindex(list(self._frames)).to_numpy(),
                            "n_phrases": g["n_words"].apply(lambda s: int((s > 1).sum())).reindex(list(self._frames)).to_numpy(),
                            "n_globs": g["glob"].sum().reindex(list(self._frames)).to_numpy().astype(int)})
        out["description"] = [self.description_of(f) for f in out[self._col]]
        return out.astype({self._col: "string", "description": "string"})

    def duplicates(self) -> pd.DataFrame:
        """Terms listed under two or more frames (same tokens after normalization).

        Columns: tokens, frames (comma-joined), n_frames. Each such term counts
        once for each of its frames (see the module docstring).
        """
        t = self.to_frame()
        g = t.groupby("tokens", sort=True)[self._col].agg(lambda s: ", ".join(dict.fromkeys(s)))
        n = t.groupby("tokens", sort=True)[self._col].nunique()
        out = pd.DataFrame({"tokens": g.index, "frames": g.to_numpy(), "n_frames": n.to_numpy()})
        return out[out["n_frames"] > 1].reset_index(drop=True).astype({"tokens": "string", "frames": "string"})

    def collapse(self, levels: int = 1) -> "Dictionary":
        """Merge nested frames into their first ``levels`` name parts (quanteda's ``levels``).

        ``collapse(1)`` turns threat.china, threat.russia ... into one ``threat``
        frame whose entries are the union of theirs (longest-match then applies
        across the merged entries, so a span counts once for ``threat``).
        """
        if not isinstance(levels, (int, np.integer)) or levels < 1:
            raise ParameterError(f"levels={levels!r}: pass a positive integer (1 keeps only top-level frames)")
        merged: dict[str, list[str]] = {}
        where: dict[Any, str] = {}
        seen: dict[str, set] = {}
        for frame, entries in self._frames.items():
            key = ".".join(frame.split(".")[:levels])
            merged.setdefault(key, [])
            seen.setdefault(key, set())
            where.setdefault(key, self._lines[(frame, 0)])
            for i, (e, w) in enumerate(zip(entries, self._words[frame])):
                if w in seen[key]:
                    continue
                seen[key].add(w)
                where[(key, len(merged[key]))] = self._lines[(frame, i)]
                merged[key].append(e)
        return Dictionary(merged, name=self.name, version=self.version, description=self.description,
                          author=self.author, meta={**self.meta, "collapsed_levels": levels},
                          descriptions=self.descriptions, source=self.source, where=where, **self.spec)

    def where_of(self, key: str, i: int = 0) -> str:
        """Where entry ``i`` of ``key`` is defined ("file, line N"), for error messages."""
        return self._lines.get((key, i), self.source)

    @property
    def spec(self) -> dict[str, str]:
        """``kind``, ``key`` and ``valuetype``: what a derived dictionary keeps."""
        return {"kind": self.kind, "key": self.key, "valuetype": self.valuetype}

    def compiled(self) -> list[tuple[int, int, tuple[str, ...], str]]:
        """(key index, entry index within key, pattern words, entry text) for every entry."""
        out = []
        for fi, frame in enumerate(self._frames):
            for ei, (e, w) in enumerate(zip(self._frames[frame], self._words[frame])):
                out.append((fi, ei, w, e))
        return out


def _entry_words(value: Any, frame: str, loc: str, key: str, valuetype: str) -> tuple[str, ...]:
    if not isinstance(value, str):
        if value is None:
            what, hint = "empty value (null)", "; write the entry or delete the line"
        elif isinstance(value, _TypedScalar):
            what, hint = f"YAML {value.tag}", f"; quote it: '{value.text}'" if value.tag not in ("list", "mapping") else ""
        else:
            what, hint = type(value).__name__, ""
        raise DictionaryError(f"{loc}: {key} {frame!r}: entry {value!r} ({what}) is not a string{hint}")
    if not _WORD.search(value.replace("*", "").replace("?", "")):
        raise DictionaryError(f"{loc}: {key} {frame!r}: entry {value!r} has no word characters (letters or "
                              "digits) to match; remove it or write the word")
    try:
        return tuple(Pattern(value, valuetype).words)
    except ParameterError:
        if valuetype == "regex":
            raise DictionaryError(f"{loc}: {key} {frame!r}: entry {value!r} is not a regular expression; "
                                  "fix it or load with valuetype='glob'") from None
        raise DictionaryError(f"{loc}: {key} {frame!r}: entry {value!r} has no word characters to match") from None


# ============================================================================ loading
def load_dictionary(source: "str | os.PathLike | Mapping | Dictionary | None" = None, *,
                    kind: str = "frame dictionary", key: str = "frame", valuetype: str = "glob",
                    packaged: Mapping[str, str] = PACKAGED_DICTIONARIES, param: str = "source") -> Dictionary:
    """Load a dictionary (quanteda's ``dictionary()``); by default a frame dictionary.

    ``source`` is one of:

    * a packaged name, asked for explicitly: ``"rearmament"`` (the rearmament frames,
      ``corpuskit/data/frames_rearmament.yml``); there is no default dictionary, ``None`` raises;
    * a path to a ``.yml``/``.yaml`` file in the corpuskit format (a header
      with ``name``, ``version``, ``description``, ``author`` ... and a
      ``frames:`` mapping whose frames have ``description`` and ``entries``,
      nested frames allowed) or a quanteda-style YAML dictionary as it is
      (``key: [patterns]``, nested keys flattened to ``"parent.child"``);
    * a path to a ``.csv`` file with columns ``frame,pattern`` (or ``key,pattern``; more columns are
      ignored);
    * a dict in either YAML layout; or a :class:`Dictionary` (returned as is).

    A malformed file raises :class:`DictionaryError` naming the file and line
    (and the key and value where the problem is an entry). ``kind`` and ``key`` are the words
    its messages use; ``valuetype`` is how entries match (``"glob"``, ``"regex"``, ``"fixed"``);
    ``packaged``: the names of shipped files (name -> file in ``corpuskit/data``); ``param``: the
    parameter name the error for ``None`` names (``dictionary`` when a scorer calls).

    Example
    -------
    >>> d = load_dictionary("rearmament")
    >>> "alliance_us_umbrella" in d
    True
    """
    if valuetype not in VALUETYPES:
        raise ParameterError(f"valuetype={valuetype!r}: use 'glob' (default), 'regex' or 'fixed'")
    spec = {"kind": kind, "key": key, "valuetype": valuetype}
    if source is None:
        raise ParameterError(missing_source(param, kind, packaged))
    if isinstance(source, Dictionary):
        return source
    if isinstance(source, Mapping):
        return _from_mapping(source, kind, spec)
    if isinstance(source, (str, os.PathLike)):
        path = pathlib.Path(source)
        if path.is_file():
            return _from_file(path, spec)
        if isinstance(source, str) and source in packaged:
            return packaged_dictionary(packaged[source], **spec)
        raise DictionaryError(f"{kind} {str(source)!r}: no such file (packaged: {', '.join(packaged)})")
    raise ParameterError(f"{param}={type(source).__name__}: pass a path to a YAML or CSV file, a dict, "
                         f"a Dictionary, or a packaged name ({', '.join(map(repr, packaged))})")


def missing_source(param: str, kind: str, packaged: Mapping[str, str]) -> str:
    """The one-line message for a scorer called without its dictionary or lexicon (no silent default).

    >>> print(missing_source("dictionary", "frame dictionary", {"rearmament": "f.yml"}))
    dictionary=None: pass a frame dictionary (a YAML/CSV path, a dict or a Dictionary) or ask for a
    packaged one by name, e.g. dictionary='rearmament'; there is no default
    """
    names = " or ".join(repr(n) for n in packaged)
    return (f"{param}=None: pass a {kind} (a YAML/CSV path, a dict or a Dictionary) or ask for a packaged "
            f"one by name, e.g. {param}={names}; there is no default")


def packaged_dictionary(fname: str, *, kind: str = "frame dictionary", key: str = "frame",
                        valuetype: str = "glob") -> Dictionary:
    """A lexicon shipped in corpuskit/data (frames, stance targets, stance cues), by file name.

    >>> packaged_dictionary("frames_rearmament.yml").name
    'rearmament_frames'
    """
    text = resources.files("corpuskit").joinpath("data", fname).read_text(encoding="utf-8")
    return _from_yaml(text, f"corpuskit/data/{fname}", {"kind": kind, "key": key, "valuetype": valuetype})


def _from_file(path: pathlib.Path, spec: dict) -> Dictionary:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DictionaryError(f"{path}, line {line}: byte 0x{data[exc.start:exc.start + 1].hex()} is not valid "
                              "UTF-8; save the file as UTF-8") from None
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml", ".json"):
        return _from_yaml(text, str(path), spec)
    if suffix in (".csv", ".tsv"):
        return _from_csv(text, str(path), spec, delimiter="\t" if suffix == ".tsv" else ",")
    raise DictionaryError(f"{path}: unknown {spec['kind']} format {suffix!r}; use .yml, .yaml, .json or .csv")


def _from_yaml(text: str, where: str, spec: dict) -> Dictionary:
    kind, key = spec["kind"], spec["key"]
    root = compose_yaml(text, where, "a dictionary", DictionaryError)
    if root is None:
        raise DictionaryError(f"{where}: the {kind} is empty (no {plural(key)}); give at least one {key} "
                              "with a list of entries")
    walker = _YamlWalker(where, spec)
    return walker.build(root)


class _YamlWalker:
    """Walks PyYAML nodes (which carry line numbers) into frames, entries and locations."""

    def __init__(self, where: str, spec: dict):
        self.where, self.spec = where, spec
        self.frames: dict[str, list[Any]] = {}
        self.locs: dict[Any, str] = {}
        self.descriptions: dict[str, str] = {}

    def loc(self, node) -> str:
        return f"{self.where}, line {node.start_mark.line + 1}"

    def build(self, root) -> Dictionary:
        key = self.spec["key"]
        if not isinstance(root, yaml.MappingNode):
            raise DictionaryError(f"{self.loc(root)}: the top level must be a mapping of {key} names to lists "
                                  "of entries (or a corpuskit header with 'frames:')")
        pairs = self.pairs(root)
        fr = pairs.get("frames")
        corpuskit_format = (fr is not None and isinstance(fr[1], yaml.MappingNode)
                            and all(isinstance(v, yaml.ScalarNode) for k, (_, v) in pairs.items() if k != "frames"))
        header: dict[str, str] = {}
        if corpuskit_format:
            for k, (_, v) in pairs.items():
                if k != "frames":
                    header[k] = v.value
            for k, (knode, v) in self.pairs(fr[1]).items():
                self.walk(k, knode, v, corpuskit=True)
        else:
            for k, (knode, v) in pairs.items():
                self.walk(k, knode, v, corpuskit=False)
        meta = {k: v for k, v in header.items() if k not in ("name", "version", "description", "author")}
        return Dictionary(self.frames, name=header.get("name"), version=header.get("version"),
                          description=header.get("description"), author=header.get("author"), meta=meta,
                          descriptions=self.descriptions, source=self.where, where=self.locs, **self.spec)

    def pairs(self, node) -> dict[str, tuple[Any, Any]]:
        out: dict[str, tuple[Any, Any]] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode) or knode.tag.endswith(":null"):
                raise DictionaryError(f"{self.loc(knode)}: a key must be a name (string)")
            key = knode.value
            if key in out:
                raise DictionaryError(f"{self.loc(knode)}: key {key!r} appears twice in the same mapping "
                                      f"(first at line {out[key][0].start_mark.line + 1}); merge the two")
            out[key] = (knode, vnode)
        return out

    def walk(self, name: str, knode, node, corpuskit: bool) -> None:
        key = self.spec["key"]
        if name in self.frames:
            raise DictionaryError(f"{self.loc(knode)}: {key} {name!r} is defined twice (after flattening "
                                  "nested keys with '.')")
        if isinstance(node, yaml.SequenceNode):
            self.leaf(name, knode, node.value)
        elif isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":null") or node.value == "":
                raise DictionaryError(f"{self.loc(knode)}: {key} {name!r} has no entries; add entries or remove "
                                      f"the {key}")
            if corpuskit:
                raise DictionaryError(f"{self.loc(knode)}: {key} {name!r} must have 'entries:' (a list) or "
                                      f"sub-{plural(key)}, not a single value")
            self.leaf(name, knode, [node])
        elif isinstance(node, yaml.MappingNode):
            pairs = self.pairs(node)
            if corpuskit and "description" in pairs:
                self.descriptions[name] = pairs["description"][1].value if isinstance(
                    pairs["description"][1], yaml.ScalarNode) else ""
            children = {k: v for k, v in pairs.items() if not (corpuskit and k in _RESERVED_FRAME_KEYS)}
            entries = pairs.get("entries") if corpuskit else None
            if entries is not None and children:
                raise DictionaryError(f"{self.loc(knode)}: {key} {name!r} has both 'entries' and sub-{plural(key)} "
                                      f"({', '.join(children)}); move the entries into a sub-{key}")
            if entries is not None:
                enode = entries[1]
                if isinstance(enode, yaml.ScalarNode) and (enode.tag.endswith(":null") or enode.value == ""):
                    raise DictionaryError(f"{self.loc(entries[0])}: {key} {name!r} has no entries; add entries "
                                          f"or remove the {key}")
                if not isinstance(enode, yaml.SequenceNode):
                    raise DictionaryError(f"{self.loc(entries[0])}: {key} {name!r}: 'entries' must be a list")
                self.leaf(name, knode, enode.value)
            elif children:
                for k, (ck, cv) in children.items():
                    self.walk(f"{name}.{k}", ck, cv, corpuskit)
            else:
                raise DictionaryError(f"{self.loc(knode)}: {key} {name!r} has no entries; add entries or "
                                      f"remove the {key}")
        else:
            raise DictionaryError(f"{self.loc(knode)}: {key} {name!r} must be a list of entries or a mapping")

    def leaf(self, name: str, knode, items: list) -> None:
        self.locs[name] = self.loc(knode)
        values: list[Any] = []
        for i, item in enumerate(items):
            self.locs[(name, i)] = self.loc(item)
            if isinstance(item, yaml.ScalarNode):
                tag = item.tag.rsplit(":", 1)[-1]
                if tag == "str":
                    values.append(item.value)
                elif tag == "null":
                    values.append(None)
                else:  # a number, boolean or date: report it as written, and of which type
                    values.append(_TypedScalar(item.value, tag))
            else:
                kind = "list" if isinstance(item, yaml.SequenceNode) else "mapping"
                values.append(_TypedScalar(f"<{kind}>", kind))
        self.frames[name] = values


@dataclass(frozen=True)
class _TypedScalar:
    """A YAML scalar that is not a string (e.g. 9, yes, 2024-01-01), kept as written for the error."""

    text: str
    tag: str

    def __repr__(self) -> str:
        return self.text



def _from_csv(text: str, where: str, spec: dict, delimiter: str = ",") -> Dictionary:
    kind, key = spec["kind"], spec["key"]
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    while header is not None and not any(h.strip() for h in header):
        header = next(reader, None)
    if header is None:
        raise DictionaryError(f"{where}: the {kind} is empty (no header, no {plural(key)}); write a header "
                              "'frame,pattern' and one row per entry")
    cols = [h.strip().lower() for h in header]
    pcol = "pattern" if "pattern" in cols else "entry" if "entry" in cols else None
    kcol = "frame" if "frame" in cols else "key" if "key" in cols else None
    if kcol is None or pcol is None:
        raise DictionaryError(f"{where}, line {reader.line_num}: the header needs columns 'frame' and 'pattern' "
                              f"(found: {', '.join(cols)})")
    fi, pi = cols.index(kcol), cols.index(pcol)
    frames: dict[str, list[str]] = {}
    locs: dict[Any, str] = {}
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(fi, pi):
            raise DictionaryError(f"{where}, line {line}: the row has {len(row)} fields; it needs 'frame' and "
                                  f"'{pcol}'")
        frame, value = row[fi].strip(), row[pi].strip()
        if not frame:
            raise DictionaryError(f"{where}, line {line}: the {key} is empty (entry {value!r}); name the {key}")
        if not value:
            raise DictionaryError(f"{where}, line {line}: {key} {frame!r}: the {pcol} is empty; write the entry "
                                  "or delete the row")
        lst = frames.setdefault(frame, [])
        locs.setdefault(frame, f"{where}, line {line}")
        locs[(frame, len(lst))] = f"{where}, line {line}"
        lst.append(value)
    if not frames:
        raise DictionaryError(f"{where}: the {kind} is empty (a header but no entries); add rows 'frame,pattern'")
    return Dictionary(frames, name=pathlib.Path(where).stem, source=where, where=locs, **spec)


def _from_mapping(d: Mapping, where: str, spec: dict) -> Dictionary:
    kind, key = spec["kind"], spec["key"]
    if len(d) == 0:
        raise DictionaryError(f"{where}: the {kind} is empty (no {plural(key)}); give at least one {key} with a "
                              "list of entries")
    fr = d.get("frames")
    corpuskit_format = isinstance(fr, Mapping) and all(
        not isinstance(v, (Mapping, list, tuple)) for k, v in d.items() if k != "frames")
    frames: dict[str, list[Any]] = {}
    locs: dict[Any, str] = {}
    descriptions: dict[str, str] = {}

    def walk(name: str, node: Any, path: str) -> None:
        if name in frames:
            raise DictionaryError(f"{where}: {key} {name!r} is defined twice (after flattening nested keys)")
        if isinstance(node, str):
            node = [node]
        if isinstance(node, (list, tuple)):
            locs[name] = f"{where}{path}"
            for i in range(len(node)):
                locs[(name, i)] = f"{where}{path}[{i}]"
            frames[name] = list(node)
            return
        if isinstance(node, Mapping):
            if corpuskit_format and isinstance(node.get("description"), str):
                descriptions[name] = node["description"]
            children = {k: v for k, v in node.items() if not (corpuskit_format and k in _RESERVED_FRAME_KEYS)}
            if corpuskit_format and "entries" in node:
                if children:
                    raise DictionaryError(f"{where}{path}: {key} {name!r} has both 'entries' and sub-{plural(key)}")
                walk(name, node["entries"] if node["entries"] is not None else [], path + "['entries']")
                return
            if not children:
                raise DictionaryError(f"{where}{path}: {key} {name!r} has no entries; add entries or remove it")
            for k, v in children.items():
                walk(f"{name}.{k}", v, f"{path}[{k!r}]")
            return
        if node is None:
            raise DictionaryError(f"{where}{path}: {key} {name!r} has no entries; add entries or remove it")
        raise DictionaryError(f"{where}{path}: {key} {name!r} must be a list of entries or a mapping of "
                              f"sub-{plural(key)}, not {type(node).__name__}")

    top = fr if corpuskit_format else d
    base = "['frames']" if corpuskit_format else ""
    for k, v in top.items():
        walk(str(k), v, f"{base}[{k!r}]")
    header = {k: v for k, v in d.items() if k != "frames"} if corpuskit_format else {}
    meta = {k: v for k, v in header.items() if k not in ("name", "version", "description", "author")}
    return Dictionary(frames, name=header.get("name"), version=header.get("version"),
                      description=header.get("description"), author=header.get("author"), meta=meta,
                      descriptions=descriptions, source=where, where=locs, **spec)




# ============================================================================ matching
def _resolve(starts: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
    """Keep-mask over distinct spans: longest first, then leftmost; a token is covered at most once."""
    keep = np.ones(len(starts), dtype=bool)
    multi = np.flatnonzero(lengths > 1)
    if len(multi) == 0:
        return keep
    claimed = np.zeros(n, dtype=bool)
    # Few multiword matches per corpus, so this loop runs over matches, not tokens.
    for i in multi[np.lexsort((starts[multi], -lengths[multi]))]:
        s, e = starts[i], starts[i] + lengths[i]
        if claimed[s:e].any():
            keep[i] = False
        else:
            claimed[s:e] = True
    single = np.flatnonzero(lengths == 1)
    keep[single] = ~claimed[starts[single]]
    return keep


@dataclass
class Matches:
    start: np.ndarray
    length: np.ndarray
    frame: np.ndarray    # frame index
    entry: np.ndarray    # index into dictionary.compiled()
    # entries (indices into dictionary.compiled()) that match no token at all, before overlap resolution
    unmatched: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def match_entries(tk, dictionary: Dictionary, nested_scope: str = "dictionary") -> Matches:
    """Every entry match of ``dictionary`` in ``tk`` (a :class:`~corpuskit.tokenizer.Tokens`, or any stream
    with ``codes``, ``vocab`` and ``seg``, phrases within a ``seg``) after overlap resolution: the
    longest match wins, then the leftmost, and a token is covered at most once per key; with
    ``nested_scope="dictionary"`` a longer entry also beats a shorter entry of another key nested in it.

    >>> d = load_dictionary("rearmament")
    >>> found = match_entries(tk, d)
    >>> len(found.start)
    183
    >>> dict(zip(d.keys(), np.bincount(found.frame, minlength=len(d.keys())).tolist()))
    {'threat.china': 20, 'threat.north_korea': 9, 'threat.russia': 5, 'threat.general': 24,
     'alliance_us_umbrella': 22, 'constitutional_pacifist_constraint': 8, 'capability_budget_deployment': 36,
     'taiwan_contingency': 19, 'regional_partnerships': 26, 'deterrence': 14}
    """
    if nested_scope not in SCOPES:
        raise ParameterError(f"nested_scope={nested_scope!r}: use 'dictionary' (longer entries beat nested "
                             "shorter ones across frames) or 'frame' (only within each frame)")
    # a Tokens brings its index; a stance stream (codes, vocab, seg over its sentences) builds one
    m = (tk.matcher(dictionary.valuetype) if isinstance(tk, Tokens)
         else Matcher(tk.codes, tk.vocab, tk.seg, dictionary.valuetype))
    comp = dictionary.compiled()
    parts = [(m.find(words), len(words), fi, gi) for gi, (fi, _, words, _) in enumerate(comp)]
    unmatched = np.array([p[3] for p in parts if not len(p[0])], dtype=np.int64)
    parts = [p for p in parts if len(p[0])]
    if not parts:
        z = np.zeros(0, np.int64)
        return Matches(z, z, z, z, unmatched)
    start = np.concatenate([p[0] for p in parts])
    length = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    frame = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    entry = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
    # One hit per (frame, span): the first-listed entry of the frame gets the credit.
    order = np.lexsort((entry, length, start, frame))
    start, length, frame, entry = start[order], length[order], frame[order], entry[order]
    first = np.ones(len(start), dtype=bool)
    first[1:] = (frame[1:] != frame[:-1]) | (start[1:] != start[:-1]) | (length[1:] != length[:-1])
    start, length, frame, entry = start[first], length[first], frame[first], entry[first]
    n = len(tk.codes)
    if nested_scope == "frame":
        keep = np.zeros(len(start), dtype=bool)
        for f in np.unique(frame):
            sel = np.flatnonzero(frame == f)
            keep[sel] = _resolve(start[sel], length[sel], n)
    else:
        key = start * (int(length.max()) + 1) + length
        ukey, first_idx, inverse = np.unique(key, return_index=True, return_inverse=True)
        keep = _resolve(start[first_idx], length[first_idx], n)[inverse]
    return Matches(start[keep], length[keep], frame[keep], entry[keep], unmatched)


class UnmatchedEntriesWarning(UserWarning):
    """Entries of a dictionary matched no token. Besides the message it carries what
    :func:`corpuskit.stream.scan` needs to merge the warnings of its chunks into one:
    ``key`` (caller, dictionary label, number of entries), ``n_docs`` and ``unmatched``
    (entry index -> "key: 'entry' (file, line)")."""

    def __init__(self, message: str, key: tuple = (), n_docs: int = 0, unmatched: Mapping[int, str] | None = None):
        super().__init__(message)
        self.key, self.n_docs, self.unmatched = key, n_docs, dict(unmatched or {})


def unmatched_message(key: tuple, unmatched: Mapping[int, str], n_docs: int, show: int = 8) -> str:
    """The one line that names the first ``show`` unmatched entries (see :func:`warn_unmatched`)."""
    caller, label, n_entries = key
    named = [unmatched[i] for i in sorted(unmatched)[:show]]
    more = f"; and {len(unmatched) - show} more" if len(unmatched) > show else ""
    return (f"{caller}: {len(unmatched)} of {n_entries} entries of the {label} match nothing in these "
            f"{n_docs} documents: {'; '.join(named)}{more} (frame_terms lists them with matched=False)")


def warn_unmatched(dictionary: Dictionary, mt: Matches, n_docs: int, caller: str, show: int = 8) -> None:
    """Warn naming the entries of ``dictionary`` that matched no token (``mt.unmatched``): never silent.

    An entry that matches nothing is often a typo, a spelling the texts do not use, or a regex read as a
    glob; ``frame_terms`` lists them (``matched`` False). The first ``show`` are named with their lines.
    """
    if not len(mt.unmatched):
        return
    comp = dictionary.compiled()
    keys = dictionary.keys()
    unmatched = {}
    for gi in mt.unmatched.tolist():
        fi, ei, _, entry = comp[gi]
        unmatched[gi] = f"{keys[fi]}: {entry!r} ({dictionary.where_of(keys[fi], ei)})"
    label = f"{dictionary.kind} {dictionary.name!r}" if dictionary.name else dictionary.kind
    key = (caller, label, len(comp))
    warnings.warn(UnmatchedEntriesWarning(unmatched_message(key, unmatched, n_docs, show), key, n_docs, unmatched),
                  stacklevel=3)


