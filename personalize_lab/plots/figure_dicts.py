"""Figures as plain plotly dicts first: the Explorer updates its FigureWidgets from the dicts directly.

Building a ``go.Figure`` validates every property on every call (``make_subplots`` alone costs ~10 ms),
which the Explorer paid twice per control change only to diff the result against the figure it already
showed. The builders here return the figure as a plain dict (``{"data": [...], "layout": {...}}``); the
public figure functions wrap that dict in a ``go.Figure`` once, and the Explorer sends only the parts
that changed. ``make_subplots``'s layout (axis domains, subplot titles) is computed once per grid; the
public figures still come from ``make_subplots`` so that callers can address their subplots by row and
column.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

FigureDict = dict[str, Any]


@lru_cache(maxsize=64)
def _grid_layout(rows: int, cols: int, options: tuple[tuple[str, Any], ...]) -> FigureDict:
    layout = make_subplots(rows=rows, cols=cols, **dict(options)).layout.to_plotly_json()
    layout.pop("template", None)  # every figure sets its own (theme.TEMPLATE)
    return dict(layout)


def grid_layout(rows: int, cols: int, **options: Any) -> FigureDict:
    """``make_subplots(rows, cols, **options)``'s layout as a fresh dict (list options as tuples)."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
    return copy.deepcopy(_grid_layout(rows, cols, key))


def subplot_figure(figure: FigureDict, rows: int, cols: int, **options: Any) -> go.Figure:
    """``figure`` as a ``go.Figure`` that keeps its subplot grid (``update_xaxes(row=, col=)`` works on it).

    ``rows``, ``cols`` and ``options`` are the ones :func:`grid_layout` built ``figure``'s layout from.
    """
    fig = make_subplots(rows=rows, cols=cols, **options)
    fig.add_traces(figure["data"])
    fig.update_layout(
        figure["layout"]
    )  # the same grid, plus the figure's keys (lists such as annotations replace)
    return fig


def axis_refs(col: int) -> dict[str, str]:
    """The axes of subplot (1, ``col``) as a trace refers to them (what ``add_trace(row=1, col=)`` sets)."""
    suffix = "" if col == 1 else str(col)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def merge(target: FigureDict, update: FigureDict) -> FigureDict:
    """Deep-merge ``update`` into ``target`` (nested dicts merge, everything else replaces); returns it."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value
    return target


__all__ = ["FigureDict", "axis_refs", "grid_layout", "merge", "subplot_figure"]
