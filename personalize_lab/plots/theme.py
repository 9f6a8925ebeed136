"""One look for every figure: a plotly template registered as ``personalize_lab`` and stable colours.

A variant keeps its colour across every figure of a comparison (colours follow the order variants
are given in), and the reason labels have fixed colours of their own. The template is registered in
``plotly.io.templates`` but never made the global default: a library should not restyle the user's
other figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from personalize_lab.columns import REASON_EXPLORATION, REASON_POPULAR, REASON_PROMOTED

TEMPLATE = "personalize_lab"

#: Colour-blind-safe palette (Okabe–Ito, reordered so the first two contrast well).
VARIANT_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
REASON_COLORS = {
    REASON_PROMOTED: "#E69F00",
    REASON_EXPLORATION: "#009E73",
    REASON_POPULAR: "#CC79A7",
    "No reason": "#BFC5CC",
}
#: Categories (metadata values) get their own colour-blind-safe set, so they never look like variants.
CATEGORY_PALETTE = (
    "#88CCEE", "#CC6677", "#DDCC77", "#117733", "#332288", "#AA4499",
    "#44AA99", "#999933", "#882255", "#661100", "#6699CC", "#888888",
)  # fmt: skip
MUTED = "#8A939C"
UP, DOWN = "#009E73", "#D55E00"

_template = go.layout.Template(
    layout=go.Layout(
        font={"family": "Inter, 'Segoe UI', Helvetica, Arial, sans-serif", "size": 13, "color": "#1F2933"},
        title={
            "font": {"size": 17},
            "x": 0.0,
            "xanchor": "left",
            "xref": "paper",
            "y": 0.97,
            "yanchor": "top",
        },
        colorway=list(VARIANT_PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 70, "r": 30, "t": 100, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.1, "xanchor": "right", "x": 1.0},
        xaxis={"showgrid": False, "linecolor": "#9AA5B1", "ticks": "outside", "automargin": True},
        yaxis={"gridcolor": "#E4E7EB", "zerolinecolor": "#9AA5B1", "automargin": True},
        hoverlabel={"font": {"size": 12}},
        bargap=0.15,
    )
)
pio.templates[TEMPLATE] = _template


#: Marker of each kind of item in a one-list figure: symbols differ as well as colours (colour-blind safe).
ITEM_MARKERS: dict[str, dict[str, Any]] = {
    "in score order": {"symbol": "circle", "color": VARIANT_PALETTE[0]},
    "out of order": {"symbol": "triangle-down", "color": DOWN, "size": 11},
    "explored": {"symbol": "diamond", "color": REASON_COLORS[REASON_EXPLORATION], "size": 11},
    "promoted": {"symbol": "star", "color": REASON_COLORS[REASON_PROMOTED], "size": 13},
    "placeholder": {"symbol": "square", "color": REASON_COLORS[REASON_POPULAR], "size": 9},
    "no score": {"symbol": "x-thin-open", "color": "#52606D", "size": 10, "line": {"width": 2}},
}
#: A horizontal legend under the x axis title: the top holds the title (and its subtitle), and a legend on
#: the right would take a fifth of a 620 px wide plot. Plotly grows the bottom margin to fit it.
LEGEND_BELOW: dict[str, Any] = {
    "orientation": "h",
    "x": 0.0,
    "xanchor": "left",
    "y": 0.0,
    "yref": "container",
    "yanchor": "bottom",
    "font": {"size": 11},
}


def score_axis(scores: np.ndarray) -> dict[str, Any]:
    """A readable score axis for ``scores`` (NaN = no score, ignored): log only when it spans a decade.

    Softmax scores span orders of magnitude; on a log axis plotly labels minor ticks (2, 5 between
    decades), which clutters a small plot, so ticks go one per decade, written as powers of ten. Within
    one decade a log axis would show one tick or none: the axis is linear then. Scores at or below 0
    (possible for ranking's unknown items and explored actions) cannot sit on a log axis: linear as well.
    """
    known = scores[~np.isnan(scores)]
    if len(known) and known.min() > 0 and known.max() / known.min() >= 10:
        return {
            "type": "log",
            "dtick": 1,
            "exponentformat": "power",
            "showexponent": "all",
            "minor": {"showgrid": False, "ticks": ""},
            "title": {"text": "Score (log scale)"},
        }
    return {"type": "linear", "exponentformat": "power", "tickformat": "", "title": {"text": "Score"}}


def variant_colors(variants: Iterable[str]) -> dict[str, str]:
    """Colour of each variant, in the order given (the palette repeats after eight variants)."""
    return {v: VARIANT_PALETTE[i % len(VARIANT_PALETTE)] for i, v in enumerate(variants)}


def themed_dict(figure: dict[str, Any], *, title: str, height: int = 420) -> dict[str, Any]:
    """:func:`themed` for a figure given as a plain plotly dict; returns the same dict."""
    layout = figure["layout"]
    layout["template"] = TEMPLATE
    layout["title"] = {**layout.get("title", {}), "text": title}
    layout["height"] = height
    return figure


def themed(fig: go.Figure, *, title: str, height: int = 420) -> go.Figure:
    """Apply the template, a title and a height; returns the same figure."""
    fig.update_layout(template=TEMPLATE, title={"text": title}, height=height)
    return fig
