"""Figures: each function takes library results (DataFrames) and returns a matplotlib Figure.

Conventions every figure follows:

* dates sit at their true positions on a time axis (an interval-dated document
  at its interval's middle); periods without documents are shaded as gaps and
  never bridged by a line or band;
* confidence intervals are drawn; axes carry units; the palette is Okabe & Ito's
  colour-blind-safe one; sizes read in a paper column (3.5 in) or across a page (7 in);
* titles state the finding, computed from the results passed in, wrapped when wider than the figure;
* they read at 5 and at 10,000 documents: no side over 2,400 px at 200 dpi (the timeline turns into
  documents per period past 30 documents), point labels only where they fit (the extremes first),
  date ticks on whole periods, the date axis named by the caller (``date_label``, a study's wording);
* plotted values are rounded (``_r``) so last-bit float noise cannot move a pixel.

The CLI (``corpuskit figures``) and the notebooks call these same functions.
"""
from __future__ import annotations

import pathlib
import textwrap
from contextlib import contextmanager
from typing import Iterable, Sequence

import matplotlib
import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text

from .errors import ParameterError

__all__ = ["OKABE_ITO", "plot_timeline", "plot_prevalence", "plot_stance", "plot_keyness", "plot_wordfish",
           "plot_k_selection", "save_figure", "COLUMN_WIDTH", "PAGE_WIDTH", "plot_era_comparisons",
           "plot_change_points", "plot_document_length", "plot_beside"]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
COLUMN_WIDTH = 3.5  # inches
PAGE_WIDTH = 7.0
GAP_COLOR = "#DDDDDD"
_DECIMALS = 6


def _r(x):
    """Round plotted values so float noise in the last bits cannot move a pixel."""
    return np.round(np.asarray(x, dtype=float), _DECIMALS)


@contextmanager
def _style():
    rc = {"font.size": 7.5, "axes.titlesize": 8, "axes.labelsize": 7.5, "xtick.labelsize": 7,
          "ytick.labelsize": 7, "legend.fontsize": 6.5, "axes.spines.top": False, "axes.spines.right": False,
          "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO), "figure.dpi": 100, "savefig.dpi": 200,
          "font.family": "DejaVu Sans", "svg.hashsalt": "corpuskit", "svg.fonttype": "path",
          "pdf.fonttype": 42, "axes.titlelocation": "left", "axes.titleweight": "bold"}
    with matplotlib.rc_context(rc):
        yield


def _subplots(nrows: int = 1, ncols: int = 1, figsize=(PAGE_WIDTH, 3.0), layout="constrained", **kw):
    """A Figure not registered with pyplot: no global state, no double display in Jupyter."""
    fig = Figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(nrows, ncols, **kw)


def _require(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ParameterError(f"{what} needs column(s) {missing}; got {list(df.columns)}")


def _year_step(span_years: float, bin_years: int = 1, max_ticks: int = 10) -> int:
    """Years between ticks: at most ``max_ticks`` labels, on round years that are whole bins (a decade
    axis is labelled every 10, 20, 50 … years, never mid-decade; a corpus may span centuries)."""
    if bin_years == 1 and max_ticks == 10 and span_years < 25:
        return 2
    steps = [s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)
             if s % bin_years == 0 and (s >= 10 or bin_years > 1 or span_years < 25)]
    return next((s for s in steps if span_years / s <= max_ticks), steps[-1])


def _date_axis(ax, span_years: float, bin_years: int = 1, max_ticks: int = 10) -> None:
    if span_years > 8 or bin_years > 1:
        ax.xaxis.set_major_locator(mdates.YearLocator(base=_year_step(span_years, bin_years, max_ticks)))
    else:
        ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


@contextmanager
def _laid_out(fig: Figure):
    """Lay ``fig`` out to measure its texts inside the block, then put every axes back where it was.

    Constrained layout starts from the current positions, so a second pass lands a last float bit away
    from the first; restoring them keeps a figure that needs no change byte-identical to one never measured.
    """
    before = [(ax, ax.get_position(original=True), ax.get_position(), ax.get_in_layout()) for ax in fig.axes]
    fig.draw_without_rendering()
    yield
    for ax, original, active, in_layout in before:
        ax.set_position(original, which="original")
        ax.set_position(active, which="active")
        ax.set_in_layout(in_layout)  # set_position takes an axes out of the layout


def _covers(fig: Figure, ax, artist, points: np.ndarray) -> bool:
    """Whether ``artist`` (a legend inside the axes) lies over any of ``points`` (data coordinates)."""
    with _laid_out(fig):
        box = artist.get_window_extent().frozen()
        xy = ax.transData.transform(points)
    return bool(((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)).any())


def _overlaps(a, b) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0


