"""Plot functions: what they draw (lines, bars, error bars, positions, gaps, labels), not only that they run."""
import hashlib

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.patches import Rectangle

from corpuskit import plots
from corpuskit.errors import ParameterError
from corpuskit.periods import assign_periods, period_shares


def prevalence_table():
    # documents in 2006, 2021 (two), 2023, 2024: years 2007-2020 and 2022 are empty
    dates = pd.Series(pd.to_datetime(["2006-07-01", "2021-08-01", "2021-08-01", "2023-01-13", "2024-12-01"]))
    vals = np.array([[3, 1], [1, 1], [1, 3], [1, 2], [0, 4]], dtype=float)
    t = period_shares(vals, np.array(["a", "b", "c", "d", "e"]), assign_periods(dates), ["t0", "t1"],
                      n_boot=200, random_state=0)
    t = t.rename(columns={"category": "topic"})
    t["label"] = t["topic"].map({"t0": "missiles", "t1": "taiwan"})
    return t


def years(xdata):
    x = np.atleast_1d(xdata)
    if np.issubdtype(np.asarray(x).dtype, np.datetime64):
        return list(pd.DatetimeIndex(x).year)
    return [mdates.num2date(float(v)).year for v in x]


def ticklabels_top_down(ax):
    pairs = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]), reverse=True)
    return [t for _, t in pairs]


def errorbars(ax):
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def test_prevalence_gaps_are_shaded_not_bridged():
    t = prevalence_table()
    fig = plots.plot_prevalence(t)
    ax = fig.axes[0]
    # gaps 2007-2020 and 2022 are shaded
    spans = [p for p in ax.patches if isinstance(p, Rectangle) or type(p).__name__ == "Polygon"]
    assert len([p for p in ax.patches]) >= 2
    # each topic: 2006 alone, 2021 alone, 2023-2024 joined -> 1 line of 2 points + 2 isolated error bars
    lines = [l for l in ax.get_lines() if len(l.get_xdata()) >= 2]
    assert len(lines) == 2
    for l in lines:
        assert years(l.get_xdata()) == [2023, 2024]
    assert len(errorbars(ax)) == 4  # 2006 and 2021 for each of two topics
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) >= 2
    assert ax.get_ylabel() == "share of tokens (%)" and "year" in ax.get_xlabel()
    assert ax.get_title(loc="left") == "taiwan rises from 25% (2006) to 100% (2024)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no documents", "missiles", "taiwan"]


def test_prevalence_points_at_true_dates():
    fig = plots.plot_prevalence(prevalence_table())
    ax = fig.axes[0]
    x0 = ax.get_xlim()
    assert mdates.num2date(x0[0]).year == 2006 and mdates.num2date(x0[1]).year in (2024, 2025)
    # 2006 and 2021 are 15 years apart on the axis
    xs = sorted({y for c in errorbars(ax) for y in years(c.lines[0].get_xdata())})
    assert xs == [2006, 2021]


def test_timeline_bars_and_title():
    dv = pd.DataFrame({"id": ["000", "001", "002"],
                       "date": pd.to_datetime(["2006-07-01", "2021-08-01", "2023-01-13"]),
                       "date_end": pd.to_datetime(["2006-07-31", "2021-08-31", "2023-01-13"])})
    dv["date_mid"] = dv["date"] + (dv["date_end"] - dv["date"]) / 2
    fig = plots.plot_timeline(dv)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3
    assert ticklabels_top_down(ax) == ["000", "001", "002"]
    assert ax.get_title(loc="left") == "3 documents, 2006–2023; none from 2007 to 2020"
    assert ax.get_xlabel() == "date"  # neutral unless the caller (a study's date_label) names it
    assert plots.plot_timeline(dv, date_label="year of the speech").axes[0].get_xlabel() == "year of the speech"


def stance_frame():
    rows = []
    for m, shift in (("lexicon", 0.0), ("classifier", 0.1)):
        for i, (d, s) in enumerate([("2006-07-16", -0.2), ("2021-08-16", 0.5), ("2024-12-16", np.nan)]):
            rows.append({"id": f"00{i}", "date_mid": pd.Timestamp(d), "stance": s + shift if s == s else s,
                         "ci_low": s - 0.1, "ci_high": s + 0.2, "method": m})
    return pd.DataFrame(rows)


