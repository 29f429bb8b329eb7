"""The gold standard: hand-coded sentences, their identity across re-cleaning, and agreement.

:func:`read_gold` reads and checks a coding sheet; :func:`check_gold` checks its spans against the raw
texts; :func:`attach_gold` joins it onto a sentence table; :func:`sample_for_coding` draws the next
sheet; :func:`agreement` compares predicted with gold labels (scikit-learn's metrics).

>>> sentence_hash("Japan  rearms.") == sentence_hash("Japan rearms.")
True
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import pathlib
import re
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, cohen_kappa_score, confusion_matrix, f1_score,
                             precision_recall_fscore_support)

from ..classifier import LABEL_SCORES
from ..errors import CorpuskitError, ParameterError

__all__ = ["LABELS", "GOLD_COLUMNS", "GoldError", "sentence_hash", "check_labels", "read_gold", "check_gold",
           "attach_gold", "sample_for_coding", "agreement", "target_detection"]

#: The stance labels (the keys of :data:`corpuskit.classifier.LABEL_SCORES`).
LABELS = tuple(LABEL_SCORES)
GOLD_COLUMNS = ("id", "start", "end", "sentence_hash", "sentence", "label")


class GoldError(CorpuskitError):
    """A gold standard that cannot be used: the message names the file, row, column and value."""



def sentence_hash(text: str) -> str:
    """SHA-1 (hex) of the whitespace-normalized text: a sentence's identity across re-splitting.

    >>> sentence_hash("Japan  rearms.\\n") == sentence_hash("Japan rearms.")
    True
    """
    if not isinstance(text, str):
        raise ParameterError(f"sentence_hash: text {text!r} is not a string")
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def check_labels(lab: Sequence[str], where: str, allowed: Sequence[str] = LABELS) -> None:
    for i, v in enumerate(lab):
        if v not in allowed:
            raise GoldError(f"{where}, row {i + 1}: label {v!r} is not one of {', '.join(allowed)}; recode it")


# ============================================================================ gold standard
def read_gold(path: "str | os.PathLike") -> pd.DataFrame:
    """Read a gold-standard CSV (id, start, end, sentence_hash, sentence, label [, target, rationale ...]).

    Checks every row: id non-empty (kept as a string, "000" stays "000"), start/end integers with
    0 <= start < end, label in favor/against/none, a 40-hex sentence_hash, no span coded twice. A
    problem raises :class:`GoldError` naming the file, line, column and value.

    >>> gold = read_gold("seeds/annotations/gold.csv")
    >>> len(gold), gold["label"].value_counts().to_dict()
    (132, {'none': 100, 'favor': 31, 'against': 1})
    """
    p = pathlib.Path(path)
    if not p.is_file():
        raise GoldError(f"{p}: no such gold file")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise GoldError(f"{p}, line {line}: not valid UTF-8; save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise GoldError(f"{p}: empty file; write a header {','.join(GOLD_COLUMNS)}")
    header = [h.strip() for h in header]
    missing = [c for c in GOLD_COLUMNS if c not in header]
    if missing:
        raise GoldError(f"{p}, line 1: missing column(s) {', '.join(missing)}; the header needs "
                        f"{','.join(GOLD_COLUMNS)}")
    rows, lines = [], []
    seen: dict[tuple[str, int, int], int] = {}
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise GoldError(f"{p}, line {line}: {len(row)} fields, the header has {len(header)}; quote fields "
                            "that contain commas")
        r = dict(zip(header, row))
        if not r["id"].strip():
            raise GoldError(f"{p}, line {line}, column id: empty id; give the document id")
        for c in ("start", "end"):
            v = r[c].strip()
            if not re.fullmatch(r"\d+", v):
                raise GoldError(f"{p}, line {line}, column {c}: {v!r} is not a non-negative integer offset")
        s, e = int(r["start"]), int(r["end"])
        if s >= e:
            raise GoldError(f"{p}, line {line}: start {s} >= end {e}; the span must be non-empty")
        if r["label"] not in LABELS:
            raise GoldError(f"{p}, line {line}, column label: {r['label']!r} is not one of {', '.join(LABELS)}")
        if not re.fullmatch(r"[0-9a-f]{40}", r["sentence_hash"]):
            raise GoldError(f"{p}, line {line}, column sentence_hash: {r['sentence_hash']!r} is not a sha1 hex "
                            "digest; use ck.sentence_hash(sentence)")
        k = (r["id"], s, e)
        if k in seen:
            raise GoldError(f"{p}, line {line}: span {r['id']}:{s}-{e} is already coded on line {seen[k]}")
        seen[k] = line
        rows.append(r)
        lines.append(line)
    if not rows:
        raise GoldError(f"{p}: a header but no coded rows")
    df = pd.DataFrame(rows, columns=header)
    df["start"] = df["start"].astype("int64")
    df["end"] = df["end"].astype("int64")
    df["line"] = np.asarray(lines, dtype=np.int64)
    df.attrs["source"] = str(p)
    return df.astype({c: "string" for c in header if c not in ("start", "end")})


def check_gold(gold: pd.DataFrame, corpus, *, strict: bool = False) -> pd.DataFrame:
    """Check that each gold row's span still holds its sentence in the RAW text of ``corpus``.

    Returns one row per gold row: id, start, end, status ("ok", "unknown id", "span out of range",
    "hash mismatch") and found_hash (the hash of the raw span now). ``strict=True`` raises
    :class:`GoldError` at the first problem, naming the gold file/line, the id, span and value.
    """
    raws = {d.id: d.raw for d in corpus}
    src = gold.attrs.get("source", "gold")
    status, found = [], []
    for i, r in enumerate(gold.itertuples(index=False)):
        raw = raws.get(str(r.id))
        if raw is None:
            st, h = "unknown id", None
        elif r.end > len(raw):
            st, h = "span out of range", None
        else:
            h = sentence_hash(raw[r.start:r.end])
            st = "ok" if h == r.sentence_hash else "hash mismatch"
        status.append(st)
        found.append(h)
        if strict and st != "ok":
            line = getattr(r, "line", i + 2)
            raise GoldError(f"{src}, line {line}: id {r.id!r} span {r.start}-{r.end}: {st} (stored hash "
                            f"{r.sentence_hash}, raw text now {h}); re-anchor the row or recode it")
    return pd.DataFrame({"id": gold["id"].astype("string").to_numpy(), "start": gold["start"].to_numpy(),
                         "end": gold["end"].to_numpy(), "status": pd.array(status, dtype="string"),
                         "found_hash": pd.array(found, dtype="string")})


def attach_gold(sentences: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Join gold labels onto a sentence table by raw span, else by sentence hash.

    ``sentences`` needs id, text and raw_start/raw_end (as :func:`corpuskit.tokenizer.sentences` and
    :func:`target_sentences` give). A sentence takes the gold row with the same id and raw span
    (``gold_matched_by="span"``); failing that, the gold row of the same id whose hash equals the
    hash of its text (``"hash"``: survives a change of cleaning that moves offsets); else no label
    (``gold_label`` <NA>, ``gold_matched_by="unmatched"``): never dropped. Adds gold_label,
    gold_target (when the gold has a target column), gold_weight (when it has a sampling ``weight``)
    and gold_matched_by.
    """
    need = [c for c in ("id", "text", "raw_start", "raw_end") if c not in sentences.columns]
    if need:
        raise ParameterError(f"sentences: missing column(s) {', '.join(need)}; pass ck.sentences(corpus) or "
                             "ck.target_sentences(corpus)")
    for c in ("id", "start", "end", "sentence_hash", "label"):
        if c not in gold.columns:
            raise ParameterError(f"gold: missing column {c!r}; read it with ck.read_gold(path)")
    g = gold.assign(id=gold["id"].astype(str))
    extra = ["target"] if "target" in g.columns else []
    weighted = "weight" in g.columns
    out = sentences.copy()
    key_id = out["id"].astype(str)
    span = pd.MultiIndex.from_arrays([g["id"], g["start"].astype("int64"), g["end"].astype("int64")])
    sidx = pd.Series(np.arange(len(g)), index=span)
    sidx = sidx[~sidx.index.duplicated()]
    raw_s = pd.to_numeric(out["raw_start"], errors="coerce").fillna(-1).astype("int64")
    raw_e = pd.to_numeric(out["raw_end"], errors="coerce").fillna(-1).astype("int64")
    by_span = sidx.reindex(pd.MultiIndex.from_arrays([key_id, raw_s, raw_e])).to_numpy()
    hidx = pd.Series(np.arange(len(g)), index=pd.MultiIndex.from_arrays([g["id"], g["sentence_hash"].astype(str)]))
    hidx = hidx[~hidx.index.duplicated()]
    hashes = [sentence_hash(t) for t in out["text"].astype(str)]
    by_hash = hidx.reindex(pd.MultiIndex.from_arrays([key_id, pd.Index(hashes)])).to_numpy()
    pick = np.where(~np.isnan(by_span), by_span, by_hash)
    how = np.where(~np.isnan(by_span), "span", np.where(~np.isnan(by_hash), "hash", "unmatched"))
    ok = ~np.isnan(pick)
    pi = np.where(ok, pick, 0).astype(np.int64)
    labels = g["label"].astype(str).to_numpy(dtype=object)[pi]
    out["gold_label"] = pd.array(np.where(ok, labels, None), dtype="string")
    if extra:
        tg = g["target"].astype(str).to_numpy(dtype=object)[pi]
        out["gold_target"] = pd.array(np.where(ok, tg, None), dtype="string")
    if weighted:
        w = pd.to_numeric(g["weight"], errors="coerce").to_numpy(dtype=float)[pi]
        out["gold_weight"] = np.where(ok, w, np.nan)
    out["gold_matched_by"] = pd.array(how, dtype="string")
    return out


