"""Shift of stance over time: before/after contrast, period means, trend and change points.

Inputs are the tidy score tables of :func:`corpuskit.score_stance` (or any with
the same columns):

* document level: one row per document with ``id``, ``date``, ``stance``;
* sentence level: one row per scored sentence with ``id``, ``date``, ``score``
  (a ``stance`` column with repeated ids counts as sentence level too).

Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` strings (or timestamps); as in
:mod:`corpuskit.periods`, a date's interval *start* decides which period or side
it falls in. A document's stance is the mean of its sentence scores; documents
with no score (NaN: no target sentences) are excluded and counted in the
output, never dropped silently.

Methods and references:

* :func:`stance_shift` — difference of means (after minus before), percentile
  bootstrap CI resampling units within each side (Efron & Tibshirani 1993, *An
  Introduction to the Bootstrap*, ch. 13), and a two-sample permutation test
  (Fisher 1935; Good 2005, *Permutation, Parametric and Bootstrap Tests of
  Hypotheses*, ch. 3): exact by enumerating all relabelings when there are at
  most ``max_exact`` of them, otherwise Monte Carlo with p = (b + 1)/(m + 1)
  (Phipson & Smyth 2010, *Stat. Appl. Genet. Mol. Biol.* 9(1) 39).
* :func:`compare_eras` — :func:`stance_shift` (documents as units) for every pair of named eras
  and every value column, with Holm's (1979) step-down adjustment over the whole family
  (:func:`holm_adjust`); :func:`era_robustness` re-runs it with each boundary moved ± years.
* :func:`trend` — OLS slope of period means per year with a bootstrap CI that
  resamples documents across periods, clustered with their sentences (Efron &
  Tibshirani 1993, ch. 9.5; Davison & Hinkley 1997, sec. 3.8).
* :func:`change_points` — binary segmentation (Vostrikova 1981, *Soviet Math.
  Dokl.* 24, 55-59) with Scott & Knott's (1974, *Biometrics* 30(3), 507-512)
  split criterion, the between-segment sum of squares, each split tested by a
  permutation test of the maximal statistic over split points (Antoch &
  Hušková 2001, *Permutation tests in change point analysis*, Stat. Probab.
  Lett. 53, 37-46). :func:`change_point_interval` runs it on a period series and adds a bootstrap
  interval over documents for each split's location (after Antoch, Hušková & Veraverbeke 1995).
* :func:`serial_correlation` — lag-1 autocorrelation, Durbin–Watson (1950) of the residuals from
  era means, and the AR(1) effective sample size (Bretherton et al. 1999).
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from math import comb, log10

import numpy as np
import pandas as pd

from .errors import ParameterError
from .periods import assign_periods, parse_date, parse_span, period_labels, period_table
from .resample import (BATCH_CELLS, bootstrap_means, check_bootstrap, cluster_resamples, percentile_interval,
                       permutation_batches, resample_batches, row_batches)

__all__ = ["stance_shift", "excluded_documents", "compare_eras", "era_robustness", "holm_adjust", "period_means",
           "trend", "change_points", "change_point_interval", "serial_correlation", "permutation_pvalue"]

_UNITS = {"auto": "auto", "documents": "documents", "document": "documents",
          "sentences": "sentences", "sentence": "sentences"}
_ALTERNATIVES = ("two-sided", "greater", "less")
_SENTENCE_NOTE = ("sentences of one article are not independent: treating them as exchangeable makes "
                  "the CI too narrow and the p-value too small")


# ---------------------------------------------------------------------------- input
def _prepare(scores: pd.DataFrame, value: str | None) -> tuple[pd.DataFrame, str, str]:
    """Rows with id, date text, date start, precision and value; the input kind and value column."""
    if not isinstance(scores, pd.DataFrame):
        raise ParameterError(f"scores is a {type(scores).__name__}: pass the DataFrame of score_stance() "
                             "(id, date, stance) or its sentence level (id, date, score)")
    missing = [c for c in ("id", "date") if c not in scores.columns]
    if missing:
        raise ParameterError(f"scores has no column {missing[0]!r} (columns: {list(scores.columns)}): "
                             "pass id, date and a stance or score column")
    if value is None:
        value = "score" if "score" in scores.columns else "stance" if "stance" in scores.columns else None
        if value is None:
            raise ParameterError(f"scores has neither a 'stance' nor a 'score' column (columns: "
                                 f"{list(scores.columns)}): name it with value=...")
    elif value not in scores.columns:
        raise ParameterError(f"value={value!r} is not a column of scores (columns: {list(scores.columns)})")
    if len(scores) == 0:
        raise ParameterError("scores is empty: no documents or sentences to compare")
    ids = scores["id"].astype(str).to_numpy()
    kind = "sentences" if value == "score" or pd.Series(ids).duplicated().any() else "documents"
    try:
        vals = pd.to_numeric(scores[value], errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError):
        raise ParameterError(f"column {value!r} of scores holds non-numeric values: expected stance scores in [-1, 1]") from None
    starts, precision = [], []
    for i, d in enumerate(scores["date"]):
        if d is None or d is pd.NaT or isinstance(d, float) and np.isnan(d):
            raise ParameterError(f"scores row {i} (id {ids[i]!r}): date is missing; every row needs a date")
        if isinstance(d, (pd.Timestamp, np.datetime64)) or hasattr(d, "year") and not isinstance(d, str):
            starts.append(pd.Timestamp(d).normalize())
            precision.append("day")
            continue
        try:
            iv = parse_date(str(d))
        except ValueError as exc:
            raise ParameterError(f"scores row {i} (id {ids[i]!r}): {exc}") from None
        starts.append(iv.start)
        precision.append(iv.precision)
    df = pd.DataFrame({"id": ids, "date": scores["date"].astype(str).to_numpy(), "start": starts,
                       "precision": precision, "value": vals})
    conflict = df.groupby("id")["start"].nunique()
    if (conflict > 1).any():
        bad = conflict.index[conflict > 1][0]
        raise ParameterError(f"document {bad!r} has rows with different dates: one date per document")
    return df, kind, value


def _doc_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per document: id, date, start, precision, mean of its non-NaN values, n_units."""
    ok = df["value"].notna()
    g = df[ok].groupby("id", sort=False)["value"]
    docs = df.drop_duplicates("id")[["id", "date", "start", "precision"]].set_index("id")
    docs["stance"] = g.mean()
    docs["n_units"] = g.size()
    docs["n_units"] = docs["n_units"].fillna(0).astype(int)
    return docs.reset_index()


# ---------------------------------------------------------------------------- tests
# Above this many relabelings x values (the old single array would have needed over 1 GB), each Monte
# Carlo relabeling is drawn by Generator.choice of the smaller group instead of a permutation of all n
# values: four times faster for large n, a different random stream.
_ONE_ARRAY_CELLS = 1 << 26


def _format_count(n: int) -> str:
    """``f"{n:.3g}"`` for any integer, even one too large for a float (C(1200, 600) ~ 3.97e+359)."""
    if n < 10 ** 300:
        return f"{n:.3g}"
    e = int(log10(n))
    e += (n >= 10 ** (e + 1)) - (n < 10 ** e)  # log10 of a huge int can be off by one near a power of 10
    lead = round(n / 10 ** (e - 2))  # exact integer division, then rounded to 3 significant digits
    if lead == 1000:
        lead, e = 100, e + 1
    return f"{lead / 100:.3g}e+{e}"


