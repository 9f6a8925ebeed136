"""Figure builders: trace types, plotted values, axis titles and log axes (never pixels)."""

from __future__ import annotations

import numpy as np
import plotly.io as pio
import pytest

import personalize_lab.plots as plots
from personalize_lab.analysis import compare
from personalize_lab.errors import ValidationError
from tests.support.analysis_frames import demo_frame, rec_frame, small_frame
from tests.support.one_lists import V1_LIST, V2_LIST


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return compare(small_frame(), category_column="genre", n_resamples=50)


def test_theme_is_registered_and_colours_are_stable() -> None:
    assert plots.TEMPLATE in pio.templates
    assert plots.variant_colors(["A", "B"]) == {"A": "#0072B2", "B": "#E69F00"}
    assert pio.templates.default != plots.TEMPLATE  # a library must not restyle the user's figures


def test_score_distribution_log_axis_and_scoreless_bar(result) -> None:  # type: ignore[no-untyped-def]
    fig = plots.score_distribution(result)
    lines = [t for t in fig.data if t.type == "scatter"]
    assert [t.name for t in lines] == ["A", "B"]
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "Score (log scale)"
    assert sum(lines[0].y) == 3
    assert sum(lines[1].y) == 3
    assert min(lines[0].x) > 0
    bar = next(t for t in fig.data if t.type == "bar")
    assert list(bar.x) == ["A", "B"]
    assert list(bar.y) == [1, 0]
    assert fig.layout.xaxis2.title.text == "Variant"
    assert "1 item,<br>not plotted as 0" in [a.text for a in fig.layout.annotations]
    assert fig.layout.title.text == "Score distribution by variant"
    assert fig.layout.template.layout.colorway[0] == "#0072B2"


def test_reason_breakdown_stacks_shares_per_rank(result) -> None:  # type: ignore[no-untyped-def]
    fig = plots.reason_breakdown(result)
    assert fig.layout.barmode == "stack"
    by_name = {(t.name, t.xaxis): t for t in fig.data}
    promoted_b = by_name[("Promoted item", "x2")]
    assert list(promoted_b.x) == [1]
    assert list(promoted_b.y) == [0.5]
    popular_a = by_name[("Popular item", "x")]
    assert list(popular_a.x) == [3]
    assert list(popular_a.y) == [1.0]
    assert fig.layout.yaxis.title.text == "Share of items"
    assert fig.layout.xaxis.title.text == "Rank"


def test_promoted_positions(result) -> None:  # type: ignore[no-untyped-def]
    fig = plots.promoted_positions(result)
    b = next(t for t in fig.data if t.name == "B")
    assert list(b.x) == [1, 2, 3]
    assert list(b.y) == [1, 0, 0]
    assert fig.layout.xaxis.title.text == "Position in the list"
    assert fig.layout.yaxis.title.text == "Promoted items"


def test_overlap_histogram(result) -> None:  # type: ignore[no-untyped-def]
    fig = plots.overlap_histogram(result, metric="rbo")
    (hist,) = fig.data
    assert hist.type == "histogram"
    assert hist.name == "B vs A"
    np.testing.assert_allclose(
        sorted(hist.x), [0.0, 0.9]
    )  # u2 disjoint; u1 [a,b,c] vs [b,a] (see overlap tests)
    assert fig.layout.xaxis.title.text == "Rank-biased overlap (p=0.9)"
    assert fig.layout.yaxis.title.text == "Users"


def test_metric_bars_have_ci_error_bars(result) -> None:  # type: ignore[no-untyped-def]
    tests = result.tests().set_index("metric")
    fig = plots.metric_bars(result, metrics=["list_length"])
    bar, marks = fig.data
    ll = tests.loc["list_length"]
    # list length: A 3,1 vs B 2,1 → Δ mean −0.5 on a reference mean of 2 → −25 %
    assert list(bar.x) == ["List length"]  # the human name, from analysis.labels
    assert bar.y[0] == pytest.approx(-25.0)
    assert bar.error_y.array[0] == pytest.approx((ll["ci_high"] - ll["mean_diff"]) / 2 * 100)
    assert bar.error_y.arrayminus[0] == pytest.approx((ll["mean_diff"] - ll["ci_low"]) / 2 * 100)
    assert fig.layout.yaxis.title.text == "Change vs A (% of A's mean)"
    assert marks.mode == "text"
    assert ll["verdict"] in bar.customdata[0][1]  # the hover carries the verdict sentence


