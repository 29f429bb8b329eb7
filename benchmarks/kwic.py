"""kwic on the State of the Union (233 addresses, 11 MB): the cost of building the Tokens apart from the
cost of each pattern's lookup (issue 13, item 5). Not a test: the numbers depend on the machine.

    PYTHONPATH=. python benchmarks/kwic.py
"""
import pathlib
import time

import corpuskit as ck
from corpuskit.tokenizer import Tokens

SOTU = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "data" / "state_of_the_union"
PATTERNS = ["freedom", "war", "liberty", "immig*", "united states", "^tax(es)?$"]


def clock(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def main() -> None:
    corpus = ck.load_corpus(SOTU)
    build, tk = clock(lambda: Tokens(corpus))
    offsets, _ = clock(lambda: (tk.start, tk.index()))
    print(f"Tokens build: {build:.2f} s; character offsets + index (first kwic only): {offsets:.2f} s")
    for p in PATTERNS:
        vt = "regex" if p.startswith("^") else "glob"
        fresh, _ = clock(lambda: ck.kwic(Tokens(corpus), p, valuetype=vt))  # what every call paid before the cache
        kept, hits = clock(lambda: ck.kwic(corpus, p, valuetype=vt))       # the corpus keeps its Tokens
        print(f"{p!r:18} {len(hits):6d} hits  tokens rebuilt: {fresh:5.2f} s  corpus's kept tokens: {kept:5.3f} s")


if __name__ == "__main__":
    main()