def _keep_fitting_labels(fig: Figure, ax, labels: list) -> list:
    """Remove the point labels that would overlap another label, a title or the legend, or reach into
    the tick labels (left of or below the axes) or out of the figure.

    ``labels`` are annotations in priority order (the extremes first): a label is kept only if it fits
    beside the ones kept before it. Returns the kept ones.
    """
    if not labels:
        return []
    own = {id(a) for a in labels}
    with _laid_out(fig):  # frozen: an axes' bbox follows its position, which is put back afterwards
        frame, page = ax.get_window_extent().frozen(), fig.bbox.frozen()
        titles = [c for c in ax.get_children() if isinstance(c, Text) and id(c) not in own and c.get_text()]
        taken = [t.get_window_extent().frozen() for t in titles]
        if ax.get_legend() is not None:
            taken.append(ax.get_legend().get_window_extent().frozen())
        boxes = [a.get_window_extent().frozen() for a in labels]
    pt = fig.dpi / 72  # offsets are in points, boxes in pixels
    kept = []
    for a, box in zip(labels, boxes):
        dx, dy = a.xyann
        # the label where it was put (right of and above its point), else mirrored left, below, or both;
        # a mirrored box is predicted (a baseline label's descent is about a fifth of its height)
        left, down = -(box.width + 2 * dx * pt), -(box.height + 2 * dy * pt) + 0.2 * box.height
        for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
            b = box.translated(0 if sx == 1 else left, 0 if sy == 1 else down)
            inside = b.x0 >= frame.x0 and b.y0 >= frame.y0 and b.x1 <= page.x1 and b.y1 <= page.y1
            if inside and not any(_overlaps(b, t) for t in taken):
                if (sx, sy) != (1, 1):
                    a.xyann = (sx * dx, sy * dy)
                    a.set_horizontalalignment("right" if sx < 0 else "left")
                    a.set_verticalalignment("top" if sy < 0 else "baseline")
                taken.append(b)
                kept.append(a)
                break
        else:
            a.remove()
    if any(a.get_horizontalalignment() == "right" or a.get_verticalalignment() == "top" for a in kept):
        with _laid_out(fig):  # a mirrored label was predicted: measure it, drop any that still collides
            fixed = taken[:len(taken) - len(kept)]
            boxes = [a.get_window_extent().frozen() for a in kept]
        final = []
        for a, b in zip(kept, boxes):
            inside = b.x0 >= frame.x0 and b.y0 >= frame.y0 and b.x1 <= page.x1 and b.y1 <= page.y1
            if inside and not any(_overlaps(b, t) for t in fixed):
                fixed.append(b)
                final.append(a)
            else:
                a.remove()
        kept = final
    return kept


def _label_order(values: np.ndarray, max_labels: int) -> np.ndarray:
    """Indices of the points to label, extremes first: every point when there are ``max_labels`` or fewer,
    else only the lowest and the highest."""
    v = np.asarray(values, dtype=float)
    ends = [int(np.nanargmax(v)), int(np.nanargmin(v))]
    if len(v) > max_labels:
        return np.array(list(dict.fromkeys(ends)))
    rest = np.argsort(-np.abs(v - np.nanmedian(v)), kind="stable")
    return np.array(list(dict.fromkeys(ends + [int(i) for i in rest])))


def _fit_title(fig: Figure, title) -> None:
    """Wrap a title that is wider than the figure onto more lines (long ids or labels in a finding).

    ``title``: a Text (a suptitle) or an Axes, whose title it finds (``loc="left"`` is a separate Text).
    """
    if not isinstance(title, Text):  # an axes' Text children besides its annotations are its three titles
        titles = [c for c in title.get_children() if isinstance(c, Text) and c not in title.texts and c.get_text()]
        if not titles:
            return
        title = titles[0]
    text = title.get_text()
    for _ in range(4):
        with _laid_out(fig):
            box, frame = title.get_window_extent().frozen(), fig.bbox.frozen()
        if box.x1 <= frame.x1 - 2 or box.width <= 0:
            return
        room = frame.x1 - max(box.x0, frame.x0) - 4
        longest = max(len(line) for line in title.get_text().splitlines())
        title.set_text(textwrap.fill(text, width=max(20, int(longest * room / box.width) - 1)))


def _shade_gaps(ax, periods: pd.DataFrame) -> int:
    """Shade runs of periods without documents; returns how many runs were shaded."""
    empty = periods["n_docs"].to_numpy() == 0
    runs, i = 0, 0
    starts, ends = periods["period_start"].to_numpy(), periods["period_end"].to_numpy()
    while i < len(empty):
        if empty[i]:
            j = i
            while j + 1 < len(empty) and empty[j + 1]:
                j += 1
            ax.axvspan(starts[i], ends[j] + np.timedelta64(1, "D"), color=GAP_COLOR, alpha=0.6, lw=0, zorder=0,
                       label="no documents" if runs == 0 else None)
            runs += 1
            i = j + 1
        else:
            i += 1
    return runs


def _add_days(dates: pd.Series, days: float) -> pd.Series:
    """``dates + days``: at nanoseconds as pandas does by default, at microseconds for dates
    outside 1677–2262 (a fractional-day offset is nanoseconds, which cannot hold the year 1066)."""
    delta = pd.to_timedelta(days, unit="D")
    try:
        return dates + delta
    except pd.errors.OutOfBoundsDatetime:
        return dates + delta.as_unit("us")