def _stars_beyond_whiskers(fig) -> int:  # type: ignore[no-untyped-def]
    """Check every mark sits past its whisker's far end; return how many marks there are."""
    bars = [t for t in fig.data if t.type == "bar"]
    marks = [t for t in fig.data if t.type == "scatter"]
    assert len(bars) == len(marks)
    count = 0
    for bar, mark in zip(bars, marks, strict=True):
        assert mark.offsetgroup == bar.offsetgroup  # drawn over its own bar, not between the group
        assert (mark.xaxis, mark.yaxis) == (bar.xaxis, bar.yaxis)
        for i, text in enumerate(mark.text):
            high = bar.y[i] + bar.error_y.array[i]
            low = bar.y[i] - bar.error_y.arrayminus[i]
            if bar.y[i] >= 0:
                assert mark.y[i] > high
                assert mark.textposition[i] == "top center"
            else:
                assert mark.y[i] < low
                assert mark.textposition[i] == "bottom center"
            count += bool(text)
    assert fig.layout.scattermode == "group"
    return count


def test_significance_marks_are_never_under_whiskers() -> None:
    frame = demo_frame(n_users=150)
    popularity = frame.loc[frame["variant"] == "A", "itemId"].value_counts()
    result = compare(frame, item_popularity=popularity, n_resamples=300)
    fig = plots.metric_bars(result)
    tests = result.tests()
    assert _stars_beyond_whiskers(fig) == int((tests["finding"] != "no detectable difference").sum())
    layout = fig.layout
    for axis in (layout.yaxis, layout.yaxis2):  # the axis range leaves room for the marks
        assert axis.range[0] <= 0 <= axis.range[1]
    marks = {m for t in fig.data if t.type == "scatter" for m in t.text}
    assert marks <= {"*", "?", ""}
    assert "? inconclusive" in layout.title.subtitle.text
    assert "Holm" not in layout.title.subtitle.text  # one comparison: nothing was corrected


def test_metric_bars_word_levels_in_percent_and_shares_in_points() -> None:
    result = compare(demo_frame(n_users=80), n_resamples=200)
    fig = plots.metric_bars(result)
    level_axis, share_axis = fig.layout.yaxis.title.text, fig.layout.yaxis2.title.text
    assert level_axis == "Change vs A (% of A's mean)"
    assert share_axis == "Change vs A (percentage points)"
    promoted = next(t for t in fig.data if t.type == "bar" and "Promoted share" in list(t.x))
    row = result.tests().set_index("metric").loc["promoted_share"]
    assert promoted.y[list(promoted.x).index("Promoted share")] == pytest.approx(100 * row["mean_diff"])


def test_rank_shift_slope_chart(result) -> None:  # type: ignore[no-untyped-def]
    fig = plots.rank_shift(result, "u1")
    traces = {t.name: t for t in fig.data if t.name}
    up, down = traces["moved up"], traces["moved down"]
    assert list(up.x) == [0, 1, None]
    assert list(fig.layout.xaxis.ticktext) == ["A", "B"]
    assert list(up.y) == [2, 1, None]
    assert list(down.y) == [1, 2, None]  # a
    assert list(traces["only in A"].y) == [3]
    assert list(traces["only in A"].text) == ["c"]
    assert fig.layout.yaxis.range == (3.8, 0.2)  # rank 1 on top
    assert fig.layout.title.text == "Rank shift for userId u1: A → B"


def test_category_mix_figure(result) -> None:  # type: ignore[no-untyped-def]
    fig = plots.category_mix(result)
    assert fig.layout.barmode == "stack"
    z = next(t for t in fig.data if t.name == "z")
    assert z.orientation == "h"
    assert list(z.y) == ["A", "B"]
    np.testing.assert_allclose(z.x, [0.25, 0.5])
    assert fig.layout.xaxis.title.text == "Share of recommended items"


def test_unknown_user_and_variant_errors() -> None:
    frame = small_frame()
    with pytest.raises(ValidationError, match="user='nobody': has no recommendations in the frame"):
        plots.rank_shift(frame, "nobody", variants=("A", "B"))
    with pytest.raises(ValidationError, match="variants='C': not a variant"):
        plots.rank_shift(frame, "u1", variants=("A", "C"))