def target_detection(found: pd.DataFrame, gold: pd.DataFrame) -> dict[str, Any]:
    """Precision and recall of target detection, estimated on a coded sample of sentences.

    ``found``: the sentences a target lexicon found (:func:`target_sentences`), ``gold``: coded
    sentences with a ``target`` column (yes/no) and, for a stratified sample, a sampling ``weight``
    (:func:`sample_for_coding`). Only coded sentences count: precision = weighted share on target
    among the coded sentences found; recall = weighted share found among the coded sentences on
    target (Horvitz–Thompson ratio estimates; unweighted when the gold has no weight). With every
    sentence coded this is the plain precision and recall.

    Returns n_found_coded, n_target_coded, n_found_on_target, precision, recall.

    >>> found = target_detection(ck.target_sentences(corpus, "rearmament"), read_gold("seeds/annotations/gold.csv"))
    >>> found["n_found_coded"], found["n_found_on_target"], round(float(found["precision"]), 3)
    (78, 62, 0.795)
    """
    if "target" not in gold.columns:
        raise ParameterError("gold: no 'target' column (yes/no): target detection needs coded relevance")
    lg = attach_gold(found, gold)
    coded = lg[lg["gold_label"].notna()]
    w_found = coded["gold_weight"].to_numpy(float) if "gold_weight" in coded else np.ones(len(coded))
    on_found = (coded["gold_target"].astype(str) == "yes").to_numpy()
    g_on = gold["target"].astype(str) == "yes"
    w_gold = pd.to_numeric(gold["weight"], errors="coerce").to_numpy(float) if "weight" in gold else np.ones(len(gold))
    hit = float(w_found[on_found].sum())
    return {"n_found_coded": int(len(coded)), "n_target_coded": int(g_on.sum()),
            "n_found_on_target": int(on_found.sum()),
            "precision": hit / w_found.sum() if len(coded) else float("nan"),
            "recall": hit / w_gold[g_on.to_numpy()].sum() if g_on.any() else float("nan")}


