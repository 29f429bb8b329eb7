"""Documents dated outside pandas' nanosecond range (1677-2262): selection, periods, shift, plots, figures."""
import io

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit import plots
from corpuskit.periods import parse_date
from corpuskit.shift import change_points, period_means, stance_shift, trend

DATES = ["1066", "1500-06", "2000-01-02", "2263"]
YEARS = [1066, 1500, 2000, 2263]
TEXTS = [
    "War came to the land and the army marched. The war was long. Peace returned after the war ended.",
    "Trade and war ruined the merchants. Peace talks began in the city hall. The warriors went home.",
    "The economy and trade grew quickly. War was far away from the farms. Peace held for many years.",
    "Space war broke out between planets. Peace in space was fragile. Trade and war shook the markets.",
]
WAR = {"war": ["war*"], "peace": ["peace"]}


@pytest.fixture(scope="module")
def wide():
    return ck.Corpus.from_records([{"id": f"d{i}", "date": d, "text": t}
                                   for i, (d, t) in enumerate(zip(DATES, TEXTS))], name="wide")


@pytest.fixture(scope="module")
def wide8():
    """Two documents per century-apart year, long enough for the study's topic step."""
    dates = ["1066", "1066-10-14", "1500-06", "1500", "2000-01-02", "2000-05", "2263", "2263-03-01"]
    recs = [{"id": f"w{i}", "date": d, "text": " ".join(TEXTS[(i + j) % 4] for j in range(3))}
            for i, d in enumerate(dates)]
    return ck.Corpus.from_records(recs, name="wide8")


def years_of(xdata) -> list[int]:
    x = np.atleast_1d(xdata)
    nums = x.astype(float) if x.dtype.kind in "fi" else mdates.date2num(list(x))
    return [mdates.num2date(v).year for v in nums]


def drawn(fig):
    """Render the figure (tick locators and date conversion run at draw time)."""
    fig.savefig(io.BytesIO(), format="png", dpi=50)
    return fig


def xtick_years(ax) -> list[int]:
    lo, hi = ax.get_xlim()
    return [mdates.num2date(t).year for t in ax.get_xticks() if lo <= t <= hi]


def test_parse_date_and_docvars_hold_every_century(wide):
    assert parse_date("1066").start == pd.Timestamp(np.datetime64("1066-01-01", "us"))
    assert parse_date("2263").end == pd.Timestamp(np.datetime64("2263-12-31", "us"))
    assert parse_date("1500-06").mid == pd.Timestamp(np.datetime64("1500-06-15T12:00", "us"))
    assert wide.docvars["year"].tolist() == YEARS


def test_between_with_an_open_end_keeps_documents_outside_1677_2262(wide):
    assert wide.between("1000").ids == ["d0", "d1", "d2", "d3"]
    assert wide.between(None, "1600").ids == ["d0", "d1"]
    assert wide.between("2100").ids == ["d3"]
    assert wide.between(None, None).ids == ["d0", "d1", "d2", "d3"]
    assert wide.between("1066-12", "1500-06").ids == ["d0", "d1"]


CENTURIES = ["1000–1099", "1500–1599", "2000–2099", "2200–2299"]


def test_periods_and_groupby_across_centuries(wide):
    assert wide.periods("year").astype(str).tolist() == DATES[:1] + ["1500", "2000", "2263"]
    # calendar centuries everywhere (one binning: corpuskit.periods.assign_periods)
    assert wide.periods("100Y").astype(str).tolist() == ["1000", "1500", "2000", "2200"]
    assert [str(p) for p, _ in wide.groupby("year")] == ["1066", "1500", "2000", "2263"]
    assert ck.dfm(wide).group("100Y").docvars["period"].astype(str).tolist() == CENTURIES
    from corpuskit.stream import period_counts

    assert period_counts(wide, by="100Y")["period"].tolist() == CENTURIES


def test_frame_and_topic_prevalence_by_period(wide):
    for by in ("year", "100Y"):
        fp = ck.frame_prevalence(wide, by=by, dictionary={"war": ["war*"]}, n_boot=50, random_state=0)
        has = fp[fp["n_docs"] > 0]
        assert years_of(has["period_start"].to_numpy()) == ([1066, 1500, 2000, 2263] if by == "year"
                                                            else [1000, 1500, 2000, 2200])
        assert (has["share"] == 1.0).all()
    model = ck.TopicModel(n_topics=2, random_state=0).fit(wide)
    tp = model.prevalence(by="100Y", n_boot=50, random_state=0)
    assert tp["period"].iloc[0] == "1000–1099" and tp["period"].iloc[-1] == "2200–2299"
    assert tp.loc[tp["n_docs"] > 0, "share"].notna().all()
    evo = model.topic_evolution(0, by="100Y")
    assert {"1000–1099", "2200–2299"} <= set(evo["period"]) <= set(CENTURIES)


