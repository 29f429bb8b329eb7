"""Speed-only fast paths give exactly the reference results (seeds and a State of the Union sample)."""
import fnmatch
import functools
import hashlib
import importlib
import pathlib
import re

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
import importlib

stance = importlib.import_module("corpuskit.stance.lexicon")
tokens = importlib.import_module("corpuskit.tokenizer")
from corpuskit.clean import split_lines
from corpuskit.tokenizer import Matcher

from conftest import spy_on


@pytest.fixture(scope="module")
def sample(sotu):
    # every whole address names some defense term, so the stance prefilter is checked on
    # paragraph-sized documents (news-like length), most of which name none
    recs = []
    sub = sotu.subset(sotu.ids[::6])
    for doc_id, text in zip(sub.ids, sub.iter_texts()):
        spans = tokens.sentence_spans(text)
        paras = [text[spans[j][0]:spans[min(j + 4, len(spans) - 1)][1]] for j in range(0, len(spans), 5)][:40]
        for k, p in enumerate(paras):
            recs.append({"id": f"{doc_id}-{k}", "date": doc_id[:4], "text": p})
    return ck.Corpus.from_records(recs, name="sotu_paragraphs")


def _lines(corpus):
    return [t[s:e] for t in corpus.iter_texts() for s, e, _ in split_lines(t) if t[s:e].strip()]


def test_memoized_punkt_equals_nltk(seeds, sample):
    lines = _lines(seeds) + _lines(sample)
    ref = [list(tokens._punkt_nltk().span_tokenize(x)) for x in lines]
    tokens._punkt()._memo.clear()
    assert [list(tokens._punkt().span_tokenize(x)) for x in lines] == ref
    assert len(tokens._punkt()._memo) > 0  # the memo was filled on the first pass
    assert [list(tokens._punkt().span_tokenize(x)) for x in lines] == ref  # and reused on the second


def test_sentence_span_cache_equals_uncached(seeds, sample):
    texts = list(seeds.iter_texts()) + list(sample.iter_texts())
    ref = [tokens._sentence_spans(t) for t in texts]
    tokens._SPAN_CACHE.clear()
    assert [tokens.sentence_spans(t) for t in texts] == ref
    got = tokens.sentence_spans(texts[0])
    got.append((0, 0))  # callers may change the list they get; the cache must not change
    assert tokens.sentence_spans(texts[0]) == ref[0]


# the committed results of score_stance before it read the Tokens (its own line-by-line stream):
# seeds sentence by sentence, and a hash of the State of the Union sentence table
STANCE_SEEDS = pathlib.Path(__file__).parent / "data" / "stance_seeds_sentences.csv"
SOTU_STANCE_SHA256 = "5a1163c330288a69ba491edd956607cab7041d8b3c193571f239ff7a69769c37"


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def test_stance_from_tokens_equals_committed_seed_results(seeds):
    got = ck.score_stance(seeds, unit="sentence", target="rearmament", cues="rearmament")
    assert len(got) == 78
    assert _csv(got) == STANCE_SEEDS.read_text(encoding="utf-8")
    # the Tokens is read as given (the streamed pass hands each scorer its chunk's Tokens)
    tk = ck.tokens(seeds)
    pd.testing.assert_frame_equal(ck.score_stance(tk, unit="sentence", target="rearmament", cues="rearmament"), got)
    pd.testing.assert_frame_equal(ck.target_sentences(tk, "rearmament"), ck.target_sentences(seeds, "rearmament"))


def test_stance_from_tokens_equals_committed_sotu_results(sotu):
    got = ck.score_stance(sotu, unit="sentence", target="rearmament", cues="rearmament")
    assert len(got) == 3809
    assert hashlib.sha256(_csv(got).encode()).hexdigest() == SOTU_STANCE_SHA256


