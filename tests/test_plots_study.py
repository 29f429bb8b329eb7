"""The study plots of issue 14: era comparisons, change points, document length, two sources side by side."""
import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit import plots


def _eras_table():
    rows = []
    for v, shift in (("stance", 0.3), ("aid", 0.0)):
        for (a, b), d in zip((("early", "middle"), ("middle", "late"), ("early", "late")), (shift, 0.01, shift)):
            rows.append({"value": v, "era_a": a, "era_b": b, "difference": d, "ci_low": d - 0.1, "ci_high": d + 0.1,
                         "p_holm": 0.01 if d > 0.2 else 0.6})
    return pd.DataFrame(rows)


def test_era_comparisons_draw_one_panel_per_value_and_fill_holm_significant_points():
    fig = plots.plot_era_comparisons(_eras_table())
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == ["stance", "aid"]
    points = [l for l in axes[0].lines if l.get_marker() == "o"]
    filled = [l.get_markerfacecolor() != "white" for l in points]
    assert filled == [True, False, True]  # only the two 0.3 differences pass Holm
    assert fig._suptitle.get_text().startswith("2 of 6 era differences hold")
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["late − early", "late − middle", "middle − early"]


def test_change_points_mark_each_significant_split_with_its_interval():
    years = np.arange(1957, 2025)
    series = pd.DataFrame({"value": "aid", "period": years.astype(str), "mean": (years >= 1990).astype(float)})
    series = pd.concat([series, series.assign(value="stance", mean=0.0)])
    cps = pd.DataFrame({"value": ["aid", "stance"], "label": ["1990", "1980"], "label_ci_low": ["1988", "1970"],
                        "label_ci_high": ["1992", "1990"], "significant": [True, False]})
    fig = plots.plot_change_points(series, cps, date_label="year of the statement")
    aid, stance = [ax for ax in fig.axes if ax.get_visible()]
    assert aid.get_title(loc="left") == "aid\n1990 [1988–1992]"
    assert stance.get_title(loc="left") == "stance\nno change point"
    assert len(aid.patches) == 1 and not stance.patches  # the interval shaded only where a split holds
    assert any(l.get_linestyle() == "--" and l.get_xdata()[0] == 1989.5 for l in aid.lines)
    assert "year of the statement" in fig._supxlabel.get_text()
    assert fig._suptitle.get_text().startswith("1 of 2 series change level")


def test_document_length_colours_by_a_document_variable_and_names_missing_values():
    dates = pd.to_datetime([f"{y}-07-01" for y in range(1957, 1967)])
    t = pd.DataFrame({"date": dates, "n_tokens": np.arange(10, 0, -1) * 1000,
                      "post": ["Prime Minister"] * 4 + [None] * 3 + ["Minister for Foreign Affairs"] * 3})
    fig = plots.plot_document_length(t, by="post", date_label="year")
    ax = fig.axes[0]
    labels = [l.get_label() for l in ax.lines]
    assert labels == ["Prime Minister", "not recorded", "Minister for Foreign Affairs"]
    assert [len(l.get_xdata()) for l in ax.lines] == [4, 3, 3]
    assert ax.get_xlabel() == "year" and ax.get_ylim()[0] == 0
    assert ax.get_title(loc="left") == "Documents run from 10,000 tokens (first tenth, median) to 1,000 (last tenth)"
    with pytest.raises(ck.ParameterError, match=r"needs column\(s\) \['party'\]"):
        plots.plot_document_length(t, by="party")


def test_beside_draws_one_panel_per_year_with_a_bar_per_source_and_frame():
    rows = [{"source": s, "year": y, "category": c, "share": 0.1 * (i + 1), "n_docs": 1}
            for s in ("press", "UN") for y in (2006, 2024) for i, c in enumerate(("alliance", "aid", "threat"))]
    t = pd.DataFrame(rows)
    fig = plots.plot_beside(t[~((t.source == "press") & (t.year == 2006))])
    axes = fig.axes
    assert [ax.get_title(loc="left") for ax in axes] == ["2006\npress 0, UN 1 docs", "2024\npress 1, UN 1 docs"]
    assert len(axes[0].patches) == 3 + 3 and len(axes[1].patches) == 6  # a missing source draws zero-width bars
    assert [b.get_width() for b in axes[1].patches][:3] == pytest.approx([10, 20, 30])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["press", "UN"]