def test_figures_of_a_comparison_are_functions_of_it() -> None:
    """``plots.<name>(comparison)`` draws what the comparison holds; ``plots.figures`` picks those that apply."""
    result = compare(small_frame(), category_column="genre", n_resamples=50)
    assert list(plots.figures(result)) == [
        "metric_bars", "score_distribution", "reason_breakdown", "promoted_positions", "rbo_histogram",
        "rank_shift", "category_mix",
    ]  # fmt: skip
    same_user = plots.rank_shift(result.frame, "u1", variants=("A", "B"), k=result.k)
    assert plots.rank_shift(result, "u1").to_json() == same_user.to_json()
    assert plots.metric_bars(result).to_json() == plots.metric_bars(result.tests()).to_json()
    plain = compare(small_frame(), n_resamples=50)  # no category column: no category figure
    assert "category_mix" not in plots.figures(plain)
    with pytest.raises(ValidationError, match="variants: a frame has no reference variant"):
        plots.rank_shift(result.frame, "u1")
    assert not hasattr(result, "to_html")  # analysis draws nothing: the report is a function of it
    assert not hasattr(result, "figures")


def test_scoreless_only_frame_still_draws() -> None:
    frame = rec_frame([("A", "u1", 1, "a", None, None, (), "x"), ("B", "u1", 1, "b", None, None, (), "x")])
    fig = plots.score_distribution(frame)
    assert [t.type for t in fig.data] == ["bar"]
    assert list(fig.data[0].y) == [1, 1]


# --- one list: score against rank, reasons given ------------------------------------------------------


def _traces(fig):  # type: ignore[no-untyped-def]
    """(kind, axis) → trace of a rank_scores figure."""
    return {(t.name, t.yaxis): t for t in fig.data if t.mode == "markers"}


def test_rank_scores_marks_out_of_order_promoted_and_scoreless_items() -> None:
    fig = plots.rank_scores(rec_frame(V1_LIST))
    kinds = _traces(fig)
    assert list(kinds[("in score order", "y")].x) == [1, 2, 4, 6]
    out = kinds[("out of order", "y")]
    assert list(out.x) == [3]
    assert list(out.y) == [3.9e-05]
    assert out.marker.symbol == "triangle-down"
    assert "above 2 higher-scored items" in out.text[0]  # d and e; the promotion does not count
    assert "exploration (v1 recipes do not label it)" in out.text[0]
    promoted = kinds[("promoted", "y")]
    assert (list(promoted.x), promoted.marker.symbol) == ([5], "star")
    assert "promoted (promo): placed at a random position" in promoted.text[0]
    scoreless = kinds[("no score", "y2")]
    assert (list(scoreless.x), list(scoreless.y)) == ([7], [0.5])  # in the strip, not at score 0
    assert fig.layout.yaxis2.ticktext == ("no score",)
    assert fig.layout.xaxis.anchor == "y2"  # the rank axis runs under the strip
    assert all(0 not in t.y for t in fig.data if t.yaxis == "y")
    subtitle = fig.layout.title.subtitle.text
    assert "Rank 3 sits above higher-scored items" in subtitle
    assert "Rank 5 is promoted: promotions go to random positions." in subtitle.replace("<br>", " ")
    assert fig.layout.title.text == "Score by rank · A"
    shown = [t.name for t in fig.data if t.showlegend]
    assert shown == ["in score order", "out of order", "promoted", "no score"]
    assert len({t.marker.symbol for t in fig.data if t.showlegend}) == 4  # told apart without colour


def test_rank_scores_reads_v2_reasons_with_and_without_scores() -> None:
    fig = plots.rank_scores(rec_frame(V2_LIST))
    kinds = _traces(fig)
    assert list(kinds[("explored", "y")].x) == [4]
    assert list(kinds[("explored", "y2")].x) == [2]  # explored from outside the scored pool
    assert kinds[("explored", "y")].marker.symbol == "diamond"
    assert list(kinds[("promoted", "y")].x) == [5]
    assert list(kinds[("placeholder", "y2")].x) == [7]
    assert "popular placeholder (reason Popular item)" in kinds[("placeholder", "y2")].text[0]
    assert list(kinds[("in score order", "y")].x) == [1, 3, 6]
    assert not kinds[("out of order", "y")].x  # v2 labels its exploration: nothing left unexplained
    assert [t.name for t in fig.data if t.showlegend] == [
        "in score order",
        "explored",
        "promoted",
        "placeholder",
    ]
    lines = fig.layout.title.subtitle.text.split("<br>")
    assert len(lines) <= 2  # fits 620 px above the plot
    assert all(len(line) <= 88 for line in lines)
    assert " ".join(lines) == (
        "Ranks 2, 4 are exploration (new or rarely seen items). Rank 5 is promoted: promotions go to"
        " random positions. Rank 7 is a popular placeholder: the filter left too few items."
    )


