"""A check, not a benchmark: score_stance over every statement of the UN General Debate corpus.

Streamed (``ck.scan``, chunks of 500 statements, one process): each chunk's Tokens are scored with the
packaged rearmament lexicons (sentence unit) and their character offsets read (``Tokens.start``: the
whole text's ``token_spans`` against the sentence tokens), so a statement whose tokens disagree stops
the run with its document and sentence row. About 2 minutes for the 10,952 statements.

    PYTHONPATH=$PWD python benchmarks/ungdc_stance.py /work/shared/corpora/ungdc
"""
import sys
import time

import corpuskit as ck


def stance(tk):
    return ck.score_stance(tk, target="rearmament", cues="rearmament", unit="sentence")


def offsets(tk):
    s, e = tk.start, tk.end
    assert len(s) == len(tk.codes) and (e > s).all()
    return tk.docvars[["id"]].assign(n_tokens=tk.ntoken())


if __name__ == "__main__":
    t0 = time.perf_counter()
    _, out = ck.scan(ck.StreamingCorpus(sys.argv[1], chunk_size=500), {"stance": stance, "offsets": offsets},
                     n_jobs=1, progress=False)
    st, off = out["stance"], out["offsets"]
    print(f"{len(off)} statements, {int(off['n_tokens'].sum())} tokens, {len(st)} target sentences in "
          f"{st['id'].nunique()} statements, {time.perf_counter() - t0:.0f} s")