def sample_for_coding(sentences: pd.DataFrame, n: int, by: str | None = "id", *,
                      allocation: str = "proportional", random_state: int | None = None) -> pd.DataFrame:
    """A stratified random sample of sentences to hand-code, as a gold-format coding sheet.

    ``allocation="proportional"`` gives each stratum (column ``by``; ``None`` = simple random sample)
    a share of ``n`` proportional to its size; ``"equal"`` gives each stratum the same share (so
    small strata, e.g. a short era, get enough sentences to estimate within them). Shares are
    rounded by largest remainder (Hamilton), so the sheet has exactly ``n`` rows (or all sentences
    when ``n`` exceeds them), no stratum getting more than it holds; sampling within strata is
    without replacement. Returns id, start, end (raw span), sentence_hash, sentence, label (empty),
    rationale (empty), ``weight`` (the sampling weight: stratum size / sentences drawn from it, so
    weighted sums estimate totals over all ``sentences``), plus ``by``: write it out with ``to_csv``
    and code the label column (favor/against/none) by the codebook.

    >>> sents = ck.target_sentences(corpus, "rearmament")
    >>> sheet = sample_for_coding(sents, 20, by="id", allocation="equal", random_state=0)
    >>> len(sheet), sheet.columns.tolist()
    (20, ['id', 'start', 'end', 'sentence_hash', 'sentence', 'label', 'rationale', 'weight'])
    """
    need = [c for c in ("id", "text", "raw_start", "raw_end") if c not in sentences.columns]
    if need:
        raise ParameterError(f"sentences: missing column(s) {', '.join(need)}; pass ck.target_sentences(corpus)")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r}: pass a positive number of sentences to sample")
    if by is not None and by not in sentences.columns:
        raise ParameterError(f"by={by!r} is not a column of sentences; columns: {', '.join(map(str, sentences.columns))}")
    rng = np.random.default_rng(random_state)
    df = sentences.reset_index(drop=True)
    n = min(n, len(df))
    strata = df[by].astype(str) if by is not None else pd.Series(["all"] * len(df))
    sizes = strata.value_counts(sort=False).sort_index()
    if allocation not in ("proportional", "equal"):
        raise ParameterError(f"allocation={allocation!r}: use 'proportional' or 'equal'")
    cap = sizes.to_numpy()
    take = np.zeros(len(cap), dtype=int)
    # equal shares may exceed a small stratum: give what it holds and share the rest among the others
    while take.sum() < n:
        open_ = take < cap
        share = cap.astype(float) if allocation == "proportional" else np.ones(len(cap))
        share[~open_] = 0
        quota = take + share * (n - take.sum()) / share.sum()
        quota = np.minimum(quota, cap)
        new_take = np.floor(quota).astype(int)
        rem = min(n - new_take.sum(), int((new_take < cap).sum()))
        order = np.lexsort((np.arange(len(quota)), -(quota - new_take)))
        order = order[new_take[order] < cap][:rem]
        new_take[order] += 1
        take = new_take
    picked = []
    weight = np.zeros(len(df))
    for s, k, size in zip(sizes.index, take, cap):
        idx = np.flatnonzero(strata.to_numpy() == s)
        picked.append(rng.choice(idx, size=int(k), replace=False))
        weight[idx] = size / k if k else np.nan
    sel = np.sort(np.concatenate(picked)) if picked else np.zeros(0, int)
    sub = df.iloc[sel]
    out = pd.DataFrame({"id": sub["id"].astype("string").to_numpy(), "start": sub["raw_start"].to_numpy(),
                        "end": sub["raw_end"].to_numpy(),
                        "sentence_hash": [sentence_hash(t) for t in sub["text"].astype(str)],
                        "sentence": [" ".join(t.split()) for t in sub["text"].astype(str)],
                        "label": "", "rationale": "", "weight": weight[sel]})
    if by is not None and by != "id":
        out[by] = sub[by].to_numpy()
    return out.reset_index(drop=True)


