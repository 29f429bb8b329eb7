"""Dates of varying precision, periods, and period aggregates with bootstrap CIs.

A document dated ``2024-12`` is an interval (the whole month); ``2021`` the whole
year. Grouping assigns a document to the period that contains its interval's
start and warns when the period is finer than the document's precision.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ParameterError
from .resample import bootstrap_sums, check_bootstrap, percentile_interval

_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits: \d takes "٢٠٢١"
_PRECISION_FREQ = {"year": "Y", "month": "M", "day": "D"}
_ALIASES = {"year": "Y", "years": "Y", "annual": "Y", "quarter": "Q", "month": "M",
            "week": "W", "day": "D", "decade": "10Y"}
# Order of fineness, to warn when grouping is finer than a document's date.
_FINENESS = {"D": 0, "W": 1, "M": 2, "Q": 3, "Y": 4}


@dataclass(frozen=True)
class DateInterval:
    """A date as given (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and the interval it covers."""

    text: str
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive last day
    precision: str  # "year" | "month" | "day"

    @property
    def mid(self) -> pd.Timestamp:
        return self.start + (self.end - self.start) / 2


def parse_date(text: str) -> DateInterval:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into an interval.

    >>> parse_date("2024-12").end
    Timestamp('2024-12-31 00:00:00')

    Raises ``ValueError`` (with the value) when the text is not one of the forms
    or not a real calendar date.
    """
    s = str(text).strip()
    m = _DATE_RE.match(s)
    if not m:
        raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    y, mo, d = m.groups()
    precision = "day" if d else "month" if mo else "year"
    try:
        period = pd.Period(s, freq=_PRECISION_FREQ[precision])
    except (ValueError, pd.errors.OutOfBoundsDatetime) as exc:
        raise ValueError(f"date {text!r} is not a calendar date ({exc})") from None
    if mo and not 1 <= int(mo) <= 12 or d and period.day != int(d):
        raise ValueError(f"date {text!r} is not a calendar date")
    return DateInterval(s, period.start_time.normalize(), period.end_time.normalize(), precision)


def normalize_freq(by: str) -> str:
    """Map ``"year"``, ``"month"``, … or any pandas period alias (``"5Y"``) to a period freq."""
    if not isinstance(by, str) or not by:
        raise ParameterError(f"by={by!r}: use 'year', 'month', 'quarter', 'week', 'day' or a pandas period alias like '5Y'")
    freq = _ALIASES.get(by.lower(), by)
    # pandas 3 dropped the A/AS/YS-style aliases for periods; accept the common old spellings.
    freq = re.sub(r"^(\d*)(A|YS|YE|AS)$", r"\1Y", freq)
    freq = re.sub(r"^(\d*)(MS|ME)$", r"\1M", freq)
    try:
        pd.Period("2000-01-01", freq=freq)
    except (ValueError, TypeError):
        raise ParameterError(f"by={by!r} is not a period frequency: use 'year', 'month', 'quarter', "
                             "'week', 'day' or a pandas alias like '5Y'") from None
    return freq


def _base_unit(freq: str) -> str:
    return re.sub(r"^\d+", "", freq)[:1]


def assign_periods(dates: pd.Series, by: str = "year", precision: pd.Series | None = None,
                   origin: pd.Timestamp | None = None) -> pd.PeriodIndex:
    """The period of each date (a date's interval start decides).

    Multi-unit periods (``"5Y"``) are anchored at ``origin`` (default: the first
    date's period), so bins are stable and contain the data.
    Warns when ``by`` is finer than some document's date precision.
    """
    freq = normalize_freq(by)
    dates = pd.to_datetime(pd.Series(dates).reset_index(drop=True))
    if precision is not None:
        unit = _FINENESS.get(_base_unit(freq), 0)
        coarse = {"year": 4, "month": 2, "day": 0}
        finer = [p for p in pd.Series(precision).unique() if coarse.get(p, 0) > unit]
        if finer:
            warnings.warn(f"grouping by {by!r} is finer than some documents' date precision "
                          f"({', '.join(sorted(finer))}); they are placed in the period of their interval's start",
                          UserWarning, stacklevel=3)
    step = int(re.match(r"^(\d*)", freq).group(1) or 1)
    base = re.sub(r"^\d+", "", freq)
    single = dates.dt.to_period(base)
    if step == 1 or len(dates) == 0:
        return pd.PeriodIndex(single, freq=base) if step == 1 else pd.PeriodIndex([], freq=freq)
    first = (pd.Timestamp(origin).to_period(base) if origin is not None else single.min())
    offset = (single - first).apply(lambda x: x.n) // step * step
    starts = [first + int(o) for o in offset]
    return pd.PeriodIndex([pd.Period(s.start_time, freq=freq) for s in starts], freq=freq)


def period_table(periods: pd.PeriodIndex) -> pd.DataFrame:
    """All periods from the first to the last one, including empty ones.

    Columns ``period`` (label), ``period_start``, ``period_end``, ``period_mid``.
    """
    if len(periods) == 0:
        return pd.DataFrame(columns=["period", "period_start", "period_end", "period_mid"])
    full = pd.period_range(periods.min(), periods.max(), freq=periods.freq)
    start = full.start_time.normalize()
    end = full.end_time.normalize()
    return pd.DataFrame({"period": full.astype(str), "period_start": start,
                         "period_end": end, "period_mid": start + (end - start) / 2})


def period_shares(values: np.ndarray, doc_ids: np.ndarray, periods: pd.PeriodIndex,
                  categories: list[str], weights: np.ndarray | None = None, *,
                  n_boot: int = 1000, level: float = 0.95,
                  random_state: int | None = None) -> pd.DataFrame:
    """Share of each category per period, with a bootstrap CI.

    ``values`` is units × categories (non-negative amounts, e.g. topic weight ×
    tokens, or frame hits); each unit belongs to a document (``doc_ids``) and a
    period. A period's share of category c is sum(values[:, c]) / sum(values).

    The CI resamples documents with replacement where a period has two or more
    documents (``ci_basis="documents"``) and units within the document where it
    has one (``ci_basis="units"``: the sentences of one article are not
    independent, so that interval is narrower than the design supports).
    Periods without documents are rows with ``n_docs=0`` and NaN share/CI.

    Returns a long table: period, period_start, period_end, period_mid,
    category, share, ci_low, ci_high, n_docs, n_units, ci_basis.
    """
    check_bootstrap(n_boot, level)
    values = np.asarray(values, dtype=float)
    if weights is not None:
        values = values * np.asarray(weights, dtype=float)[:, None]
    doc_ids = np.asarray(doc_ids).astype(str)
    rng = np.random.default_rng(random_state)
    table = period_table(periods)
    labels = np.asarray(periods.astype(str))
    n_cat, n_per = len(categories), len(table)
    share, lo, hi = (np.full((n_per, n_cat), np.nan) for _ in range(3))
    n_docs, n_units = np.zeros(n_per, dtype=int), np.zeros(n_per, dtype=int)
    basis = ["none"] * n_per
    # the units of each period, found by one sort (a century by day is 36,500 periods, most of them empty)
    uniq_labels, inv = np.unique(labels, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    bounds = np.searchsorted(inv[order], np.arange(len(uniq_labels) + 1))
    members = {lab: order[bounds[j]:bounds[j + 1]] for j, lab in enumerate(uniq_labels)}
    for i, label in enumerate(table["period"]):  # time order: the order the bootstrap draws are made in
        if label not in members:
            continue
        idx = members[label]
        v = values[idx]
        uniq, inverse = np.unique(doc_ids[idx], return_inverse=True)
        total = v.sum()
        if total > 0:
            share[i] = v.sum(axis=0) / total
        if len(uniq) >= 2:
            basis[i] = "documents"
            per_doc = np.zeros((len(uniq), v.shape[1]))
            np.add.at(per_doc, inverse, v)
            sums = bootstrap_sums(per_doc, n_boot, rng)
        elif len(v) >= 2:
            basis[i] = "units"
            sums = bootstrap_sums(v, n_boot, rng)
        else:
            sums = None
        if sums is not None:
            tot = sums.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                boot = np.where(tot > 0, sums / np.where(tot > 0, tot, 1), np.nan)
            if (tot > 0).any():  # no resample with any amount (a period without hits): the CI stays NaN
                lo[i], hi[i] = percentile_interval(boot, level)
        n_docs[i], n_units[i] = len(uniq), len(idx)
    out = pd.DataFrame({c: table[c].repeat(n_cat).to_numpy() for c in table.columns})
    out["category"] = list(categories) * n_per
    out["share"], out["ci_low"], out["ci_high"] = share.ravel(), lo.ravel(), hi.ravel()
    out["n_docs"], out["n_units"] = np.repeat(n_docs, n_cat), np.repeat(n_units, n_cat)
    out["ci_basis"] = [b for b in basis for _ in range(n_cat)]
    return out