def _segments(mask: np.ndarray) -> list[np.ndarray]:
    """Index runs where mask is true (consecutive periods with data)."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return []
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


def _fmt_pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# --------------------------------------------------------------------------- timeline
def plot_timeline(docvars: pd.DataFrame, label: str = "id", title: str | None = None, date_label: str = "date",
                  max_rows: int = 30) -> Figure:
    """The corpus on a true time axis: one row per document, its dated interval as a bar; with more than
    ``max_rows`` documents, the number of documents per period (year, decade, … whichever gives at most
    30 bars), empty periods shaded.

    ``docvars`` is ``corpus.docvars`` (or ``to_frame()``): id, date, date_end, date_mid.
    ``date_label`` names the date axis (a study file's ``date_label``).

    >>> fig = plot_timeline(corpus.docvars, date_label="publication date (year)")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('publication date (year)', 'document')
    """
    _require(docvars, ["date", "date_end", "date_mid", label], "plot_timeline")
    df = docvars.sort_values(["date", label]).reset_index(drop=True)
    years = df["date"].dt.year
    if title is None:
        span = f"{years.min()}–{df['date_end'].dt.year.max()}"
        gap = _largest_gap(sorted(set(years)))
        none = "" if not gap else f"; none in {gap[0]}" if gap[0] == gap[1] else f"; none from {gap[0]} to {gap[1]}"
        title = f"{len(df)} documents, {span}{none}"
    if len(df) > max_rows:
        return _timeline_counts(df, title, date_label)
    with _style():
        fig, ax = _subplots(figsize=(PAGE_WIDTH, 0.9 + 0.28 * len(df)), layout="constrained")
        y = np.arange(len(df))[::-1]
        width = (df["date_end"] - df["date"]).dt.days.to_numpy() + 1
        ax.barh(y, np.maximum(width, 20), left=df["date"], height=0.5, color=OKABE_ITO[0], alpha=0.35,
                label="date interval")
        ax.plot(df["date_mid"], y, "o", color=OKABE_ITO[0], ms=3.5, label="placed at interval middle")
        ax.set_yticks(y, df[label].astype(str).tolist())
        ax.set_xlabel(date_label)
        ax.set_ylabel("document")
        lo, hi = df["date"].min(), df["date_end"].max()
        pad = pd.Timedelta(days=max(60, int((hi - lo).days * 0.03)))
        ax.set_xlim(lo - pad, hi + pad)
        _date_axis(ax, (hi - lo).days / 365.25)
        ax.set_title(title)
        ax.legend(loc="lower right", frameon=False)
        _fit_title(fig, ax)
    return fig


_BIN_YEARS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def _year_bins(years: np.ndarray, max_bins: int = 30) -> tuple[int, np.ndarray, pd.DatetimeIndex, str]:
    """Calendar bins of whole years (1, 2, 5, 10 … years, the finest giving at most ``max_bins``):
    (years per bin, each year's bin index, bin edges, the bin's name: "year", "decade", …)."""
    years = np.asarray(years, dtype=int)
    span = int(years.max() - years.min() + 1)
    step = next((b for b in _BIN_YEARS if span / b <= max_bins), _BIN_YEARS[-1])
    first, last = (years.min() // step) * step, (years.max() // step) * step
    starts = np.arange(first, last + step, step)
    # second resolution: pandas' default nanoseconds cannot hold years before 1677
    edges = pd.DatetimeIndex(np.array([f"{y:04d}-01-01" for y in np.append(starts, starts[-1] + step)],
                                      dtype="datetime64[s]"))
    unit = {1: "year", 10: "decade", 100: "century"}.get(step, f"{step} years")
    return step, (years - first) // step, edges, unit


def _timeline_counts(df: pd.DataFrame, title: str, date_label: str, max_bins: int = 30) -> Figure:
    """Documents per calendar bin (a document counts in the bin of its interval's start, as in
    ``periods.assign_periods``), runs of empty bins shaded."""
    years = df["date"].dt.year.to_numpy()
    span = int(years.max() - years.min() + 1)
    step, bins, edges, unit = _year_bins(years, max_bins)
    counts = np.bincount(bins, minlength=len(edges) - 1)
    with _style():
        fig, ax = _subplots(figsize=(PAGE_WIDTH, 2.8), layout="constrained")
        table = pd.DataFrame({"period_start": edges[:-1], "period_end": edges[1:] - pd.Timedelta(days=1),
                              "n_docs": counts})
        _shade_gaps(ax, table)
        widths = (edges[1:] - edges[:-1]).days.to_numpy() * 0.9
        ax.bar(edges[:-1], counts, width=widths, align="edge", color=OKABE_ITO[0], label=f"documents per {unit}")
        ax.set_xlim(edges[0], edges[-1])
        _date_axis(ax, span, bin_years=step)
        ax.set_xlabel(date_label)
        ax.set_ylabel(f"documents per {unit}")
        ax.yaxis.set_major_locator(mticker.MaxNLocator(nbins=5, integer=True))
        ax.set_title(title)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        _fit_title(fig, ax)
    return fig


def _largest_gap(years: Sequence[int]) -> tuple[int, int] | None:
    if len(years) < 2:
        return None
    diffs = np.diff(years)
    k = int(np.argmax(diffs))
    return (years[k] + 1, years[k + 1] - 1) if diffs[k] > 1 else None


# --------------------------------------------------------------------------- shares over time
def plot_prevalence(table: pd.DataFrame, category: str = "topic", label: str | None = "label",
                    title: str | None = None, ylabel: str = "share of tokens (%)",
                    categories: Sequence | None = None, facet: bool | None = None,
                    date_label: str = "period (year)") -> Figure:
    """Shares over time with CI bands, one series per category (topics or frames).

    ``table`` is a long period table (``TopicModel.prevalence()``,
    ``frame_prevalence()``): period, period_start, period_end, period_mid,
    <category>, share, ci_low, ci_high, n_docs. Lines and bands join only
    consecutive periods with documents; a period between gaps is a point with
    an error bar; empty periods are shaded. With more than four categories
    (or ``facet=True``) each gets its own panel (small multiples, shared axes). Date ticks fall
    on whole periods (a decade axis every 10, 20, 50 … years); ``date_label`` names the date axis.

    >>> table = ck.frame_prevalence(corpus, dictionary="rearmament", by="decade", random_state=0)
    >>> fig = plot_prevalence(table, category="frame")
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (12, 'share of tokens\\n(%)')
    """
    _require(table, ["period", "period_start", "period_end", "period_mid", category, "share", "ci_low",
                     "ci_high", "n_docs"], "plot_prevalence")
    cats = list(categories) if categories is not None else list(dict.fromkeys(table[category]))
    periods = table.drop_duplicates("period")[["period", "period_start", "period_end", "period_mid", "n_docs"]]
    periods = periods.reset_index(drop=True)
    names = {}
    for c in cats:
        sub = table[table[category] == c]
        names[c] = str(sub[label].iloc[0]) if label and label in table.columns else str(c).replace("_", " ")
    if title is None:
        title = _shift_title(table, category, cats, names)
    facet = len(cats) > 4 if facet is None else facet
    with _style():
        if facet:
            # panels of 1.55 in: up to 7 rows fit under 12 in (2,400 px); more categories take more columns
            ncols = min(max(4, int(np.ceil(len(cats) / 7))), len(cats))
            nrows = int(np.ceil(len(cats) / ncols))
            fig, axes = _subplots(nrows, ncols, figsize=(PAGE_WIDTH, 0.4 + 1.55 * nrows), sharex=True, sharey=True,
                                  squeeze=False)
            flat = list(axes.ravel())
            for ax in flat[len(cats):]:
                ax.set_visible(False)
            targets = flat[:len(cats)]
        else:
            fig, ax = _subplots(figsize=(PAGE_WIDTH, 3.2))
            targets = [ax] * len(cats)
        lo_d, hi_d = periods["period_start"].min(), periods["period_end"].max()
        bin_years = _bin_years(periods)
        dense = len(periods) > 60  # many periods: lines without a marker on every one
        shaded = set()
        for i, (c, ax) in enumerate(zip(cats, targets)):
            if id(ax) not in shaded:
                _shade_gaps(ax, periods)
                shaded.add(id(ax))
            sub = table[table[category] == c].set_index("period").loc[periods["period"]]
            color = OKABE_ITO[i % len(OKABE_ITO)] if not facet else OKABE_ITO[0]
            has = (sub["n_docs"].to_numpy() > 0) & sub["share"].notna().to_numpy()
            x = pd.to_datetime(sub["period_mid"]).to_numpy()
            y, lo, hi = _r(100 * sub["share"]), _r(100 * sub["ci_low"]), _r(100 * sub["ci_high"])
            first = True
            for seg in _segments(has):
                kw = {"label": names[c]} if first and not facet else {}
                first = False
                if len(seg) == 1:  # an isolated period: a point with an error bar, not a line
                    err = np.nan_to_num(np.vstack([y[seg] - lo[seg], hi[seg] - y[seg]]))
                    ax.errorbar(x[seg], y[seg], yerr=err, fmt="o", ms=3.5, color=color, capsize=2, lw=1, **kw)
                else:
                    ax.plot(x[seg], y[seg], "-" if dense else "-o", ms=3, lw=1.4, color=color, **kw)
                    ax.fill_between(x[seg], lo[seg], hi[seg], color=color, alpha=0.15, lw=0)
            if facet:
                ax.set_title(names[c], fontsize=7, fontweight="normal", loc="left")
            ax.set_xlim(lo_d, hi_d + pd.Timedelta(days=1))
            _date_axis(ax, (hi_d - lo_d).days / 365.25, bin_years)
            if facet and bin_years > 1:  # narrow panels: a few round years only, on whole periods
                _date_axis(ax, (hi_d - lo_d).days / 365.25, bin_years, max_ticks=3)
            elif facet:
                ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4))
                ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        for ax in dict.fromkeys(targets):  # after every series is drawn, so no series is clipped
            ax.set_ylim(bottom=0)
        if facet:
            for ax in axes[:, 0]:
                ax.set_ylabel(ylabel if nrows == 1 else ylabel.replace(" (", "\n("))
            for ax in targets[-ncols:]:
                ax.set_xlabel(date_label)
                ax.tick_params(axis="x", labelbottom=True)
            _fit_title(fig, fig.suptitle(title, x=0.01, ha="left", fontsize=8, fontweight="bold"))
        else:
            ax = targets[0]
            ax.set_ylabel(ylabel)
            ax.set_xlabel(date_label)
            ax.set_title(title)
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
            _fit_title(fig, ax)
    return fig


def _bin_years(periods: pd.DataFrame) -> int:
    """A period's length in whole years (10 for decades; 1 for years and anything shorter)."""
    days = (pd.to_datetime(periods["period_end"]) - pd.to_datetime(periods["period_start"])).dt.days.median()
    return max(1, int(round((days + 1) / 365.25)))


def _shift_title(table: pd.DataFrame, category: str, cats: list, names: dict) -> str:
    has = table[(table["n_docs"] > 0) & table["share"].notna()]
    if has.empty:
        return "No period has documents"
    first, last = has["period"].iloc[0], has["period"].iloc[-1]
    if first == last:
        top = has.sort_values("share", ascending=False).iloc[0]
        return f"{names[top[category]]} leads in {first} ({_fmt_pct(top['share'])})"
    a = has[has["period"] == first].set_index(category)["share"]
    b = has[has["period"] == last].set_index(category)["share"]
    change = (b - a).dropna()
    # largest absolute change; on a tie the rising category, then the first listed
    order = sorted(change.index, key=lambda k: (-round(abs(change[k]), 9), -np.sign(change[k]), cats.index(k)))
    c = order[0]
    verb = "rises" if change[c] > 0 else "falls"
    return f"{names[c]} {verb} from {_fmt_pct(a[c])} ({first}) to {_fmt_pct(b[c])} ({last})"


# --------------------------------------------------------------------------- stance
def plot_stance(scores: pd.DataFrame, method: str = "method", title: str | None = None,
                label: str = "id", date_label: str = "date", max_labels: int = 12,
                max_points: int = 200) -> Figure:
    """Document stance with 95% CI bars, by method, at the documents' true dates.

    ``scores``: id, date_mid, stance, ci_low, ci_high, <method> (one block of
    rows per method, e.g. lexicon / classifier / wordfish sign). Documents with
    no score (NaN stance) are counted in the legend title, not plotted. Documents are
    labelled by the first method's scores, the extremes first and only where a label fits;
    with more than ``max_labels`` documents only the most and least favourable ones. With more than
    ``max_points`` documents, each document is a faint dot without its bar and each method's mean per
    period (year, decade, …: at most 30) is drawn with its 95% interval.

    >>> fig = plot_stance(doc_scores, date_label="publication date (year)")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('publication date (year)', 'stance toward the target\\n(−1 against … +1 favor)')
    """
    _require(scores, [label, "date_mid", "stance", "ci_low", "ci_high", method], "plot_stance")
    methods = list(dict.fromkeys(scores[method]))
    ok = scores["stance"].notna()
    n_missing = scores.loc[~ok, label].nunique()
    if title is None:
        title = _stance_title(scores[ok], method, methods)
    many = scores.loc[ok, label].nunique() > max_labels
    crowded = scores.loc[ok, label].nunique() > max_points
    unit = None
    with _style():
        fig, ax = _subplots(figsize=(PAGE_WIDTH, 3.0), layout="constrained")
        ax.axhline(0, color="#555555", lw=0.7, zorder=1)
        span = (scores["date_mid"].max() - scores["date_mid"].min()).days or 365
        offsets = np.linspace(-1, 1, len(methods)) * span * 0.006 if len(methods) > 1 else [0]
        annotations = []
        for i, m in enumerate(methods):
            sub = scores[(scores[method] == m) & ok]
            x = _add_days(pd.to_datetime(sub["date_mid"]), offsets[i])
            y = _r(sub["stance"])
            yerr = np.vstack([y - _r(sub["ci_low"]), _r(sub["ci_high"]) - y])
            yerr = np.where(np.isfinite(yerr), yerr, 0)
            color = OKABE_ITO[i % len(OKABE_ITO)]
            if crowded:
                ax.plot(x, y, "os^Dv"[i % 5], ms=1.5, alpha=0.25, color=color, mew=0)
                unit = _period_means(ax, sub["date_mid"], y, color, str(m))
            else:
                style = dict(ms=2, capsize=0, lw=0.5, alpha=0.6) if many else dict(ms=4, capsize=2, lw=1)
                ax.errorbar(x, y, yerr=yerr, fmt="os^Dv"[i % 5], color=color, label=str(m), **style)
            if i == 0 and len(sub):
                order = _label_order(y, max_labels)
                names = sub[label].astype(str).to_numpy()
                placed = {k: ax.annotate(names[k], (x.iloc[k], y[k]), xytext=(4, 4), textcoords="offset points",
                                         fontsize=6, annotation_clip=False) for k in sorted(order)}
                annotations = [placed[k] for k in order]
        ax.set_ylim(-1.08, 1.08)
        ax.set_ylabel("stance toward the target\n(−1 against … +1 favor)")
        ax.set_xlabel(date_label)
        lo, hi = scores["date_mid"].min(), scores["date_mid"].max()
        pad = pd.Timedelta(days=max(120, int((hi - lo).days * 0.04)))
        ax.set_xlim(lo - pad, hi + pad)
        _date_axis(ax, (hi - lo).days / 365.25)
        ax.set_title(title)
        # per method: a method that scores few documents (hand codes of a sample) must not read as all of them
        missing = scores.loc[~ok].groupby(method, sort=False)[label].nunique()
        unscored = "unscored: " + ", ".join(f"{m} {int(missing.get(m, 0))}" for m in methods)
        head = f"method: mean per {unit} (95% CI)" if crowded and unit else "method (95% CI)"
        leg_title = f"{head}\n{unscored}" if n_missing else head
        beside = dict(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        if many:  # beside the axes: inside, it would hide points of a crowded plot
            ax.legend(title=leg_title, **beside)
        else:
            ax.legend(title=leg_title, loc="lower right", frameon=False)
            drawn = scores[ok]
            points = np.concatenate([np.column_stack([mdates.date2num(pd.to_datetime(drawn["date_mid"])), _r(v)])
                                     for v in (drawn["stance"], drawn["ci_low"], drawn["ci_high"])])
            if _covers(fig, ax, ax.get_legend(), points[np.isfinite(points).all(axis=1)]):
                ax.legend(title=leg_title, **beside)
        _fit_title(fig, ax)
        _keep_fitting_labels(fig, ax, annotations)
    return fig


def _period_means(ax, dates: pd.Series, y: np.ndarray, color: str, name: str) -> str | None:
    """Each period's mean score with a 95% interval (normal approximation, mean ± 1.96 sd/√n: a period
    of a crowded plot holds many documents), lines broken where a period has none; returns the period name."""
    if len(y) == 0:
        return None
    years = pd.to_datetime(dates).dt.year.to_numpy()
    _, bins, edges, unit = _year_bins(years)
    g = pd.DataFrame({"bin": bins, "y": y}).groupby("bin")["y"].agg(["mean", "std", "count"])
    g = g.reindex(range(len(edges) - 1))
    has = g["count"].fillna(0).to_numpy() > 0
    mid = edges[:-1] + (edges[1:] - edges[:-1]) / 2
    half = np.nan_to_num(1.96 * g["std"].to_numpy() / np.sqrt(g["count"].to_numpy()))
    mean = _r(g["mean"])
    first = True
    for seg in _segments(has):
        kw = {"label": name} if first else {}
        first = False
        ax.plot(mid[seg], mean[seg], "-o", ms=2.5, lw=1.6, color=color, zorder=4, **kw)
        ax.fill_between(mid[seg], _r(mean[seg] - half[seg]), _r(mean[seg] + half[seg]), color=color, alpha=0.25,
                        lw=0, zorder=3)
    return unit


def _stance_title(scores: pd.DataFrame, method: str, methods: list) -> str:
    if scores.empty:
        return "No document has a stance score"
    m = methods[0]
    sub = scores[scores[method] == m].sort_values("date_mid")
    pos = int((sub["stance"] > 0).sum())
    return f"{pos} of {len(sub)} documents lean in favor ({m}); mean stance {sub['stance'].mean():+.2f}"


# --------------------------------------------------------------------------- keyness
_MAX_TERMS = 60  # rows of 0.17 in: 60 terms a side keep the figure under 12 in (2,400 px at 200 dpi)


def plot_keyness(table: pd.DataFrame, n: int = 15, labels: tuple[str, str] = ("A", "B"),
                 title: str | None = None) -> Figure:
    """Fightin' Words z-scores: the ``n`` most distinctive terms of each side, side by side.

    ``table``: term, z (positive = more typical of A).
    """
    _require(table, ["term", "z"], "plot_keyness")
    if not 1 <= n <= _MAX_TERMS:
        raise ParameterError(f"plot_keyness n={n}: at most {_MAX_TERMS} terms a side fit in a figure; "
                             f"pass n between 1 and {_MAX_TERMS}")
    t = table.sort_values("z", ascending=False)
    a = t.head(n)
    b = t.tail(n).iloc[::-1]
    b = b[b["z"] < 0]
    a = a[a["z"] > 0]
    if title is None:
        title = (f"Words of {labels[0]}: {', '.join(a['term'].head(3))}; "
                 f"of {labels[1]}: {', '.join(b['term'].head(3))}")
    with _style():
        fig, axes = _subplots(1, 2, figsize=(PAGE_WIDTH, 0.6 + 0.17 * max(len(a), len(b), 2)),
                                 layout="constrained")
        for ax, part, color, lab in ((axes[0], a, OKABE_ITO[0], labels[0]), (axes[1], b, OKABE_ITO[3], labels[1])):
            y = np.arange(len(part))[::-1]
            ax.barh(y, _r(part["z"].abs()), color=color)
            ax.set_yticks(y, part["term"].tolist())
            ax.set_xlabel("|z| (log-odds with informative prior)")
            ax.set_title(f"more in {lab}", fontweight="normal", loc="left")
            ax.axvline(1.96, color="#555555", lw=0.6, ls="--")
        _fit_title(fig, fig.suptitle(title, x=0.01, ha="left", fontsize=8, fontweight="bold"))
    return fig


# --------------------------------------------------------------------------- wordfish
def plot_wordfish(table: pd.DataFrame, label: str = "id", title: str | None = None, date_label: str = "date",
                  max_labels: int = 12) -> Figure:
    """Wordfish positions (theta) with 95% intervals, at the documents' dates.

    ``table``: id, date_mid (or date), theta, ci_low, ci_high (or se). Documents are labelled
    the extremes first and only where a label fits; with more than ``max_labels`` documents only the
    two ends.

    >>> fig = plot_wordfish(ck.wordfish(corpus, dir=("000", "003")))
    >>> fig.axes[0].get_ylabel()
    'θ (latent position, sd units)'
    """
    xcol = "date_mid" if "date_mid" in table.columns else "date"
    _require(table, [label, xcol, "theta"], "plot_wordfish")
    t = table.sort_values(xcol).reset_index(drop=True)
    theta = _r(t["theta"])
    if "ci_low" in t.columns:
        lo, hi = _r(t["ci_low"]), _r(t["ci_high"])
    elif "se" in t.columns:
        lo, hi = theta - 1.96 * _r(t["se"]), theta + 1.96 * _r(t["se"])
    else:
        lo = hi = theta
    if title is None:
        k_lo, k_hi = int(np.argmin(theta)), int(np.argmax(theta))
        title = (f"Wordfish places {t[label].iloc[k_lo]} and {t[label].iloc[k_hi]} at the ends "
                 f"(θ {theta[k_lo]:+.2f} to {theta[k_hi]:+.2f})")
    many = len(t) > max_labels
    with _style():
        fig, ax = _subplots(figsize=(COLUMN_WIDTH * 1.4, 2.6), layout="constrained")
        x = pd.to_datetime(t[xcol])
        style = dict(ms=2, capsize=0, lw=0.5, alpha=0.6) if many else dict(ms=4, capsize=2)
        if np.all((lo <= theta) & (theta <= hi)):
            ax.errorbar(x, theta, yerr=[theta - lo, hi - theta], fmt="o", color=OKABE_ITO[2], **style)
        else:  # a bootstrap percentile interval can miss the estimate (small-sample bias): draw both as they are
            mid = (lo + hi) / 2
            ax.errorbar(x, mid, yerr=[mid - lo, hi - mid], fmt="none", color=OKABE_ITO[2],
                        **{k: v for k, v in style.items() if k != "ms"})
            ax.plot(x, theta, "o", ms=style["ms"], color=OKABE_ITO[2])
        order = _label_order(theta, max_labels)
        names = t[label].astype(str).to_numpy()
        placed = {k: ax.annotate(names[k], (x.iloc[k], theta[k]), xytext=(4, 3), textcoords="offset points",
                                 fontsize=6, annotation_clip=False) for k in sorted(order)}
        ax.axhline(0, color="#555555", lw=0.6)
        ax.set_ylabel("θ (latent position, sd units)")
        ax.set_xlabel(date_label)
        lo_d, hi_d = x.min(), x.max()
        pad = pd.Timedelta(days=max(120, int((hi_d - lo_d).days * 0.05)))
        ax.set_xlim(lo_d - pad, hi_d + pad)
        _date_axis(ax, (hi_d - lo_d).days / 365.25)
        ax.set_title(title)
        _fit_title(fig, ax)
        _keep_fitting_labels(fig, ax, [placed[k] for k in order])
    return fig


# --------------------------------------------------------------------------- choice of k
def plot_k_selection(table: pd.DataFrame, title: str | None = None) -> Figure:
    """Coherence, diversity and stability against k, the recommended k marked.

    ``table``: k, coherence, diversity, stability, recommended (bool).
    """
    _require(table, ["k", "coherence", "diversity", "stability", "recommended"], "plot_k_selection")
    t = table.sort_values("k")
    rec = t.loc[t["recommended"].astype(bool), "k"]
    k_rec = int(rec.iloc[0]) if len(rec) else None
    if title is None:
        title = (f"k = {k_rec} recommended (stability {t.loc[t.k == k_rec, 'stability'].iloc[0]:.2f})"
                 if k_rec is not None else "No k recommended")
    with _style():
        fig, axes = _subplots(1, 3, figsize=(PAGE_WIDTH, 2.3), layout="constrained", sharex=True)
        for ax, col, ylab, color in ((axes[0], "coherence", "mean NPMI coherence", OKABE_ITO[0]),
                                     (axes[1], "diversity", "topic diversity (share unique)", OKABE_ITO[1]),
                                     (axes[2], "stability", "stability (mean matched AJ)", OKABE_ITO[2])):
            ax.plot(t["k"], _r(t[col]), "-o", ms=3, color=color)
            if k_rec is not None:
                ax.axvline(k_rec, color="#555555", lw=0.8, ls="--")
            ax.set_xlabel("number of topics k")
            ax.set_ylabel(ylab)
            if len(t) <= 12:
                ax.set_xticks(t["k"].tolist())
            else:  # a long grid: a few round ks, not every k's label side by side
                ax.xaxis.set_major_locator(mticker.MaxNLocator(nbins=5, integer=True))
        _fit_title(fig, fig.suptitle(title, x=0.01, ha="left", fontsize=8, fontweight="bold"))
    return fig


# --------------------------------------------------------------------------- saving
def save_figure(fig: Figure, stem: str | pathlib.Path, formats: Sequence[str] = ("png", "svg")) -> list[pathlib.Path]:
    """Save ``fig`` as ``stem.<fmt>`` for each format, byte-reproducibly.

    Dates and software versions are stripped from file metadata (PNG Software,
    SVG Date with a fixed ``svg.hashsalt``, PDF CreationDate/Producer), so the same
    figure gives the same bytes.
    """
    stem = pathlib.Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    meta = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "Producer": None, "Creator": None}}
    for fmt in formats:
        if fmt not in meta:
            raise ParameterError(f"format {fmt!r}: use png, svg or pdf")
        path = stem.with_suffix(f".{fmt}")
        tmp = path.with_suffix(f".{fmt}.tmp")
        with matplotlib.rc_context({"svg.hashsalt": "corpuskit", "svg.fonttype": "path", "pdf.fonttype": 42}):
            fig.savefig(tmp, format=fmt, metadata=meta[fmt], dpi=200)
        tmp.replace(path)  # never leave a half-written figure
        out.append(path)
    return out


