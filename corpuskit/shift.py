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
* :func:`trend` — OLS slope of period means per year with a bootstrap CI that
  resamples documents across periods, clustered with their sentences (Efron &
  Tibshirani 1993, ch. 9.5; Davison & Hinkley 1997, sec. 3.8).
* :func:`change_points` — binary segmentation (Vostrikova 1981, *Soviet Math.
  Dokl.* 24, 55-59) with Scott & Knott's (1974, *Biometrics* 30(3), 507-512)
  split criterion, the between-segment sum of squares, each split tested by a
  permutation test of the maximal statistic over split points (Antoch &
  Hušková 2001, *Permutation tests in change point analysis*, Stat. Probab.
  Lett. 53, 37-46).
"""
from __future__ import annotations

import itertools
from math import comb, log10

import numpy as np
import pandas as pd

from .errors import ParameterError
from .periods import assign_periods, parse_date, parse_span, period_labels, period_table
from .resample import (BATCH_CELLS, bootstrap_means, check_bootstrap, cluster_resamples, percentile_interval,
                       permutation_batches, row_batches)

__all__ = ["stance_shift", "period_means", "trend", "change_points", "permutation_pvalue"]

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

    Returns a one-row DataFrame: before, after, estimate, ci_low, ci_high,
    ci_level, p_value, p_method, p_min, p_min_documents (the floor of a
    document-level test of this design), alternative, basis, n_before, n_after
    (units of the basis), n_docs_before, n_docs_after, n_excluded (documents in
    either period without a score), excluded_ids, n_excluded_sentences (sentence
    rows without a score in the two periods), note.

    Example: with 1 document before and 4 after, a document-level test has 5
    relabelings and cannot reach p < 0.2; ``unit="auto"`` with sentence
    scores tests sentences instead and the note says why that is optimistic.

    >>> stance_shift(doc_scores, before=("2006", "2006"), after=("2021", "2024"))  # doctest: +SKIP
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
    if excluded:
        notes.append(f"excluded {len(excluded)} document(s) without a score: {', '.join(excluded)}")
    in_sides = df["id"].isin(pd.concat([sides["before"][0]["id"], sides["after"][0]["id"]]))
    n_nan_sent = int((in_sides & df["value"].isna()).sum()) if kind == "sentences" else 0
    if n_nan_sent:
        notes.append(f"dropped {n_nan_sent} sentence row(s) without a score")
    doc_floor = (2 if alternative == "two-sided" and nb == na else 1) / comb(nb + na, na)
    return pd.DataFrame([{
        "before": b_label, "after": a_label, "estimate": float(y.mean() - x.mean()), "ci_low": lo, "ci_high": hi,
        "ci_level": level, "p_value": test["p_value"], "p_method": test["p_method"], "p_min": test["p_min"],
        "p_min_documents": doc_floor, "alternative": alternative, "basis": basis,
        "n_before": len(x), "n_after": len(y), "n_docs_before": nb, "n_docs_after": na,
        "n_excluded": len(excluded), "excluded_ids": ", ".join(excluded), "n_excluded_sentences": n_nan_sent,
        "note": "; ".join(notes)}])


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

    >>> period_means(doc_scores, by="decade", origin="1785")  # doctest: +SKIP
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

    >>> trend(doc_scores, by="year", random_state=0)  # doctest: +SKIP
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

    >>> change_points(pd.Series([0, 0, 0, 0, 1, 1, 1, 1.0]), random_state=0)  # doctest: +SKIP
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