def _count_hits(stat: np.ndarray, observed: float, alternative: str) -> int:
    # Relative tolerance so that ties in exact arithmetic count as ties (as scipy does).
    gamma = abs(observed) * 100 * np.finfo(float).eps + 1e-300
    if alternative == "two-sided":
        return int(np.count_nonzero(np.abs(stat) >= abs(observed) - gamma))
    if alternative == "greater":
        return int(np.count_nonzero(stat >= observed - gamma))
    return int(np.count_nonzero(stat <= observed + gamma))


def permutation_pvalue(before: np.ndarray, after: np.ndarray, alternative: str = "two-sided",
                       max_exact: int = 100_000, n_perm: int = 9999,
                       random_state: int | None = None) -> dict:
    """Two-sample permutation test of mean(after) - mean(before).

    Exact when C(n, n_after) <= ``max_exact``: every relabeling of the pooled
    values into groups of the observed sizes is enumerated, p = (number at
    least as extreme) / C(n, n_after). Otherwise ``n_perm`` random relabelings
    and p = (b + 1) / (n_perm + 1) (Phipson & Smyth 2010). "two-sided" compares
    ``|difference|``; "greater" tests after > before. Works for any n in bounded
    memory (relabelings are drawn and counted in batches).

    ``p_min`` is the smallest p the design can reach: 1 / C(n, n_after), twice
    that for a two-sided test with equal group sizes (a relabeling and its mirror
    give the same ``|difference|``), and at least 1 / (n_perm + 1) under Monte Carlo.
    ``n_relabelings`` is an exact integer (C(n, n_after) when exact, else n_perm).

    >>> permutation_pvalue([0.0, 0.1], [0.5, 0.7])["p_value"]   # 2 of 6 relabelings as extreme
    0.3333333333333333
    """
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    if alternative not in _ALTERNATIVES:
        raise ParameterError(f"alternative={alternative!r}: use 'two-sided', 'greater' or 'less'")
    if len(x) == 0 or len(y) == 0:
        raise ParameterError(f"a permutation test needs values on both sides (before: {len(x)}, after: {len(y)})")
    z = np.concatenate([x, y])
    n, k = len(z), len(y)
    total = z.sum()
    observed = y.mean() - x.mean()
    # Not scipy.stats.permutation_test (scipy 1.17; tests/test_shift.py proves where the numbers agree):
    # - it refuses a side with one value: the seed study's 1-vs-4-document test.
    # - exact: the same p for every alternative (two-sided as |difference| with "greater"; scipy's own
    #   "two-sided" doubles the smaller one-sided p, another number when the sizes differ), but it builds
    #   Python sets per relabeling: 77,520 relabelings (7 vs 13) take 2.4 s and 48 MB there, 0.16 s and
    #   17 MB here; 80,601 (2 vs 400) 5.0 s / 137 MB vs 0.14 s / 4 MB.
    # - Monte Carlo: it draws the same orders from the Generator (one rng.permutation(n) per relabeling,
    #   the rows of permutation_batches) but gives the first len(before) positions to before, where this
    #   gives the first len(after) to after. Equal sizes, two-sided: the same p. Otherwise another Monte
    #   Carlo draw: the seed study's sentence-level p-values would move 0.709 -> 0.712 (lexicon), 0.749 -> 0.742
    #   (hand-coded), 0.310 -> 0.311 (classifier); the CIs would not (the same number of draws is used).
    #   It is also slower: 70 a side 0.11 s vs 0.02 s; 10,000 a side 4.4 s and 134 MB with batch= (1.6 GB
    #   without) vs 1.5 s and < 1 MB here (Generator.choice path).
    n_relabel = comb(n, k)  # an exact integer: it can exceed any float (C(1200, 600) ~ 4e359)
    floor = (2 if alternative == "two-sided" and k == n - k else 1) / n_relabel  # int division: no overflow
    exact = n_relabel <= max_exact
    hits = 0

    def count(s_after: np.ndarray) -> int:
        return _count_hits(s_after / k - (total - s_after) / (n - k), observed, alternative)

    if exact:
        # Enumerate the after group (as always, so existing exact p-values do not move), or the smaller
        # before group (after = total - before) only where the after group would be large: one value
        # against 50,000 is 50,001 relabelings of 50,000 indices, 2.5e9 cells.
        m = k if k <= n - k or n_relabel * k <= BATCH_CELLS else n - k
        combos = itertools.combinations(range(n), m)
        for a, b in row_batches(n_relabel, m):
            idx = np.fromiter(itertools.chain.from_iterable(itertools.islice(combos, b - a)),
                              dtype=np.intp, count=(b - a) * m).reshape(b - a, m)
            s = z[idx].sum(axis=1)
            hits += count(s if m == k else total - s)
        p = hits / n_relabel
        method = f"exact ({n_relabel} relabelings)"
    else:
        rng = np.random.default_rng(random_state)
        if n_perm * n <= _ONE_ARRAY_CELLS:
            for _, _, perm in permutation_batches(n, n_perm, rng):
                hits += count(z[perm[:, :k]].sum(axis=1))
        else:
            m = min(k, n - k)
            s = np.empty(n_perm)
            for i in range(n_perm):
                s[i] = z[rng.choice(n, m, replace=False, shuffle=False)].sum()
            hits = count(s if m == k else total - s)
        # The identity relabeling is not among the random ones here, so add it (b + 1)/(m + 1).
        p = (hits + 1) / (n_perm + 1)
        floor = max(floor, 1 / (n_perm + 1))
        method = f"monte carlo ({n_perm} random relabelings of {_format_count(n_relabel)})"
    return {"statistic": observed, "p_value": float(min(1.0, p)), "p_min": float(floor),
            "p_method": method, "exact": exact, "n_relabelings": n_relabel if exact else n_perm}


def _boot_diff(x: np.ndarray, y: np.ndarray, n_boot: int, level: float, rng) -> tuple[float, float]:
    """Percentile interval of mean(y) - mean(x), each side resampled on its own (x's draws first)."""
    bx = bootstrap_means(x, n_boot, rng)
    by = bootstrap_means(y, n_boot, rng)
    lo, hi = percentile_interval(by - bx, level)
    return float(lo), float(hi)


def _pooled_cluster_means(groups: list[np.ndarray], n_boot: int, rng) -> np.ndarray:
    """Two-stage resamples of the pooled mean of all units (the sentence-basis estimate)."""
    sizes = np.array([len(g) for g in groups], dtype=float)
    out = np.empty(n_boot)
    for r, (drawn, means) in enumerate(cluster_resamples(groups, n_boot, rng)):
        w = sizes[drawn]
        out[r] = (means * w).sum() / w.sum()
    return out


def _cluster_boot_diff(xg: list[np.ndarray], yg: list[np.ndarray], n_boot: int, level: float,
                       rng) -> tuple[float, float]:
    """:func:`_boot_diff` with documents resampled, then sentences within them (x's draws first)."""
    bx = _pooled_cluster_means(xg, n_boot, rng)
    by = _pooled_cluster_means(yg, n_boot, rng)
    lo, hi = percentile_interval(by - bx, level)
    return float(lo), float(hi)


def _reject_renamed(func: str, old: dict) -> None:
    """A one-line error for ``ci=``, renamed ``level=`` (the confidence level has one name everywhere)."""
    for key in old:
        if key == "ci":
            raise ParameterError(f"{func}(ci={old[key]!r}): the confidence level is now level=, "
                                 f"e.g. level={old[key]!r}")
        raise TypeError(f"{func}() got an unexpected keyword argument {key!r}")