# --------------------------------------------------------------------------- era tests, change points
def _grid(n: int, ncols: int = 3) -> tuple[int, int]:
    ncols = max(1, min(ncols, n))
    return -(-n // ncols), ncols


def plot_era_comparisons(table: pd.DataFrame, alpha: float = 0.05, title: str | None = None) -> Figure:
    """Each era difference with its bootstrap CI, one panel per value; filled where Holm's p < ``alpha``.

    ``table``: :func:`corpuskit.compare_eras` output (value, era_a, era_b, difference, ci_low,
    ci_high, p_holm).

    >>> eras = {"2006": "2006", "2021–2022": "2021:2022", "2023–2024": "2023:2024"}
    >>> fig = plot_era_comparisons(ck.compare_eras(doc_scores, eras, random_state=0))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['2023–2024 − 2021–2022', '2023–2024 − 2006', '2021–2022 − 2006']
    >>> fig.get_suptitle()
    "0 of 3 era differences hold after Holm's adjustment (p < 0.05)"
    """
    _require(table, ["value", "era_a", "era_b", "difference", "ci_low", "ci_high", "p_holm"], "plot_era_comparisons")
    values = list(dict.fromkeys(table["value"].astype(str)))
    pairs = list(dict.fromkeys(zip(table["era_a"].astype(str), table["era_b"].astype(str))))
    sig = table["p_holm"].to_numpy(dtype=float) < alpha
    if title is None:
        title = (f"{int(sig.sum())} of {len(table)} era differences hold after Holm's adjustment "
                 f"(p < {alpha:g})")
    nrows, ncols = _grid(len(values))
    with _style():
        fig, axes = _subplots(nrows, ncols, figsize=(PAGE_WIDTH, 0.35 + 0.22 * len(pairs) * nrows + 0.45 * nrows),
                              squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(values):
                ax.set_visible(False)
                continue
            t = table[table["value"].astype(str) == values[k]]
            for j, (a, b) in enumerate(pairs):
                r = t[(t["era_a"].astype(str) == a) & (t["era_b"].astype(str) == b)]
                if not len(r):
                    continue
                r = r.iloc[0]
                color = OKABE_ITO[j % len(OKABE_ITO)]
                y = len(pairs) - 1 - j
                ax.plot(_r([r["ci_low"], r["ci_high"]]), [y, y], color=color, lw=1.2)
                filled = float(r["p_holm"]) < alpha
                ax.plot(_r([r["difference"]]), [y], "o", ms=4, color=color, mfc=color if filled else "white")
            ax.axvline(0, color="#555555", lw=0.6, ls="--")
            ax.set_yticks(range(len(pairs)))
            ax.set_yticklabels([f"{b} − {a}" for a, b in pairs][::-1] if k % ncols == 0 else [])
            ax.set_ylim(-0.6, len(pairs) - 0.4)
            ax.set_title(values[k], fontsize=7, loc="left")
            ax.tick_params(axis="x", labelsize=6)
            ax.xaxis.set_major_locator(mticker.MaxNLocator(4))
        fig.supxlabel("difference of era means (later − earlier), 95% bootstrap CI; filled: Holm p < "
                      f"{alpha:g}", fontsize=7)
        fig.suptitle(title, x=0.01, ha="left", fontsize=8, fontweight="bold")
    return fig


def plot_change_points(series: pd.DataFrame, intervals: pd.DataFrame, date_label: str = "year",
                       title: str | None = None) -> Figure:
    """Each series by period with its significant change points and their bootstrap intervals.

    ``series``: value, period (a year label), mean — e.g. period means of each value;
    ``intervals``: :func:`corpuskit.change_point_interval` output (value, label, label_ci_low,
    label_ci_high, significant). A significant split is a dashed line at its first period with
    the interval shaded; a panel without one says so.

    >>> series = ck.period_means(doc_scores, by="year", random_state=0).assign(value="stance")
    >>> fig = plot_change_points(series, ck.change_point_interval(doc_scores, min_size=1, random_state=0))
    >>> len(fig.axes), fig.get_supxlabel()
    (1, 'year; dashed: change point, shaded: its bootstrap interval')
    """
    _require(series, ["value", "period", "mean"], "plot_change_points")
    _require(intervals, ["value", "label", "label_ci_low", "label_ci_high", "significant"], "plot_change_points")
    values = list(dict.fromkeys(series["value"].astype(str)))
    sig = intervals[intervals["significant"].astype(bool)]
    if title is None:
        n = sig["value"].astype(str).nunique()
        title = f"{n} of {len(values)} series change level (binary segmentation, permutation test)"
    nrows, ncols = _grid(len(values))
    with _style():
        fig, axes = _subplots(nrows, ncols, figsize=(PAGE_WIDTH, 0.5 + 1.6 * nrows), squeeze=False, sharex=True)
        for k, ax in enumerate(axes.flat):
            if k >= len(values):
                ax.set_visible(False)
                continue
            s = series[series["value"].astype(str) == values[k]]
            x = s["period"].astype(str).astype(int).to_numpy()
            ax.plot(x, _r(s["mean"]), "-", lw=0.8, color=OKABE_ITO[0], marker="o", ms=1.5)
            mine = sig[sig["value"].astype(str) == values[k]]
            for r in mine.itertuples():
                lo, hi, at = int(r.label_ci_low), int(r.label_ci_high), int(r.label)
                ax.axvspan(lo - 0.5, hi + 0.5, color=OKABE_ITO[1], alpha=0.25, lw=0)
                ax.axvline(at - 0.5, color=OKABE_ITO[3], lw=0.9, ls="--")
            note = (", ".join(f"{int(r.label)} [{int(r.label_ci_low)}–{int(r.label_ci_high)}]"
                              for r in mine.sort_values("label").itertuples()) or "no change point")
            ax.set_title(f"{values[k]}\n{note}", fontsize=6.5, loc="left")
            ax.tick_params(labelsize=6)
            ax.xaxis.set_major_locator(mticker.MaxNLocator(4, integer=True))
        fig.supxlabel(f"{date_label}; dashed: change point, shaded: its bootstrap interval", fontsize=7)
        fig.suptitle(title, x=0.01, ha="left", fontsize=8, fontweight="bold")
    return fig


def plot_document_length(table: pd.DataFrame, by: str | None = None, date_label: str = "date",
                         title: str | None = None) -> Figure:
    """Tokens per document over time, coloured by a document variable (e.g. the speaker's post).

    ``table``: date (or date_mid), n_tokens, and ``by`` when given; missing ``by`` values show as
    "not recorded".

    >>> fig = plot_document_length(ck.dfm(corpus).docvars)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('date', 'tokens per document')
    """
    x_col = "date_mid" if "date_mid" in table.columns else "date"
    _require(table, [x_col, "n_tokens"] + ([by] if by else []), "plot_document_length")
    t = table.sort_values(x_col)
    n = t["n_tokens"].to_numpy(dtype=float)
    if title is None:
        first, last = t.head(max(1, len(t) // 10)), t.tail(max(1, len(t) // 10))
        title = (f"Documents run from {first['n_tokens'].median():,.0f} tokens (first tenth, median) "
                 f"to {last['n_tokens'].median():,.0f} (last tenth)")
    with _style():
        fig, ax = _subplots(figsize=(PAGE_WIDTH, 2.6))
        groups = (t[by].astype("string").fillna("not recorded").replace("", "not recorded") if by
                  else pd.Series(["documents"] * len(t), index=t.index))
        for j, g in enumerate(dict.fromkeys(groups)):
            m = (groups == g).to_numpy()
            ax.plot(t.loc[m, x_col], _r(n[m]), "o", ms=3, color=OKABE_ITO[j % len(OKABE_ITO)], label=g,
                    ls="none")
        span = (t[x_col].max() - t[x_col].min()).days / 365.25 if len(t) > 1 else 1
        _date_axis(ax, span)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("tokens per document")
        ax.set_xlabel(date_label)
        if by:
            ax.legend(title=by, loc="upper right", frameon=False, ncols=min(4, groups.nunique()))
        ax.set_title(title)
    return fig


def plot_beside(table: pd.DataFrame, title: str | None = None) -> Figure:
    """The same dictionary on two sources, side by side per year: each frame's share of sentences.

    ``table``: source, year, category, share (0–1), n_docs. One panel per year; within it a
    horizontal bar pair per category (one colour per source).

    >>> table = pd.DataFrame({"source": ["seeds", "seeds", "UN speeches", "UN speeches"], "year": 2021,
    ...                       "category": ["threat", "alliance"] * 2, "share": [0.4, 0.2, 0.1, 0.3],
    ...                       "n_docs": [2, 2, 1, 1]})
    >>> fig = plot_beside(table)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()], [t.get_text() for t in fig.legends[0].texts]
    (['threat', 'alliance'], ['seeds', 'UN speeches'])
    """
    _require(table, ["source", "year", "category", "share", "n_docs"], "plot_beside")
    years = sorted(dict.fromkeys(int(y) for y in table["year"]))
    sources = list(dict.fromkeys(table["source"].astype(str)))
    cats = list(dict.fromkeys(table["category"].astype(str)))
    if title is None:
        title = f"One dictionary, {len(sources)} sources, {len(years)} years: each frame's share of sentences"
    with _style():
        fig, axes = _subplots(1, len(years), figsize=(PAGE_WIDTH, 0.9 + 0.2 * len(cats) * len(sources)),
                              squeeze=False, sharey=True, sharex=True)
        h = 0.8 / max(1, len(sources))
        for ax, year in zip(axes[0], years):
            t = table[table["year"].astype(int) == year]
            counts = []
            for j, src in enumerate(sources):
                s = t[t["source"].astype(str) == src].set_index("category")
                vals = [100 * float(s.loc[c, "share"]) if c in s.index else np.nan for c in cats]
                y = np.arange(len(cats))[::-1] + (len(sources) - 1 - 2 * j) * h / 2
                ax.barh(y, _r(np.nan_to_num(vals)), height=h, color=OKABE_ITO[j % len(OKABE_ITO)],
                        label=f"{src}" if year == years[0] else None)
                counts.append(f"{src.split()[0]} {int(s['n_docs'].iloc[0]) if len(s) else 0}")
            # documents behind each bar pair, in the title: a year may have none from one source
            ax.set_title(f"{year}\n" + ", ".join(counts) + " docs", fontsize=6.5)
            ax.set_yticks(np.arange(len(cats))[::-1])
            ax.set_yticklabels(cats)
            ax.tick_params(labelsize=6)
            ax.xaxis.set_major_locator(mticker.MaxNLocator(3))
            ax.set_xlabel("% of sentences", fontsize=6.5)
        fig.legend(loc="outside lower center", ncols=len(sources), frameon=False)
        fig.suptitle(title, x=0.01, ha="left", fontsize=8, fontweight="bold")
    return fig