def _brute_target_rows(corpus, entries: list[list[str]]) -> list[tuple[str, int]]:
    """Target sentences by brute force: every sentence tokenized alone, every entry tried at every token."""
    out = []
    for r in ck.sentences(corpus).itertuples():
        t = tokens.tokenize(r.text)
        if any(all(fnmatch.fnmatchcase(t[i + k], w) for k, w in enumerate(ws))
               for ws in entries for i in range(len(t) - len(ws) + 1)):
            out.append((r.id, r.sentence))
    return out


@pytest.mark.parametrize("which", ["seeds", "sample"])
def test_target_sentences_from_index_equal_brute_force(which, seeds, sample):
    corpus = seeds if which == "seeds" else sample
    lex = stance.load_target("rearmament")
    got = ck.target_sentences(corpus, "rearmament")
    ref = _brute_target_rows(corpus, [words for _, _, words, _ in lex.compiled()])
    assert list(zip(got["id"].tolist(), got["sentence"].tolist())) == ref
    assert len(ref) > 0


def test_stance_no_target_sentence_keeps_columns(seeds):
    none = ck.target_sentences(seeds, target=["zzzqx"])
    some = ck.target_sentences(seeds, "rearmament")
    assert len(none) == 0
    pd.testing.assert_series_equal(none.dtypes, some.dtypes)
    s = ck.score_stance(seeds, unit="sentence", target=["zzzqx"], cues="rearmament")
    assert len(s) == 0 and s.dtypes.equals(ck.score_stance(seeds, unit="sentence", target="rearmament", cues="rearmament").dtypes)


TRICKY = ("Japan’s re-arm, RE-ARM and re‑interpret; ΟΔΟΣ Σ. US-Japan 'self-defense' co-op's\r"
          "İstanbul ﬁne — Article 9’s pre-war. _re-arm 're-'s non-co-operation PRE-RE-ARM U.S.'s x_'s")


# a token's raw span, for the reference: a word run (inner apostrophes kept) after any chain of prefix hyphens
_SPAN_TOKEN = re.compile(r"(?:\b(?:" + "|".join(tokens.HYPHEN_PREFIXES) + r")[-\u2010\u2011\u2012](?=[^\W\d_]))*"
                         r"[^\W_]+(?:['\u2019\u2018\u02bc][^\W_]+)*", re.IGNORECASE)


def _reference_spans(text):
    out = []
    for m in _SPAN_TOKEN.finditer(text):
        # normalized with the characters either side (never token characters), as in the whole text:
        # a lone "s" after an apostrophe ("U.S.'s") is a possessive normalize drops
        a, b = max(m.start() - 1, 0), min(m.end() + 1, len(text))
        for tok in tokens.TOKEN_RE.findall(tokens.normalize(text[a:b])):
            out.append((tok, m.start(), m.end()))
    return out


def test_batched_normalize_equals_per_piece(seeds, sample):
    texts = list(seeds.iter_texts()) + list(sample.iter_texts()) + [TRICKY]
    for t in texts:
        assert tokens.tokenize_spans(t) == _reference_spans(t)
        sents = [t[a:b] for a, b in tokens.sentence_spans(t)]
        assert tokens._tokenize_pieces(sents) == [tokens.tokenize(x) for x in sents]
    words = TRICKY.split() + ["a\nb", "", "re-\nArm"]  # line breaks inside pieces take the slow path
    assert tokens._tokenize_pieces(words) == [tokens.tokenize(x) for x in words]


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_topicmodel_fit_dfm_equals_fit_corpus(seeds, method):
    kw = dict(n_topics=3, method=method, unit="document", random_state=0, max_iter=50)
    a = ck.TopicModel(**kw).fit(seeds)
    b = ck.TopicModel(**kw).fit(ck.dfm(seeds, "document", stop_words="english"))
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.unit_topics_, b.unit_topics_)
    assert list(a.labels_) == list(b.labels_)
    pd.testing.assert_frame_equal(a.prevalence(by="year", n_boot=50, random_state=0),
                                  b.prevalence(by="year", n_boot=50, random_state=0))
    pd.testing.assert_frame_equal(a.units(seeds), b.units(seeds))
    pd.testing.assert_frame_equal(a.coherence(texts=seeds), b.coherence(texts=seeds))


