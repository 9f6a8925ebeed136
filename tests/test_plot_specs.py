"""The figure dicts the Explorer updates from draw the same figures the public functions return."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

import personalize_lab.plots as plots
from personalize_lab.plots.distributions import score_distribution_spec
from personalize_lab.plots.positions import reason_breakdown_spec
from tests._analysis_frames import small_frame


def _json(fig: go.Figure) -> object:
    return json.loads(pio.to_json(fig, validate=False))


def test_specs_draw_the_public_figures() -> None:
    frame = small_frame()
    assert _json(go.Figure(score_distribution_spec(frame))) == _json(plots.score_distribution(frame))
    assert _json(go.Figure(reason_breakdown_spec(frame))) == _json(plots.reason_breakdown(frame))


def test_public_figures_keep_their_subplot_grid() -> None:
    score = plots.score_distribution(small_frame())
    score.update_xaxes(title_text="Variant (A/B)", row=1, col=2)
    assert score.layout.xaxis2.title.text == "Variant (A/B)"
    reasons = plots.reason_breakdown(small_frame())
    reasons.update_xaxes(dtick=2, row=1, col=2)
    assert reasons.layout.xaxis2.dtick == 2
    assert reasons.layout.yaxis2.matches == "y"  # shared_yaxes: the panels share one share axis