# ---------------------------------------------------------------------------- shift
def stance_shift(scores: pd.DataFrame, before, after, *, unit: str = "auto", n_boot: int = 2000,
                 level: float = 0.95, alternative: str = "two-sided", max_exact: int = 100_000,
                 n_perm: int = 9999, value: str | None = None,
                 random_state: int | None = None, cluster: bool = True, **renamed) -> pd.DataFrame:
    """Stance after minus stance before, with a bootstrap CI and a permutation p-value.

    ``before`` / ``after``: ``"START:END"`` (the CLI's syntax, ``"2021:2024"``) or (start, end) dates,
    inclusive at their precision (``("2021", "2024")`` is 2021-01-01 … 2024-12-31); a single date
    means that whole period (:func:`corpuskit.periods.parse_span`).
    ``unit``: the unit of inference — "documents" (each document's
    mean stance is one value), "sentences" (each sentence score is one value;
    needs sentence-level scores), or "auto": documents when each side has at
    least 2 scored documents, else sentences if the input has them. ``level``:
    the confidence level of the bootstrap interval. (``ci=`` and a unit passed
    as ``level=`` raise a ParameterError naming the new keyword.)
    ``cluster``: with the sentence basis, ``True`` (the default) resamples documents and then sentences
    within each drawn document (a two-stage cluster bootstrap, :func:`corpuskit.resample.cluster_resamples`),
    so the CI reflects that sentences of one document are not independent; ``False`` resamples sentences
    as if independent (narrower, and optimistic). The permutation p-value relabels sentences either way.

    Returns a one-row DataFrame: before, after, mean_before, mean_after (means
    of the basis units), estimate, ci_low, ci_high,
    ci_level, p_value, p_method, p_min, p_min_documents (the floor of a
    document-level test of this design), alternative, basis, n_before, n_after
    (units of the basis), n_docs_before, n_docs_after, n_excluded (documents in
    either period without a score), n_excluded_sentences (sentence
    rows without a score in the two periods), note. The excluded documents'
    ids are a table of their own: :func:`excluded_documents` (no longer a
    cell: thousands of ids made one cell of 10 KB).

    Example: with 1 document before and 4 after, a document-level test has 5
    relabelings and cannot reach p < 0.2; ``unit="auto"`` with sentence
    scores tests sentences instead and the note says why that is optimistic.

    >>> s = stance_shift(doc_scores, before=("2006", "2006"), after=("2021", "2024"), random_state=0)
    >>> s.columns.tolist()
    ['before', 'after', 'mean_before', 'mean_after', 'estimate', 'ci_low', 'ci_high', 'ci_level', 'p_value',
     'p_method', 'p_min', 'p_min_documents', 'alternative', 'basis', 'n_before', 'n_after', 'n_docs_before',
     'n_docs_after', 'n_excluded', 'n_excluded_sentences', 'note']
    >>> s[["mean_before", "mean_after", "estimate", "ci_low", "ci_high", "p_value", "p_method"]].round(3)
       mean_before  mean_after  estimate  ci_low  ci_high  p_value               p_method
    0        0.333       0.237    -0.097  -0.238    0.052      0.8  exact (5 relabelings)
    """
    _reject_renamed("stance_shift", renamed)
    if isinstance(level, str):
        raise ParameterError(f"stance_shift(level={level!r}): the unit of analysis is now unit=, e.g. "
                             f"unit={level!r}; level= is the confidence level, e.g. 0.95")
    check_bootstrap(n_boot, level)
    if unit not in _UNITS:
        raise ParameterError(f"unit={unit!r}: use 'auto', 'documents' or 'sentences'")
    unit = _UNITS[unit]
    if alternative not in _ALTERNATIVES:
        raise ParameterError(f"alternative={alternative!r}: use 'two-sided', 'greater' or 'less'")
    df, kind, _ = _prepare(scores, value)
    b_lo, b_hi, b_label = parse_span(before, "before")
    a_lo, a_hi, a_label = parse_span(after, "after")
    if b_lo <= a_hi and a_lo <= b_hi:
        raise ParameterError(f"before={before!r} and after={after!r} overlap: use disjoint periods")
    docs = _doc_table(df)
    span = f"{df.loc[df['start'].idxmin(), 'date']} … {df.loc[df['start'].idxmax(), 'date']}"
    sides = {}
    for name, lo, hi, given in (("before", b_lo, b_hi, before), ("after", a_lo, a_hi, after)):
        inside = docs[(docs["start"] >= lo) & (docs["start"] <= hi)]
        if inside.empty:
            raise ParameterError(f"{name}={given!r} contains no documents (scores span {span})")
        scored = inside[inside["stance"].notna()]
        if scored.empty:
            raise ParameterError(f"{name}={given!r}: none of its {len(inside)} documents has a score "
                                 f"(ids {', '.join(inside['id'])}: no target sentences)")
        sides[name] = (inside, scored)
    excluded = [i for name in ("before", "after") for i in sides[name][0].loc[sides[name][0]["stance"].isna(), "id"]]
    nb, na = len(sides["before"][1]), len(sides["after"][1])
    notes = []
    if unit == "auto":
        basis = "documents" if min(nb, na) >= 2 or kind == "documents" else "sentences"
        if basis == "documents" and min(nb, na) < 2:
            notes.append("fewer than 2 documents on a side: pass sentence-level scores for a sentence-level "
                         "test; the document-level test is exact but coarse")
    else:
        basis = unit
    if basis == "sentences" and kind != "sentences":
        raise ParameterError("unit='sentences' needs sentence-level scores (id, date, score), "
                             "e.g. score_stance's sentence-level table")
    if not isinstance(cluster, (bool, np.bool_)):
        raise ParameterError(f"cluster={cluster!r}: pass True (resample documents, then their sentences) or False")
    if basis == "documents":
        x = sides["before"][1]["stance"].to_numpy(dtype=float)
        y = sides["after"][1]["stance"].to_numpy(dtype=float)
    else:
        ok = df["value"].notna()
        x = df.loc[ok & df["id"].isin(sides["before"][1]["id"]), "value"].to_numpy(dtype=float)
        y = df.loc[ok & df["id"].isin(sides["after"][1]["id"]), "value"].to_numpy(dtype=float)
        notes.append(f"basis sentences ({nb} vs {na} documents): " + _SENTENCE_NOTE)
    rng = np.random.default_rng(random_state)
    test = permutation_pvalue(x, y, alternative=alternative, max_exact=max_exact, n_perm=n_perm, random_state=rng)
    if cluster and basis == "sentences":
        groups = {name: [g.to_numpy(dtype=float) for _, g in
                         df.loc[ok & df["id"].isin(sides[name][1]["id"]), ["id", "value"]]
                         .groupby("id", sort=False)["value"]] for name in ("before", "after")}
        lo, hi = _cluster_boot_diff(groups["before"], groups["after"], n_boot, level, rng)
        notes.append("CI: documents resampled, then their sentences (cluster=True)")
    else:
        lo, hi = _boot_diff(x, y, n_boot, level, rng)
    if min(len(x), len(y)) == 1:
        notes.append("one unit on a side: its value is held fixed in the bootstrap, so the CI reflects "
                     "only the other side's variation")
    if excluded:  # the ids themselves are a table of their own (excluded_documents), not a cell
        notes.append(f"excluded {len(excluded)} document(s) without a score: their ids are in "
                     "excluded_documents(scores, {'before': ..., 'after': ...})")
    in_sides = df["id"].isin(pd.concat([sides["before"][0]["id"], sides["after"][0]["id"]]))
    n_nan_sent = int((in_sides & df["value"].isna()).sum()) if kind == "sentences" else 0
    if n_nan_sent:
        notes.append(f"dropped {n_nan_sent} sentence row(s) without a score")
    doc_floor = (2 if alternative == "two-sided" and nb == na else 1) / comb(nb + na, na)
    return pd.DataFrame([{
        "before": b_label, "after": a_label, "mean_before": float(x.mean()), "mean_after": float(y.mean()),
        "estimate": float(y.mean() - x.mean()), "ci_low": lo, "ci_high": hi,
        "ci_level": level, "p_value": test["p_value"], "p_method": test["p_method"], "p_min": test["p_min"],
        "p_min_documents": doc_floor, "alternative": alternative, "basis": basis,
        "n_before": len(x), "n_after": len(y), "n_docs_before": nb, "n_docs_after": na,
        "n_excluded": len(excluded), "n_excluded_sentences": n_nan_sent,
        "note": "; ".join(notes)}])


