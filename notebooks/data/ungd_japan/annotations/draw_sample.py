"""Draw the gold-standard coding sample of the ungd_japan study (run once, before any coding or lexicon).

The sampling frame is every sentence of the 68 statements that the codebook's broad filter finds
(CODEBOOK.md, "Which sentences are coded") — not what a stance lexicon finds, so that recall can be
estimated. The sample is stratified by the study's three eras with equal allocation (60 sentences an era),
so each sentence carries its sampling weight (sentences of its era in the frame / drawn from it).
A second, independent coder codes a random 20 of each era's 60 (second_sample.csv) without the first codes.

    python notebooks/data/ungd_japan/annotations/draw_sample.py   # writes sample.csv, second_sample.csv
"""
from __future__ import annotations

import pathlib
import re

import numpy as np
import pandas as pd

import corpuskit as ck

HERE = pathlib.Path(__file__).resolve().parent
ERAS = {"1957–1989": (1957, 1989), "1990–2012": (1990, 2012), "2013–2024": (2013, 2024)}
# the codebook's broad filter, as written there
BROAD = re.compile(r"peace|security|\bforces\b|military|defen[cs]e|troops|personnel|self-defen", re.IGNORECASE)
N_PER_ERA, N_SECOND_PER_ERA, SEED = 60, 20, 20261204


def era_of(year: int) -> str:
    return next(name for name, (a, b) in ERAS.items() if a <= year <= b)


def main() -> None:
    corpus = ck.load_corpus(HERE.parent)
    sents = ck.sentences(corpus)
    frame = sents[sents["text"].str.contains(BROAD)].copy()
    frame["era"] = [era_of(int(y)) for y in frame["year"]]
    sheet = ck.sample_for_coding(frame, N_PER_ERA * len(ERAS), by="era", allocation="equal", random_state=SEED)
    sheet.insert(5, "target", "")
    sheet["frame_size"] = sheet["era"].map(frame["era"].value_counts())
    for name, out in (("sample.csv", sheet), ):
        if (HERE / name).exists():
            raise SystemExit(f"{HERE / name} exists: the sample is drawn once; delete it by hand to redraw")
        out.to_csv(HERE / name, index=False)
    rng = np.random.default_rng(SEED + 1)
    second = pd.concat([g.iloc[np.sort(rng.choice(len(g), N_SECOND_PER_ERA, replace=False))]
                        for _, g in sheet.groupby("era", sort=True)])
    second.sort_index().to_csv(HERE / "second_sample.csv", index=False)
    print(f"{len(frame)} sentences in the frame of {len(sents)}; by era {frame['era'].value_counts().sort_index().to_dict()}")


if __name__ == "__main__":
    main()