def test_stance_error_bars_by_method_and_missing_named():
    fig = plots.plot_stance(stance_frame())
    ax = fig.axes[0]
    ebs = errorbars(ax)
    assert len(ebs) == 2 and all(len(e.lines[0].get_xdata()) == 2 for e in ebs)
    leg = ax.get_legend()
    assert leg.get_title().get_text() == "method (95% CI)\nunscored: lexicon 1, classifier 1"
    assert [t.get_text() for t in leg.get_texts()] == ["lexicon", "classifier"]
    assert ax.get_ylim() == (-1.08, 1.08)
    assert ax.get_title(loc="left") == "1 of 2 documents lean in favor (lexicon); mean stance +0.15"


def test_keyness_two_panels():
    t = pd.DataFrame({"term": list("abcdef"), "z": [3.0, 2.5, 0.1, -0.5, -2.0, -4.0]})
    fig = plots.plot_keyness(t, n=2, labels=("2006", "2021–2024"))
    left, right = fig.axes
    assert ticklabels_top_down(left) == ["a", "b"]
    assert ticklabels_top_down(right) == ["f", "e"]
    assert [round(p.get_width(), 3) for p in right.patches] == [4.0, 2.0]
    assert fig._suptitle.get_text() == "Words of 2006: a, b; of 2021–2024: f, e"


def test_wordfish_error_bars():
    t = pd.DataFrame({"id": ["a", "b", "c"], "date_mid": pd.to_datetime(["2006-07-16", "2021-08-16", "2023-01-13"]),
                      "theta": [-1.2, 0.3, 0.9], "se": [0.1, 0.2, 0.1]})
    fig = plots.plot_wordfish(t)
    ax = fig.axes[0]
    (eb,) = errorbars(ax)
    seg = eb.lines[2][0].get_segments()
    assert np.allclose([s[1][1] - s[0][1] for s in seg], [0.392, 0.784, 0.392])
    assert ax.get_title(loc="left").startswith("Wordfish places a and c at the ends")


def test_wordfish_interval_that_misses_the_estimate_is_drawn_as_it_is():
    t = pd.DataFrame({"id": ["a", "b"], "date_mid": pd.to_datetime(["2006-07-16", "2021-08-16"]),
                      "theta": [-1.0, 1.0], "ci_low": [-1.3, 0.5], "ci_high": [-1.1, 1.2]})
    ax = plots.plot_wordfish(t).axes[0]
    (eb,) = errorbars(ax)
    seg = eb.lines[2][0].get_segments()
    assert np.allclose([(s[0][1], s[1][1]) for s in seg], [(-1.3, -1.1), (0.5, 1.2)])
    (points,) = [l for l in ax.get_lines() if l.get_marker() == "o"]
    assert np.allclose(points.get_ydata(), [-1.0, 1.0])


def test_k_selection_marks_recommended():
    t = pd.DataFrame({"k": [2, 3, 4], "coherence": [0.1, 0.2, 0.15], "diversity": [1, 0.9, 0.8],
                      "stability": [0.7, 0.9, 0.6], "recommended": [False, True, False]})
    fig = plots.plot_k_selection(t)
    assert len(fig.axes) == 3
    for ax in fig.axes:
        vlines = [l for l in ax.get_lines() if len(set(l.get_xdata())) == 1]
        assert len(vlines) == 1 and vlines[0].get_xdata()[0] == 3
    assert fig._suptitle.get_text() == "k = 3 recommended (stability 0.90)"


def test_missing_columns_named():
    with pytest.raises(ParameterError, match="ci_low"):
        plots.plot_prevalence(pd.DataFrame({"period": [], "period_start": [], "period_end": [], "period_mid": [],
                                            "topic": [], "share": [], "ci_high": [], "n_docs": []}))


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_saved_figures_are_byte_identical(tmp_path, fmt):
    digests = []
    for k in range(2):
        fig = plots.plot_prevalence(prevalence_table())
        (path,) = plots.save_figure(fig, tmp_path / f"f{k}", formats=(fmt,))
        data = path.read_bytes()
        digests.append(hashlib.sha256(data).hexdigest())
        assert b"Software" not in data[:2000] or fmt != "png"
        assert not list(tmp_path.glob("*.tmp"))
    assert digests[0] == digests[1]


def test_prevalence_small_multiples_one_panel_per_category():
    t = prevalence_table()
    fig = plots.plot_prevalence(t, facet=True)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["missiles", "taiwan"]
    for ax in visible:
        assert len(errorbars(ax)) == 2  # 2006 and 2021 stand alone
        assert [years(l.get_xdata()) for l in ax.get_lines() if len(l.get_xdata()) >= 2] == [[2023, 2024]]
    assert fig._suptitle.get_text() == "taiwan rises from 25% (2006) to 100% (2024)"


def test_prevalence_y_axis_holds_every_series():
    t = prevalence_table()
    fig = plots.plot_prevalence(t)
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] >= 100 * t["ci_high"].max()
