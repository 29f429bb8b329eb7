"""Plots that read at 5 and at 1,000 documents over 230 years (issue 13): every public plot function is
drawn on both, saved, and checked for pixel size, colliding or escaping text, and what is drawn."""
import struct

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.container import ErrorbarContainer
from matplotlib.text import Text

from corpuskit import plots
from corpuskit.periods import assign_periods, period_shares

MAX_SIDE = 2400  # pixels, at the dpi save_figure uses
# 1790–2019 with gaps: none in 1861–1870 (a war), 1918–1939 (lost volumes) and 1990
YEARS = np.array([y for y in range(1790, 2020) if not (1861 <= y <= 1870 or 1918 <= y <= 1939 or y == 1990)])


def documents(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` documents spread over 1790–2019 (first and last year always present), some dated by year only."""
    rng = np.random.default_rng(seed)
    years = np.sort(np.concatenate([[YEARS[0], YEARS[-1]], rng.choice(YEARS, n - 2)]))
    date = pd.to_datetime([f"{y}-01-01" for y in years]) + pd.to_timedelta(rng.integers(0, 360, n), unit="D")
    by_year = rng.random(n) < 0.2  # year precision: the interval is the whole year
    start = pd.Series(np.where(by_year, pd.to_datetime([f"{y}-01-01" for y in years]), date))
    end = pd.Series(np.where(by_year, pd.to_datetime([f"{y}-12-31" for y in years]), date))
    dv = pd.DataFrame({"id": [f"address_{y}_{i:04d}" for i, y in enumerate(years)], "date": start, "date_end": end})
    dv["date_mid"] = dv["date"] + (dv["date_end"] - dv["date"]) / 2
    dv["year"] = dv["date"].dt.year
    return dv


def prevalence(dv: pd.DataFrame, n_cat: int, by: str = "year") -> pd.DataFrame:
    rng = np.random.default_rng(1)
    cats = [f"frame_{c}" for c in range(n_cat)]
    values = rng.poisson(3.0, size=(len(dv), n_cat)).astype(float)
    t = period_shares(values, dv["id"].to_numpy(), assign_periods(dv["date"], by), cats, n_boot=50,
                      random_state=0)
    return t.rename(columns={"category": "frame"})


def stance(dv: pd.DataFrame, unscored: int) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    rows = []
    for m in ("lexicon", "classifier"):
        s = np.clip(rng.normal(0.1, 0.4, len(dv)), -1, 1)
        s[:unscored] = np.nan
        rows.append(pd.DataFrame({"id": dv["id"], "date_mid": dv["date_mid"], "stance": s, "ci_low": s - 0.2,
                                  "ci_high": s + 0.2, "method": m}))
    return pd.concat(rows, ignore_index=True)


def wordfish(dv: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    theta = np.linspace(-1.5, 1.8, len(dv)) + rng.normal(0, 0.3, len(dv))
    return pd.DataFrame({"id": dv["id"], "date_mid": dv["date_mid"], "theta": theta, "se": np.full(len(dv), 0.1)})


def keyness(n_terms: int) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame({"term": [f"term{i}" for i in range(n_terms)], "z": rng.normal(0, 4, n_terms)})


def k_selection(ks) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    t = pd.DataFrame({"k": ks, "coherence": rng.random(len(ks)), "diversity": rng.random(len(ks)),
                      "stability": rng.random(len(ks))})
    t["recommended"] = t["k"] == ks[len(ks) // 2]
    return t


def draw(name: str, n: int):
    """The figure of plot function ``name`` on ``n`` documents (and the inputs it was drawn from)."""
    dv = documents(n)
    big = n > 100
    if name == "plot_timeline":
        return plots.plot_timeline(dv, date_label="year of the address"), dv
    if name == "plot_prevalence":
        return plots.plot_prevalence(prevalence(dv, 3), category="frame", label=None), dv
    if name == "plot_prevalence_facets":
        return plots.plot_prevalence(prevalence(dv, 8), category="frame", label=None), dv
    if name == "plot_stance":
        t = stance(dv, unscored=40 if big else 1)
        return plots.plot_stance(t, date_label="year of the address"), t
    if name == "plot_keyness":
        return plots.plot_keyness(keyness(2000 if big else 12), labels=("1790–1860", "1861–1932")), None
    if name == "plot_wordfish":
        t = wordfish(dv)
        return plots.plot_wordfish(t, date_label="year of the address"), t
    if name == "plot_k_selection":
        return plots.plot_k_selection(k_selection(list(range(2, 42, 2)) if big else [2, 3, 4])), None
    if name == "plot_era_comparisons":
        return plots.plot_era_comparisons(eras(9 if big else 2)), None
    if name == "plot_change_points":
        series, cps = change_series(dv, 9 if big else 2)
        return plots.plot_change_points(series, cps, date_label="year of the address"), series
    if name == "plot_document_length":
        rng = np.random.default_rng(6)
        t = dv.assign(n_tokens=rng.integers(500, 9000, len(dv)),
                      post=rng.choice(["President", "Acting President", None], len(dv)))
        return plots.plot_document_length(t, by="post", date_label="year of the address"), t
    if name == "plot_beside":
        return plots.plot_beside(beside(8 if big else 3, (2006, 2021, 2023, 2024) if big else (2006,))), None
    raise AssertionError(name)


def eras(n_values: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    pairs = [("1790–1860", "1861–1932"), ("1861–1932", "1933–2019"), ("1790–1860", "1933–2019")]
    rows = [{"value": f"frame_{v}", "era_a": a, "era_b": b, "difference": d, "ci_low": d - 0.05, "ci_high": d + 0.05,
             "p_holm": rng.random()} for v in range(n_values) for (a, b), d in zip(pairs, rng.normal(0, 0.1, 3))]
    return pd.DataFrame(rows)


def change_series(dv: pd.DataFrame, n_values: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(8)
    years = np.unique(dv["year"])
    series = pd.concat([pd.DataFrame({"value": f"frame_{v}", "period": years.astype(str),
                                      "mean": rng.random(len(years)) + (years > 1900)}) for v in range(n_values)])
    mid = str(years[len(years) // 2])
    cps = pd.DataFrame({"value": [f"frame_{v}" for v in range(n_values)], "label": mid,
                        "label_ci_low": str(years[max(0, len(years) // 2 - 2)]),
                        "label_ci_high": str(years[min(len(years) - 1, len(years) // 2 + 2)]),
                        "significant": [v % 2 == 0 for v in range(n_values)]})
    return series, cps


def beside(n_cat: int, years) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    return pd.DataFrame([{"source": s, "year": y, "category": f"frame_{c}", "share": rng.random() * 0.2, "n_docs": 2}
                         for s in ("press articles", "UN statements") for y in years for c in range(n_cat)])


PUBLIC = sorted(n for n in plots.__all__ if n.startswith("plot_"))
DRAWN = PUBLIC + ["plot_prevalence_facets"]


def test_every_public_plot_function_is_drawn():
    assert PUBLIC == ["plot_beside", "plot_change_points", "plot_document_length", "plot_era_comparisons",
                      "plot_k_selection", "plot_keyness", "plot_prevalence", "plot_stance", "plot_timeline",
                      "plot_wordfish"]


def texts(fig):
    """Every text artist drawn (ticks inside the view, labels, titles, annotations, legends), non-empty."""
    ticks, drawn = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                labels = (tick.label1, tick.label2)
                ticks.update(id(t) for t in labels)
                if ax.get_visible() and lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    drawn += [t for t in labels if t.get_visible() and t.get_text().strip()]
    for t in fig.findobj(Text):
        if id(t) in ticks or not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        drawn.append(t)
    return drawn


def png_size(path):
    data = path.read_bytes()
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("n", [5, 100, 1000])  # 100: labels only at the ends, bars still drawn
@pytest.mark.parametrize("name", DRAWN)
def test_saved_size_and_no_colliding_or_escaping_text(tmp_path, name, n):
    fig, _ = draw(name, n)
    (path,) = plots.save_figure(fig, tmp_path / name, formats=("png",))
    w, h = png_size(path)
    assert max(w, h) <= MAX_SIDE, f"{name} at {n} documents saved {w}x{h} px"
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    frame = fig.bbox
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts(fig)]
    assert boxes
    for s, b in boxes:
        assert (b.x0 >= frame.x0 - 1 and b.y0 >= frame.y0 - 1 and b.x1 <= frame.x1 + 1
                and b.y1 <= frame.y1 + 1), f"{name} at {n}: {s!r} {b.bounds} leaves the figure {frame.bounds}"
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (s, a), (u, b) = boxes[i], boxes[j]
            # overlap by more than a pixel's rounding (touching boxes do not collide)
            ox = min(a.x1, b.x1) - max(a.x0, b.x0)
            oy = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert not (ox > 1 and oy > 1), f"{name} at {n}: {s!r} {a.bounds} overlaps {u!r} {b.bounds}"


def visible_ticklabels(axis):
    """The tick labels drawn (inside the view), as they read after a draw."""
    axis.get_figure(root=True).draw_without_rendering()
    lo, hi = sorted(axis.get_view_interval())
    return [t.get_text() for t, loc in zip(axis.get_ticklabels(), axis.get_ticklocs())
            if lo <= loc <= hi and t.get_visible() and t.get_text()]


def test_timeline_turns_into_counts_per_decade_when_documents_are_many():
    fig, dv = draw("plot_timeline", 1000)
    (ax,) = fig.axes
    bars = [p for p in ax.patches if p.get_label() != "no documents" and p.get_height() > 0]
    decades = dv["year"] // 10 * 10
    assert len(bars) == decades.nunique() == 21  # 1790s … 2010s without the empty 1920s and 1930s
    assert sorted(round(p.get_height()) for p in bars) == sorted(decades.value_counts().tolist())
    assert ax.get_ylabel() == "documents per decade" and ax.get_xlabel() == "year of the address"
    assert ax.get_yticklabels() == [] or not any("address_" in t.get_text() for t in ax.get_yticklabels())
    gaps = [p for p in ax.patches if p.get_label() == "no documents"]
    assert len(gaps) == 1  # the 1920s and 1930s, one shaded run
    assert ax.get_title(loc="left") == "1000 documents, 1790–2019; none from 1918 to 1939"
    ticks = [int(t) for t in visible_ticklabels(ax.xaxis)]
    assert len(ticks) >= 3 and all(y % 10 == 0 for y in ticks)  # whole decades


def test_timeline_keeps_one_row_per_document_when_few():
    fig, dv = draw("plot_timeline", 5)
    (ax,) = fig.axes
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(dv["id"])


def test_stance_labels_only_the_extremes_and_counts_the_unscored():
    fig, t = draw("plot_stance", 1000)
    ax = fig.axes[0]
    lex = t[(t["method"] == "lexicon") & t["stance"].notna()].reset_index(drop=True)
    labels = [a.get_text() for a in ax.texts]
    assert 1 <= len(labels) <= 2
    assert set(labels) <= {lex["id"][lex["stance"].idxmin()], lex["id"][lex["stance"].idxmax()]}
    title = ax.get_legend().get_title().get_text()
    assert title == "method: mean per decade (95% CI)\nunscored: lexicon 40, classifier 40" and "address_" not in title
    # 960 documents a method: faint dots without bars, and each method's mean per decade
    assert not [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    means = [l for l in ax.get_lines() if l.get_linestyle() == "-" and len(l.get_xdata()) > 1 and l.get_zorder() == 4]
    assert {l.get_label() for l in means} >= {"lexicon", "classifier"}
    decades = {(d + pd.Timedelta(days=2)).year for l in means for d in mdates_years(l.get_xdata())}
    assert decades and all(y % 10 == 5 for y in decades)  # at the middle of whole decades
    assert not decades & {1925, 1935}  # the empty 1920s and 1930s break the line
    dots = [l for l in ax.get_lines() if l.get_linestyle() == "None" and len(l.get_xdata()) == 960]
    assert len(dots) == 2
    assert ax.get_legend().get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1  # beside the axes


def test_stance_labels_every_document_where_they_fit():
    fig, t = draw("plot_stance", 5)
    ax = fig.axes[0]
    scored = set(t.loc[t["stance"].notna(), "id"])
    assert {a.get_text() for a in ax.texts} == scored  # four scored documents, all labelled
    assert ax.get_legend().get_title().get_text() == "method (95% CI)\nunscored: lexicon 1, classifier 1"


def test_wordfish_labels_the_two_ends_and_wraps_its_title():
    fig, t = draw("plot_wordfish", 1000)
    ax = fig.axes[0]
    ends = {t["id"][t["theta"].idxmin()], t["id"][t["theta"].idxmax()]}
    assert {a.get_text() for a in ax.texts} == ends
    title = ax.get_title(loc="left")
    assert "\n" in title and all(e in title.replace("\n", " ") for e in ends)
    assert ax.get_xlabel() == "year of the address"


def test_per_year_panels_draw_nothing_in_empty_years():
    dv = documents(1000)
    table = prevalence(dv, 3)
    fig = plots.plot_prevalence(table, category="frame", label=None)
    ax = fig.axes[0]
    periods = table.drop_duplicates("period")
    empty_years = set(periods.loc[periods["n_docs"] == 0, "period_start"].dt.year)
    assert empty_years >= set(range(1918, 1940))
    drawn = set()
    for line in ax.get_lines():
        drawn |= {d.year for d in mdates_years(line.get_xdata())}
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            drawn |= {d.year for d in mdates_years(c.lines[0].get_xdata())}
    assert drawn and not drawn & empty_years
    runs = (np.diff(np.r_[0, (periods["n_docs"].to_numpy() == 0).astype(int)]) == 1).sum()
    gray = to_rgb(plots.GAP_COLOR)
    assert len([p for p in ax.patches if np.allclose(p.get_facecolor()[:3], gray)]) == runs  # one span a run


def mdates_years(xdata):
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(xdata)))


def test_decade_ticks_fall_on_whole_decades():
    dv = documents(1000)
    for n_cat in (3, 8):
        fig = plots.plot_prevalence(prevalence(dv, n_cat, by="decade"), category="frame", label=None,
                                    date_label="decade of the address")
        labelled = [a for a in fig.axes if a.get_visible() and visible_ticklabels(a.xaxis)]
        assert len(labelled) == (1 if n_cat == 3 else 4)  # the bottom row of panels carries the years
        for ax in labelled:
            years = [int(t) for t in visible_ticklabels(ax.xaxis)]
            assert len(years) >= 2 and all(y % 10 == 0 for y in years), years
            assert ax.get_xlabel() == "decade of the address"


def test_a_long_k_grid_gets_a_few_ticks():
    fig, _ = draw("plot_k_selection", 1000)
    for ax in fig.axes:
        assert 2 <= len(visible_ticklabels(ax.xaxis)) <= 6


def test_keyness_refuses_more_terms_than_fit():
    with pytest.raises(plots.ParameterError, match=r"plot_keyness n=100: at most 60 terms"):
        plots.plot_keyness(keyness(500), n=100)


def test_a_one_year_gap_reads_none_in_that_year():
    # the State of the Union has no address dated 1933 (Hoover's last is 1932, Roosevelt's first 1934)
    dates = pd.to_datetime(["1931-12-08", "1932-12-06", "1934-01-03"])
    dv = pd.DataFrame({"id": ["a", "b", "c"], "date": dates, "date_end": dates, "date_mid": dates})
    title = plots.plot_timeline(dv).axes[0].get_title(loc="left")
    assert title == "3 documents, 1931–1934; none in 1933"
