"""Figures of a ``Comparison``: adapters from the result object to the pure builders, registered on import.

``analysis`` sits below ``plots`` and may not import it; registering here lets ``Comparison.figure``
find these by name (see ``analysis._views``).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from personalize_lab.analysis import _views
from personalize_lab.analysis.comparison import Comparison
from personalize_lab.plots import bars, distributions, positions


def _score(c: Comparison) -> go.Figure:
    return distributions.score_distribution(c.frame)


def _reasons(c: Comparison) -> go.Figure:
    return positions.reason_breakdown(c.frame)


def _promoted(c: Comparison) -> go.Figure:
    return positions.promoted_positions(c.promoted_positions())


def _overlap(c: Comparison, metric: str = "rbo") -> go.Figure:
    return distributions.overlap_histogram(c.overlap(), metric=metric, p=c.settings["rbo_p"], k=c.k)


def _bars(c: Comparison, metrics: list[str] | None = None) -> go.Figure:
    return bars.metric_bars(c.tests(), metrics=metrics)


def _rank_shift(c: Comparison, user: str, variant: str | None = None) -> go.Figure:
    other = variant or next((v for v in c.variants if v != c.reference), c.reference)
    return positions.rank_shift(c.frame, user, variants=(c.reference, other), k=c.k)


def _mix(c: Comparison, column: str | None = None) -> go.Figure:
    column = column or c.settings.get("category_column")
    return bars.category_mix(c.category_mix(column), column=column)


BUILDERS: dict[str, Any] = {
    "metric_bars": _bars,
    "score_distribution": _score,
    "reason_breakdown": _reasons,
    "promoted_positions": _promoted,
    "overlap_histogram": _overlap,
    "rank_shift": _rank_shift,
    "category_mix": _mix,
}

for _name, _builder in BUILDERS.items():
    _views.register("figure", _name, _builder)
