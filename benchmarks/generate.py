"""Seeded generator of large, realistic news-like corpora for the benchmarks.

Articles are 400-900 words, dated uniformly over 2005-2024 (day precision),
built from real sentences: every sentence of the State of the Union addresses
(notebooks/data/state_of_the_union) and of the five seed articles (seeds/,
sampled 20x more often so rearmament frames and targets occur). A share of the
words (4%) is replaced by words of a real frequency list (wordfreq's English
list, a benchmark-only dependency), drawn with probability ~ 1/rank from its
first V(T) words, where T is the number of tokens generated so far and
V(T) = 10 * T**0.5 (Heaps' law): the vocabulary keeps growing with corpus
size, as a news archive's does, instead of saturating at the source corpus's.
A fifth of the articles carry page furniture the Cleaner removes (a repeated
deck, a teaser ending in "...").

Writes any of: corpus.jsonl, corpus.csv, corpus.parquet, folder/ (txt files +
metadata.csv), streaming (never all texts in memory).

    python benchmarks/generate.py --docs 10000 --out benchmarks/data/10k --formats jsonl,parquet
"""
from __future__ import annotations

import argparse
import csv
import json
import pathlib
import re
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "notebooks" / "data" / "state_of_the_union", ROOT / "seeds"]
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
START, END = np.datetime64("2005-01-01"), np.datetime64("2024-12-31")


def sentence_pool() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Real sentences (8-60 words), their word counts and sampling weights."""
    sents, weights = [], []
    for src in SOURCES:
        w = 20.0 if src.name == "seeds" else 1.0
        for p in sorted(src.glob("*.txt")):
            for para in p.read_text(encoding="utf-8").splitlines():
                for s in _SENT.split(para.strip()):
                    n = len(s.split())
                    if 8 <= n <= 60:
                        sents.append(" ".join(s.split()))
                        weights.append(w)
    lengths = np.array([len(s.split()) for s in sents])
    wts = np.array(weights) / np.sum(weights)
    return sents, lengths, wts


def word_list() -> np.ndarray:
    import wordfreq
    words = [w for w in wordfreq.top_n_list("en", 10 ** 6, wordlist="large") if w.isalpha()]
    return np.array(words, dtype=object)


def documents(n_docs: int, seed: int = 0):
    """Yield (id, date, title, text) for ``n_docs`` articles, deterministically for ``seed``."""
    rng = np.random.default_rng(seed)
    sents, lengths, wts = sentence_pool()
    vocab = word_list()
    cum = np.cumsum(wts)
    days = int((END - START).astype(int))
    n_tokens = 0
    for i in range(n_docs):
        target = int(rng.integers(400, 901))
        idx = np.searchsorted(cum, rng.random(80), side="right").clip(max=len(sents) - 1)
        k = int(np.searchsorted(np.cumsum(lengths[idx]), target)) + 1
        chosen = [sents[j] for j in idx[:k]]
        words = " ".join(chosen).split(" ")
        v = min(len(vocab), int(10 * max(n_tokens, 1) ** 0.5))
        n_rep = rng.binomial(len(words), 0.04)
        pos = rng.integers(0, len(words), n_rep)
        ranks = np.floor(np.exp(rng.random(n_rep) * np.log(v))).astype(int)  # P(rank) ~ 1/rank
        for p_, r in zip(pos, ranks):
            words[p_] = vocab[r]
        n_tokens += len(words)
        # paragraphs of 2-5 sentences, re-split on the words after replacement
        text = " ".join(words)
        parts = _SENT.split(text)
        paras, j = [], 0
        while j < len(parts):
            m = int(rng.integers(2, 6))
            paras.append(" ".join(parts[j:j + m]))
            j += m
        title = " ".join(parts[0].split()[:8])
        if rng.random() < 0.2:  # page furniture: a deck repeated in the body, a teaser of another story
            paras.insert(1, paras[0])
            paras.append("Read more: " + " ".join(sents[int(rng.integers(len(sents)))].split()[:9]) + "...")
        date = str(START + np.timedelta64(int(rng.integers(0, days + 1)), "D"))
        yield f"{i:07d}", date, title, "\n\n".join(paras) + "\n"


def generate(n_docs: int, out: pathlib.Path, formats: list[str], seed: int = 0) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    files, writers = {}, {}
    if "jsonl" in formats:
        files["jsonl"] = open(out / "corpus.jsonl", "w", encoding="utf-8")
    if "csv" in formats:
        files["csv"] = open(out / "corpus.csv", "w", encoding="utf-8", newline="")
        writers["csv"] = csv.writer(files["csv"])
        writers["csv"].writerow(["id", "date", "title", "text"])
    if "folder" in formats:
        (out / "folder").mkdir(exist_ok=True)
        files["meta"] = open(out / "folder" / "metadata.csv", "w", encoding="utf-8", newline="")
        writers["meta"] = csv.writer(files["meta"])
        writers["meta"].writerow(["id", "date", "title"])
    pq_writer, batch = None, []
    n_bytes = 0
    t0 = time.time()

    def flush():
        nonlocal pq_writer, batch
        import pyarrow as pa
        import pyarrow.parquet as pq
        tab = pa.table({k: [r[i] for r in batch] for i, k in enumerate(["id", "date", "title", "text"])})
        if pq_writer is None:
            pq_writer = pq.ParquetWriter(out / "corpus.parquet", tab.schema)
        pq_writer.write_table(tab, row_group_size=10_000)
        batch = []

    for rec in documents(n_docs, seed):
        doc_id, date, title, text = rec
        n_bytes += len(text.encode("utf-8"))
        if "jsonl" in files:
            files["jsonl"].write(json.dumps({"id": doc_id, "date": date, "title": title, "text": text}) + "\n")
        if "csv" in writers:
            writers["csv"].writerow(rec)
        if "meta" in writers:
            writers["meta"].writerow([doc_id, date, title])
            (out / "folder" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        if "parquet" in formats:
            batch.append(rec)
            if len(batch) == 10_000:
                flush()
    if batch:
        flush()
    if pq_writer is not None:
        pq_writer.close()
    for f in files.values():
        f.close()
    info = {"docs": n_docs, "text_mb": n_bytes / 1e6, "seed": seed, "formats": formats,
            "seconds": round(time.time() - t0, 1)}
    (out / "generated.json").write_text(json.dumps(info, indent=1))
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--formats", default="jsonl,parquet")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(generate(a.docs, a.out, a.formats.split(","), a.seed))


if __name__ == "__main__":
    main()