def excluded_documents(scores: pd.DataFrame, periods: "Mapping[str, object] | None" = None, *,
                       value: str | None = None) -> pd.DataFrame:
    """The documents without a score (NaN: no target sentences), one row each: id, date, period.

    ``periods``: named spans as :func:`stance_shift` and :func:`compare_eras` take them
    (``{"before": "2006", "after": ("2021", "2024")}``); a document appears once per span
    holding it (``period`` is the name). ``None``: every unscored document, ``period`` empty.
    This is the table :func:`stance_shift` counts in ``n_excluded`` (it no longer packs the
    ids into one cell).

    >>> excluded_documents(doc_scores, {"before": "2006", "after": "2021:2024"})
    Empty DataFrame
    Columns: [id, date, period]
    Index: []
    """
    df, _, _ = _prepare(scores, value)
    docs = _doc_table(df)
    docs = docs[docs["stance"].isna()]
    if periods is None:
        return pd.DataFrame({"id": docs["id"].to_numpy(), "date": docs["date"].to_numpy(), "period": ""})
    if not isinstance(periods, Mapping):
        raise ParameterError(f"periods={periods!r}: pass named spans, e.g. {{'before': '2006', 'after': '2021:2024'}}")
    parts = []
    for name, span in periods.items():
        lo, hi, _ = parse_span(span, str(name))
        inside = docs[(docs["start"] >= lo) & (docs["start"] <= hi)]
        parts.append(pd.DataFrame({"id": inside["id"].to_numpy(), "date": inside["date"].to_numpy(),
                                   "period": str(name)}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["id", "date", "period"])


# ---------------------------------------------------------------------------- eras
def holm_adjust(p_values) -> np.ndarray:
    """Holm's (1979) step-down adjusted p-values (family-wise error), in the input order.

    With the m p-values sorted, p_(1) <= ... <= p_(m), the adjusted p_(i) is
    max over j <= i of min(1, (m - j + 1) p_(j)) (Holm 1979, *Scand. J. Statist.* 6(2),
    65-70; as R's ``p.adjust(p, "holm")``). NaN p-values are left out of the family and
    stay NaN. Reject at level alpha where the adjusted p <= alpha.

    >>> holm_adjust([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    # Written here: scipy 1.17 has only Benjamini-Hochberg/Yekutieli (false_discovery_control), and
    # statsmodels (multipletests) is not a dependency; tests/test_eras.py checks it against a hand computation.
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ParameterError(f"p_values has shape {p.shape}: pass one flat list of p-values")
    bad = np.flatnonzero((p < 0) | (p > 1))
    if len(bad):
        raise ParameterError(f"p_values[{bad[0]}] = {p[bad[0]]}: p-values lie in [0, 1]")
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    order = ok[np.argsort(p[ok], kind="stable")]
    out = np.full(len(p), np.nan)
    out[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return out


def _values(value) -> list:
    """``value=`` as a list: one column, several (a family), or None (stance_shift's default)."""
    if value is None or isinstance(value, str):
        return [value]
    vals = list(value)
    if not vals or not all(isinstance(v, str) for v in vals) or len(set(vals)) != len(vals):
        raise ParameterError(f"value={value!r}: name a column or a list of distinct columns, e.g. ['stance', 'peace']")
    return vals


def _span_label(lo: pd.Timestamp, hi: pd.Timestamp) -> str:
    """'1957–1989' for whole years (as parse_span labels them), else ISO days."""
    if (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31):
        return str(lo.year) if lo.year == hi.year else f"{lo.year}–{hi.year}"
    return f"{lo:%Y-%m-%d}–{hi:%Y-%m-%d}"


def _day_label(day: pd.Timestamp) -> str:
    return str(day.year) if (day.month, day.day) == (1, 1) else f"{day:%Y-%m-%d}"


def _era_spans(eras, minimum: int = 2) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    if not isinstance(eras, Mapping) or len(eras) < minimum:
        raise ParameterError(f"eras={eras!r}: pass at least {'two named eras' if minimum == 2 else 'one named era'}, e.g. "
                             "{'early': ('1957', '1989'), 'late': ('1990', '2024')}")
    out = {}
    for name, span in eras.items():
        lo, hi, _ = parse_span(span, f"eras[{name!r}]")
        out[str(name)] = (lo, hi)
    return out


def _era_pairs(names: list[str], pairs) -> list[tuple[str, str]]:
    if pairs is None:
        return list(itertools.combinations(names, 2))
    out = []
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or pair[0] == pair[1] or \
                any(str(p) not in names for p in pair):
            raise ParameterError(f"pairs: {pair!r} is not a pair of two different eras of {names}")
        out.append((str(pair[0]), str(pair[1])))
    return out


def compare_eras(scores: pd.DataFrame, eras: Mapping[str, object], *, value: "str | Sequence[str] | None" = None,
                 pairs: "Sequence[tuple[str, str]] | None" = None, n_boot: int = 2000, n_perm: int = 9999,
                 max_exact: int = 100_000, level: float = 0.95, alternative: str = "two-sided",
                 random_state: int | None = None) -> pd.DataFrame:
    """Every pair of eras compared, per value column, with Holm-adjusted p-values over the family.

    ``scores``: one row per document (id, date and the value columns: stance, a frame's share…;
    repeated ids are averaged per document). ``eras``: ``{name: span}`` with spans as
    :func:`stance_shift` takes them (``"1957:1989"``, ``("1990", "2012")``). ``value``: one
    column or a list; ``pairs``: the pairs to compare (default: every pair, in the order the
    eras are given). Each comparison is :func:`stance_shift` with ``unit="documents"``
    (difference = mean_b - mean_a, percentile bootstrap CI over documents within each era,
    document-level permutation test); with an integer ``random_state`` every row is the
    number that call gives alone. ``p_holm`` is Holm's step-down adjustment
    (:func:`holm_adjust`) over *all* rows returned — e.g. stance and 8 frames x 3 pairs =
    27 comparisons in one family. Documents without a value (NaN) are left out and counted.

    Returns one row per value and pair: value, era_a, era_b, span_a, span_b, n_a, n_b
    (scored documents), mean_a, mean_b, difference, ci_low, ci_high, ci_level, p_value,
    p_method, p_min, p_holm, n_excluded, note; ``attrs["family_size"]`` = the number of rows.

    >>> t = compare_eras(doc_scores, {"2006": "2006", "2021–2022": "2021:2022", "2023–2024": "2023:2024"},
    ...                  random_state=0)
    >>> t[["era_a", "era_b", "difference", "ci_low", "ci_high", "p_value", "p_holm"]].round(3)
           era_a      era_b  difference  ci_low  ci_high  p_value  p_holm
    0       2006  2021–2022      -0.024  -0.175    0.128    1.000     1.0
    1       2006  2023–2024      -0.170  -0.300   -0.039    0.667     1.0
    2  2021–2022  2023–2024      -0.146  -0.428    0.136    0.667     1.0
    """
    spans = _era_spans(eras)
    pair_list = _era_pairs(list(spans), pairs)
    rows = []
    for v in _values(value):
        name = _prepare(scores, v)[2]  # resolves value=None and names a missing column once
        for a, b in pair_list:
            r = stance_shift(scores, before=spans[a], after=spans[b], unit="documents", value=name,
                             n_boot=n_boot, level=level, alternative=alternative, max_exact=max_exact,
                             n_perm=n_perm, random_state=random_state).iloc[0]
            rows.append({"value": name, "era_a": a, "era_b": b, "span_a": _span_label(*spans[a]),
                         "span_b": _span_label(*spans[b]), "n_a": int(r["n_before"]), "n_b": int(r["n_after"]),
                         "mean_a": r["mean_before"], "mean_b": r["mean_after"], "difference": r["estimate"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "ci_level": level,
                         "p_value": r["p_value"], "p_method": r["p_method"], "p_min": r["p_min"],
                         "n_excluded": int(r["n_excluded"]), "note": r["note"]})
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("p_min") + 1, "p_holm", holm_adjust(out["p_value"].to_numpy()))
    out.attrs["family_size"] = len(out)
    return out


def era_robustness(scores: pd.DataFrame, eras: Mapping[str, object], *, shifts: Sequence[int] = (-2, 2),
                   value: "str | Sequence[str] | None" = None, pairs: "Sequence[tuple[str, str]] | None" = None,
                   n_boot: int = 2000, n_perm: int = 9999, max_exact: int = 100_000, level: float = 0.95,
                   alternative: str = "two-sided", random_state: int | None = None) -> pd.DataFrame:
    """:func:`compare_eras` again with each boundary between consecutive eras moved by ``shifts`` years.

    A boundary is where one era ends and the next (in time) begins; moving it by s years
    moves both the earlier era's end and the later era's start by s (the outer ends of the
    first and last era stay). ``shifts`` defaults to (-2, 2): only ±2 years; pass
    ``range(-2, 3)`` for every step of 1 year (a shift of 0 is the unmoved run). One boundary moves at a time. Each re-run is
    its own family: ``p_holm`` adjusts over that run's rows, as in the main comparison.
    The first rows (boundary "none", shift 0) are the unmoved comparison.

    Returns compare_eras' columns after boundary (``"early|middle"``), boundary_date (the
    later era's start as given, e.g. "1990") and shift (years).

    >>> r = era_robustness(doc_scores, {"early": "2006:2021", "late": "2022:2024"}, random_state=0)
    >>> r[["boundary", "boundary_date", "shift", "difference", "p_value"]].round(3)
         boundary boundary_date  shift  difference  p_value
    0        none                    0      -0.154      0.4
    1  early|late          2022     -2      -0.097      0.8
    2  early|late          2022      2      -0.278      0.2
    """
    spans = _era_spans(eras)
    steps = list(shifts)
    if not steps or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in steps):
        raise ParameterError(f"shifts={shifts!r}: give whole years, e.g. (-2, 2) or range(-2, 3)")
    steps = [s for s in dict.fromkeys(int(s) for s in steps) if s != 0]  # 0 is the unmoved run, always first
    kw = dict(value=value, pairs=pairs, n_boot=n_boot, n_perm=n_perm, max_exact=max_exact, level=level,
              alternative=alternative, random_state=random_state)
    runs = [compare_eras(scores, spans, **kw).assign(boundary="none", boundary_date="", shift=0)]
    order = sorted(spans, key=lambda n: spans[n][0])
    for early, late in zip(order, order[1:]):
        if spans[early][1] >= spans[late][0]:
            raise ParameterError(f"eras {early!r} and {late!r} overlap: a boundary needs disjoint eras")
        for s in steps:
            moved = dict(spans)
            moved[early] = (spans[early][0], spans[early][1] + pd.DateOffset(years=s))
            moved[late] = (spans[late][0] + pd.DateOffset(years=s), spans[late][1])
            for name in (early, late):
                if moved[name][0] > moved[name][1]:
                    raise ParameterError(f"shift {s:+d} of the boundary {early}|{late} leaves era {name!r} "
                                         "empty: use smaller shifts")
            runs.append(compare_eras(scores, moved, **kw).assign(
                boundary=f"{early}|{late}", boundary_date=_day_label(spans[late][0]),
                shift=s))
    out = pd.concat(runs, ignore_index=True)
    front = ["boundary", "boundary_date", "shift"]
    return out[front + [c for c in out.columns if c not in front]]


# ---------------------------------------------------------------------------- periods
def _periodize(scores, by, value, origin=None):
    df, kind, _ = _prepare(scores, value)
    docs = _doc_table(df)
    periods = assign_periods(docs["start"], by=by, precision=docs["precision"], origin=origin)
    docs["period"] = period_labels(periods)
    return df, docs, kind, periods


def _period_boot(df, docs, kind, period, n_boot, rng) -> tuple[np.ndarray | None, str]:
    """Bootstrap means of one period: over its documents, else its one document's sentences."""
    scored = docs[(docs["period"] == period) & docs["stance"].notna()]
    v = scored["stance"].to_numpy(dtype=float)
    if len(v) >= 2:
        return bootstrap_means(v, n_boot, rng), "documents"
    if len(v) == 1 and kind == "sentences" and scored["n_units"].iat[0] >= 2:
        u = df.loc[(df["id"] == scored["id"].iat[0]) & df["value"].notna(), "value"].to_numpy(dtype=float)
        return bootstrap_means(u, n_boot, rng), "sentences"
    return None, "none"


def period_means(scores: pd.DataFrame, by: str = "year", *, n_boot: int = 2000, level: float = 0.95,
                 value: str | None = None, random_state: int | None = None,
                 origin: "str | pd.Timestamp | None" = None, **renamed) -> pd.DataFrame:
    """Mean document stance per period with a bootstrap CI.

    Each document counts once (its mean sentence score). The CI resamples
    documents within the period when it has >= 2 scored documents
    (``ci_basis="documents"``), the sentences of its single document when the
    input is sentence level (``"sentences"``: optimistic, they are not
    independent), and is NaN with ``ci_basis="none"`` otherwise. Periods between
    the first and last with no scored document are rows with n_docs 0, NaN mean
    and ``ci_basis="none"``; ``n_excluded`` counts documents without a score.

    ``by``/``origin``: the periods of every function (:func:`corpuskit.periods.assign_periods`:
    calendar bins by default, decades 1790–1799; labels show the whole bin, "2010–2019").

    Returns: period, period_start, period_end, period_mid, mean, ci_low, ci_high,
    n_docs, n_excluded, ci_basis (and n_sentences for sentence-level input).

    >>> period_means(doc_scores, by="decade", origin="1785", random_state=0)[
    ...     ["period", "mean", "ci_low", "ci_high", "n_docs"]].round(3)
          period   mean  ci_low  ci_high  n_docs
    0  2005–2014  0.333     NaN      NaN       1
    1  2015–2024  0.237   0.096    0.386       4
    """
    _reject_renamed("period_means", renamed)
    check_bootstrap(n_boot, level)
    df, docs, kind, periods = _periodize(scores, by, value, origin)
    rng = np.random.default_rng(random_state)
    rows = []
    table = period_table(periods)
    for _, prow in table.iterrows():
        in_p = docs[docs["period"] == prow["period"]]
        scored = in_p[in_p["stance"].notna()]
        row = {k: prow[k] for k in ("period", "period_start", "period_end", "period_mid")}
        row.update({"mean": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_docs": len(scored),
                    "n_excluded": len(in_p) - len(scored), "ci_basis": "none"})
        if kind == "sentences":
            row["n_sentences"] = int(scored["n_units"].sum())
        if len(scored):
            row["mean"] = float(scored["stance"].mean())
            boot, row["ci_basis"] = _period_boot(df, docs, kind, prow["period"], n_boot, rng)
            if boot is not None:
                row["ci_low"], row["ci_high"] = (float(q) for q in percentile_interval(boot, level))
        rows.append(row)
    return pd.DataFrame(rows)


def _decimal_year(ts: pd.Series) -> np.ndarray:
    # numpy calendar arithmetic, not strings: works for any year datetime64 holds (1066, 0500, 2263)
    v = pd.to_datetime(ts).to_numpy()
    year = v.astype("datetime64[Y]")
    start = year.astype(v.dtype)
    length = ((year + 1).astype("datetime64[D]") - year.astype("datetime64[D]")).astype(float)
    return (year.astype(np.int64) + 1970).astype(float) + (v - start) / np.timedelta64(1, "D") / length


def trend(scores: pd.DataFrame, by: str = "year", *, n_boot: int = 2000, level: float = 0.95,
          value: str | None = None, random_state: int | None = None,
          origin: "str | pd.Timestamp | None" = None, **renamed) -> pd.DataFrame:
    """Linear trend of stance: OLS slope (per year) of the period means.

    The slope is fitted to the means of the periods that have scored documents,
    placed at their midpoints in decimal years (so ``by="month"`` is still a
    slope per year); every period weighs the same. The CI is a percentile
    bootstrap over documents (the pairs bootstrap of a regression, Efron &
    Tibshirani 1993, ch. 9.5): each replicate draws as many documents as were
    scored, with replacement and across all periods, recomputes the means of
    the periods it drew and refits. With sentence-level input the resampling is
    clustered: the drawn documents' sentences are resampled in turn (Davison &
    Hinkley 1997, sec. 3.8). A period with one document therefore varies with
    the others instead of being held fixed, so the interval is not zero-width.
    Replicates that draw documents of fewer than 2 periods have no slope; they
    are left out and counted in the note.

    Returns a one-row DataFrame: slope, ci_low, ci_high, ci_level, intercept
    (at year 0), n_periods, n_empty_periods, n_docs, n_single_doc_periods, n_excluded, by, note.

    >>> trend(doc_scores, by="year", random_state=0)[["slope", "ci_low", "ci_high", "n_periods", "n_docs"]].round(4)
        slope  ci_low  ci_high  n_periods  n_docs
    0 -0.0089 -0.1343   0.0085          4       5
    """
    _reject_renamed("trend", renamed)
    check_bootstrap(n_boot, level)
    df, docs, kind, _ = _periodize(scores, by, value, origin)
    pm = period_means(scores, by=by, n_boot=1, value=value, origin=origin)
    used = pm[pm["n_docs"] > 0].reset_index(drop=True)
    if len(used) < 2:
        raise ParameterError(f"trend needs scored documents in at least 2 periods; by={by!r} gives "
                             f"{len(used)}: use a finer period or more documents")
    # The midpoint in decimal years of [start, end + 1 day): a year period sits at Y + 0.5 exactly.
    x = (_decimal_year(used["period_start"]) + _decimal_year(used["period_end"] + pd.Timedelta(days=1))) / 2
    means = used["mean"].to_numpy(dtype=float)
    slope, intercept = np.polyfit(x, means, 1)
    scored = docs[docs["stance"].notna()]
    where = pd.Index(used["period"]).get_indexer(scored["period"])  # each scored document's period
    if kind == "sentences":  # each document's scored sentences, found by one sort
        rows = df[df["value"].notna()]
        codes = pd.Index(scored["id"]).get_indexer(rows["id"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(scored) + 1))
        vals = rows["value"].to_numpy(dtype=float)[order]
        groups = [vals[bounds[i]:bounds[i + 1]] for i in range(len(scored))]
    else:
        groups = [np.array([v]) for v in scored["stance"].to_numpy(dtype=float)]
    rng = np.random.default_rng(random_state)
    slopes = np.full(n_boot, np.nan)
    for r, (drawn, doc_means) in enumerate(cluster_resamples(groups, n_boot, rng)):
        p = where[drawn]
        count = np.bincount(p, minlength=len(used))
        present = count > 0
        if present.sum() < 2:
            continue
        m = np.bincount(p, weights=doc_means, minlength=len(used))[present] / count[present]
        xc = x[present] - x[present].mean()
        slopes[r] = xc @ (m - m.mean()) / (xc @ xc)
    n_none = int(np.isnan(slopes).sum())
    if n_none == n_boot:
        lo = hi = np.nan
    else:
        lo, hi = percentile_interval(slopes, level)
    notes = []
    if n_none:
        notes.append(f"{n_none} of {n_boot} resamples drew documents of fewer than 2 periods: they have no slope "
                     "and are left out of the CI")
    if len(used) == 2:
        notes.append("2 periods: the line passes through both means; the slope is a difference per year")
    return pd.DataFrame([{"slope": float(slope), "ci_low": float(lo), "ci_high": float(hi), "ci_level": level,
                          "intercept": float(intercept), "n_periods": len(used),
                          "n_empty_periods": int((pm["n_docs"] == 0).sum()), "n_docs": int(used["n_docs"].sum()),
                          "n_single_doc_periods": int((used["n_docs"] == 1).sum()),
                          "n_excluded": int(pm["n_excluded"].sum()), "by": by, "note": "; ".join(notes)}])


# ---------------------------------------------------------------------------- change points
def _split_stats(v: np.ndarray, min_size: int) -> np.ndarray:
    """Between-segment sum of squares n1 n2 / n (m1 - m2)^2 for every split k (rows: series)."""
    v = np.atleast_2d(v)
    n = v.shape[1]
    k = np.arange(min_size, n - min_size + 1)
    cs = np.cumsum(v, axis=1)[:, k - 1]
    total = v.sum(axis=1, keepdims=True)
    m1 = cs / k
    m2 = (total - cs) / (n - k)
    return k * (n - k) / n * (m1 - m2) ** 2


def _factorial_at_most(n: int, bound: int) -> bool:
    """n! <= bound, without computing n! of a long series (200,000! takes 0.4 s and 1 MB)."""
    f = 1
    for i in range(2, n + 1):
        f *= i
        if f > bound:
            return False
    return True


def change_points(series, *, min_size: int = 2, alpha: float = 0.05, n_perm: int = 999,
                  max_exact: int = 40_320, random_state: int | None = None) -> pd.DataFrame:
    """Change points in the level of an ordered series by binary segmentation.

    The series (e.g. period means in time order, or document stances sorted
    by date) is split where the between-segment sum of squares is largest
    (Scott & Knott 1974), keeping at least ``min_size`` values per side. The
    split is kept if a permutation test of the *maximal* statistic over all
    admissible splits (which accounts for searching the split point; Antoch &
    Hušková 2001) gives p < ``alpha``; both parts are then searched in turn
    (Vostrikova 1981). Segments of L <= 8 values are tested exactly over all L!
    orders (``max_exact``), longer ones by ``n_perm`` random orders with
    p = (b + 1)/(n_perm + 1). ``alpha`` applies to each test (no correction for
    the recursion, as in Scott & Knott).

    Returns one row per tested segment: segment_start, segment_end (labels,
    inclusive), position (integer index where the right part begins), label
    (its label), mean_left, mean_right, statistic, p_value, p_method, depth,
    significant. The change points are ``result[result.significant]``.

    >>> change_points(pd.Series([0, 0, 0, 0, 1, 1, 1, 1.0]), random_state=0)[
    ...     ["segment_start", "segment_end", "label", "mean_left", "mean_right", "p_value", "significant"]].round(3)
       segment_start  segment_end  label  mean_left  mean_right  p_value  significant
    0              0            7      4        0.0         1.0    0.029         True
    1              0            3      2        0.0         0.0    1.000        False
    2              4            7      6        1.0         1.0    1.000        False
    """
    if isinstance(series, pd.DataFrame):
        raise ParameterError("series is a DataFrame: pass one ordered column, e.g. "
                             "period_means(...).set_index('period')['mean']")
    s = pd.Series(series) if not isinstance(series, pd.Series) else series
    try:
        v = s.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("series holds non-numeric values: pass numbers in time order") from None
    labels = s.index.to_list()
    bad = np.flatnonzero(~np.isfinite(v))
    if len(bad):
        raise ParameterError(f"series value at {labels[bad[0]]!r} is {v[bad[0]]}: drop or fill missing "
                             "periods before searching change points")
    if not isinstance(min_size, (int, np.integer)) or isinstance(min_size, bool) or min_size < 1:
        raise ParameterError(f"min_size={min_size!r}: use an integer >= 1")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}: use a level between 0 and 1, e.g. 0.05")
    if len(v) < 2 * min_size:
        raise ParameterError(f"series has {len(v)} values; a split needs at least 2 * min_size = {2 * min_size}")
    rng = np.random.default_rng(random_state)
    rows = []
    stack = [(0, len(v), 0)]
    while stack:
        a, b, depth = stack.pop(0)
        seg = v[a:b]
        L = len(seg)
        if L < 2 * min_size:
            continue
        stats = _split_stats(seg, min_size)[0]
        j = int(np.argmax(stats))
        k = min_size + j
        observed = stats[j]
        gamma = observed * 100 * np.finfo(float).eps
        if _factorial_at_most(L, max_exact):
            perms = np.array(list(itertools.permutations(seg)))
            null = _split_stats(perms, min_size).max(axis=1)
            p = np.count_nonzero(null >= observed - gamma) / len(perms)
            method = f"exact ({len(perms)} orders)"
        else:
            b_hits = 0
            for _, _, order in permutation_batches(L, n_perm, rng):  # batches: the same orders as one array
                perms = seg[order]
                b_hits += np.count_nonzero(_split_stats(perms, min_size).max(axis=1) >= observed - gamma)
            p = (b_hits + 1) / (n_perm + 1)
            method = f"monte carlo ({n_perm} orders)"
        sig = bool(p < alpha)
        rows.append({"segment_start": labels[a], "segment_end": labels[b - 1], "position": a + k,
                     "label": labels[a + k], "mean_left": float(seg[:k].mean()), "mean_right": float(seg[k:].mean()),
                     "statistic": float(observed), "p_value": float(p), "p_method": method, "depth": depth,
                     "significant": sig})
        if sig:
            stack += [(a, a + k, depth + 1), (a + k, b, depth + 1)]
    return pd.DataFrame(rows)