def test_topicmodel_fit_dfm_checks_settings(seeds):
    m = ck.dfm(seeds, "document")  # no stop words
    with pytest.raises(ck.ParameterError, match=r"stop_words=None but this TopicModel uses 'english'"):
        ck.TopicModel(n_topics=2, unit="document").fit(m)
    with pytest.raises(ck.ParameterError, match="unit='document' but this TopicModel uses 'sentence'"):
        ck.TopicModel(n_topics=2, unit="sentence", stop_words=None).fit(m)
    with pytest.raises(ck.ParameterError, match="tfidf"):
        ck.TopicModel(n_topics=2, stop_words=None).fit(m.tfidf())


def test_hyphen_join_fast_equals_reference(seeds, sample):
    texts = [t.lower() for t in list(seeds.iter_texts()) + list(sample.iter_texts())]
    texts += ["re-re-arm co-counter-x pre-9 are-arm _re-arm re--arm re-été counter-re-arm multi- x re-",
              "non-nuclear anti-war semi-official post-war pro-defense multi-role co-op re-1 re-_a"]
    for t in texts:
        assert tokens._JOIN_HYPHEN.sub("", t) == tokens._JOIN.sub(r"\1", t)
    assert tokens.normalize("Re-arm, co-op") == "rearm, coop"


def test_fast_sentbreak_equals_nltk(seeds, sample):
    from nltk.tokenize.punkt import PunktSentenceTokenizer
    tok = tokens._punkt()
    lines = _lines(seeds) + _lines(sample) + [
        'He said "Stop." Then... it ended. Mr. Abe met Gen. X on Aug. 2. 3.5 percent! (Really?) A--B.',
        "J. Bach and j. bach. U.S. forces; 1. first, 2. Second, 3. 3. iv. v. Co. ltd. e.g. x. ..",
        "In 1945. the war. In 1945. The war. Lt.-Col. Smith. no. 9. Nos. 1-3. A. b. B. ?. !. ;. x.,",
        "the end.\u201d Next. (a.) b. [c.] D. 12.5. -3. ,5. 1,000. 1-2. ##number##. . . ... ok"]
    contexts = [c for x in lines for _, c in tok._match_potential_end_contexts(x)]
    assert len(contexts) > 1000
    ref = [PunktSentenceTokenizer.text_contains_sentbreak(tok, c) for c in contexts]
    assert [tok._sentbreak(c) for c in contexts] == ref
    assert any(ref) and not all(ref)


def test_mark_negation_equals_nltk(seeds, sample):
    from nltk.sentiment.util import mark_negation
    docs = [tokens.tokenize(s) for c in (seeds, sample) for t in c.iter_texts()
            for s in (t[a:b] for a, b in tokens.sentence_spans(t))]
    docs += [["i", "didn't", "like", "it", ".", "not", "never", "x", ";", "y", "not", "no", "z"],
             ["cannot", "can't", "won't", "nothing", "here", "!", "dont", "go"], [], ["."]]
    assert sum("not" in d for d in docs) > 10
    for d in docs:
        assert stance._mark_negation(list(d)) == mark_negation(list(d))


# ---------------------------------------------------------------------------- scan-pass fast paths
from hypothesis import given, settings, strategies as st  # noqa: E402

from corpuskit import clean as clean_mod  # noqa: E402
tokens_mod = importlib.import_module("corpuskit.tokenizer")  # noqa: E402


def _split_lines_reference(text):
    out, pos = [], 0
    for m in clean_mod.LINE_END.finditer(text):
        out.append((pos, m.start(), m.end()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text), len(text)))
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab é\t") + ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e",
                                                    "\x85", "\u2028", "\u2029"]), max_size=30).map("".join))
