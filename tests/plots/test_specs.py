"""The figure dicts the Explorer updates from draw the same figures the public functions return."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

import personalize_lab.plots as plots
from personalize_lab.plots.distributions import score_distribution_dict
from personalize_lab.plots.one_list import rank_scores_dict, reason_counts_dict
from personalize_lab.plots.positions import reason_breakdown_dict
from tests.support.analysis_frames import rec_frame, small_frame


def _json(fig: go.Figure) -> object:
    return json.loads(pio.to_json(fig, validate=False))


def test_figure_dicts_draw_the_public_figures() -> None:
    frame = small_frame()
    assert _json(go.Figure(score_distribution_dict(frame))) == _json(plots.score_distribution(frame))
    assert _json(go.Figure(reason_breakdown_dict(frame))) == _json(plots.reason_breakdown(frame))


def test_public_figures_keep_their_subplot_grid() -> None:
    score = plots.score_distribution(small_frame())
    score.update_xaxes(title_text="Variant (A/B)", row=1, col=2)
    assert score.layout.xaxis2.title.text == "Variant (A/B)"
    reasons = plots.reason_breakdown(small_frame())
    reasons.update_xaxes(dtick=2, row=1, col=2)
    assert reasons.layout.xaxis2.dtick == 2
    assert reasons.layout.yaxis2.matches == "y"  # shared_yaxes: the panels share one share axis


def _frames() -> dict[str, object]:
    """Frames with <NA> scores, promotions and reasons: one variant, two variants, a scoreless recipe."""
    from tests.support.one_lists import V1_LIST, V2_LIST

    return {
        "v1 list": rec_frame(V1_LIST),
        "v2 list": rec_frame(V2_LIST),
        "two variants": rec_frame([*V1_LIST, *V2_LIST]),
        "scoreless": rec_frame([("A", "u1", r, f"i{r}", None, None, (), "x") for r in range(1, 4)]),
        "cohort": small_frame(),
    }


ONE_LIST = {"rank_scores": rank_scores_dict}
ANY_FRAME = {
    "score_distribution": score_distribution_dict,
    "reason_breakdown": reason_breakdown_dict,
    "reason_counts": reason_counts_dict,
}


def _dicts() -> list[tuple[str, dict[str, object]]]:
    out = []
    for frame_name, frame in _frames().items():
        builders = dict(ANY_FRAME)
        if frame_name not in ("two variants", "cohort"):
            builders.update(ONE_LIST)
        out += [(f"{name}({frame_name})", build(frame)) for name, build in builders.items()]
    return out


def test_figure_dicts_are_plain_json_with_meta_left_to_the_caller() -> None:
    """The widget sends each whole figure dict to the browser: no numpy values, no NaN, meta unused."""
    for name, figure in _dicts():
        text = json.dumps(figure, allow_nan=False)  # raises on numpy arrays, numpy scalars and NaN
        assert json.loads(text) == figure, name  # nothing was a tuple or a subclass that JSON changes
        assert "meta" not in figure["layout"], name
        go.Figure(figure)  # and plotly accepts every property


def test_one_list_figure_dicts_draw_the_public_figures() -> None:
    for frame in _frames().values():
        one_variant = frame["variant"].nunique() == 1 and frame["userId"].nunique() == 1
        if one_variant:
            assert _json(go.Figure(rank_scores_dict(frame))) == _json(plots.rank_scores(frame))
            assert _json(go.Figure(score_distribution_dict(frame))) == _json(plots.score_distribution(frame))
        assert _json(go.Figure(reason_counts_dict(frame))) == _json(plots.reason_counts(frame))