def agreement(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Agreement of predicted with gold labels: n, accuracy, macro_f1, kappa, per_class, confusion.

    kappa is Cohen's (1960): (p_o - p_e) / (1 - p_e), p_e from the two marginals; it is undefined
    (NaN, with a warning) only when both sequences use one and the same label throughout.
    macro_f1 averages per-class F1 over the labels that occur in gold or predicted (scikit-learn's
    f1_score(average="macro") convention); a class never predicted has precision 0.
    per_class: DataFrame label, precision, recall, f1, support. confusion: DataFrame gold x predicted
    over ``labels``.

    >>> agreement(["favor", "none", "none"], ["favor", "none", "favor"])["accuracy"]
    0.6666666666666666
    """
    g = [str(x) for x in (gold.tolist() if hasattr(gold, "tolist") else gold)]
    p = [str(x) for x in (predicted.tolist() if hasattr(predicted, "tolist") else predicted)]
    if len(g) != len(p):
        raise ParameterError(f"gold has {len(g)} labels, predicted {len(p)}; pass aligned label sequences")
    if len(g) == 0:
        raise ParameterError("gold and predicted are empty; nothing to compare")
    labels = list(labels)
    check_labels(g, "gold", labels)
    check_labels(p, "predicted", labels)
    C = confusion_matrix(g, p, labels=labels)
    if len(set(g) | set(p)) == 1:  # both raters used one and the same label throughout: kappa is 0/0
        warnings.warn("agreement: gold and predicted use a single, identical label; Cohen's kappa is undefined "
                      "(NaN)", UserWarning, stacklevel=2)
        kappa = float("nan")
    else:
        kappa = cohen_kappa_score(g, p, labels=labels)
    prec, rec, f1, support = precision_recall_fscore_support(g, p, labels=labels, zero_division=0)
    per = pd.DataFrame({"label": labels, "precision": prec, "recall": rec, "f1": f1,
                        "support": support.astype(int)}).astype({"label": "string"})
    conf = pd.DataFrame(C, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="predicted"))
    return {"n": int(C.sum()), "accuracy": float(accuracy_score(g, p)),
            "macro_f1": float(f1_score(g, p, average="macro", zero_division=0)), "kappa": float(kappa),
            "per_class": per, "confusion": conf}
