"""Frame dictionaries, frame scores per document or sentence, and frame prevalence over time.

A frame dictionary maps frame names to entries (words, globs, multiword
phrases), as quanteda's ``dictionary()``. It is loaded from the corpuskit YAML
format (with a documented header), from quanteda-style YAML dictionaries as
they are (nested keys flatten to ``"parent.child"``), from a CSV with columns
``frame,pattern``, or from a Python dict. corpuskit ships one dictionary, the
rearmament frames (``load_dictionary("rearmament")``, the default).

Counting (dictionary content analysis, e.g. Laver & Garry 2000; quanteda's
``tokens_lookup``):

* Entries match the tokens of :func:`corpuskit.tokens.tokenize` (entries are
  normalized the same way, via :class:`corpuskit.tokens.Pattern`); a phrase
  matches consecutive tokens of one sentence, never across sentences.
* Overlapping matches: the longest match wins, then the leftmost, and a token
  is covered at most once per frame. With ``nested_scope="dictionary"`` (the
  default) a longer entry also beats a shorter entry of *another* frame nested
  inside it ("chinese aircraft carrier" is a threat hit, not also an "aircraft
  carrier" capability hit); ``nested_scope="frame"`` applies longest-match only
  within each frame (quanteda's default).
* A term listed under two frames (a span matched with the same extent by
  entries of two frames) counts once for EACH frame, at full weight: frames are
  overlapping lenses, not exclusive categories, and splitting a hit 1/k would
  make one frame's score depend on which other frames the dictionary contains.
  ``FrameDictionary.duplicates()`` lists such terms.

Scores are hits per 1,000 tokens (``per=1000``) or raw hit counts
(``per=None``). :func:`frame_prevalence` turns hit counts
into each frame's share of all frame hits per period with a bootstrap CI, via
:func:`corpuskit.periods.period_shares`.
"""
from __future__ import annotations

import csv
import fnmatch
import io
import os
import pathlib
import re
import warnings
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import CorpuskitError, ParameterError
from .periods import assign_periods, period_shares
from .tokens import Pattern, _tokenize_flat, sentence_spans, tokenize

__all__ = ["DictionaryError", "FrameDictionary", "load_dictionary", "score_frames",
           "frame_prevalence", "frame_terms", "PACKAGED_DICTIONARIES", "packaged_dictionary", "Tokenized",
           "match_entries"]

#: Dictionaries shipped with corpuskit: name -> file in ``corpuskit/data``.
PACKAGED_DICTIONARIES = {"rearmament": "frames_rearmament.yml"}

_HEADER_FIELDS = ("name", "version", "description", "author", "license", "changes", "matching", "overlap")
_RESERVED_FRAME_KEYS = ("description", "entries")
_WORD = re.compile(r"[^\W_]")
_OUTPUT_COLUMNS = {"id", "date", "date_mid", "year", "n_tokens", "sentence", "start", "end"}
_SCOPES = ("dictionary", "frame")


class DictionaryError(CorpuskitError):
    """A frame dictionary that cannot be used: the message names the file, line, frame and value."""


