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
_PER_YEAR = {"Y": 1, "Q": 4, "M": 12}


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


def parse_origin(origin: "str | pd.Timestamp | None") -> pd.Timestamp | None:
    """``origin=`` as a Timestamp: ``None`` (calendar bins), a date (``"1785"``, ``"1785-06"``) or a Timestamp.

    >>> parse_origin("1785")
    Timestamp('1785-01-01 00:00:00')
    """
    if origin is None or isinstance(origin, pd.Timestamp):
        return origin
    try:
        return parse_date(str(origin)).start
    except ValueError as exc:
        raise ParameterError(f"origin={origin!r}: {exc}; pass the start of one bin, e.g. origin='1785'") from None


def assign_periods(dates: pd.Series, by: str = "year", precision: pd.Series | None = None,
                   origin: "str | pd.Timestamp | None" = None) -> pd.PeriodIndex:
    """The period of each date (a date's interval start decides): the one binning every function uses.

    ``by``: ``"year"``, ``"decade"``, ``"month"``, … or any pandas period alias (``"5Y"``, ``"3M"``).
    Multi-unit periods are calendar bins by default (decades 1790–1799, 1800–1809; ``"3M"``
    quarters from January), whatever the data's first date, so every function and every subset
    of a corpus gets the same bins; ``origin`` (e.g. ``"1785"``) starts a bin there instead.
    Warns when ``by`` is finer than some document's date precision.

    >>> assign_periods(pd.Series(pd.to_datetime(["1789-04-30", "1801-01-01"])), "decade").astype(str).tolist()
    ['1780', '1800']
    """
    freq = normalize_freq(by)
    origin = parse_origin(origin)
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
    single = pd.PeriodIndex(dates.dt.to_period(base), freq=base)
    if step == 1:
        return single
    # Calendar bins count `step` base periods from January of year 0 (decades 1790-1799, centuries
    # 1900-1999, 5Y 1785-1789): yearly, quarterly and monthly ordinals are linear from 1970, so year 0 is
    # -1970 years of them. Weeks and days count from pandas' ordinal 0 (1970-01-01).
    anchor = (-1970 * _PER_YEAR.get(base[:1], 0) if origin is None else origin.to_period(base).ordinal)
    ords = single.asi8
    return pd.PeriodIndex.from_ordinals(anchor + (ords - anchor) // step * step, freq=freq)


def period_labels(periods: pd.PeriodIndex) -> np.ndarray:
    """Each period's label, showing the whole bin: ``"2006"``, ``"2024-03"``; ``"2010–2019"`` for a decade.

    >>> period_labels(assign_periods(pd.Series(pd.to_datetime(["2013-05-01"])), "decade")).tolist()
    ['2010–2019']
    """
    periods = pd.PeriodIndex(periods)
    step = periods.freq.n
    if step == 1:
        return np.asarray(periods.astype(str), dtype=object)
    base = re.sub(r"^\d+", "", periods.freqstr)
    first = pd.PeriodIndex.from_ordinals(periods.asi8, freq=base).astype(str)
    last = pd.PeriodIndex.from_ordinals(periods.asi8 + step - 1, freq=base).astype(str)
    return np.asarray([f"{a}–{b}" for a, b in zip(first, last)], dtype=object)


def parse_span(value, name: str = "period") -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """A span of dates as (first day, last day, label), the one parser of the API and the CLI.

    ``value``: ``"1990:1999"`` (the CLI's syntax), one date (``"2006"``: that whole year),
    a ``(start, end)`` pair of dates or Timestamps. Ends are inclusive at their precision.

    >>> parse_span("1990:1999")[2], parse_span(("2021", "2024-06"))[1]
    ('1990–1999', Timestamp('2024-06-30 00:00:00'))
    """
    side = value
    if isinstance(side, (int, np.integer)):
        side = str(side)
    if isinstance(side, str):
        parts = side.split(":")
        if len(parts) > 2 or not all(p.strip() for p in parts):
            raise ParameterError(f"{name}={value!r}: give a date or a range START:END, e.g. '2006' or '1990:1999'")
        side = (parts[0].strip(), parts[-1].strip())
    try:
        a, b = side
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r}: use 'START:END' or (start, end) dates like "
                             "('2006', '2006-12')") from None

    def one(x, which):
        if isinstance(x, (pd.Timestamp, np.datetime64)):
            return pd.Timestamp(x).normalize()
        try:
            iv = parse_date(str(x))
        except ValueError as exc:
            raise ParameterError(f"{name}={value!r}: {exc}") from None
        return iv.start if which == "start" else iv.end

    lo, hi = one(a, "start"), one(b, "end")
    if lo > hi:
        raise ParameterError(f"{name}={value!r}: start is after end")
    return lo, hi, f"{a}–{b}" if str(a) != str(b) else str(a)


def period_table(periods: pd.PeriodIndex) -> pd.DataFrame:
    """All periods from the first to the last one, including empty ones.

    Columns ``period`` (label, :func:`period_labels`), ``period_start``, ``period_end``, ``period_mid``.
    """
    if len(periods) == 0:
        return pd.DataFrame(columns=["period", "period_start", "period_end", "period_mid"])
    full = pd.period_range(periods.min(), periods.max(), freq=periods.freq)
    start = full.start_time.normalize()
    end = full.end_time.normalize()
    return pd.DataFrame({"period": period_labels(full), "period_start": start,
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
    labels = period_labels(periods)
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