def _boot_locations(pos: np.ndarray, vals: np.ndarray, length: int, min_size: int, n_boot: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Best split of each bootstrap replicate of the period means (NaN: no admissible split).

    ``pos``: each document's period (0 .. length - 1), ``vals``: its value. A replicate draws the
    documents with replacement (dates kept), recomputes the means of the periods it drew, and
    takes the split with the largest between-segment sum of squares (as :func:`change_points`,
    each present period weighs 1) among the candidates of the original series (right part from
    ``min_size`` to ``length - min_size``) with a drawn period on each side. Candidates in a run of
    undrawn periods split the drawn documents identically (the same statistic, bit for bit); the
    replicate picks one of its tied best candidates uniformly at random, so a gap around the split
    widens the interval on both sides instead of always moving the split to the next drawn period.
    """
    ks = np.arange(min_size, length - min_size + 1)
    out = np.full(n_boot, np.nan)
    for a, b, idx in resample_batches(len(vals), n_boot, rng, row_cells=len(vals) + 4 * length):
        r = b - a
        codes = (pos[idx] + length * np.arange(r)[:, None]).ravel()  # one bincount for the whole batch
        counts = np.bincount(codes, minlength=r * length).reshape(r, length)
        sums = np.bincount(codes, weights=vals[idx].ravel(), minlength=r * length).reshape(r, length)
        present = counts > 0
        means = np.divide(sums, counts, out=np.zeros_like(sums), where=present)
        n_cum, m_cum = np.cumsum(present, axis=1), np.cumsum(means, axis=1)
        n1, s1 = n_cum[:, ks - 1], m_cum[:, ks - 1]
        n2, s2 = n_cum[:, -1:] - n1, m_cum[:, -1:] - s1
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = n1 * n2 / (n1 + n2) * (s1 / n1 - s2 / n2) ** 2
        stat[~((n1 > 0) & (n2 > 0))] = -np.inf
        top = stat.max(axis=1, keepdims=True)
        tied = stat == top
        # the j-th tied candidate, j uniform in 0 .. (number tied - 1)
        j = np.floor(rng.random(r) * tied.sum(axis=1)).astype(int)
        best = np.argmax(np.cumsum(tied, axis=1) > j[:, None], axis=1)
        out[a:b] = np.where(np.isfinite(top[:, 0]), ks[best], np.nan)
    return out


def change_point_interval(scores: pd.DataFrame, by: str = "year", *, value: "str | Sequence[str] | None" = None,
                          min_size: int = 5, alpha: float = 0.05, n_perm: int = 999, max_exact: int = 40_320,
                          n_boot: int = 1000, level: float = 0.95, random_state: int | None = None,
                          origin: "str | pd.Timestamp | None" = None) -> pd.DataFrame:
    """Change points of a period series with a bootstrap interval for each split's location.

    The series is the mean per period (``by``) of the documents' values, periods without a
    scored document left out. :func:`change_points` searches it (binary segmentation,
    ``min_size`` periods a side — 5 years by default — and a permutation test of each split).
    For every tested split, the location's uncertainty comes from a bootstrap over documents
    in the spirit of Antoch, Hušková & Veraverbeke (1995, *Change-point problem and
    bootstrap*, J. Nonparametric Statist. 5, 123-144), who bootstrap the least-squares
    change-point estimator: here the segment's *documents* are resampled with replacement
    (each keeps its date; they resample residuals around the fitted step instead), the period
    means recomputed, and the best split among the same candidate periods found again;
    ``label_ci_low`` / ``label_ci_high`` are the empirical (1 ∓ level)/2 quantiles of those
    locations (inverted CDF, so each end is a period some replicate chose; interpolating would
    name a year no replicate chose). The interval lies within the segment's admissible splits
    (``min_size`` periods from either end), so it is cut off there.

    What this interval is and is not: it shows how much the location moves when the
    statements that make up each period are redrawn. With one document per period a
    replicate lacks about 37% of the periods, so it also reflects which years are present.
    It treats documents as independent: serial correlation (see :func:`serial_correlation`)
    is ignored (Hušková & Kirch 2008, J. Time Series Anal. 29(6), 947-972, use a block
    bootstrap for that), and a percentile interval of an argmax has no guaranteed coverage;
    tests/test_change_interval.py checks coverage of known breaks on synthetic series.

    Returns change_points' columns (one row per tested segment, ``label`` the first period of
    the right part) after ``value``, plus n_docs (scored documents in the segment),
    label_ci_low, label_ci_high, ci_level, share_at_label (share of replicates choosing
    ``label``), n_boot_valid (replicates with an admissible split).

    >>> change_point_interval(doc_scores, min_size=1, random_state=0)[
    ...     ["value", "label", "mean_left", "mean_right", "label_ci_low", "label_ci_high", "share_at_label"]].round(3)
        value label  mean_left  mean_right label_ci_low label_ci_high  share_at_label
    0  stance  2024      0.312       0.033         2021          2024           0.514
    """
    check_bootstrap(n_boot, level)
    rng = np.random.default_rng(random_state)
    rows = []
    for v in _values(value):
        _, docs, _, _ = _periodize(scores, by, v, origin)
        name = _prepare(scores, v)[2]  # the column value=None resolves to
        pm = period_means(scores, by=by, n_boot=1, value=name, origin=origin, random_state=0)
        used = pm[pm["n_docs"] > 0].reset_index(drop=True)
        series = pd.Series(used["mean"].to_numpy(dtype=float), index=used["period"].to_numpy())
        scored = docs[docs["stance"].notna()]
        pos = pd.Index(used["period"]).get_indexer(scored["period"])
        vals = scored["stance"].to_numpy(dtype=float)
        # the change points' permutation draws come first, so p-values equal change_points(series, ...)'s
        cp = change_points(series, min_size=min_size, alpha=alpha, n_perm=n_perm, max_exact=max_exact,
                           random_state=rng)
        where = {label: i for i, label in enumerate(series.index)}
        extra = []
        for r in cp.itertuples():
            a, b = where[r.segment_start], where[r.segment_end] + 1
            inside = (pos >= a) & (pos < b)
            locs = _boot_locations(pos[inside] - a, vals[inside], b - a, min_size, n_boot, rng)
            ok = locs[~np.isnan(locs)].astype(int)
            q = (1 - level) / 2
            if len(ok):
                lo, hi = np.quantile(ok, [q, 1 - q], method="inverted_cdf")
                lo_label, hi_label = series.index[a + int(lo)], series.index[a + int(hi)]
                share = float(np.mean(ok == r.position - a))
            else:
                lo_label = hi_label = None
                share = np.nan
            extra.append({"n_docs": int(inside.sum()), "label_ci_low": lo_label, "label_ci_high": hi_label,
                          "ci_level": level, "share_at_label": share, "n_boot_valid": len(ok)})
        rows.append(pd.concat([cp.reset_index(drop=True), pd.DataFrame(extra)], axis=1).assign(value=name))
    out = pd.concat(rows, ignore_index=True)
    return out[["value"] + [c for c in out.columns if c != "value"]]


# ---------------------------------------------------------------------------- serial correlation
def _period_starts(index: pd.Index) -> list[pd.Timestamp]:
    out = []
    for label in index:
        if isinstance(label, (pd.Timestamp, np.datetime64)):
            out.append(pd.Timestamp(label))
            continue
        if isinstance(label, pd.Period):
            out.append(label.start_time)
            continue
        try:  # a period label ("1990", "2010–2019") or a year: its first date
            out.append(parse_date(str(label).split("–")[0]).start)
        except ValueError:
            raise ParameterError(f"series index value {label!r} is not a period or date: index the series by "
                                 "period, e.g. period_means(...).set_index('period')['mean']") from None
    return out


def serial_correlation(series: "pd.Series | pd.DataFrame", eras: "Mapping[str, object] | None" = None) -> pd.DataFrame:
    """Lag-1 autocorrelation, Durbin–Watson and effective sample size of period series.

    ``series``: a Series or a DataFrame (one series per column) indexed by period in time
    order, consecutive rows consecutive periods; a period without data is NaN (as
    :func:`period_means` gives it) and breaks the lags it touches. ``eras``: named spans; the
    residuals are the series minus its era's mean (the model the era comparisons test);
    without eras, minus the overall mean.

    * ``r1``: lag-1 autocorrelation of the series about its mean, sum c_t c_t+1 / sum c_t^2
      (Box & Jenkins; the ``acf`` of statsmodels). A shift in level between eras raises it.
    * ``r1_resid``: the same of the residuals from the era means.
    * ``durbin_watson``: sum (e_t - e_t-1)^2 / sum e_t^2 of those residuals (Durbin & Watson
      1950, Biometrika 37, 409-428; the era means are an OLS fit on era indicators); about
      2 (1 - r1_resid): 2 means no lag-1 correlation, below 2 positive.
    * ``n_eff``: n (1 - r1_resid) / (1 + r1_resid), the number of independent values with the
      same variance of the mean under an AR(1) model (Bretherton et al. 1999, J. Climate 12,
      1990-2009; Wilks 2011, *Statistical Methods in the Atmospheric Sciences*, sec. 5.2.4);
      capped at n (negative r1 would give more than n).

    Why it matters: the era comparisons' permutation tests and bootstrap CIs treat documents
    (here: years) as exchangeable within and across eras; positive serial correlation of the
    residuals makes their p-values too small and CIs too narrow, roughly as if n were n_eff.

    Returns one row per series: series, n (values), n_pairs (lag-1 pairs used), n_eras, r1,
    r1_resid, durbin_watson, n_eff. (Numbers of our own: scipy has no Durbin–Watson or ACF,
    and statsmodels is not a dependency; tests compare them to hand computations.)

    >>> serial_correlation(period_means(doc_scores, by="year", random_state=0).set_index("period")["mean"],
    ...                    eras={"early": "2006:2021", "late": "2022:2024"}).round(3)
      series  n  n_pairs  n_eras     r1  r1_resid  durbin_watson  n_eff
    0   mean  4        1       2 -0.182    -0.496          1.984    4.0
    """
    if isinstance(series, pd.Series):
        frame = series.to_frame("value" if series.name is None else series.name)
    elif isinstance(series, pd.DataFrame):
        frame = series
    else:
        raise ParameterError(f"series is a {type(series).__name__}: pass a pandas Series or DataFrame indexed by period")
    if len(frame) < 3:
        raise ParameterError(f"series has {len(frame)} periods: a lag-1 correlation needs at least 3")
    starts = _period_starts(frame.index)
    if any(b <= a for a, b in zip(starts, starts[1:])):
        raise ParameterError("series index is not in increasing time order: sort it by period")
    if eras is None:
        era_of = np.zeros(len(frame), dtype=int)
    else:
        spans = _era_spans(eras, minimum=1)
        era_of = np.full(len(frame), -1)
        for j, (lo, hi) in enumerate(spans.values()):
            era_of[[lo <= s <= hi for s in starts]] = j
        if (era_of < 0).any():
            raise ParameterError(f"period {frame.index[int(np.argmax(era_of < 0))]!r} lies in no era of "
                                 f"{list(spans)}: pass eras covering the series, or drop the period")
    rows = []
    for col in frame.columns:
        try:
            x = pd.to_numeric(frame[col], errors="raise").to_numpy(dtype=float)
        except (ValueError, TypeError):
            raise ParameterError(f"series column {col!r} holds non-numeric values") from None
        ok = np.isfinite(x)
        if ok.sum() < 3:
            raise ParameterError(f"series {col!r} has {int(ok.sum())} values: a lag-1 correlation needs at least 3")
        c = np.where(ok, x - x[ok].mean(), 0.0)
        sums = np.bincount(era_of[ok], weights=x[ok], minlength=era_of.max() + 1)
        counts = np.bincount(era_of[ok], minlength=era_of.max() + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            e = np.where(ok, x - (sums / counts)[era_of], 0.0)
        pair = ok[:-1] & ok[1:]
        r1 = float((c[:-1] * c[1:])[pair].sum() / (c ** 2).sum())
        r1_resid = float((e[:-1] * e[1:])[pair].sum() / (e ** 2).sum())
        dw = float(((e[1:] - e[:-1]) ** 2)[pair].sum() / (e ** 2).sum())
        n = int(ok.sum())
        rows.append({"series": str(col), "n": n, "n_pairs": int(pair.sum()), "n_eras": int(np.count_nonzero(counts)),
                     "r1": r1, "r1_resid": r1_resid, "durbin_watson": dw,
                     "n_eff": float(min(n, n * (1 - r1_resid) / (1 + r1_resid)))})
    return pd.DataFrame(rows)