# ============================================================================ the dictionary
class FrameDictionary:
    """Frames and their entries (words, globs, multiword phrases), as quanteda's ``dictionary()``.

    Parameters
    ----------
    frames : mapping of frame name -> list of entries. Nested frames are flat
        names joined with ``"."`` (``"threat.china"``).
    name, version, description, author : header fields, kept for citation.
    meta : other header fields (``matching``, ``overlap``, ``license`` ...).
    descriptions : frame (or parent) name -> description.
    source : where the dictionary came from (file name), used in error messages.
    where : optional ``(frame, i) -> "file, line N"`` locations of entries and
        ``frame -> location`` of frames, for error messages.

    Raises :class:`DictionaryError` for an empty dictionary, an empty frame, a
    non-string entry or an entry without word characters, naming the location,
    frame and value. An entry listed twice in one frame (after normalization)
    is dropped with a warning.

    Example
    -------
    >>> d = FrameDictionary({"alliance": ["us-japan alliance", "nuclear umbrella"], "threat": ["threat*"]})
    >>> d.keys()
    ['alliance', 'threat']
    """

    def __init__(self, frames: Mapping[str, Sequence[str]], *, name: str | None = None,
                 version: str | None = None, description: str | None = None, author: str | None = None,
                 meta: Mapping[str, Any] | None = None, descriptions: Mapping[str, str] | None = None,
                 source: str = "dictionary", where: Mapping[Any, str] | None = None):
        self.name = name
        self.version = version
        self.description = description
        self.author = author
        self.meta = dict(meta or {})
        self.descriptions = dict(descriptions or {})
        self.source = source
        where = dict(where or {})
        if not isinstance(frames, Mapping) or len(frames) == 0:
            raise DictionaryError(f"{source}: the dictionary is empty (no frames); "
                                  "give at least one frame with a list of entries")
        self._frames: dict[str, tuple[str, ...]] = {}
        self._words: dict[str, list[tuple[str, ...]]] = {}
        self._lines: dict[tuple[str, int], str] = {}
        for frame, entries in frames.items():
            floc = where.get(frame, source)
            if not isinstance(frame, str) or not frame.strip():
                raise DictionaryError(f"{floc}: frame name {frame!r} must be a non-empty string")
            if isinstance(entries, str):
                entries = [entries]
            if entries is None or len(entries) == 0:
                raise DictionaryError(f"{floc}: frame {frame!r} has no entries; add entries or remove the frame")
            kept: list[str] = []
            words: list[tuple[str, ...]] = []
            seen: dict[tuple[str, ...], str] = {}
            for i, value in enumerate(entries):
                loc = where.get((frame, i), f"{source}, entry {i + 1}")
                w = _entry_words(value, frame, loc)
                if w in seen:
                    warnings.warn(f"{loc}: frame {frame!r}: entry {value!r} repeats {seen[w]!r} "
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
        return f"<FrameDictionary {label}{ver}: {len(self)} frames, {self.n_entries} entries>"

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

    def to_frame(self) -> pd.DataFrame:
        """One row per entry: frame, entry, tokens (normalized, space-joined), n_words, glob, where."""
        rows = []
        for frame, entries in self._frames.items():
            for i, (e, w) in enumerate(zip(entries, self._words[frame])):
                rows.append((frame, e, " ".join(w), len(w), any(c in e for c in "*?"), self._lines[(frame, i)]))
        df = pd.DataFrame(rows, columns=["frame", "entry", "tokens", "n_words", "glob", "where"])
        return df.astype({"frame": "string", "entry": "string", "tokens": "string", "where": "string"})

    def summary(self) -> pd.DataFrame:
        """One row per frame: frame, n_entries, n_phrases (multiword), n_globs, description."""
        t = self.to_frame()
        g = t.groupby("frame", sort=False)
        out = pd.DataFrame({"frame": list(self._frames),
                            "n_entries": g.size().reindex(list(self._frames)).to_numpy(),
                            "n_phrases": g["n_words"].apply(lambda s: int((s > 1).sum())).reindex(list(self._frames)).to_numpy(),
                            "n_globs": g["glob"].sum().reindex(list(self._frames)).to_numpy().astype(int)})
        out["description"] = [self.description_of(f) for f in out["frame"]]
        return out.astype({"frame": "string", "description": "string"})

    def duplicates(self) -> pd.DataFrame:
        """Terms listed under two or more frames (same tokens after normalization).

        Columns: tokens, frames (comma-joined), n_frames. Each such term counts
        once for each of its frames (see the module docstring).
        """
        t = self.to_frame()
        g = t.groupby("tokens", sort=True)["frame"].agg(lambda s: ", ".join(dict.fromkeys(s)))
        n = t.groupby("tokens", sort=True)["frame"].nunique()
        out = pd.DataFrame({"tokens": g.index, "frames": g.to_numpy(), "n_frames": n.to_numpy()})
        return out[out["n_frames"] > 1].reset_index(drop=True).astype({"tokens": "string", "frames": "string"})

    def collapse(self, levels: int = 1) -> "FrameDictionary":
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
        return FrameDictionary(merged, name=self.name, version=self.version, description=self.description,
                               author=self.author, meta={**self.meta, "collapsed_levels": levels},
                               descriptions=self.descriptions, source=self.source, where=where)

    def _compiled(self) -> list[tuple[int, int, tuple[str, ...], str]]:
        """(frame index, entry index within frame, normalized words, entry text) for every entry."""
        out = []
        for fi, frame in enumerate(self._frames):
            for ei, (e, w) in enumerate(zip(self._frames[frame], self._words[frame])):
                out.append((fi, ei, w, e))
        return out


def _entry_words(value: Any, frame: str, loc: str) -> tuple[str, ...]:
    if not isinstance(value, str):
        if value is None:
            kind, hint = "empty value (null)", "; write the entry or delete the line"
        elif isinstance(value, _TypedScalar):
            kind, hint = f"YAML {value.tag}", f"; quote it: '{value.text}'" if value.tag not in ("list", "mapping") else ""
        else:
            kind, hint = type(value).__name__, ""
        raise DictionaryError(f"{loc}: frame {frame!r}: entry {value!r} ({kind}) is not a string{hint}")
    if not _WORD.search(value.replace("*", "").replace("?", "")):
        raise DictionaryError(f"{loc}: frame {frame!r}: entry {value!r} has no word characters (letters or "
                              "digits) to match; remove it or write the word")
    try:
        return tuple(Pattern(value).words)
    except ParameterError:
        raise DictionaryError(f"{loc}: frame {frame!r}: entry {value!r} has no word characters to match") from None


# ============================================================================ loading
def load_dictionary(source: "str | os.PathLike | Mapping | FrameDictionary | None" = None) -> FrameDictionary:
    """Load a frame dictionary (quanteda's ``dictionary()``).

    ``source`` is one of:

    * ``None`` or ``"rearmament"``: the packaged rearmament frames
      (``corpuskit/data/frames_rearmament.yml``);
    * a path to a ``.yml``/``.yaml`` file in the corpuskit format (a header
      with ``name``, ``version``, ``description``, ``author`` ... and a
      ``frames:`` mapping whose frames have ``description`` and ``entries``,
      nested frames allowed) or a quanteda-style YAML dictionary as it is
      (``key: [patterns]``, nested keys flattened to ``"parent.child"``);
    * a path to a ``.csv`` file with columns ``frame,pattern`` (more columns are ignored);
    * a dict in either YAML layout; or a :class:`FrameDictionary` (returned as is).

    A malformed file raises :class:`DictionaryError` naming the file and line
    (and the frame and value where the problem is an entry).

    Example
    -------
    >>> d = load_dictionary()
    >>> "alliance_us_umbrella" in d
    True
    """
    if source is None:
        source = "rearmament"
    if isinstance(source, FrameDictionary):
        return source
    if isinstance(source, Mapping):
        return _from_mapping(source, "dictionary")
    if isinstance(source, (str, os.PathLike)):
        path = pathlib.Path(source)
        if path.is_file():
            return _from_file(path)
        if isinstance(source, str) and source in PACKAGED_DICTIONARIES:
            return packaged_dictionary(PACKAGED_DICTIONARIES[source])
        raise DictionaryError(f"dictionary {str(source)!r}: no such file (packaged dictionaries: "
                              f"{', '.join(PACKAGED_DICTIONARIES)})")
    raise ParameterError(f"dictionary={type(source).__name__}: pass a path to a YAML or CSV file, a dict, "
                         "a FrameDictionary, or None for the packaged rearmament frames")


def packaged_dictionary(fname: str) -> FrameDictionary:
    """A lexicon shipped in corpuskit/data (frames, stance targets, stance cues), by file name.

    >>> packaged_dictionary("frames_rearmament.yml").name   # doctest: +SKIP
    """
    text = resources.files("corpuskit").joinpath("data", fname).read_text(encoding="utf-8")
    return _from_yaml(text, f"corpuskit/data/{fname}")


def _from_file(path: pathlib.Path) -> FrameDictionary:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DictionaryError(f"{path}, line {line}: byte 0x{data[exc.start:exc.start + 1].hex()} is not valid "
                              "UTF-8; save the file as UTF-8") from None
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml", ".json"):
        return _from_yaml(text, str(path))
    if suffix in (".csv", ".tsv"):
        return _from_csv(text, str(path), delimiter="\t" if suffix == ".tsv" else ",")
    raise DictionaryError(f"{path}: unknown dictionary format {suffix!r}; use .yml, .yaml, .json or .csv")


def _no_alias_loader():
    """A SafeLoader that refuses aliases (``*name``): nested aliases expand exponentially ("billion
    laughs": a 544-byte file gave 111,111 frames), and a dictionary never needs them."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise _YamlAliasError(event.anchor, event.start_mark)
            return super().compose_node(parent, index)

    return NoAliasLoader


class _YamlAliasError(Exception):
    def __init__(self, anchor: str, mark):
        super().__init__(anchor)
        self.anchor, self.mark = anchor, mark


def _from_yaml(text: str, where: str) -> FrameDictionary:
    import yaml

    try:
        root = yaml.compose(text, Loader=_no_alias_loader())
    except _YamlAliasError as exc:
        raise DictionaryError(f"{where}, line {exc.mark.line + 1}, column {exc.mark.column + 1}: YAML alias "
                              f"*{exc.anchor} is not allowed in a dictionary (aliases can expand exponentially); "
                              "write the entries out in full") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = f"{where}, line {mark.line + 1}, column {mark.column + 1}" if mark else where
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise DictionaryError(f"{loc}: malformed YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise DictionaryError(f"{where}: malformed YAML: {exc}") from None
    if root is None:
        raise DictionaryError(f"{where}: the dictionary is empty (no frames); give at least one frame "
                              "with a list of entries")
    walker = _YamlWalker(where)
    return walker.build(root)


class _YamlWalker:
    """Walks PyYAML nodes (which carry line numbers) into frames, entries and locations."""

    def __init__(self, where: str):
        self.where = where
        self.frames: dict[str, list[Any]] = {}
        self.locs: dict[Any, str] = {}
        self.descriptions: dict[str, str] = {}

    def loc(self, node) -> str:
        return f"{self.where}, line {node.start_mark.line + 1}"

    def build(self, root) -> FrameDictionary:
        import yaml

        if not isinstance(root, yaml.MappingNode):
            raise DictionaryError(f"{self.loc(root)}: the top level must be a mapping of frame names to lists "
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
        return FrameDictionary(self.frames, name=header.get("name"), version=header.get("version"),
                               description=header.get("description"), author=header.get("author"), meta=meta,
                               descriptions=self.descriptions, source=self.where, where=self.locs)

    def pairs(self, node) -> dict[str, tuple[Any, Any]]:
        import yaml

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
        import yaml

        if name in self.frames:
            raise DictionaryError(f"{self.loc(knode)}: frame {name!r} is defined twice (after flattening "
                                  "nested keys with '.')")
        if isinstance(node, yaml.SequenceNode):
            self.leaf(name, knode, node.value)
        elif isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":null") or node.value == "":
                raise DictionaryError(f"{self.loc(knode)}: frame {name!r} has no entries; add entries or remove "
                                      "the frame")
            if corpuskit:
                raise DictionaryError(f"{self.loc(knode)}: frame {name!r} must have 'entries:' (a list) or "
                                      "sub-frames, not a single value")
            self.leaf(name, knode, [node])
        elif isinstance(node, yaml.MappingNode):
            pairs = self.pairs(node)
            if corpuskit and "description" in pairs:
                self.descriptions[name] = pairs["description"][1].value if isinstance(
                    pairs["description"][1], yaml.ScalarNode) else ""
            children = {k: v for k, v in pairs.items() if not (corpuskit and k in _RESERVED_FRAME_KEYS)}
            entries = pairs.get("entries") if corpuskit else None
            if entries is not None and children:
                raise DictionaryError(f"{self.loc(knode)}: frame {name!r} has both 'entries' and sub-frames "
                                      f"({', '.join(children)}); move the entries into a sub-frame")
            if entries is not None:
                enode = entries[1]
                if isinstance(enode, yaml.ScalarNode) and (enode.tag.endswith(":null") or enode.value == ""):
                    raise DictionaryError(f"{self.loc(entries[0])}: frame {name!r} has no entries; add entries "
                                          "or remove the frame")
                if not isinstance(enode, yaml.SequenceNode):
                    raise DictionaryError(f"{self.loc(entries[0])}: frame {name!r}: 'entries' must be a list")
                self.leaf(name, knode, enode.value)
            elif children:
                for k, (ck, cv) in children.items():
                    self.walk(f"{name}.{k}", ck, cv, corpuskit)
            else:
                raise DictionaryError(f"{self.loc(knode)}: frame {name!r} has no entries; add entries or "
                                      "remove the frame")
        else:
            raise DictionaryError(f"{self.loc(knode)}: frame {name!r} must be a list of entries or a mapping")

    def leaf(self, name: str, knode, items: list) -> None:
        import yaml

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



def _from_csv(text: str, where: str, delimiter: str = ",") -> FrameDictionary:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    while header is not None and not any(h.strip() for h in header):
        header = next(reader, None)
    if header is None:
        raise DictionaryError(f"{where}: the dictionary is empty (no header, no frames); write a header "
                              "'frame,pattern' and one row per entry")
    cols = [h.strip().lower() for h in header]
    pcol = "pattern" if "pattern" in cols else "entry" if "entry" in cols else None
    if "frame" not in cols or pcol is None:
        raise DictionaryError(f"{where}, line {reader.line_num}: the header needs columns 'frame' and 'pattern' "
                              f"(found: {', '.join(cols)})")
    fi, pi = cols.index("frame"), cols.index(pcol)
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
            raise DictionaryError(f"{where}, line {line}: the frame is empty (entry {value!r}); name the frame")
        if not value:
            raise DictionaryError(f"{where}, line {line}: frame {frame!r}: the {pcol} is empty; write the entry "
                                  "or delete the row")
        lst = frames.setdefault(frame, [])
        locs.setdefault(frame, f"{where}, line {line}")
        locs[(frame, len(lst))] = f"{where}, line {line}"
        lst.append(value)
    if not frames:
        raise DictionaryError(f"{where}: the dictionary is empty (a header but no entries); add rows 'frame,pattern'")
    return FrameDictionary(frames, name=pathlib.Path(where).stem, source=where, where=locs)


def _from_mapping(d: Mapping, where: str) -> FrameDictionary:
    if len(d) == 0:
        raise DictionaryError(f"{where}: the dictionary is empty (no frames); give at least one frame with a "
                              "list of entries")
    fr = d.get("frames")
    corpuskit_format = isinstance(fr, Mapping) and all(
        not isinstance(v, (Mapping, list, tuple)) for k, v in d.items() if k != "frames")
    frames: dict[str, list[Any]] = {}
    locs: dict[Any, str] = {}
    descriptions: dict[str, str] = {}

    def walk(name: str, node: Any, path: str) -> None:
        if name in frames:
            raise DictionaryError(f"{where}: frame {name!r} is defined twice (after flattening nested keys)")
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
                    raise DictionaryError(f"{where}{path}: frame {name!r} has both 'entries' and sub-frames")
                walk(name, node["entries"] if node["entries"] is not None else [], path + "['entries']")
                return
            if not children:
                raise DictionaryError(f"{where}{path}: frame {name!r} has no entries; add entries or remove it")
            for k, v in children.items():
                walk(f"{name}.{k}", v, f"{path}[{k!r}]")
            return
        if node is None:
            raise DictionaryError(f"{where}{path}: frame {name!r} has no entries; add entries or remove it")
        raise DictionaryError(f"{where}{path}: frame {name!r} must be a list of entries or a mapping of "
                              f"sub-frames, not {type(node).__name__}")

    top = fr if corpuskit_format else d
    base = "['frames']" if corpuskit_format else ""
    for k, v in top.items():
        walk(str(k), v, f"{base}[{k!r}]")
    header = {k: v for k, v in d.items() if k != "frames"} if corpuskit_format else {}
    meta = {k: v for k, v in header.items() if k not in ("name", "version", "description", "author")}
    return FrameDictionary(frames, name=header.get("name"), version=header.get("version"),
                           description=header.get("description"), author=header.get("author"), meta=meta,
                           descriptions=descriptions, source=where, where=locs)


# ============================================================================ matching
@dataclass
class Tokenized:
    """A corpus as one token stream: vocabulary codes, sentence of each token, sentence table."""

    codes: np.ndarray        # token -> vocabulary id
    vocab: np.ndarray        # vocabulary (object array of str)
    seg: np.ndarray          # token -> row of ``sents``
    sents: pd.DataFrame      # doc (position), sentence (index as in sentence_spans), start, end, n_tokens
    n_docs: int


def _tokenize_corpus(corpus) -> Tokenized:
    # a chunk of ck.stream.scan carries a memo, so its scorers and its dfm count share one
    # tokenization (the memo lives and dies with the chunk; user corpora never get one)
    memo = getattr(corpus, "_tokenized_memo", None)
    if memo is not None:
        if "tk" not in memo:
            memo["tk"] = _tokenize_corpus_uncached(corpus)
        return memo["tk"]
    return _tokenize_corpus_uncached(corpus)


def _tokenize_corpus_uncached(corpus) -> Tokenized:
    from tqdm import tqdm  # text bar: tqdm.auto would need ipywidgets in notebooks

    _check_corpus(corpus)
    toks: list[np.ndarray] = []
    rows: list[tuple[int, int, int, int, int]] = []
    texts = corpus.iter_texts()
    for i, text in enumerate(tqdm(texts, total=len(corpus), disable=None, desc="frames: tokenizing", leave=False)):
        spans = sentence_spans(text)
        # tokenize(sentence) for every sentence, with one normalize call per document
        t, n = _tokenize_flat([text[a:b] for a, b in spans])
        toks.append(t)
        # a sentence without tokens cannot hold a hit
        rows.extend((i, k, s, e, c) for k, ((s, e), c) in enumerate(zip(spans, n.tolist())) if c)
    sents = pd.DataFrame(rows, columns=["doc", "sentence", "start", "end", "n_tokens"])
    toks = np.concatenate(toks) if toks else np.zeros(0, dtype=object)
    if len(toks):
        codes, vocab = pd.factorize(toks)
        vocab = np.asarray(vocab, dtype=object)
    else:
        codes, vocab = np.zeros(0, np.int64), np.zeros(0, dtype=object)
    seg = np.repeat(np.arange(len(sents)), sents["n_tokens"].to_numpy()) if len(sents) else np.zeros(0, np.int64)
    return Tokenized(np.asarray(codes, dtype=np.int64), vocab, seg, sents, len(corpus))


def _check_corpus(corpus) -> None:
    if not (hasattr(corpus, "iter_texts") and hasattr(corpus, "docvars")):
        raise ParameterError(f"corpus={type(corpus).__name__}: pass a corpuskit Corpus (anything with "
                             "docvars and iter_texts()), e.g. ck.load_corpus('seeds')")


class _Matcher:
    """Finds entry matches in a token stream with numpy (an inverted index of vocabulary ids).

    Matching semantics are those of :meth:`corpuskit.tokens.Pattern.find`
    (shell-style globs on normalized tokens), plus sentence boundaries.
    """

    def __init__(self, tk: Tokenized):
        self.tk = tk
        self.n = len(tk.codes)
        self.index = {w: i for i, w in enumerate(tk.vocab)}
        self.vocab_str = np.asarray(tk.vocab, dtype=str) if len(tk.vocab) else np.zeros(0, dtype=str)
        self.order = np.argsort(tk.codes, kind="stable")
        self.ptr = np.concatenate([[0], np.cumsum(np.bincount(tk.codes, minlength=len(tk.vocab)))])
        self._ids: dict[str, np.ndarray] = {}
        self._masks: dict[str, np.ndarray] = {}
        self._sorted: np.ndarray | None = None
        self._order_str = np.zeros(0, np.int64)

    def ids(self, w: str) -> np.ndarray:
        """Vocabulary ids matching one pattern word."""
        if w not in self._ids:
            if not any(c in w for c in "*?["):
                i = self.index.get(w)
                out = np.array([i] if i is not None else [], dtype=np.int64)
            else:
                # the words starting with the glob's literal head are one run of the sorted vocabulary
                head = re.split(r"[*?\[]", w, maxsplit=1)[0]
                cand = self._prefixed(head)
                if not (w.endswith("*") and len(head) == len(w) - 1):
                    rx = re.compile(fnmatch.translate(w))
                    cand = cand[np.fromiter((rx.match(v) is not None for v in self.vocab_str[cand]), bool,
                                            len(cand))]
                out = np.sort(cand)
            self._ids[w] = out
        return self._ids[w]

    def _prefixed(self, head: str) -> np.ndarray:
        """Vocabulary ids of the words starting with ``head`` (any order)."""
        if not head:
            return np.arange(len(self.vocab_str))
        if self._sorted is None:
            self._order_str = np.argsort(self.vocab_str, kind="stable")
            self._sorted = self.vocab_str[self._order_str]
        # every word starting with head sorts at or after head and before head + U+10FFFF
        lo, hi = np.searchsorted(self._sorted, [head, head + "\U0010ffff"])
        return self._order_str[lo:hi]

    def mask(self, w: str) -> np.ndarray:
        if w not in self._masks:
            m = np.zeros(len(self.tk.vocab), dtype=bool)
            m[self.ids(w)] = True
            self._masks[w] = m
        return self._masks[w]

    def find(self, words: Sequence[str]) -> np.ndarray:
        """Start positions (sorted) of the token sequence ``words`` within one sentence."""
        ids = self.ids(words[0])
        if len(ids) == 0:
            return np.zeros(0, np.int64)
        if len(ids) > 64:
            pos = np.flatnonzero(self.mask(words[0])[self.tk.codes])
        else:
            pos = np.concatenate([self.order[self.ptr[i]:self.ptr[i + 1]] for i in ids])
        codes, seg = self.tk.codes, self.tk.seg
        for k in range(1, len(words)):
            p = pos + k
            ok = p < self.n
            pos, p = pos[ok], p[ok]
            pos = pos[(seg[p] == seg[pos]) & self.mask(words[k])[codes[p]]]
            if len(pos) == 0:
                break
        return np.sort(pos)


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
    entry: np.ndarray    # index into dictionary._compiled()


def match_entries(tk: Tokenized, dictionary: FrameDictionary, nested_scope: str) -> Matches:
    """Every entry match of ``dictionary`` in ``tk`` after overlap resolution (module docstring).

    >>> match_entries(tk, load_dictionary(), "dictionary").start   # doctest: +SKIP
    """
    if nested_scope not in _SCOPES:
        raise ParameterError(f"nested_scope={nested_scope!r}: use 'dictionary' (longer entries beat nested "
                             "shorter ones across frames) or 'frame' (only within each frame)")
    m = _Matcher(tk)
    comp = dictionary._compiled()
    parts = [(m.find(words), len(words), fi, gi) for gi, (fi, _, words, _) in enumerate(comp)]
    parts = [p for p in parts if len(p[0])]
    if not parts:
        z = np.zeros(0, np.int64)
        return Matches(z, z, z, z)
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
    return Matches(start[keep], length[keep], frame[keep], entry[keep])


def _sentence_counts(tk: Tokenized, mt: Matches, n_frames: int) -> np.ndarray:
    """Hits per sentence × frame (dense: sentences × a handful of frames)."""
    S = len(tk.sents)
    if len(mt.start) == 0 or S == 0:
        return np.zeros((S, n_frames), dtype=np.int64)
    flat = tk.seg[mt.start] * n_frames + mt.frame
    return np.bincount(flat, minlength=S * n_frames).reshape(S, n_frames).astype(np.int64)


# ============================================================================ public scoring
def score_frames(corpus, dictionary: "str | os.PathLike | Mapping | FrameDictionary | None" = None,
                 unit: str = "document", *, per: float | None = 1000,
                 nested_scope: str = "dictionary") -> pd.DataFrame:
    """Frame hits per document (or sentence), per ``per`` tokens.

    Parameters
    ----------
    corpus : a corpuskit Corpus.
    dictionary : anything :func:`load_dictionary` accepts; ``None`` is the
        packaged rearmament frames.
    unit : ``"document"`` (one row per document) or ``"sentence"`` (one row per
        sentence that has tokens, ``sentence`` indexed as in :func:`corpuskit.tokens.sentences`).
    per : hits per this many tokens (default 1,000); ``None`` gives raw hit counts.
    nested_scope : ``"dictionary"`` (default) or ``"frame"``; see the module docstring.

    Returns
    -------
    DataFrame with id, date, date_mid, year, n_tokens (for sentences also
    sentence, start, end: offsets in the clean text), then one column per frame
    in dictionary order. A document without tokens has NaN rates (a warning
    names it). ``.attrs["corpuskit"]`` records unit, per, frames and the
    dictionary's name and version (:func:`frame_prevalence` reads it).
    Sentence counts add up to document counts exactly, because phrases never
    match across sentences.

    Example
    -------
    >>> f = score_frames(ck.load_corpus("seeds"))          # doctest: +SKIP
    >>> f[["id", "year", "threat.china", "deterrence"]]    # doctest: +SKIP
    """
    if unit not in ("document", "sentence"):
        raise ParameterError(f"unit={unit!r}: use 'document' or 'sentence'")
    if per is not None and (not isinstance(per, (int, float, np.integer, np.floating)) or not per > 0):
        raise ParameterError(f"per={per!r}: pass a positive number of tokens (1000 for hits per 1,000 tokens) "
                             "or None for raw counts")
    _check_corpus(corpus)
    if len(corpus) == 0:  # the wording of dfm() and TopicModel
        raise ParameterError("corpus has no documents: frame scoring needs texts (did between() or subset() "
                             "select nothing?)")
    d = load_dictionary(dictionary)
    clash = sorted(_OUTPUT_COLUMNS.intersection(d.keys()))
    if clash:
        raise ParameterError(f"dictionary frame name(s) {', '.join(map(repr, clash))} collide with output "
                             "columns; rename the frame(s)")
    tk = _tokenize_corpus(corpus)
    mt = match_entries(tk, d, nested_scope)
    frames = d.keys()
    sc = _sentence_counts(tk, mt, len(frames))
    dv = corpus.docvars.reset_index(drop=True)
    if unit == "document":
        counts = np.zeros((len(dv), len(frames)), dtype=np.int64)
        np.add.at(counts, tk.sents["doc"].to_numpy(), sc)
        n_tok = np.bincount(tk.sents["doc"].to_numpy(), weights=tk.sents["n_tokens"].to_numpy(),
                            minlength=len(dv)).astype(np.int64)
        out = dv[["id", "date", "date_mid", "year"]].copy()
        out["n_tokens"] = n_tok
    else:
        counts = sc
        n_tok = tk.sents["n_tokens"].to_numpy().astype(np.int64)
        doc = tk.sents["doc"].to_numpy()
        out = pd.DataFrame({"id": dv["id"].to_numpy()[doc], "sentence": tk.sents["sentence"].to_numpy(),
                            "start": tk.sents["start"].to_numpy(), "end": tk.sents["end"].to_numpy(),
                            "date": dv["date"].to_numpy()[doc], "date_mid": dv["date_mid"].to_numpy()[doc],
                            "year": dv["year"].to_numpy()[doc], "n_tokens": n_tok})
        out["id"] = out["id"].astype("string")
    if per is None:
        values = counts
    else:
        empty = n_tok == 0
        if empty.any():
            warnings.warn(f"documents without tokens get NaN frame rates: {', '.join(out['id'][empty].astype(str))}",
                          UserWarning, stacklevel=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = counts / np.where(empty, np.nan, n_tok)[:, None] * per
    fr = pd.DataFrame(values, columns=frames, index=out.index)
    out = pd.concat([out, fr], axis=1)
    out.attrs["corpuskit"] = {"kind": "frames", "unit": unit, "per": per, "frames": list(frames),
                              "dictionary": d.name, "version": d.version, "nested_scope": nested_scope}
    return out


def frame_terms(corpus, dictionary: "str | os.PathLike | Mapping | FrameDictionary | None" = None,
                frame: str | Sequence[str] | None = None, *, by_document: bool = False,
                include_unmatched: bool = False, nested_scope: str = "dictionary") -> pd.DataFrame:
    """Which entries matched, as what text, how often: the dictionary's audit trail.

    Counts are hits after overlap resolution (what :func:`score_frames` counts).

    Returns frame, entry, match (the matched tokens, normalized), count, n_docs
    (plus id when ``by_document=True``), sorted by frame (dictionary order) and
    count. ``include_unmatched=True`` adds entries that never matched, with
    count 0 and match ``<NA>``.

    Example
    -------
    >>> frame_terms(corpus, frame="deterrence").head()   # doctest: +SKIP
    """
    d = load_dictionary(dictionary)
    frames = d.keys()
    if frame is None:
        wanted = frames
    else:
        wanted = [frame] if isinstance(frame, str) else list(frame)
        bad = [f for f in wanted if f not in d]
        if bad:
            raise ParameterError(f"frame={bad[0]!r} is not in the dictionary; frames: {', '.join(frames)}")
    tk = _tokenize_corpus(corpus)
    mt = match_entries(tk, d, nested_scope)
    comp = d._compiled()
    ids = corpus.docvars["id"].astype(str).to_numpy()
    texts = np.empty(len(mt.start), dtype=object)
    for L in np.unique(mt.length):
        sel = np.flatnonzero(mt.length == L)
        idx = mt.start[sel][:, None] + np.arange(L)
        words = tk.vocab[tk.codes[idx]]
        texts[sel] = [" ".join(w) for w in words]
    hits = pd.DataFrame({"frame": [frames[f] for f in mt.frame], "entry": [comp[e][3] for e in mt.entry],
                         "entry_order": mt.entry, "match": texts,
                         "id": ids[tk.sents["doc"].to_numpy()[tk.seg[mt.start]]] if len(mt.start) else []})
    keys = ["frame", "entry", "entry_order", "match"] + (["id"] if by_document else [])
    if len(hits):
        out = hits.groupby(keys, sort=False).agg(count=("id", "size"), n_docs=("id", "nunique")).reset_index()
    else:
        out = pd.DataFrame(columns=keys + ["count", "n_docs"])
    if include_unmatched:
        matched = set(out["entry_order"].tolist())
        extra = [{"frame": frames[fi], "entry": e, "entry_order": gi, "match": pd.NA, "count": 0, "n_docs": 0}
                 for gi, (fi, _, _, e) in enumerate(comp) if gi not in matched]
        if extra:
            out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    out = out[out["frame"].isin(wanted)]
    out["frame_order"] = out["frame"].map({f: i for i, f in enumerate(frames)})
    out = out.sort_values(["frame_order", "count", "entry_order", "match"], ascending=[True, False, True, True],
                          kind="stable").drop(columns=["frame_order", "entry_order"]).reset_index(drop=True)
    out["count"] = out["count"].astype(int)
    out["n_docs"] = out["n_docs"].astype(int)
    cols = ["frame", "entry", "match"] + (["id"] if by_document else []) + ["count", "n_docs"]
    return out[cols].astype({c: "string" for c in cols if c in ("frame", "entry", "match", "id")})


# ============================================================================ prevalence
def frame_prevalence(frames, by: str = "year", *,
                     dictionary: "str | os.PathLike | Mapping | FrameDictionary | None" = None,
                     n_boot: int = 1000, level: float = 0.95, random_state: int | None = None,
                     per: "float | None | str" = "auto", nested_scope: str = "dictionary") -> pd.DataFrame:
    """Each frame's share of all frame hits per period, with a bootstrap CI.

    Parameters
    ----------
    frames : a corpus (scored per sentence here, with ``dictionary``), or the
        output of :func:`score_frames`. Pass sentence-level
        scores (``unit="sentence"``): where a period has a single document, the
        CI can then resample that document's sentences; from document-level
        scores such a period gets no CI (``ci_basis="none"`` and a note).
    by : period ("year", "month", "5Y", "decade", ...).
    n_boot, level, random_state : bootstrap settings (same seed -> same table).
    per : the ``per`` the scores were computed with; ``"auto"`` reads it from
        the table's ``attrs`` (set by score_frames).

    Returns
    -------
    A long table from :func:`corpuskit.periods.period_shares`: period,
    period_start, period_end, period_mid, frame, share, ci_low, ci_high, n_docs,
    n_units, ci_basis ("documents": resampled documents; "units": one document,
    resampled sentences, which are not independent, so that interval is too
    narrow for inference about the period; "none"), plus hits (this frame's
    hits), n_hits (all frame hits in the period) and note. Periods with no
    documents are rows with n_docs=0 and NaN. A period with documents but no
    frame hits has share NaN (0/0: no frame is present to have a share) and
    the note says so; shares are never silently 0 or NaN.

    Example
    -------
    >>> frame_prevalence(ck.load_corpus("seeds"), by="year", random_state=0)   # doctest: +SKIP
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ParameterError(f"n_boot={n_boot!r}: pass a positive integer number of bootstrap resamples")
    if not isinstance(level, (float, int)) or not 0 < level < 1:
        raise ParameterError(f"level={level!r}: pass a confidence level between 0 and 1, e.g. 0.95")
    if not isinstance(frames, pd.DataFrame):
        frames = score_frames(frames, dictionary, unit="sentence", per=None, nested_scope=nested_scope)
    elif dictionary is not None:
        raise ParameterError("dictionary= is used only when frames is a corpus; this table is already scored")
    meta = frames.attrs.get("corpuskit", {})
    for col in ("id", "date", "n_tokens"):
        if col not in frames.columns:
            raise ParameterError(f"frames has no {col!r} column: pass the output of score_frames (or a corpus)")
    if len(frames) == 0:
        raise ParameterError("frames has no rows: no documents or sentences to aggregate (did a filter "
                             "select nothing?)")
    cols = [c for c in meta.get("frames", []) if c in frames.columns]
    if not cols:
        cols = [c for c in frames.columns if c not in _OUTPUT_COLUMNS and pd.api.types.is_numeric_dtype(frames[c])]
    if not cols:
        raise ParameterError("frames has no frame columns: pass the output of score_frames (or a corpus)")
    if per == "auto":
        if "per" not in meta:
            raise ParameterError("per='auto' needs the table score_frames returned (its attrs record per); "
                                 "pass per=1000 (score_frames' default) or per=None for raw counts")
        per = meta["per"]
    values = frames[cols].to_numpy(dtype=float)
    n_tok = frames["n_tokens"].to_numpy(dtype=float)
    if per is not None:
        values = np.rint(values * n_tok[:, None] / per)
    values = np.where(n_tok[:, None] == 0, 0.0, values)  # no tokens, no hits (rates there are NaN)
    if np.isnan(values).any():
        r, c = np.argwhere(np.isnan(values))[0]
        raise ParameterError(f"frames has a missing value in column {cols[c]!r} (id {frames['id'].iat[r]!r}); "
                             "frame counts must be complete")
    if (values < 0).any():
        raise ParameterError("frames has negative frame scores; pass hit counts or rates from score_frames")
    unit = meta.get("unit", "sentence" if "sentence" in frames.columns else "document")
    periods = assign_periods(frames["date"], by)
    # periods without hits get NaN shares and CIs (period_shares warns of nothing); `note` says why
    out = period_shares(values, frames["id"].astype(str).to_numpy(), periods, list(cols),
                        n_boot=n_boot, level=level, random_state=random_state)
    out = out.rename(columns={"category": "frame"})
    labels = np.asarray(periods.astype(str))
    hits = pd.DataFrame(values, columns=cols).groupby(labels).sum()
    out["hits"] = [hits.at[p, f] if p in hits.index else 0.0 for p, f in zip(out["period"], out["frame"])]
    out["n_hits"] = out["period"].map(hits.sum(axis=1)).fillna(0.0)
    out["hits"] = out["hits"].astype(int)
    out["n_hits"] = out["n_hits"].astype(int)

    def note(row) -> str:
        if row["n_docs"] == 0:
            return "no documents in this period"
        if row["n_hits"] == 0:
            return f"no frame hits in {row['n_docs']} document(s): share undefined"
        if row["ci_basis"] == "documents" and row["n_docs"] < 5:
            return (f"only {row['n_docs']} documents: the bootstrap over so few documents is coarse "
                    "(it can only recombine them)")
        if row["ci_basis"] == "units":
            return ("one document: CI resamples its sentences, which are not independent "
                    "(an interval for this text, not for the period)")
        if row["ci_basis"] == "none":
            return ("one document scored as a whole: no CI (score per sentence, unit='sentence')"
                    if unit == "document" else "one sentence: no CI")
        return ""

    out["note"] = out.apply(note, axis=1).astype("string")
    out["frame"] = out["frame"].astype("string")
    return out
