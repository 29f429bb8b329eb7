"""Draw the frame-precision sample of the ungd_japan study: 20 random dictionary hits per frame, in context.

Each hit is a match of one of the frame's entries in frames.yml (ck.kwic with the frame's entries, 20 tokens
each side); a coder judges each hit against CODEBOOK.md (is this use of the term the frame as defined?) and
writes ``relevant`` (yes/no) and a rationale into kwic_coded.csv. Precision per frame = share of yes.

    python notebooks/data/ungd_japan/annotations/draw_kwic.py   # writes kwic_sample.csv
"""
from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd

import corpuskit as ck

HERE = pathlib.Path(__file__).resolve().parent
N_PER_FRAME, SEED = 20, 20261205


def main() -> None:
    out = HERE / "kwic_sample.csv"
    if out.exists():
        raise SystemExit(f"{out} exists: the sample is drawn once; delete it by hand to redraw")
    corpus = ck.load_corpus(HERE.parent)
    toks = ck.tokens(corpus)
    frames = ck.load_dictionary(HERE.parent / "frames.yml")
    rng = np.random.default_rng(SEED)
    parts = []
    for frame in frames.keys():
        hits = ck.kwic(toks, list(frames[frame]), window=20)
        hits = hits.drop_duplicates(subset=["id", "start"]).reset_index(drop=True)
        take = np.sort(rng.choice(len(hits), min(N_PER_FRAME, len(hits)), replace=False))
        parts.append(hits.iloc[take].assign(frame=frame, n_hits=len(hits)))
    df = pd.concat(parts, ignore_index=True)
    df["relevant"] = ""
    df["rationale"] = ""
    df[["frame", "n_hits", "id", "year", "pattern", "raw_start", "raw_end", "pre", "keyword", "post",
        "relevant", "rationale"]].to_csv(out, index=False)
    print(df.groupby("frame", sort=False)["n_hits"].first().to_dict())


if __name__ == "__main__":
    main()