def test_split_lines_equals_line_end_regex(text):
    assert split_lines(text) == _split_lines_reference(text)


def _other_language_reference(line):
    from itertools import islice

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    found = [m.group() for m in islice(clean_mod._WORD.finditer(line), 41)]
    if not 2 <= len(found) <= 40:
        return False
    words = [w.casefold() for w in found]
    foreign = sum(w in clean_mod._FOREIGN_FUNCTION_WORDS or w.split("'")[0] + "'" in clean_mod._FOREIGN_FUNCTION_WORDS
                  for w in words)
    english = sum(w in ENGLISH_STOP_WORDS for w in words)
    return foreign >= 2 and foreign > 2 * english


def test_other_language_prefix_scan_equals_full_scan(sample):
    foreign = "el la los que para con una es pero " * 3
    lines = _lines(sample) + [foreign, foreign.strip() + " " + "x" * 500, "y" * 390 + " el la que con",
                              ("a " * 30) + "el la que", "z" * 399 + " " + foreign, foreign * 6]
    got = [clean_mod._is_other_language(x) for x in lines]
    assert got == [_other_language_reference(x) for x in lines]
    assert any(got) and not all(got)  # both outcomes are exercised


def test_glob_lookup_equals_fnmatch_over_vocabulary(sample):
    import fnmatch
    import re
    tk = ck.tokens(sample)
    m = tk.matcher()
    vocab = np.asarray(tk.vocabulary, dtype=str)
    pats = ["defen?e", "defen*", "militar*", "nuclear", "a*", "*tion", "?ar", "re[a-m]*", "zzz*", "s*e?", "1*"]
    for p in pats:
        rx = re.compile(fnmatch.translate(p))
        ref = np.flatnonzero([rx.match(v) is not None for v in vocab])
        assert np.array_equal(m.ids(p), ref), p
    assert len(m.ids("defen?e")) > 0 and len(m.ids("*tion")) > 0


@pytest.mark.parametrize("opts", [{"stop_words": "english"}, {"stem": True, "min_len": 3}, {}])
def test_scan_shared_tokens_count_equals_dfm(sample, opts):
    from corpuskit.matrix import count_texts, count_tokenized
    from corpuskit.stream import scan
    ids, texts = list(sample.ids), list(sample.iter_texts())
    a = count_tokenized(ck.tokens(sample), **opts)
    b = count_texts(ids, texts, **opts)
    assert list(a["features"]) == list(b["features"])
    assert (a["counts"] != b["counts"]).nnz == 0 and np.array_equal(a["n_tokens"], b["n_tokens"])
    pd.testing.assert_frame_equal(a["units"], b["units"])
    # in scan, each chunk is tokenized once: score_frames and the dfm count read the same Tokens
    ref = ck.dfm(sample, **opts)
    built = []
    init = tokens_mod.Tokens.__init__

    def spy(self, chunk):  # counts every Tokens built anywhere
        built.append(len(chunk))
        init(self, chunk)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tokens_mod.Tokens, "__init__", spy)
        m, out = scan(sample, {"frames": functools.partial(ck.score_frames, dictionary="rearmament"),
                                     "terms": functools.partial(ck.frame_terms, dictionary="rearmament")}, dfm=opts, chunk_size=40)
    n_chunks = -(-len(sample) // 40)
    assert built == [min(40, len(sample) - 40 * k) for k in range(n_chunks)]  # one Tokens per chunk
    assert list(m.features) == list(ref.features) and (m.counts != ref.counts).nnz == 0
    pd.testing.assert_frame_equal(m.docvars, ref.docvars)
    pd.testing.assert_frame_equal(out["frames"], ck.score_frames(sample, "rearmament"))


PUNKT_PIECES = list("ab AB.?!)(\"'\t;:,-1") + ["Mr.", "U.S.", " etc.", "...", "e.g.", "J. ", "(Sent1.) ", "”", "’", "No. 9"]


_spy = spy_on


def test_sentence_spans_run_the_fast_punkt(seeds, monkeypatch):
    # the fast steps (and not NLTK's span_tokenize) split the sentences when the private names check out
    from corpuskit import _compat
    from nltk.tokenize.punkt import PunktSentenceTokenizer
    assert _compat.fast_path("punkt")
    lines = _spy(monkeypatch, tokens, "_line_spans")
    breaks = _spy(monkeypatch, type(tokens._punkt()), "_sentbreak")
    slow = _spy(monkeypatch, PunktSentenceTokenizer, "span_tokenize")
    tokens._SPAN_CACHE.clear()
    tokens._punkt()._memo.clear()
    ck.sentences(seeds)
    tokens._SPAN_CACHE.clear()
    assert len(lines) > 0 and len(breaks) > 0 and slow == []


def test_stance_runs_the_fast_negation(seeds, monkeypatch):
    from corpuskit import _compat
    import nltk.sentiment.util as util
    assert _compat.fast_path("negation")
    fast = _spy(monkeypatch, stance, "_mark_negation")
    slow = _spy(monkeypatch, util, "mark_negation")
    ck.score_stance(seeds, unit="sentence", target="rearmament", cues="rearmament")
    assert len(fast) > 0 and slow == []


def test_line_spans_equal_nltk_span_tokenize(seeds, sample):
    lines = _lines(seeds) + _lines(sample)
    fast, ref = tokens._punkt(), tokens._punkt_nltk()
    assert [tokens._line_spans(fast, x) for x in lines] == [list(ref.span_tokenize(x)) for x in lines]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PUNKT_PIECES), min_size=1, max_size=40).map("".join).filter(str.strip))
