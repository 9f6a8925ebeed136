"""The metric of an online A/B over time: the cumulative rate of each variant by visit number.

An online test's number moves a lot early and settles as visits accumulate; drawing it over time shows
whether the variants' lines have separated for good or still cross (stopping at the first moment the lines
look apart is how tests get false positives). Built as a plain dict first (``cumulative_rate_dict``), then
wrapped in a ``go.Figure``; variant names are escaped (:mod:`personalize_lab.plots.text`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from personalize_lab.analysis import labels
from personalize_lab.columns import VARIANT
from personalize_lab.errors import ValidationError
from personalize_lab.plots.text import escape
from personalize_lab.plots.theme import LEGEND_BELOW, themed_dict, variant_colors

__all__ = ["cumulative_rate", "cumulative_rate_dict"]

MAX_POINTS = 400  # per line: enough for the eye, small enough for a report


def cumulative_rate_dict(
    visits: pd.DataFrame, column: str = "converted", *, name: str | None = None, x: str = "visit"
) -> dict[str, Any]:
    """One line per variant: the mean of ``column`` over that variant's visits so far, against ``x``.

    ``visits`` has ``variant``, ``x`` (the run's visit number) and ``column`` (0/1 or a value per visit).
    """
    missing = [c for c in (VARIANT, x, column) if c not in visits.columns]
    if missing:
        raise ValidationError(
            field="visits",
            value=missing,
            rule=f"needs the columns {VARIANT}, {x} and {column}",
            fix="pass SimulationResult.visits (or a frame with those columns)",
        )
    title_name = labels.label(name or column)
    colors = variant_colors(str(v) for v in pd.unique(visits[VARIANT]))
    traces = []
    for variant, color in colors.items():
        rows = visits[visits[VARIANT].astype(str) == variant].sort_values(x)
        values = rows[column].to_numpy(dtype=np.float64)
        rate = np.cumsum(values) / np.arange(1, len(values) + 1)
        keep = np.unique(np.linspace(0, len(values) - 1, min(len(values), MAX_POINTS)).astype(int))
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": escape(variant),
                "x": rows[x].to_numpy()[keep].tolist(),
                "y": rate[keep].tolist(),
                "line": {"color": color, "width": 2},
                "hovertemplate": "%{fullData.name}<br>visit %{x:,}<br>%{y:.4g}<extra></extra>",
            }
        )
    figure = {
        "data": traces,
        "layout": {
            "xaxis": {"title": {"text": "Visit number (all variants)"}},
            "yaxis": {"title": {"text": f"{title_name}, cumulative"}, "rangemode": "tozero"},
            "legend": dict(LEGEND_BELOW),
        },
    }
    return themed_dict(figure, title=f"{title_name} over the run, per variant")


def cumulative_rate(
    visits: pd.DataFrame, column: str = "converted", *, name: str | None = None, x: str = "visit"
) -> go.Figure:
    """:func:`cumulative_rate_dict` as a ``go.Figure`` (``SimulationResult.figure()`` draws this)."""
    return go.Figure(cumulative_rate_dict(visits, column, name=name, x=x))
