"""Figure builders: trace types, plotted values, axis titles and log axes (never pixels)."""

from __future__ import annotations

import numpy as np
import plotly.io as pio
import pytest

import personalize_lab.plots as plots
from personalize_lab.analysis import compare
from personalize_lab.errors import PersonalizeLabError, ValidationError
from tests._analysis_frames import rec_frame, small_frame


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return compare(small_frame(), category_column="genre", n_resamples=50)


def test_theme_is_registered_and_colours_are_stable() -> None:
    assert plots.TEMPLATE in pio.templates
    assert plots.variant_colors(["A", "B"]) == {"A": "#0072B2", "B": "#E69F00"}
    assert pio.templates.default != plots.TEMPLATE  # a library must not restyle the user's figures


def test_score_distribution_log_axis_and_scoreless_bar(result) -> None:  # type: ignore[no-untyped-def]
    fig = result.score_distribution()
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
    fig = result.reason_breakdown()
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
    fig = result.promoted_positions_figure()
    b = next(t for t in fig.data if t.name == "B")
    assert list(b.x) == [1, 2, 3]
    assert list(b.y) == [1, 0, 0]
    assert fig.layout.xaxis.title.text == "Position in the list"
    assert fig.layout.yaxis.title.text == "Promoted items"


def test_overlap_histogram(result) -> None:  # type: ignore[no-untyped-def]
    fig = result.overlap_histogram("rbo")
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
    fig = result.metric_bars(["list_length"])
    (bar,) = fig.data
    ll = tests.loc["list_length"]
    # list length: A 3,1 vs B 2,1 → Δ mean −0.5 on a reference mean of 2 → −25 %
    assert list(bar.x) == ["list_length"]
    assert bar.y[0] == pytest.approx(-25.0)
    assert bar.error_y.array[0] == pytest.approx((ll["ci_high"] - ll["mean_diff"]) / 2 * 100)
    assert bar.error_y.arrayminus[0] == pytest.approx((ll["mean_diff"] - ll["ci_low"]) / 2 * 100)
    assert fig.layout.yaxis.title.text == "Change vs A (%)"


def test_rank_shift_slope_chart(result) -> None:  # type: ignore[no-untyped-def]
    fig = result.rank_shift("u1")
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
    fig = result.category_mix_figure()
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


def test_figure_registry_names_every_figure() -> None:
    from personalize_lab.analysis import Comparison, _views

    assert set(Comparison.figure_names()) >= {"score_distribution", "rank_shift", "category_mix"}
    with pytest.raises(PersonalizeLabError, match="no figure named 'nope' is registered"):
        _views.lookup("figure", "nope")


def test_scoreless_only_frame_still_draws() -> None:
    frame = rec_frame([("A", "u1", 1, "a", None, None, (), "x"), ("B", "u1", 1, "b", None, None, (), "x")])
    fig = plots.score_distribution(frame)
    assert [t.type for t in fig.data] == ["bar"]
    assert list(fig.data[0].y) == [1, 1]