def test_line_spans_equal_nltk_on_punctuation(line):
    assert tokens._line_spans(tokens._punkt(), line) == list(tokens._punkt_nltk().span_tokenize(line))


@pytest.mark.parametrize("kw", [{}, {"sublinear_tf": True}, {"norm": "l1", "smooth_idf": False}, {"norm": None}])
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_dfm_tfidf_equals_tfidftransformer(sample, kw, dtype):
    from sklearn.feature_extraction.text import TfidfTransformer
    m = ck.dfm(sample, stop_words="english", dtype=dtype)
    got = m.tfidf(**kw)
    ref = TfidfTransformer(**kw).fit_transform(m.counts)
    assert got.counts.dtype == np.float64 and got.counts.has_sorted_indices
    assert np.array_equal(got.counts.indptr, ref.indptr) and np.array_equal(got.counts.indices, ref.indices)
    assert np.array_equal(got.counts.data, ref.data)  # the same operations: bit for bit
    assert np.shares_memory(got.counts.indices, m.counts.indices)  # shared, not copied
    assert np.array_equal(m.counts.data, ck.dfm(sample, stop_words="english", dtype=dtype).counts.data)  # counts untouched


# ---------------------------------------------------------------------------- issue 15: the streamed pass
WRAPPED = ("The Organi-\nzation of the non-\nproliferation regime, the peace-\r\nkeeping and 9-\nx and -\nstart\n"
           "a line\u2028Secretary-  \n  General \u00e9t\u00e9-\nd\u00e9j\u00e0 x-\n\n-y\n") * 3


def test_line_hyphen_hyphen_first_equals_lookbehind_first(seeds, sample):
    ref = re.compile(r"(?<=[^\W\d_])-[ \t]*(?:\r\n|\n|\r)[ \t]*(?=(?P<cont>[^\W\d_]+))")
    texts = list(seeds.iter_texts()) + list(sample.iter_texts()) + [WRAPPED, TRICKY, WRAPPED.lower()]
    spans = lambda p, t: [(m.span(), m.group("cont")) for m in p.finditer(t)]  # noqa: E731
    assert sum(len(spans(ref, t)) for t in texts) >= 8
    for t in texts:
        assert spans(tokens._LINE_HYPHEN, t) == spans(ref, t)