def test_shift_functions_on_wide_dates(wide):
    scores = pd.DataFrame({"id": wide.ids, "date": DATES, "stance": [-0.6, -0.2, 0.3, 0.7]})
    pm = period_means(scores, by="100Y", n_boot=50, random_state=0)
    assert pm.loc[pm["n_docs"] > 0, "mean"].tolist() == [-0.6, -0.2, 0.3, 0.7]
    tr = trend(scores, by="year", n_boot=50, random_state=0)
    assert tr["n_periods"].iat[0] == 4 and tr["slope"].iat[0] > 0
    cp = change_points(pm.dropna(subset=["mean"]).set_index("period")["mean"], min_size=1, random_state=0)
    assert cp["segment_start"].iat[0] == "1000–1099" and cp["segment_end"].iat[0] == "2200–2299"
    sh = stance_shift(scores, before=("1000", "1600"), after=("1900", "2300"), n_boot=50, random_state=0)
    assert (sh["n_docs_before"].iat[0], sh["n_docs_after"].iat[0]) == (2, 2)
    assert sh["estimate"].iat[0] == pytest.approx(0.5 - (-0.4))


def test_keyness_of_open_ended_spans(wide):
    k = ck.keyness(wide.between(None, "1600"), wide.between("1900", None))
    assert k["count_a"].sum() > 0 and k["count_b"].sum() > 0


def test_every_plot_draws_wide_dates_on_a_readable_axis(wide):
    dv = wide.docvars
    fp = ck.frame_prevalence(wide, by="year", dictionary=WAR, n_boot=50, random_state=0)
    tp = ck.TopicModel(n_topics=2, random_state=0).fit(wide).prevalence(by="year", n_boot=50, random_state=0)
    stance = pd.concat([pd.DataFrame({"id": dv["id"], "date_mid": dv["date_mid"], "stance": [-0.5, 0.1, 0.2, 0.6],
                                      "ci_low": -0.9, "ci_high": 0.9, "method": m}) for m in ("lexicon", "coded")])
    wf = pd.DataFrame({"id": dv["id"], "date_mid": dv["date_mid"], "theta": [-1.0, 0.0, 0.5, 1.0], "se": 0.2})
    figs = {"timeline": plots.plot_timeline(dv), "frames": plots.plot_prevalence(fp, category="frame", label=None),
            "topics": plots.plot_prevalence(tp), "stance": plots.plot_stance(stance),
            "wordfish": plots.plot_wordfish(wf),
            "keyness": plots.plot_keyness(ck.keyness(wide.between(None, "1600"), wide.between("1900", None)))}
    for name, fig in figs.items():
        drawn(fig)
        if name == "keyness":
            continue
        ax = fig.axes[0]
        ticks = xtick_years(ax)
        assert 3 <= len(ticks) <= 12, (name, ticks)  # round years, not a label every decade
        lo, hi = (mdates.num2date(v).year for v in ax.get_xlim())
        assert lo <= 1066 and hi >= 2263, name
    # points sit at their true dates, far from 1970
    timeline = figs["timeline"].axes[0]
    assert sorted(years_of(timeline.get_lines()[0].get_xdata())) == YEARS
    # the two methods are dodged symmetrically (0.6% of the span) around each document's date
    pts = [mdates.date2num(list(c.lines[0].get_xdata())) for c in figs["stance"].axes[0].containers]
    assert len(pts) == 2
    np.testing.assert_allclose((pts[0] + pts[1]) / 2, mdates.date2num(dv["date_mid"].to_numpy()), atol=1e-6)


def test_run_study_on_a_corpus_spanning_1066_to_2263(wide8, tmp_path):
    from corpuskit.figures import run_study, write_outputs

    study = run_study(wide8, steps=["corpus", "topics", "frames", "keyness", "wordfish"],
                      before=("1066", "1500"), after=("2000", "2263"))
    assert study.summary["corpus"]["years"] == YEARS
    assert (study.summary["keyness"]["n_a_docs"], study.summary["keyness"]["n_b_docs"]) == (4, 4)
    shares = study.summary["frames"]["share_by_year"]
    assert {k.split(":")[0] for k in shares} == {"1066", "1500", "2000", "2263"}
    assert set(study.figures) == {"corpus_timeline", "topics_choice_of_k", "topics_over_time", "frames_over_time",
                                  "keyness", "wordfish"}
    files = write_outputs(study, tmp_path / "out", formats=("png",))
    assert len(files) == 7


def test_between_names_a_bad_bound(wide):
    from corpuskit.errors import ParameterError

    with pytest.raises(ParameterError, match=r"^end='1500-13': date '1500-13' is not a calendar date"):
        wide.between("1066", "1500-13")
    with pytest.raises(ParameterError, match=r"^start='soon': date 'soon' is not"):
        wide.between("soon")


def test_whole_study_with_gold_on_the_seeds_redated_to_1066_2263(seeds):
    """`corpuskit figures` on a historical corpus: the stance figure dodges three methods by fractions of a day."""
    import dataclasses

    from corpuskit.figures import run_study

    from conftest import SEEDS

    new = dict(zip(seeds.ids, ["1066", "1500-06", "2000-01-02", "2263", "2263-05"]))
    redated = ck.Corpus([dataclasses.replace(d, date=parse_date(new[d.id])) for d in seeds.documents], name="old")
    study = run_study(redated, gold=SEEDS / "annotations" / "gold.csv", before=("1066", "1500"),
                      after=("2000", "2263"), steps=["corpus", "frames", "stance", "shift"])
    assert study.summary["corpus"]["years"] == YEARS
    assert set(study.summary["shift"]) >= {"lexicon", "classifier", "hand-coded"}
    assert study.summary["shift"]["lexicon"]["documents"]["n_before"] == 2
    drawn(study.figures["stance_by_method"])