def test_rank_scores_axis_is_log_per_decade_or_linear() -> None:
    log = plots.rank_scores(rec_frame(V1_LIST)).layout.yaxis
    assert (log.type, log.dtick, log.exponentformat) == ("log", 1, "power")
    assert log.minor.ticks == ""  # no "2" and "5" labels between decades
    close = [("A", "u1", r, f"i{r}", s, None, (), "x") for r, s in ((1, 0.3), (2, 0.25), (3, 0.2))]
    linear = plots.rank_scores(rec_frame(close))
    assert (linear.layout.yaxis.type, linear.layout.yaxis.title.text) == ("linear", "Score")
    assert linear.layout.title.subtitle.text == "Every item sits in score order."
    assert "yaxis2" not in linear.to_plotly_json()["layout"]  # no strip without scoreless items
    zero = [("A", "u1", 1, "i1", 0.5, None, (), "x"), ("A", "u1", 2, "i2", 0.0, None, (), "x")]
    assert plots.rank_scores(rec_frame(zero)).layout.yaxis.type == "linear"  # 0 is a real score here


def test_rank_scores_of_a_scoreless_recipe_and_of_several_lists() -> None:
    sims = rec_frame([("A", "u1", r, f"i{r}", None, None, (), "x") for r in range(1, 6)])
    fig = plots.rank_scores(sims)
    assert fig.layout.yaxis.visible is False
    assert fig.layout.yaxis2.domain == (0.0, 1.0)
    assert fig.layout.title.subtitle.text == "No item has a score: this recipe orders items without one."
    with pytest.raises(ValidationError, match="userId=\\['u1', 'u2'\\]: rank_scores draws one list"):
        plots.rank_scores(small_frame()[lambda f: f["variant"] == "A"])


def test_reason_counts_lists_every_reason_with_no_reason_given() -> None:
    fig = plots.reason_counts(rec_frame(V2_LIST))
    (bars,) = fig.data
    assert list(bars.y) == ["Promoted item", "Exploration", "Popular item", "No reason given"]
    assert list(bars.x) == [1, 2, 1, 3]
    assert bars.customdata[1] == "Exploration: 2 of 7 items (ranks 2, 4)"
    assert fig.layout.title.text == "Reasons given"
    assert not fig.layout.annotations


def test_reason_counts_says_when_the_recipe_gives_none() -> None:
    fig = plots.reason_counts(rec_frame(V1_LIST), recipe="aws-user-personalization")
    (note,) = fig.layout.annotations
    assert note.text.startswith("<b>This recipe returns no reasons</b>")
    assert "All 7 items: no reason given. Promoted items are marked by promotionName instead." in note.text
    assert all(t.visible is False for t in fig.data)  # words instead of a grey wall
    assert fig.layout.xaxis.visible is False
    unknown = plots.reason_counts(rec_frame(V1_LIST)).layout.annotations[0].text
    assert unknown.startswith("<b>No item carries a reason</b>")
    v2 = plots.reason_counts(rec_frame(V1_LIST), recipe="aws-user-personalization-v2")
    assert v2.layout.annotations[0].text.startswith("<b>No item in this list carries a reason</b>")


def test_reason_counts_by_variant() -> None:
    fig = plots.reason_counts(rec_frame([*V1_LIST, *V2_LIST]))
    assert fig.layout.title.text == "Reasons given, by variant"
    assert [t.name for t in fig.data] == ["A", "B"]
    assert list(fig.data[0].x) == [0, 0, 0, 7]


def test_titles_fit_the_number_of_variants() -> None:
    one = plots.score_distribution(rec_frame(V1_LIST))
    assert one.layout.title.text == "Score distribution"
    assert "xaxis2" not in one.to_plotly_json()["layout"]  # no clipped side panel for one variant
    assert [a.text for a in one.layout.annotations] == ["1 item without a score, not plotted as 0"]
    assert one.layout.annotations[0].visible is True
    assert (one.layout.xaxis.dtick, one.layout.xaxis.exponentformat) == (1, "power")
    assert [t.showlegend for t in one.data] == [False]  # one variant: nothing for a legend to tell apart
    assert (
        plots.reason_breakdown(rec_frame(V1_LIST)).layout.title.text == "Why items are recommended, by rank"
    )
    two = plots.reason_breakdown(small_frame())
    assert two.layout.title.text == "Why items are recommended, by rank and variant"


def test_reason_breakdown_explains_a_grey_wall() -> None:
    fig = plots.reason_breakdown(rec_frame(V1_LIST))
    assert [t.name for t in fig.data] == ["No reason"]
    note = fig.layout.annotations[-1]
    assert note.text.startswith("<b>No item carries a reason</b>")
    assert note.visible is True
    assert plots.reason_breakdown(small_frame()).layout.annotations[-1].visible is False