def test_line_end_chars_are_line_end_regex():
    import sys
    ends = {chr(c) for c in range(sys.maxunicode + 1) if clean_mod.LINE_END.fullmatch(chr(c))}
    assert ends == set(tokens._LINE_END_CHARS)
    assert clean_mod.LINE_END.fullmatch("\r\n")  # the only two-character terminator: two spaces either way


def test_hard_wrapped_early_exit_equals_full_count(seeds, sample):
    texts = list(seeds.iter_texts()) + list(sample.iter_texts()) + [WRAPPED, WRAPPED * 4, "a.\n" * 12,
                                                                    "a line\n" * 12, ("x" * 120 + "\n") * 12]
    texts += ["Short.\nlines\n" * k for k in range(3, 9)] + ["Ends here.\nno end\nno end\n" * k for k in range(2, 7)]
    got = []
    for t in texts:
        rows = [t[a:c].strip() for a, c, _ in split_lines(t)]
        rows = [r for r in rows if r]
        ref = clean_mod._wrapped(rows, [clean_mod._sentence_end(r) for r in rows])
        assert clean_mod.hard_wrapped(t) == ref == clean_mod.hard_wrapped(t, split_lines(t))
        got.append(ref)
    assert any(got) and not all(got)


def test_sentence_spans_of_wrapped_text_equal_per_unit_flattening(seeds, sample):
    # the reference: each unit's line ends made spaces unit by unit, as before issue 15
    def ref(text):
        out = []
        for a, b in tokens._units(text):
            line = clean_mod.LINE_END.sub(lambda m: " " * len(m.group()), text[a:b])
            if line.strip():
                out += [(a + s, a + e) for s, e in tokens._line_spans(tokens._punkt(), line)]
        return out
    texts = list(seeds.iter_texts()) + list(sample.iter_texts()) + [WRAPPED, TRICKY,
            "He left.\r\nShe came. \u201cNo.\u201d (Yes.) Then\u2028more.\n\n" * 12]
    assert any(clean_mod.hard_wrapped(t) for t in texts)
    for t in texts:
        assert tokens._sentence_spans(t) == ref(t)


def test_mark_token_on_underscores_equals_token_pattern():
    ref = re.compile(tokens._SEP + "|" + tokens.TOKEN_PATTERN)
    for t in [TRICKY.lower(), "a_b __x_ y'_z _'s x'y'z _1_2 \u00e9_\u00e0 x\x1fy_\x1f_z ' 'a a' a''b", "_", ""]:
        assert tokens._MARK_TOKEN.findall(t.replace("_", " ")) == ref.findall(t)


def test_simple_sentbreak_contexts_equal_nltk():
    from nltk.tokenize.punkt import PunktSentenceTokenizer
    tok = tokens._punkt()
    ctxs = ["peace. We", "peace. . . more", "peace. .x", "Aug. 2", "etc. And", "ab. c", "Inc. X", "peace.\tWe",
            "\u00e9t\u00e9. Le", "no. 9", "x. Y", "peace.  \u201cWe", "peace. \u2019x", "Mr. Abe", "vs. them",
            "Sept. 11", "peace. 9", "peace. ,", "pea_ce. We", "peace.\u00a0We", "Co. Ltd"]
    ref = [PunktSentenceTokenizer.text_contains_sentbreak(tok, c) for c in ctxs]
    assert [tok._sentbreak(c) for c in ctxs] == ref
    assert any(ref) and not all(ref)


@pytest.mark.parametrize("n_values", [1, 7, 65536, 65537, 300000])
def test_stable_order_equals_stable_argsort(n_values):
    codes = np.random.default_rng(n_values).integers(0, n_values, 50_000)
    got = tokens._stable_order(codes, n_values)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.argsort(codes, kind="stable"))
